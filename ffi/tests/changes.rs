#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `murr_db_changes` and `murr_db_changes_oldest_since`: the feed's stream, a start in the
//! middle, the retention option in `murr_options_t` and its error, misuse.

mod common;

use std::ptr;

use arrow_array::cast::AsArray;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::types::UInt64Type;
use arrow_array::{Array, RecordBatch, RecordBatchReader, StringArray};
use common::*;
use murr::*;

fn changes(
    db: &TestDb,
    table: &str,
    since: u64,
    err: &mut murr_error_t,
) -> Result<(Vec<RecordBatch>, String), murr_status_t> {
    let t = cstr(table);
    let mut stream = FFI_ArrowArrayStream::empty();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_changes(db.db, t.as_ptr(), since, &mut stream, err) };
    if status != MURR_OK {
        assert!(
            stream.release().is_none(),
            "a failed call leaves the stream released"
        );
        return Err(status);
    }
    let reader = RecordBatchStreamReader::try_new(stream).unwrap();
    let end = reader.schema().metadata()["murr.changes.end_seq"].clone();
    Ok((reader.map(|b| b.unwrap()).collect(), end))
}

fn oldest(db: &TestDb) -> u64 {
    let mut out = 0;
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_changes_oldest_since(db.db, &mut out, &mut err) };
    check(status, &mut err);
    out
}

fn open_with_retention(retention: u64) -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let path = cstr(dir.path().to_str().unwrap());
    let mut options = test_options();
    assert_eq!(
        options.change_retention_bytes, 0,
        "the default keeps nothing more"
    );
    options.change_retention_bytes = retention;
    let mut db = ptr::null_mut();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_open(path.as_ptr(), &options, &mut db, &mut err) };
    check(status, &mut err);
    TestDb { dir, db }
}

fn flush(db: &TestDb) {
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_flush(db.db, &mut err) };
    check(status, &mut err);
}

#[test]
fn the_feed_streams_writes_and_deletes_after_a_sequence_number() {
    let db = open_with_retention(u64::MAX);
    create_users(&db);
    let s1 = write_ok(&db, "users", &users_batch());
    flush(&db);
    let keys = cstr("bob");
    let key_ptrs = [keys.as_ptr()];
    let t = cstr("users");
    let mut seq = 0;
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status =
        unsafe { murr_db_delete_str(db.db, t.as_ptr(), key_ptrs.as_ptr(), 1, &mut seq, &mut err) };
    check(status, &mut err);
    assert_eq!(oldest(&db), 0);

    let (batches, end) = changes(&db, "users", 0, &mut err).unwrap();
    assert_eq!(end, seq.to_string());
    // Small writes are collected into one batch.
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    let schema = b.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "_seq", "_op", "user", "ctr", "clicks", "name", "flag", "_present"
        ]
    );
    assert_eq!(b.num_rows(), 4);
    let seqs: Vec<u64> = b.column(0).as_primitive::<UInt64Type>().values().to_vec();
    assert_eq!(seqs, [s1, s1, s1, seq]);
    let ops: Vec<&str> = b
        .column(1)
        .as_string::<i32>()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(ops, ["write", "write", "write", "delete"]);
    let users = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(users.value(3), "bob");
    let present = b.column(7).as_fixed_size_list();
    assert_eq!(present.value_length(), 4);
    assert!(
        present
            .value(0)
            .as_boolean()
            .iter()
            .all(|p| p == Some(true))
    );
    assert!(
        present
            .value(3)
            .as_boolean()
            .iter()
            .all(|p| p == Some(false))
    );

    // From the middle: the delete alone.
    let (batches, _) = changes(&db, "users", s1, &mut err).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 1);
}

#[test]
fn an_old_start_without_retention_is_a_named_error() {
    let db = open_db();
    create_users(&db);
    let s1 = write_ok(&db, "users", &users_batch());
    flush(&db);
    assert_eq!(oldest(&db), s1);
    let mut err = MURR_ERROR_INIT();
    let status = changes(&db, "users", 0, &mut err).unwrap_err();
    expect_status(
        status,
        &mut err,
        MURR_CHANGES_NOT_RETAINED,
        "change_retention_bytes",
    );
    // SAFETY: a static string.
    let name = unsafe { std::ffi::CStr::from_ptr(murr_status_name(MURR_CHANGES_NOT_RETAINED)) };
    assert_eq!(name.to_str().unwrap(), "MURR_CHANGES_NOT_RETAINED");
    assert!(changes(&db, "users", s1, &mut err).unwrap().0.is_empty());
}

#[test]
fn misuse() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let status = changes(&db, "nope", 0, &mut err).unwrap_err();
    expect_status(status, &mut err, MURR_UNKNOWN_TABLE, "nope");
    let t = cstr("users");
    // SAFETY: NULL pointers are refused.
    unsafe {
        let s = murr_db_changes(db.db, t.as_ptr(), 0, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let mut stream = FFI_ArrowArrayStream::empty();
        let s = murr_db_changes(ptr::null(), t.as_ptr(), 0, &mut stream, &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "NULL");
        let s = murr_db_changes(db.db, ptr::null(), 0, &mut stream, &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "table is NULL");
        let s = murr_db_changes_oldest_since(db.db, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
    }
}
