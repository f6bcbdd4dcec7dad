#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Bad ingest input: a Parquet file with a wrong schema (no key column, a type with no
//! cast, a value that does not fit), a truncated Parquet file, null keys, nulls in a column
//! declared not nullable, an Arrow IPC stream cut in the middle, a file of another format,
//! a failing stream. Each is its named error, and the table is unchanged: the same rows
//! read back, the same segments, no file left behind.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, Float32Array, RecordBatch, RecordBatchIterator, StringArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use murr_core::Error;
use murr_core::db::{Db, Options};
use parquet::arrow::ArrowWriter;

fn table_schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("x", DataType::Float32, false),
        Field::new("n", DataType::Int64, true),
    ])
}

fn batch(fields: Vec<Field>, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

fn good(rows: std::ops::Range<i64>) -> RecordBatch {
    batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("x", DataType::Float32, true),
        ],
        vec![
            Arc::new(StringArray::from_iter_values(
                rows.clone().map(|i| format!("k{i}")),
            )),
            Arc::new(Float32Array::from_iter_values(rows.map(|i| i as f32))),
        ],
    )
}

fn write_parquet(path: &Path, batches: &[RecordBatch]) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, batches[0].schema(), None).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
}

/// A database whose table holds rows k0..k100 (flushed) and k50..k60 (in the memtable).
fn setup(dir: &Path) -> Db {
    let db = Db::open(dir, Options::default().with_background_threads(0)).unwrap();
    db.create_table("t", &table_schema(), "id").unwrap();
    db.write("t", &good(0..100)).unwrap();
    db.flush().unwrap();
    db.write("t", &good(50..60)).unwrap();
    db
}

/// What an unchanged table looks like: its rows, its stats, the directory's files.
fn state(db: &Db) -> (RecordBatch, Vec<bool>, String, Vec<String>) {
    let keys = StringArray::from_iter_values((0..300).map(|i| format!("k{i}")));
    let (b, found) = db.read("t", &keys, &["x", "n"]).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(db.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    (
        b,
        found,
        format!("{:?}", db.table_stats("t").unwrap()),
        files,
    )
}

/// Runs `ingest` on a fresh database and checks that it fails as `expected` says with the
/// table unchanged.
fn fails(
    ingest: impl FnOnce(&Db) -> Result<murr_core::IngestStats, Error>,
    expected: fn(&Error) -> bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = setup(dir.path());
    let before = state(&db);
    let err = ingest(&db).unwrap_err();
    assert!(expected(&err), "unexpected error: {err:?}");
    assert!(!err.to_string().is_empty());
    assert_eq!(state(&db), before);
    db.close().unwrap();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    let (b, found, _, _) = state(&db);
    assert_eq!((b, found), (before.0, before.1));
}

fn parquet_of(batches: Vec<RecordBatch>) -> (tempfile::TempDir, std::path::PathBuf) {
    let files = tempfile::tempdir().unwrap();
    let p = files.path().join("in.parquet");
    write_parquet(&p, &batches);
    (files, p)
}

#[test]
fn a_parquet_file_without_the_key_column() {
    let b = good(200..210);
    let b = batch(
        vec![
            Field::new("key", DataType::Utf8, true),
            Field::new("x", DataType::Float32, true),
        ],
        b.columns().to_vec(),
    );
    let (_f, p) = parquet_of(vec![b]);
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::MissingKeyColumn { column, .. } if column == "id"),
    );
}

#[test]
fn a_parquet_column_of_a_type_with_no_cast() {
    let b = good(200..210);
    let bin: ArrayRef = Arc::new(BinaryArray::from_iter_values((0..10).map(|_| [1u8, 2])));
    let b = batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("x", DataType::Binary, true),
        ],
        vec![b.column(0).clone(), bin],
    );
    let (_f, p) = parquet_of(vec![b]);
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::Uncastable { column, .. } if column == "x"),
    );
}

