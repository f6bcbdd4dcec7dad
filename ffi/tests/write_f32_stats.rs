//! Dense float32 writes (murr_db_write_f32) and table statistics (murr_db_table_stats)
//! through the C ABI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::c_void;
use std::ptr;

use arrow_array::ffi::to_ffi;
use arrow_array::{Array, Float32Array, Int64Array, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::*;
use murr::*;

/// Writes `values` (row-major, keys x columns) for string `keys` through murr_db_write_f32.
fn write_f32_str(
    db: &TestDb,
    table: &str,
    keys: &[&str],
    columns: &[&str],
    values: &[f32],
    err: &mut murr_error_t,
) -> (murr_status_t, u64) {
    let t = cstr(table);
    let (_k, kp) = c_list(keys);
    let (_c, cp) = c_list(columns);
    let desc = cstr_keys(&kp);
    let mut seq = 0;
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &desc,
            cp.as_ptr(),
            cp.len(),
            values.as_ptr(),
            &mut seq,
            err,
        )
    };
    (status, seq)
}

/// A `MURR_KEYS_CSTR` descriptor of `ptrs` (borrowed).
fn cstr_keys(ptrs: &[*const std::ffi::c_char]) -> murr_keys_t {
    murr_keys_t {
        kind: MURR_KEYS_CSTR,
        count: ptrs.len(),
        data: ptrs.as_ptr().cast::<c_void>(),
        lengths: ptr::null(),
        array: ptr::null(),
        schema: ptr::null(),
    }
}

fn features_schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("a", DataType::Float32, true),
        Field::new("b", DataType::Float32, true),
        Field::new("c", DataType::Float32, false),
    ])
}

/// A dense write is a partial upsert: the columns given take the buffer's values, row-major;
/// the others keep theirs; the Arrow read sees them.
#[test]
fn dense_writes_upsert_the_columns_given() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let (status, seq) = write_f32_str(
        &db,
        "users",
        &["ann", "dan"],
        &["ctr"],
        &[1.5, f32::NAN],
        &mut err,
    );
    check(status, &mut err);
    assert!(seq > 0);
    let (status, batch, found) = read_str(
        &db,
        ptr::null(),
        "users",
        &["ann", "dan", "bob"],
        &["ctr", "clicks"],
        &mut err,
    );
    check(status, &mut err);
    let batch = batch.unwrap();
    assert_eq!(found, [1, 1, 1]);
    let ctr = column::<Float32Array>(&batch, 0);
    assert_eq!(ctr.value(0), 1.5);
    assert!(ctr.is_valid(1) && ctr.value(1).is_nan());
    assert_eq!(ctr.value(2), 0.25);
    let clicks = column::<Int64Array>(&batch, 1);
    assert_eq!(clicks.value(0), 3, "a column not written keeps its value");
    assert!(clicks.is_null(1));
}

