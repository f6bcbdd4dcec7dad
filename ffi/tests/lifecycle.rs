//! Versions, status names, options, opening and closing, the error struct, the panic guard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::CStr;
use std::ptr;

use common::*;
use murr::*;

fn name(status: murr_status_t) -> String {
    // SAFETY: a static string.
    unsafe { CStr::from_ptr(murr_status_name(status)) }
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn version_and_status_names() {
    // SAFETY: a static string.
    let v = unsafe { CStr::from_ptr(murr_version()) }.to_str().unwrap();
    assert_eq!(v, "0.2.0");
    assert_eq!(name(MURR_OK), "MURR_OK");
    assert_eq!(name(MURR_LOCKED), "MURR_LOCKED");
    assert_eq!(name(MURR_INTERNAL), "MURR_INTERNAL");
    assert_eq!(name(MURR_UNKNOWN), "MURR_UNKNOWN");
    assert_eq!(name(99), "MURR_UNKNOWN");
    assert_eq!(name(-1), "MURR_UNKNOWN");
    let codes = [
        MURR_OK,
        MURR_INVALID_ARGUMENT,
        MURR_UNKNOWN_TABLE,
        MURR_UNKNOWN_COLUMN,
        MURR_SCHEMA_MISMATCH,
        MURR_TABLE_EXISTS,
        MURR_IO,
        MURR_CORRUPT,
        MURR_UNSUPPORTED,
        MURR_CLOSED,
        MURR_LOCKED,
        MURR_WRITES_STOPPED,
        MURR_LIMIT_EXCEEDED,
        MURR_BACKGROUND_FAILED,
        MURR_ARROW,
        MURR_INTERNAL,
        MURR_UNKNOWN,
    ];
    assert_eq!(codes.to_vec(), (0..=16).collect::<Vec<_>>());
}

#[test]
fn options_default_fills_the_struct() {
    let o = test_options();
    assert_eq!(o.size, std::mem::size_of::<murr_options_t>());
    let mut d = test_options();
    // SAFETY: a valid struct; NULL is accepted.
    unsafe {
        murr_options_default(&mut d);
        murr_options_default(ptr::null_mut());
    }
    assert_eq!(d.sync, MURR_SYNC_ALWAYS);
    assert_eq!(d.background_threads, 1);
    assert_eq!(d.memtable_bytes, 256 << 20);
    assert!(d.create_if_missing && !d.skip_corrupt);
    assert_eq!(
        (
            d.l0_compaction_trigger,
            d.l0_slowdown_writes,
            d.l0_stop_writes
        ),
        (4, 8, 12)
    );
    assert_eq!(d.target_segment_bytes, 64 << 20);
    assert_eq!(d.idle_compaction_millis, 1000);
}

fn open_with(
    path: &str,
    options: *const murr_options_t,
) -> (murr_status_t, *mut murr_db_t, murr_error_t) {
    let p = cstr(path);
    let mut db = ptr::dangling_mut::<murr_db_t>(); // set to NULL on entry
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_open(p.as_ptr(), options, &mut db, &mut err) };
    (status, db, err)
}

#[test]
fn bad_options_are_invalid_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let mut o = test_options();
    o.sync = 7;
    let (status, db, mut err) = open_with(path, &o);
    assert!(db.is_null());
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "options->sync");
    let mut o = test_options();
    o.sync = MURR_SYNC_EVERY_MILLIS;
    o.sync_millis = 0;
    let (status, _, mut err) = open_with(path, &o);
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "sync_millis");
    let mut o = test_options();
    o.size = 0;
    let (status, _, mut err) = open_with(path, &o);
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "options->size");
}

#[test]
fn an_older_callers_short_options_take_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = test_options();
    // A caller that knew only `size` and `sync`: the garbage past them is not read.
    o.size = std::mem::offset_of!(murr_options_t, sync_millis);
    o.background_threads = 123_456;
    let (status, db, mut err) = open_with(dir.path().to_str().unwrap(), &o);
    check(status, &mut err);
    // SAFETY: a handle from murr_db_open.
    unsafe { murr_db_free(db) };
}

#[test]
fn open_close_free_and_null_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let (status, db, mut err) = open_with(path, ptr::null());
    check(status, &mut err);
    assert!(!db.is_null());
    // A second open of the same directory is locked out.
    let (status, db2, mut err) = open_with(path, ptr::null());
    assert!(db2.is_null());
    expect_status(status, &mut err, MURR_LOCKED, "already open");
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    unsafe {
        check(murr_db_flush(db, &mut err), &mut err);
        check(murr_db_compact(db, &mut err), &mut err);
        check(murr_db_close(db, &mut err), &mut err);
        expect_status(murr_db_close(db, &mut err), &mut err, MURR_CLOSED, "closed");
        murr_db_free(db);
        murr_db_free(ptr::null_mut());
    }
    // Closed: the directory can be opened again.
    let (status, db, mut err) = open_with(path, ptr::null());
    check(status, &mut err);
    // SAFETY: freed without a close: murr_db_free closes it.
    unsafe { murr_db_free(db) };
    let (status, db, mut err) = open_with(path, ptr::null());
    check(status, &mut err);
    // SAFETY: as above.
    unsafe { murr_db_free(db) };
}

