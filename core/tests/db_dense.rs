#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::read_f32` / `Snapshot::read_f32`: the dense tensor read equals the Arrow read cast
//! cell by cell (every numeric type and bool, nulls, absent keys, across memtable, level 0
//! and several 128-row blocks), refuses bad arguments before writing anything, and reads
//! the past through a snapshot.
#![cfg(feature = "engine")]

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float16Array, Float64Array, Int8Array, Int64Array, RecordBatch,
    StringArray, UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use murr_core::Error;
use murr_core::db::Db;

const COLUMNS: [&str; 6] = ["i8", "u32", "i64", "f16", "f64", "b"];

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("i8", DataType::Int8, true),
        Field::new("u32", DataType::UInt32, true),
        Field::new("i64", DataType::Int64, true),
        Field::new("f16", DataType::Float16, true),
        Field::new("f64", DataType::Float64, true),
        Field::new("b", DataType::Boolean, true),
        Field::new("name", DataType::Utf8, true),
    ]))
}

/// Rows `from..to`, value `i` (or null when `i % m == 0`, m per column) plus `delta`.
fn rows(from: i64, to: i64, delta: i64) -> RecordBatch {
    let ids: Vec<i64> = (from..to).collect();
    let opt = |m: i64| move |&i: &i64| (i % m != 0).then_some(i + delta);
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| format!("k{i}")),
            )) as ArrayRef,
            Arc::new(Int8Array::from_iter(
                ids.iter().map(opt(3)).map(|v| v.map(|v| v as i8)),
            )),
            Arc::new(UInt32Array::from_iter(
                ids.iter().map(opt(5)).map(|v| v.map(|v| v as u32)),
            )),
            Arc::new(Int64Array::from_iter(
                ids.iter().map(opt(7)).map(|v| v.map(|v| -v)),
            )),
            Arc::new(Float16Array::from_iter(
                ids.iter()
                    .map(opt(11))
                    .map(|v| v.map(|v| half_of(v as f32 / 8.0))),
            )),
            Arc::new(Float64Array::from_iter(
                ids.iter().map(opt(13)).map(|v| v.map(|v| v as f64 / 3.0)),
            )),
            Arc::new(BooleanArray::from_iter(
                ids.iter().map(opt(2)).map(|v| v.map(|v| v % 4 == 1)),
            )),
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| format!("n{i}")),
            )),
        ],
    )
    .unwrap()
}

fn half_of(v: f32) -> <arrow_array::types::Float16Type as arrow_array::ArrowPrimitiveType>::Native {
    <arrow_array::types::Float16Type as arrow_array::ArrowPrimitiveType>::Native::from_f32(v)
}

/// The Arrow read of `keys`, cast to f32 and laid out row-major (`fill` for nulls).
fn expected(db: &Db, keys: &StringArray, fill: f32) -> (Vec<f32>, Vec<bool>) {
    let (batch, found) = db.read("t", keys, &COLUMNS).unwrap();
    let mut out = vec![0f32; keys.len() * COLUMNS.len()];
    for j in 0..COLUMNS.len() {
        let column = arrow_cast::cast(batch.column(j), &DataType::Float32).unwrap();
        for (i, v) in column.as_primitive::<Float32Type>().iter().enumerate() {
            out[i * COLUMNS.len() + j] = v.unwrap_or(fill);
        }
    }
    (out, found)
}

fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn dense_reads_equal_the_arrow_read_cast() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::table(dir.path(), &schema(), "k");
    db.write("t", &rows(0, 300, 0)).unwrap();
    db.flush().unwrap();
    db.write("t", &rows(150, 450, 1000)).unwrap(); // memtable over level 0
    let keys = StringArray::from_iter_values((0..700).map(|i| format!("k{}", (i * 7) % 600)));
    let mut out = vec![0f32; keys.len() * COLUMNS.len()];
    let found = db.read_f32("t", &keys, &COLUMNS, -1.5, &mut out).unwrap();
    let (want, want_found) = expected(&db, &keys, -1.5);
    assert_eq!(found, want_found);
    assert!(found.contains(&false) && found.contains(&true));
    assert!(same(&out, &want));
    assert!(out.contains(&-1.5));
}

#[test]
fn bad_arguments_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::table(dir.path(), &schema(), "k");
    db.write("t", &rows(0, 10, 0)).unwrap();
    let keys = StringArray::from(vec!["k1", "k2"]);
    let mut out = vec![7f32; 5];
    let err = db
        .read_f32("t", &keys, &["i8", "f64"], 0.0, &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    let mut out = vec![7f32; 4];
    let err = db
        .read_f32("t", &keys, &["i8", "name"], 0.0, &mut out)
        .unwrap_err();
    assert!(
        matches!(err, Error::SchemaMismatch(ref m) if m.contains("'name'")),
        "{err}"
    );
    let err = db
        .read_f32("t", &keys, &["i8", "nope"], 0.0, &mut out)
        .unwrap_err();
    assert!(matches!(err, Error::UnknownColumn { .. }), "{err}");
    assert_eq!(out, [7.0; 4]);
}

#[test]
fn a_snapshot_reads_the_past_densely() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::table(dir.path(), &schema(), "k");
    db.write("t", &rows(1, 2, 0)).unwrap();
    let snap = db.snapshot().unwrap();
    db.write("t", &rows(1, 2, 40)).unwrap();
    let keys = StringArray::from(vec!["k1"]);
    let mut then = [0f32; 1];
    let mut now = [0f32; 1];
    snap.read_f32("t", &keys, &["u32"], 0.0, &mut then).unwrap();
    db.read_f32("t", &keys, &["u32"], 0.0, &mut now).unwrap();
    assert_eq!((then, now), ([1.0], [41.0]));
}