#[test]
fn a_value_that_does_not_fit_the_table_type() {
    // "n" is int64 in the table; a utf8 column of numbers casts, except "seven".
    let ids: ArrayRef = Arc::new(StringArray::from(vec!["k200", "k201", "k202"]));
    let n: ArrayRef = Arc::new(StringArray::from(vec!["1", "seven", "3"]));
    let b = batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("n", DataType::Utf8, true),
        ],
        vec![ids, n],
    );
    // A later batch fails: the earlier one must not stay either.
    let schema = b.schema();
    let first = batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("n", DataType::Utf8, true),
        ],
        vec![
            Arc::new(StringArray::from(vec!["k150"])),
            Arc::new(StringArray::from(vec!["5"])),
        ],
    );
    fails(
        |db| {
            db.ingest(
                "t",
                RecordBatchIterator::new(vec![Ok(first), Ok(b)], schema),
            )
        },
        |e| matches!(e, Error::Uncastable { column, .. } if column == "n"),
    );
}

#[test]
fn a_truncated_parquet_file() {
    let (_f, p) = parquet_of(vec![good(200..2000)]);
    let bytes = std::fs::read(&p).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 3] {
        std::fs::write(&p, &bytes[..cut]).unwrap();
        fails(
            |db| db.ingest_file("t", &p),
            |e| matches!(e, Error::Corrupt { .. }),
        );
    }
}

#[test]
fn a_parquet_file_with_a_null_key() {
    let b = batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("x", DataType::Float32, true),
        ],
        vec![
            Arc::new(StringArray::from(vec![Some("k200"), None, Some("k202")])),
            Arc::new(Float32Array::from(vec![1.0, 2.0, 3.0])),
        ],
    );
    let (_f, p) = parquet_of(vec![good(300..400), b]);
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::NullKey { column, row: 101 } if column == "id"),
    );
}

#[test]
fn nulls_in_a_column_declared_not_nullable() {
    let b = batch(
        vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("x", DataType::Float32, true),
        ],
        vec![
            Arc::new(StringArray::from(vec!["k200", "k201"])),
            Arc::new(Float32Array::from(vec![Some(1.0), None])),
        ],
    );
    let (_f, p) = parquet_of(vec![b]);
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::SchemaMismatch(_)),
    );
}

#[test]
fn an_arrow_ipc_stream_cut_in_the_middle() {
    let files = tempfile::tempdir().unwrap();
    let p = files.path().join("in.arrows");
    let mut bytes = Vec::new();
    {
        let b = good(200..1200);
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &b.schema()).unwrap();
        w.write(&b).unwrap();
        w.write(&good(1200..2200)).unwrap();
        w.finish().unwrap();
    }
    // Inside the second batch's body.
    std::fs::write(&p, &bytes[..bytes.len() - 1000]).unwrap();
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::Corrupt { .. }),
    );
}

#[test]
fn a_file_of_another_format() {
    let files = tempfile::tempdir().unwrap();
    let p = files.path().join("in.csv");
    std::fs::write(&p, "id,x\nk1,1\n").unwrap();
    fails(
        |db| db.ingest_file("t", &p),
        |e| matches!(e, Error::InvalidArgument(_)),
    );
}

#[test]
fn a_stream_that_fails_after_a_spill() {
    let schema = good(0..1).schema();
    let mut items: Vec<Result<RecordBatch, ArrowError>> =
        (0..5).map(|i| Ok(good(i * 1000..(i + 1) * 1000))).collect();
    items.push(Err(ArrowError::IoError(
        "the producer went away".into(),
        std::io::ErrorKind::BrokenPipe.into(),
    )));
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(
        dir.path(),
        Options::default()
            .with_background_threads(0)
            .with_ingest_memory_bytes(20_000),
    )
    .unwrap();
    db.create_table("t", &table_schema(), "id").unwrap();
    db.write("t", &good(0..10)).unwrap();
    let before = state(&db);
    let err = db
        .ingest("t", RecordBatchIterator::new(items, schema))
        .unwrap_err();
    assert!(matches!(err, Error::Arrow(_)), "{err:?}");
    assert_eq!(state(&db), before);
}
