//! Fixtures shared by the engine's integration tests (`mod common;`): options without
//! background work, a database opened with one table `t`, the files of a database
//! directory, and columns read back as plain vectors. (Format-level helpers live beside
//! the tests that need them: `segment_util`, `wal_util`, `manifest_util`, `dv_util`,
//! `compact_util`, `memtable_util`, `remote_util`.)
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::Schema;
use murr_core::db::{Db, Options};

/// Options with no background threads: flushes and compactions happen only when a test
/// asks, so what a test sees on disk is what it did.
pub fn manual() -> Options {
    Options::default().with_background_threads(0)
}

/// A database in `dir` opened with `options`, holding table `t` of `schema` keyed by
/// `key`.
pub fn table_with(dir: &Path, options: Options, schema: &Schema, key: &str) -> Db {
    let db = Db::open(dir, options).unwrap();
    db.create_table("t", schema, key).unwrap();
    db
}

/// [`table_with`] the [`manual`] options.
pub fn table(dir: &Path, schema: &Schema, key: &str) -> Db {
    table_with(dir, manual(), schema, key)
}

/// The names of the files in `dir` that start with `prefix` and end with `suffix`,
/// sorted; files being written (`.tmp`) are left out.
pub fn files(dir: &Path, prefix: &str, suffix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix) && n.ends_with(suffix) && !n.ends_with(".tmp"))
        .collect();
    names.sort();
    names
}

/// A float32 column's values (`None` for nulls).
pub fn f32s(array: &dyn Array) -> Vec<Option<f32>> {
    array.as_primitive::<Float32Type>().iter().collect()
}

/// An int64 column's values (`None` for nulls).
pub fn i64s(array: &dyn Array) -> Vec<Option<i64>> {
    array.as_primitive::<Int64Type>().iter().collect()
}

/// A uint64 column's values (`None` for nulls).
pub fn u64s(array: &dyn Array) -> Vec<Option<u64>> {
    array.as_primitive::<UInt64Type>().iter().collect()
}

/// Column `name` of `batch`.
pub fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a dyn Array {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", batch.schema()))
        .as_ref()
}
