//! What the tests of the `murr` binary share: running it, and a small database made
//! through murr-core.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, FixedSizeListArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::db::{Db, Options};

/// Runs `murr` with `args` (and `stdin`, if given).
pub fn murr_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_murr"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run murr");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    child.wait_with_output().expect("wait for murr")
}

/// Runs `murr` with `args` and an empty stdin.
pub fn murr(args: &[&str]) -> Output {
    murr_with_stdin(args, None)
}

/// Runs `murr` and returns its stdout, failing the test unless it exits with 0.
pub fn ok(args: &[&str]) -> String {
    let out = murr(args);
    assert!(
        out.status.success(),
        "murr {args:?} failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `murr`, expects exit status `code`, and returns its stderr.
pub fn fails(args: &[&str], code: i32) -> String {
    let out = murr(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "murr {args:?}: stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The schema of table `users`: key `id` (utf8), `score` (float32), `clicks` (int64) and
/// `emb` (a 2-float embedding).
pub fn users_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
        Field::new("clicks", DataType::Int64, true),
        Field::new(
            "emb",
            DataType::FixedSizeList(Arc::new(Field::new_list_field(DataType::Float32, false)), 2),
            true,
        ),
    ]))
}

/// Rows `u{i}` for `i` in `range`: score i/2, clicks i*10, emb [i, -i].
pub fn users_batch(range: std::ops::Range<i64>) -> RecordBatch {
    let ids: Vec<String> = range.clone().map(|i| format!("u{i}")).collect();
    let emb: Vec<f32> = range
        .clone()
        .flat_map(|i| [i as f32, -(i as f32)])
        .collect();
    let emb = FixedSizeListArray::new(
        Arc::new(Field::new_list_field(DataType::Float32, false)),
        2,
        Arc::new(Float32Array::from(emb)),
        None,
    );
    RecordBatch::try_new(
        users_schema(),
        vec![
            Arc::new(StringArray::from(ids)) as ArrayRef,
            Arc::new(Float32Array::from_iter_values(
                range.clone().map(|i| i as f32 / 2.0),
            )),
            Arc::new(Int64Array::from_iter_values(range.map(|i| i * 10))),
            Arc::new(emb),
        ],
    )
    .unwrap()
}

/// A database in a temporary directory with table `users` holding rows u0..u{rows}
/// (flushed to a segment) and table `counts` (int64 key `n`, utf8 `label`) with rows 1..=3.
pub fn database(rows: i64) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let db = Db::open(&dir, Options::default()).unwrap();
    db.create_table("users", &users_schema(), "id").unwrap();
    db.write("users", &users_batch(0..rows)).unwrap();
    let counts = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
    ]));
    db.create_table("counts", &counts, "n").unwrap();
    db.write(
        "counts",
        &RecordBatch::try_new(
            counts,
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef,
                Arc::new(StringArray::from(vec!["one", "two", "three"])),
            ],
        )
        .unwrap(),
    )
    .unwrap();
    db.flush().unwrap();
    db.close().unwrap();
    (tmp, dir)
}

/// The segment files of the database in `dir`.
pub fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    files.sort();
    files
}

/// Reads `columns` of `keys` of `table` back through murr-core.
pub fn read(
    dir: &Path,
    table: &str,
    keys: &dyn arrow_array::Array,
    columns: &[&str],
) -> (RecordBatch, Vec<bool>) {
    let db = Db::open(dir, Options::default().with_create_if_missing(false)).unwrap();
    let result = db.read(table, keys, columns).unwrap();
    db.close().unwrap();
    result
}