#[test]
fn opening_a_missing_database_without_create_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing");
    let mut o = test_options();
    o.create_if_missing = false;
    let (status, db, mut err) = open_with(path.to_str().unwrap(), &o);
    assert!(db.is_null());
    assert_ne!(status, MURR_OK);
    assert!(!message(&err).is_empty());
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(&mut err) };
}

#[test]
fn open_checks_its_pointers_and_utf8() {
    let mut err = MURR_ERROR_INIT();
    let mut db = ptr::null_mut();
    // SAFETY: NULLs are what is tested; the rest is valid.
    unsafe {
        let s = murr_db_open(ptr::null(), ptr::null(), &mut db, &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "path is NULL");
        let p = cstr("/tmp/x");
        let s = murr_db_open(p.as_ptr(), ptr::null(), ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let bad = [0xffu8, 0xfe, 0];
        let s = murr_db_open(bad.as_ptr().cast(), ptr::null(), &mut db, &mut err);
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "path is not valid UTF-8",
        );
        // A NULL error struct: the status alone.
        let s = murr_db_open(ptr::null(), ptr::null(), &mut db, ptr::null_mut());
        assert_eq!(s, MURR_INVALID_ARGUMENT);
    }
}

#[test]
fn every_call_on_a_closed_handle_is_closed() {
    let db = open_db();
    create_users(&db);
    let mut snap = ptr::null_mut();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    unsafe {
        check(murr_db_snapshot(db.db, &mut snap, &mut err), &mut err);
        check(murr_db_close(db.db, &mut err), &mut err);
    }
    let t = cstr("users");
    let (_k, keys) = c_list(&["ann"]);
    let (_c, cols) = c_list(&["ctr"]);
    let schema = export_schema(&users_schema());
    let mut list = murr_string_list_t {
        count: 0,
        items: ptr::null_mut(),
    };
    let mut out_schema = arrow_array::ffi::FFI_ArrowSchema::empty();
    let mut out_array = arrow_array::ffi::FFI_ArrowArray::empty();
    let mut stream = arrow_array::ffi_stream::FFI_ArrowArrayStream::empty();
    let mut dense = [0f32; 1];
    let mut seq = 0;
    let key_i64 = [1i64];
    // SAFETY: valid pointers.
    let statuses = unsafe {
        let (mut array, _) = export_batch(&users_batch());
        let mut empty = arrow_array::ffi_stream::FFI_ArrowArrayStream::new(Box::new(
            arrow_array::RecordBatchIterator::new(vec![], users_schema()),
        ));
        vec![
            ("flush", murr_db_flush(db.db, &mut err)),
            ("compact", murr_db_compact(db.db, &mut err)),
            ("tables", murr_db_tables(db.db, &mut list, &mut err)),
            (
                "table_schema",
                murr_db_table_schema(db.db, t.as_ptr(), &mut out_schema, &mut err),
            ),
            (
                "create_table",
                murr_db_create_table(db.db, t.as_ptr(), &schema, cstr("user").as_ptr(), &mut err),
            ),
            (
                "drop_table",
                murr_db_drop_table(db.db, t.as_ptr(), &mut err),
            ),
            (
                "write",
                murr_db_write(db.db, t.as_ptr(), &mut array, &schema, &mut seq, &mut err),
            ),
            (
                "write_stream",
                murr_db_write_stream(db.db, t.as_ptr(), &mut empty, &mut seq, &mut err),
            ),
            (
                "delete_str",
                murr_db_delete_str(db.db, t.as_ptr(), keys.as_ptr(), 1, &mut seq, &mut err),
            ),
            (
                "delete_i64",
                murr_db_delete_i64(db.db, t.as_ptr(), key_i64.as_ptr(), 1, &mut seq, &mut err),
            ),
            (
                "read_str",
                murr_db_read_str(
                    db.db,
                    ptr::null(),
                    t.as_ptr(),
                    keys.as_ptr(),
                    1,
                    cols.as_ptr(),
                    1,
                    &mut out_array,
                    &mut out_schema,
                    ptr::null_mut(),
                    &mut err,
                ),
            ),
            (
                "read_str on a snapshot",
                murr_db_read_str(
                    db.db,
                    snap,
                    t.as_ptr(),
                    keys.as_ptr(),
                    1,
                    cols.as_ptr(),
                    1,
                    &mut out_array,
                    &mut out_schema,
                    ptr::null_mut(),
                    &mut err,
                ),
            ),
            (
                "read_f32_i64",
                murr_db_read_f32_i64(
                    db.db,
                    ptr::null(),
                    t.as_ptr(),
                    key_i64.as_ptr(),
                    1,
                    cols.as_ptr(),
                    1,
                    0.0,
                    dense.as_mut_ptr(),
                    ptr::null_mut(),
                    &mut err,
                ),
            ),
            (
                "snapshot",
                murr_db_snapshot(db.db, &mut ptr::null_mut(), &mut err),
            ),
            (
                "scan",
                murr_db_scan(
                    db.db,
                    ptr::null(),
                    t.as_ptr(),
                    ptr::null(),
                    0,
                    &mut stream,
                    &mut err,
                ),
            ),
            ("close", murr_db_close(db.db, &mut err)),
        ]
    };
    for (call, status) in statuses {
        assert_eq!(status, MURR_CLOSED, "{call}");
    }
    assert_eq!(err.status, MURR_CLOSED);
    assert!(message(&err).contains("closed"));
    // SAFETY: valid pointers.
    unsafe {
        murr_error_release(&mut err);
        murr_snapshot_free(snap);
    }
}