/// int64 keys, several columns in another order than the table's: value [i][j] lands in
/// key i, column j; a non-nullable float32 column can be written.
#[test]
fn dense_writes_are_row_major() {
    let db = open_db();
    create_table(&db, "f", &features_schema(), "id");
    let keys = [10i64, 20, 30];
    let desc = murr_keys_t {
        kind: MURR_KEYS_INT64,
        count: keys.len(),
        data: keys.as_ptr().cast(),
        lengths: ptr::null(),
        array: ptr::null(),
        schema: ptr::null(),
    };
    let (_c, cp) = c_list(&["c", "a"]);
    let values = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let t = cstr("f");
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers; seq_out NULL is allowed.
    let status = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &desc,
            cp.as_ptr(),
            2,
            values.as_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    check(status, &mut err);
    let (_c2, cp2) = c_list(&["a", "b", "c"]);
    let mut out = [0f32; 9];
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_read_f32(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &desc,
            cp2.as_ptr(),
            3,
            -1.0,
            out.as_mut_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    check(status, &mut err);
    assert_eq!(out, [2.0, -1.0, 1.0, 4.0, -1.0, 3.0, 6.0, -1.0, 5.0]);
}

/// Keys given as an Arrow array (borrowed) are copied: the caller may free them after.
#[test]
fn arrow_keys_are_copied() {
    let db = open_db();
    create_users(&db);
    let (array, schema) = {
        let keys = StringArray::from(vec!["x", "y"]);
        to_ffi(&keys.to_data()).unwrap()
    };
    let desc = murr_keys_t {
        kind: MURR_KEYS_ARROW,
        count: 0,
        data: ptr::null(),
        lengths: ptr::null(),
        array: &array,
        schema: &schema,
    };
    let (_c, cp) = c_list(&["ctr"]);
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &desc,
            cp.as_ptr(),
            1,
            [7.0f32, 8.0].as_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    check(status, &mut err);
    drop((array, schema));
    let (status, batch, _) = read_str(
        &db,
        ptr::null(),
        "users",
        &["y", "x"],
        &["user", "ctr"],
        &mut err,
    );
    check(status, &mut err);
    let batch = batch.unwrap();
    assert_eq!(column::<StringArray>(&batch, 0).value(0), "y");
    assert_eq!(column::<Float32Array>(&batch, 1).values(), &[8.0, 7.0]);
}

/// Every misuse is a clear error with nothing written.
#[test]
fn dense_write_errors_name_the_problem() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let cases: [(&str, &[&str], murr_status_t, &str); 6] = [
        (
            "users",
            &["clicks"],
            MURR_SCHEMA_MISMATCH,
            "column 'clicks' of table 'users' has type Int64",
        ),
        ("users", &["nope"], MURR_UNKNOWN_COLUMN, "nope"),
        (
            "users",
            &["user"],
            MURR_SCHEMA_MISMATCH,
            "is the key column",
        ),
        (
            "users",
            &["ctr", "ctr"],
            MURR_INVALID_ARGUMENT,
            "columns[1] ('ctr') is named twice",
        ),
        ("nobody", &["ctr"], MURR_UNKNOWN_TABLE, "nobody"),
        ("users", &["ctr", "clicks"], MURR_SCHEMA_MISMATCH, "clicks"),
    ];
    for (table, columns, status, needle) in cases {
        let values = vec![1.0f32; columns.len()];
        let (got, _) = write_f32_str(&db, table, &["ann"], columns, &values, &mut err);
        expect_status(got, &mut err, status, needle);
    }
    // int64 keys for a utf8 key column.
    let keys = [1i64];
    let desc = murr_keys_t {
        kind: MURR_KEYS_INT64,
        count: 1,
        data: keys.as_ptr().cast(),
        lengths: ptr::null(),
        array: ptr::null(),
        schema: ptr::null(),
    };
    let (_c, cp) = c_list(&["ctr"]);
    let t = cstr("users");
    // SAFETY: valid pointers.
    let got = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &desc,
            cp.as_ptr(),
            1,
            [1.0f32].as_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    expect_status(
        got,
        &mut err,
        MURR_SCHEMA_MISMATCH,
        "int64 keys given for a utf8 key column",
    );
    // values NULL with cells to write.
    // SAFETY: valid pointers but values.
    let got = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &cstr_keys(&c_list(&["a"]).1),
            cp.as_ptr(),
            1,
            ptr::null(),
            ptr::null_mut(),
            &mut err,
        )
    };
    expect_status(got, &mut err, MURR_INVALID_ARGUMENT, "values is NULL");
    // A null key of an Arrow array.
    let (array, schema) = to_ffi(&StringArray::from(vec![Some("a"), None]).to_data()).unwrap();
    let desc = murr_keys_t {
        kind: MURR_KEYS_ARROW,
        count: 0,
        data: ptr::null(),
        lengths: ptr::null(),
        array: &array,
        schema: &schema,
    };
    // SAFETY: valid pointers.
    let got = unsafe {
        murr_db_write_f32(
            db.db,
            t.as_ptr(),
            &desc,
            cp.as_ptr(),
            1,
            [1.0f32, 2.0].as_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    expect_status(got, &mut err, MURR_SCHEMA_MISMATCH, "keys[1] is null");
    // Nothing was written by any of them.
    let (status, _, found) = read_str(&db, ptr::null(), "users", &["ann", "a"], &["ctr"], &mut err);
    check(status, &mut err);
    assert_eq!(found, [0, 0]);
}

fn stats(db: &TestDb, table: &str, err: &mut murr_error_t) -> (murr_status_t, murr_table_stats_t) {
    let t = cstr(table);
    let mut s = murr_table_stats_t {
        size: size_of::<murr_table_stats_t>(),
        ..Default::default()
    };
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_table_stats(db.db, t.as_ptr(), &mut s, err) };
    (status, s)
}

