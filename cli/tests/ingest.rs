//! `murr ingest` of each file format, with and without `--create`, and refused ingests
//! that leave the table as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::*;

/// Rows u100..u103 as a file's batch: `id` utf8, `score` float64 (cast to float32), `clicks`.
fn input_batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, true),
        Field::new("score", DataType::Float64, true),
        Field::new("clicks", DataType::Int64, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["u100", "u101", "u102"])) as ArrayRef,
            Arc::new(Float64Array::from(vec![Some(0.25), None, Some(2.0)])),
            Arc::new(Int64Array::from(vec![7, 8, 9])),
        ],
    )
    .unwrap()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn write_arrow_file(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::FileWriter::try_new(file, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
}

fn write_arrow_stream(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(file, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
}

fn write_csv(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = arrow_csv::WriterBuilder::new()
        .with_header(true)
        .build(file);
    w.write(batch).unwrap();
}

/// Checks that u100..u102 read back as `input_batch` wrote them, u1 untouched.
fn check_loaded(dir: &Path) {
    let keys = StringArray::from(vec!["u100", "u101", "u102", "u1"]);
    let (batch, found) = read(dir, "users", &keys, &["score", "clicks"]);
    assert_eq!(found, [true, true, true, true]);
    let score = batch.column(0).as_primitive::<Float32Type>();
    assert_eq!(score.value(0), 0.25);
    assert!(score.is_null(1));
    assert_eq!(score.value(3), 0.5);
    let clicks = batch.column(1).as_primitive::<Int64Type>();
    assert_eq!(clicks.values().to_vec(), [7, 8, 9, 10]);
}

fn ingest_ok(dir: &Path, file: &Path) {
    let run = murr(&["ingest", path(dir), "users", path(file)]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    // stderr is a pipe here: no progress bar.
    assert_eq!(text(&run.stderr), "");
    let out = text(&run.stdout);
    assert!(
        out.starts_with("ingested 3 rows into table 'users' from 1 file(s) in "),
        "{out}"
    );
    assert!(out.trim_end().ends_with(" rows/s)"), "{out}");
    check_loaded(dir);
}

fn input(tmp: &tempfile::TempDir, name: &str) -> PathBuf {
    tmp.path().join(name)
}

#[test]
fn ingests_parquet() {
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.parquet");
    write_parquet(&file, &input_batch());
    ingest_ok(&dir, &file);
}

#[test]
fn ingests_arrow_files_and_streams() {
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.arrow");
    write_arrow_file(&file, &input_batch());
    ingest_ok(&dir, &file);
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.arrows");
    write_arrow_stream(&file, &input_batch());
    ingest_ok(&dir, &file);
}

#[test]
fn ingests_csv_and_json_lines() {
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.csv");
    write_csv(&file, &input_batch());
    ingest_ok(&dir, &file);
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"u100\",\"score\":0.25,\"clicks\":7}\n\
         {\"id\":\"u101\",\"score\":null,\"clicks\":8}\n\
         {\"id\":\"u102\",\"score\":2,\"clicks\":9}\n",
    )
    .unwrap();
    ingest_ok(&dir, &file);
}

#[test]
fn format_flag_overrides_the_extension() {
    let (tmp, dir) = database(5);
    let file = input(&tmp, "in.data");
    write_parquet(&file, &input_batch());
    let err = fails(&["ingest", path(&dir), "users", path(&file)], 1);
    assert!(err.contains("cannot tell the format of"), "{err}");
    ok(&[
        "ingest",
        path(&dir),
        "users",
        path(&file),
        "--format",
        "parquet",
    ]);
    check_loaded(&dir);
}

#[test]
fn create_makes_the_table_and_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new");
    let file = input(&tmp, "in.parquet");
    write_parquet(&file, &input_batch());
    let err = fails(&["ingest", path(&dir), "users", path(&file)], 1);
    assert!(err.contains("the directory does not exist"), "{err}");
    assert!(!dir.exists());
    ok(&[
        "ingest",
        path(&dir),
        "users",
        path(&file),
        "--create",
        "--key",
        "id",
    ]);
    let schema = ok(&["schema", path(&dir), "users", "--json"]);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema["key"], "id");
    assert_eq!(schema["columns"][0]["nullable"], false);
    assert_eq!(schema["columns"][1]["type"], "Float64");
    let out = ok(&["get", path(&dir), "users", "u102", "--format", "csv"]);
    assert_eq!(out, "id,score,clicks,found\nu102,2.0,9,true\n");

    let csv = input(&tmp, "n.csv");
    std::fs::write(&csv, "n,label\n1,one\n2,two\n").unwrap();
    ok(&[
        "ingest",
        path(&dir),
        "counts",
        path(&csv),
        "--create",
        "--key",
        "n",
    ]);
    let out = ok(&["scan", path(&dir), "counts", "--format", "csv"]);
    assert_eq!(out, "n,label\n1,one\n2,two\n");
    let err = fails(
        &[
            "ingest",
            path(&dir),
            "counts",
            path(&csv),
            "--create",
            "--key",
            "label",
        ],
        1,
    );
    assert!(
        err.contains("exists with key column 'n', not 'label'"),
        "{err}"
    );
}

#[test]
fn a_file_that_does_not_fit_changes_nothing() {
    let (tmp, dir) = database(5);
    let before = ok(&["scan", path(&dir), "users", "--format", "csv"]);
    let good = input(&tmp, "good.parquet");
    write_parquet(&good, &input_batch());
    // Checked before the first write: the good file listed first is not loaded either.
    let cases: Vec<(&str, &str, &str)> = vec![
        (
            "nokey.csv",
            "score\n1.0\n",
            "has no column 'id', the key column of table 'users'",
        ),
        (
            "extra.csv",
            "id,bogus\nu1,2\n",
            "column 'bogus' is not in table 'users'",
        ),
        (
            "list.jsonl",
            "{\"id\":\"u1\",\"clicks\":[1,2]}\n",
            "cannot be cast to Int64",
        ),
    ];
    for (name, content, message) in cases {
        let file = input(&tmp, name);
        std::fs::write(&file, content).unwrap();
        let err = fails(
            &["ingest", path(&dir), "users", path(&good), path(&file)],
            1,
        );
        assert!(err.starts_with("murr: "), "{err}");
        assert!(err.contains(name) && err.contains(message), "{err}");
    }
    assert_eq!(
        ok(&["scan", path(&dir), "users", "--format", "csv"]),
        before
    );
    let err = fails(&["ingest", path(&dir), "nope", path(&good)], 1);
    assert!(
        err.contains("no table 'nope'") && err.contains("--create"),
        "{err}"
    );
}

#[test]
fn a_value_that_does_not_convert_is_an_error_naming_it() {
    let (tmp, dir) = database(5);
    let file = input(&tmp, "bad.csv");
    std::fs::write(&file, "id,score\nu1,abc\n").unwrap();
    let err = fails(&["ingest", path(&dir), "users", path(&file)], 1);
    assert!(
        err.contains("column 'score'") && err.contains("'abc'"),
        "{err}"
    );
}