#[test]
fn the_error_struct_is_released_once_and_refilled() {
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers; NULLs are what is tested.
    unsafe {
        // Releasing an untouched struct (or NULL) does nothing.
        murr_error_release(&mut err);
        murr_error_release(ptr::null_mut());
        assert_eq!(
            murr_db_flush(ptr::null_mut(), &mut err),
            MURR_INVALID_ARGUMENT
        );
        assert_eq!(err.status, MURR_INVALID_ARGUMENT);
        assert_eq!(message(&err), "db is NULL");
        assert!(err.release.is_some());
        // A second failure releases the first message before filling the struct again.
        assert_eq!(
            murr_db_compact(ptr::null_mut(), &mut err),
            MURR_INVALID_ARGUMENT
        );
        assert_eq!(message(&err), "db is NULL");
        // The struct's own callback, then the function: both safe, twice.
        let release = err.release.unwrap();
        release(&mut err);
        assert!(err.message.is_null() && err.release.is_none());
        release(&mut err);
        murr_error_release(&mut err);
        assert_eq!(err.status, MURR_INVALID_ARGUMENT);
    }
}

#[test]
fn success_leaves_the_error_struct_untouched() {
    let db = open_db();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            murr_db_flush(ptr::null_mut(), &mut err),
            MURR_INVALID_ARGUMENT
        );
        let before = (err.status, err.message);
        assert_eq!(murr_db_flush(db.db, &mut err), MURR_OK);
        assert_eq!((err.status, err.message), before);
        murr_error_release(&mut err);
    }
}

#[test]
fn a_panic_becomes_internal() {
    let mut err = MURR_ERROR_INIT();
    // SAFETY: a valid error struct, then NULL.
    unsafe {
        let status = murr_test_panic(&mut err);
        expect_status(
            status,
            &mut err,
            MURR_INTERNAL,
            "murr_test_panic was called",
        );
        assert_eq!(murr_test_panic(ptr::null_mut()), MURR_INTERNAL);
    }
}

/// A handle shared between test threads (the ABI says every call but free is thread-safe).
#[derive(Clone, Copy)]
struct Shared(*mut murr_db_t);
// SAFETY: murr_db_t is documented thread-safe for every call but murr_db_free, which runs
// after the threads are joined.
unsafe impl Send for Shared {}

#[test]
fn one_handle_from_many_threads_and_a_racing_close() {
    let db = open_db();
    create_users(&db);
    let shared = Shared(db.db);
    let workers: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let shared = shared;
                let mut statuses = Vec::new();
                for j in 0..40 {
                    let key = cstr(&format!("k{i}_{j}"));
                    let keys = [key.as_ptr()];
                    let t = cstr("users");
                    let cols = [c"ctr".as_ptr()];
                    let mut err = MURR_ERROR_INIT();
                    let mut out = [0f32];
                    // SAFETY: valid pointers; the handle outlives the threads.
                    unsafe {
                        statuses.push(murr_db_delete_str(
                            shared.0,
                            t.as_ptr(),
                            keys.as_ptr(),
                            1,
                            ptr::null_mut(),
                            &mut err,
                        ));
                        statuses.push(murr_db_read_f32_str(
                            shared.0,
                            ptr::null(),
                            t.as_ptr(),
                            keys.as_ptr(),
                            1,
                            cols.as_ptr(),
                            1,
                            0.0,
                            out.as_mut_ptr(),
                            ptr::null_mut(),
                            &mut err,
                        ));
                        murr_error_release(&mut err);
                    }
                }
                statuses
            })
        })
        .collect();
    let mut err = MURR_ERROR_INIT();
    std::thread::sleep(std::time::Duration::from_millis(2));
    // SAFETY: valid pointers; close may race the other calls.
    unsafe { check(murr_db_close(db.db, &mut err), &mut err) };
    for w in workers {
        for status in w.join().unwrap() {
            assert!(status == MURR_OK || status == MURR_CLOSED, "{status}");
        }
    }
}