/// Statistics follow writes, flushes and compactions.
#[test]
fn table_stats_follow_flushes_and_compactions() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let (status, s) = stats(&db, "users", &mut err);
    check(status, &mut err);
    assert_eq!(s.size, size_of::<murr_table_stats_t>());
    assert_eq!((s.segments, s.segment_rows, s.memtable_bytes), (0, 0, 0));
    write_ok(&db, "users", &users_batch());
    let (_, s) = stats(&db, "users", &mut err);
    assert!(s.memtable_bytes > 0);
    // SAFETY: a valid handle.
    check(unsafe { murr_db_flush(db.db, &mut err) }, &mut err);
    write_ok(&db, "users", &users_batch());
    // SAFETY: a valid handle.
    check(unsafe { murr_db_flush(db.db, &mut err) }, &mut err);
    let (_, s) = stats(&db, "users", &mut err);
    assert_eq!((s.segments, s.level0_segments, s.segment_rows), (2, 2, 6));
    assert!(s.segment_bytes > 0);
    assert_eq!(s.memtable_bytes, 0);
    // SAFETY: a valid handle.
    check(unsafe { murr_db_compact(db.db, &mut err) }, &mut err);
    let (_, s) = stats(&db, "users", &mut err);
    assert_eq!((s.level0_segments, s.segment_rows), (0, 3));
    assert!(s.segments >= 1);
}

/// The size protocol: a smaller (older) struct gets the fields that fit, a larger (newer)
/// one its unknown tail zeroed; a size too small, NULL out, an unknown table are errors.
#[test]
fn table_stats_honour_the_callers_size() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    // SAFETY: a valid handle.
    let mut err = MURR_ERROR_INIT();
    check(unsafe { murr_db_flush(db.db, &mut err) }, &mut err);
    let t = cstr("users");
    // An older caller knowing two fields.
    let mut small = [0u64; 8];
    small[0] = 24;
    small[3] = 0xAAAA;
    // SAFETY: 64 writable bytes, of which 24 declared.
    let status =
        unsafe { murr_db_table_stats(db.db, t.as_ptr(), small.as_mut_ptr().cast(), &mut err) };
    check(status, &mut err);
    assert_eq!(
        &small[..4],
        &[24, 1, 1, 0xAAAA],
        "nothing past the declared size"
    );
    // A newer caller with a bigger struct: the tail libmurr does not know is zeroed.
    let mut big = [u64::MAX; 12];
    big[0] = 96;
    // SAFETY: 96 writable bytes.
    let status =
        unsafe { murr_db_table_stats(db.db, t.as_ptr(), big.as_mut_ptr().cast(), &mut err) };
    check(status, &mut err);
    assert_eq!(big[0] as usize, size_of::<murr_table_stats_t>());
    assert_eq!(big[3], 3);
    assert_eq!(&big[7..], &[0; 5]);
    // Too small.
    let mut tiny = murr_table_stats_t {
        size: 8,
        ..Default::default()
    };
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_table_stats(db.db, t.as_ptr(), &mut tiny, &mut err) };
    expect_status(
        status,
        &mut err,
        MURR_INVALID_ARGUMENT,
        "MURR_TABLE_STATS_INIT",
    );
    // SAFETY: NULL out is refused.
    let status = unsafe { murr_db_table_stats(db.db, t.as_ptr(), ptr::null_mut(), &mut err) };
    expect_status(status, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
    let (status, _) = stats(&db, "nobody", &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_TABLE, "nobody");
}
