#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `murr_db_ingest_stream` and `murr_db_ingest_file`: rows loaded and read back, the
//! stream moved on every call, a producer's failure and bad files each their status with
//! the table unchanged, NULL and released arguments refused.

mod common;

use std::ptr;
use std::sync::Arc;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{ArrayRef, Float32Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use common::*;
use murr::*;

fn batch(keys: &[&str], ctr: &[f32]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("user", DataType::Utf8, true),
        Field::new("ctr", DataType::Float32, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(keys.to_vec())),
        Arc::new(Float32Array::from(ctr.to_vec())),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

fn stream_of(batches: Vec<Result<RecordBatch, ArrowError>>) -> FFI_ArrowArrayStream {
    let schema = batch(&[], &[]).schema();
    FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(batches, schema)))
}

fn ctr_of(db: &TestDb, keys: &[&str]) -> (Vec<u8>, Vec<Option<f32>>) {
    let mut err = MURR_ERROR_INIT();
    let (status, batch, found) = read_str(db, ptr::null(), "users", keys, &["ctr"], &mut err);
    check(status, &mut err);
    let batch = batch.unwrap();
    let ctr: &Float32Array = column(&batch, 0);
    (found, ctr.iter().collect())
}

#[test]
fn a_stream_ingests_all_or_nothing() {
    let db = open_db();
    create_users(&db);
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    let mut stream = stream_of(vec![
        Ok(batch(&["ann", "bob"], &[0.5, 0.25])),
        Ok(batch(&["bob", "cid"], &[0.75, 1.0])),
    ]);
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_ingest_stream(db.db, t.as_ptr(), &mut stream, &mut err);
        check(s, &mut err);
    }
    assert!(stream.release().is_none(), "the stream is moved");
    let want = (
        vec![1, 1, 1, 0],
        vec![Some(0.5), Some(0.75), Some(1.0), None],
    );
    assert_eq!(ctr_of(&db, &["ann", "bob", "cid", "dan"]), want);

    // A producer failing after a batch: MURR_ARROW with its message, nothing applied.
    let mut stream = stream_of(vec![
        Ok(batch(&["dan"], &[9.0])),
        Err(ArrowError::ComputeError("producer broke".into())),
    ]);
    // SAFETY: valid pointers; NULL and released streams are tested.
    unsafe {
        let s = murr_db_ingest_stream(db.db, t.as_ptr(), &mut stream, &mut err);
        expect_status(s, &mut err, MURR_ARROW, "producer broke");
        assert!(stream.release().is_none(), "moved on failure too");

        let mut nulls = stream_of(vec![Ok(RecordBatch::try_new(
            batch(&[], &[]).schema(),
            vec![
                Arc::new(StringArray::from(vec![Some("eve"), None])),
                Arc::new(Float32Array::from(vec![1.0, 2.0])),
            ],
        )
        .unwrap())]);
        let s = murr_db_ingest_stream(db.db, t.as_ptr(), &mut nulls, &mut err);
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "null at row 1");

        let mut released = FFI_ArrowArrayStream::empty();
        let s = murr_db_ingest_stream(db.db, t.as_ptr(), &mut released, &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "stream is released");
        let s = murr_db_ingest_stream(db.db, t.as_ptr(), ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "stream is NULL");
        let nope = cstr("nope");
        let mut stream = stream_of(vec![]);
        let s = murr_db_ingest_stream(db.db, nope.as_ptr(), &mut stream, &mut err);
        expect_status(s, &mut err, MURR_UNKNOWN_TABLE, "nope");
        assert!(stream.release().is_none());
    }
    assert_eq!(ctr_of(&db, &["ann", "bob", "cid", "dan"]), want);
}

#[test]
fn a_file_ingests_and_bad_files_change_nothing() {
    let db = open_db();
    create_users(&db);
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("rows.arrows");
    let b = batch(&["ann", "bob"], &[0.5, 0.25]);
    let mut bytes = Vec::new();
    {
        let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut bytes, &b.schema()).unwrap();
        w.write(&b).unwrap();
        w.finish().unwrap();
    }
    std::fs::write(&good, &bytes).unwrap();
    let cut = dir.path().join("cut.arrows");
    std::fs::write(&cut, &bytes[..bytes.len() - 20]).unwrap();
    let text = dir.path().join("rows.csv");
    std::fs::write(&text, "user,ctr\nann,1\n").unwrap();
    let path = |p: &std::path::Path| cstr(p.to_str().unwrap());
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_ingest_file(db.db, t.as_ptr(), path(&good).as_ptr(), &mut err);
        check(s, &mut err);
        let s = murr_db_ingest_file(db.db, t.as_ptr(), path(&cut).as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_CORRUPT, "cut.arrows");
        let s = murr_db_ingest_file(db.db, t.as_ptr(), path(&text).as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "not a Parquet file");
        let missing = dir.path().join("missing.parquet");
        let s = murr_db_ingest_file(db.db, t.as_ptr(), path(&missing).as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_IO, "missing.parquet");
        let s = murr_db_ingest_file(db.db, t.as_ptr(), ptr::null(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "path is NULL");
    }
    assert_eq!(
        ctr_of(&db, &["ann", "bob"]),
        (vec![1, 1], vec![Some(0.5), Some(0.25)])
    );
}
