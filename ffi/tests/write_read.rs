//! Writes, deletes and Arrow reads through the C ABI, and their misuse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr;
use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{
    Array, ArrayRef, Float32Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use common::*;
use murr::*;

#[test]
fn write_then_read_str_i64_and_arrow_keys() {
    let db = open_db();
    create_users(&db);
    let seq1 = write_ok(&db, "users", &users_batch());
    assert!(seq1 > 0);
    // A partial upsert: only ctr for bob.
    let partial = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, false),
            Field::new("ctr", DataType::Float32, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["bob"])) as ArrayRef,
            Arc::new(Float32Array::from(vec![0.75])),
        ],
    )
    .unwrap();
    let seq2 = write_ok(&db, "users", &partial);
    assert!(seq2 > seq1);

    let mut err = MURR_ERROR_INIT();
    let (status, batch, found) = read_str(
        &db,
        ptr::null(),
        "users",
        &["bob", "zed", "ann"],
        &["ctr", "clicks", "user"],
        &mut err,
    );
    check(status, &mut err);
    let batch = batch.unwrap();
    assert_eq!(found, [1, 0, 1]);
    assert_eq!(batch.num_columns(), 3);
    let ctr = column::<Float32Array>(&batch, 0);
    assert_eq!(
        ctr.iter().collect::<Vec<_>>(),
        [Some(0.75), None, Some(0.5)]
    );
    let clicks = column::<Int64Array>(&batch, 1);
    assert_eq!(clicks.iter().collect::<Vec<_>>(), [None, None, Some(3)]);
    let users = column::<StringArray>(&batch, 2);
    assert_eq!(
        users.iter().collect::<Vec<_>>(),
        [Some("bob"), None, Some("ann")]
    );
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["ctr", "clicks", "user"]);

    // Arrow keys: borrowed, still the caller's after the call; the result outlives them.
    let keys = StringArray::from(vec!["cid", "ann"]);
    let (keys_array, keys_schema) = to_ffi(&keys.to_data()).unwrap();
    let t = cstr("users");
    let (_c, cols) = c_list(&["user", "name"]);
    let mut out_array = FFI_ArrowArray::empty();
    let mut out_schema = FFI_ArrowSchema::empty();
    let mut found = [7u8; 2];
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_read(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &keys_array,
            &keys_schema,
            cols.as_ptr(),
            cols.len(),
            &mut out_array,
            &mut out_schema,
            found.as_mut_ptr(),
            &mut err,
        )
    };
    check(status, &mut err);
    assert!(!keys_array.is_released(), "keys are borrowed");
    drop(keys_array);
    drop(keys);
    let batch = import_batch(out_array, out_schema);
    assert_eq!(found, [1, 1]);
    let users = column::<StringArray>(&batch, 0);
    assert_eq!(users.iter().collect::<Vec<_>>(), [Some("cid"), Some("ann")]);
    let names = column::<StringArray>(&batch, 1);
    assert_eq!(names.iter().collect::<Vec<_>>(), [Some("Cid"), Some("Ann")]);

    // int64 keys.
    let items = Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("v", DataType::Float32, true),
    ]);
    create_table(&db, "items", &items, "id");
    let rows = RecordBatch::try_new(
        Arc::new(items),
        vec![
            Arc::new(Int64Array::from(vec![10, -5])) as ArrayRef,
            Arc::new(Float32Array::from(vec![1.0, 2.0])),
        ],
    )
    .unwrap();
    write_ok(&db, "items", &rows);
    let t = cstr("items");
    let (_c, cols) = c_list(&["v"]);
    let keys = [-5i64, 3, 10];
    let mut out_array = FFI_ArrowArray::empty();
    let mut out_schema = FFI_ArrowSchema::empty();
    let mut found = [7u8; 3];
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            keys.as_ptr(),
            keys.len(),
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            found.as_mut_ptr(),
            &mut err,
        )
    };
    check(status, &mut err);
    let batch = import_batch(out_array, out_schema);
    assert_eq!(found, [1, 0, 1]);
    let v = column::<Float32Array>(&batch, 0);
    assert_eq!(v.iter().collect::<Vec<_>>(), [Some(2.0), None, Some(1.0)]);
}

#[test]
fn zero_keys_and_a_null_found_mask() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let t = cstr("users");
    let (_c, cols) = c_list(&["ctr"]);
    let mut out_array = FFI_ArrowArray::empty();
    let mut out_schema = FFI_ArrowSchema::empty();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers; NULL keys with zero keys and a NULL found mask are allowed.
    let status = unsafe {
        murr_db_read_str(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ptr::null(),
            0,
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        )
    };
    check(status, &mut err);
    let batch = import_batch(out_array, out_schema);
    assert_eq!(batch.num_rows(), 0);
}

#[test]
fn deletes_arrow_str_and_i64() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    let mut seq = 0;
    let (_k, keys) = c_list(&["ann"]);
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_delete_str(db.db, t.as_ptr(), keys.as_ptr(), 1, &mut seq, &mut err);
        check(s, &mut err);
    }
    assert!(seq > 0);
    let keys = StringArray::from(vec!["bob"]);
    let (mut array, schema) = to_ffi(&keys.to_data()).unwrap();
    let before = seq;
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_delete(db.db, t.as_ptr(), &mut array, &schema, &mut seq, &mut err);
        check(s, &mut err);
    }
    assert!(array.is_released(), "murr_db_delete moves the keys");
    assert!(seq > before);
    let (status, _, found) = read_str(
        &db,
        ptr::null(),
        "users",
        &["ann", "bob", "cid"],
        &["ctr"],
        &mut err,
    );
    check(status, &mut err);
    assert_eq!(found, [0, 0, 1]);

    // int64 keys on a utf8-keyed table: a mismatch; on an int64 table: fine.
    let ids = [1i64, 2];
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_delete_i64(
            db.db,
            t.as_ptr(),
            ids.as_ptr(),
            2,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "");
    }
    let items = Schema::new(vec![Field::new("id", DataType::Int64, false)]);
    create_table(&db, "items", &items, "id");
    let ti = cstr("items");
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_delete_i64(
            db.db,
            ti.as_ptr(),
            ids.as_ptr(),
            2,
            ptr::null_mut(),
            &mut err,
        );
        check(s, &mut err);
        let s = murr_db_delete_i64(
            db.db,
            ti.as_ptr(),
            ptr::null(),
            1,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys is NULL");
        // A released keys array.
        let mut released = FFI_ArrowArray::empty();
        let s = murr_db_delete(
            db.db,
            ti.as_ptr(),
            &mut released,
            &schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys is released");
    }
}

#[test]
fn write_misuse_always_moves_the_array() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    // Unknown table: the array is released all the same (checked by `write`).
    let (status, _) = write(&db, "nope", &users_batch(), &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_TABLE, "nope");
    // A batch whose column has another type than the table's.
    let wrong = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, false),
            Field::new("ctr", DataType::Int64, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
            Arc::new(Int64Array::from(vec![1])),
        ],
    )
    .unwrap();
    let (status, _) = write(&db, "users", &wrong, &mut err);
    expect_status(status, &mut err, MURR_SCHEMA_MISMATCH, "ctr");
    // An unknown column.
    let unknown = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("user", DataType::Utf8, false),
            Field::new("zzz", DataType::Int64, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
            Arc::new(Int64Array::from(vec![1])),
        ],
    )
    .unwrap();
    let (status, _) = write(&db, "users", &unknown, &mut err);
    assert!(
        status == MURR_UNKNOWN_COLUMN || status == MURR_SCHEMA_MISMATCH,
        "{status}: {}",
        message(&err)
    );
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(&mut err) };

    let t = cstr("users");
    let (_, schema) = export_batch(&users_batch());
    // SAFETY: valid pointers; NULLs, released and non-struct arrays are what is tested.
    unsafe {
        let mut released = FFI_ArrowArray::empty();
        let s = murr_db_write(
            db.db,
            t.as_ptr(),
            &mut released,
            &schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "array is released");

        let s = murr_db_write(
            db.db,
            t.as_ptr(),
            ptr::null_mut(),
            &schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "array is NULL");

        let (mut array, _) = export_batch(&users_batch());
        let s = murr_db_write(
            db.db,
            t.as_ptr(),
            &mut array,
            ptr::null(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "schema is NULL");
        assert!(array.is_released());

        let (mut array, _) = export_batch(&users_batch());
        let s = murr_db_write(
            ptr::null_mut(),
            t.as_ptr(),
            &mut array,
            &schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "db is NULL");
        assert!(array.is_released());

        let (mut array, _) = export_batch(&users_batch());
        let bad = [0xc3u8, 0x28, 0];
        let s = murr_db_write(
            db.db,
            bad.as_ptr().cast(),
            &mut array,
            &schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "table is not valid UTF-8",
        );
        assert!(array.is_released());

        let (mut plain, plain_schema) = to_ffi(&Int64Array::from(vec![1]).to_data()).unwrap();
        let s = murr_db_write(
            db.db,
            t.as_ptr(),
            &mut plain,
            &plain_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "struct");
        assert!(plain.is_released());
    }
    // Nothing was written.
    let (status, _, found) = read_str(&db, ptr::null(), "users", &["a", "ann"], &["ctr"], &mut err);
    check(status, &mut err);
    assert_eq!(found, [0, 0]);
}

#[test]
fn read_misuse() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let (status, _, _) = read_str(&db, ptr::null(), "nope", &["ann"], &["ctr"], &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_TABLE, "nope");
    let (status, _, _) = read_str(&db, ptr::null(), "users", &["ann"], &["zzz"], &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_COLUMN, "zzz");

    let t = cstr("users");
    let (_c, cols) = c_list(&["ctr"]);
    let mut out_array = FFI_ArrowArray::empty();
    let mut out_schema = FFI_ArrowSchema::empty();
    // uint64 keys for a utf8 key column.
    let keys = UInt64Array::from(vec![1u64]);
    let (keys_array, keys_schema) = to_ffi(&keys.to_data()).unwrap();
    let released = FFI_ArrowArray::empty();
    let ikeys = [1i64];
    let bad = [b'c', b't', 0xff, 0];
    let bad_cols = [cols[0], bad.as_ptr().cast()];
    // SAFETY: valid pointers; NULLs and mismatches are what is tested.
    unsafe {
        let s = murr_db_read(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &keys_array,
            &keys_schema,
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "keys of type UInt64");
        let s = murr_db_read(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &released,
            &keys_schema,
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys is released");
        let s = murr_db_read(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ptr::null(),
            &keys_schema,
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys is NULL");
        let s = murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            cols.as_ptr(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "Int64");
        let s = murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            cols.as_ptr(),
            1,
            ptr::null_mut(),
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out_array is NULL");
        let s = murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            cols.as_ptr(),
            1,
            &mut out_array,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out_schema is NULL");
        let s = murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            ptr::null(),
            1,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "columns is NULL");
        let s = murr_db_read_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            bad_cols.as_ptr(),
            2,
            &mut out_array,
            &mut out_schema,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "columns[1] is not valid UTF-8",
        );
    }
    assert!(
        !keys_array.is_released(),
        "read keys are borrowed, even on failure"
    );
}

#[test]
fn write_stream_round_trip_empty_and_misuse() {
    let db = open_db();
    create_users(&db);
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    let batch = users_batch();
    let more = RecordBatch::try_new(
        batch.schema(),
        batch.columns().iter().map(|c| c.slice(0, 1)).collect(),
    )
    .unwrap();
    let batches = vec![Ok(batch.clone()), Ok(more)];
    let mut stream =
        FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(batches, batch.schema())));
    let mut seq = 0;
    // SAFETY: valid pointers.
    unsafe {
        let s = murr_db_write_stream(db.db, t.as_ptr(), &mut stream, &mut seq, &mut err);
        check(s, &mut err);
    }
    assert!(stream.release().is_none(), "the stream is moved");
    assert!(seq >= 2);
    let (status, _, found) = read_str(
        &db,
        ptr::null(),
        "users",
        &["ann", "bob", "cid"],
        &["ctr"],
        &mut err,
    );
    check(status, &mut err);
    assert_eq!(found, [1, 1, 1]);

    let empty = || {
        FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(
            Vec::<Result<RecordBatch, arrow_schema::ArrowError>>::new(),
            users_schema(),
        )))
    };
    let mut stream = empty();
    let mut seq = 99;
    // SAFETY: valid pointers; released streams, NULLs and unknown tables are tested.
    unsafe {
        let s = murr_db_write_stream(db.db, t.as_ptr(), &mut stream, &mut seq, &mut err);
        check(s, &mut err);
        assert_eq!(seq, 0, "an empty stream's seq_out is 0");

        let mut stream = empty();
        let nope = cstr("nope");
        let s = murr_db_write_stream(db.db, nope.as_ptr(), &mut stream, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_UNKNOWN_TABLE, "nope");
        assert!(stream.release().is_none(), "moved on failure too");

        let mut released = FFI_ArrowArrayStream::empty();
        let s = murr_db_write_stream(db.db, t.as_ptr(), &mut released, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "stream is released");

        let s = murr_db_write_stream(
            db.db,
            t.as_ptr(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "stream is NULL");

        // A producer failing mid-stream: MURR_ARROW, the batches before it stay written.
        let failing = vec![
            Ok(users_batch()),
            Err(arrow_schema::ArrowError::ComputeError(
                "producer broke".into(),
            )),
        ];
        let mut stream =
            FFI_ArrowArrayStream::new(Box::new(RecordBatchIterator::new(failing, users_schema())));
        let s = murr_db_write_stream(db.db, t.as_ptr(), &mut stream, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_ARROW, "producer broke");
    }
}

/// C string keys are checked one by one: an invalid key is named, and two invalid halves
/// of one character in consecutive keys (valid only when joined) are refused too.
#[test]
fn invalid_utf8_string_keys_are_named() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let t = cstr("users");
    let (_c, cols) = c_list(&["ctr"]);
    let ann = b"ann\0";
    let cases: [(&[&[u8]], &str); 3] = [
        (&[ann, b"b\xffb\0"], "keys[1] is not valid UTF-8"),
        (&[b"a\xc3\0", b"\xa9b\0"], "keys[0] is not valid UTF-8"),
        (&[ann, b"\xa9b\0"], "keys[1] is not valid UTF-8"),
    ];
    for (keys, expect) in cases {
        let ptrs: Vec<*const std::ffi::c_char> = keys.iter().map(|k| k.as_ptr().cast()).collect();
        let mut out_array = FFI_ArrowArray::empty();
        let mut out_schema = FFI_ArrowSchema::empty();
        let mut err = MURR_ERROR_INIT();
        // SAFETY: valid pointers to NUL-terminated byte strings.
        let s = unsafe {
            murr_db_read_str(
                db.db,
                ptr::null(),
                t.as_ptr(),
                ptrs.as_ptr(),
                ptrs.len(),
                cols.as_ptr(),
                1,
                &mut out_array,
                &mut out_schema,
                ptr::null_mut(),
                &mut err,
            )
        };
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, expect);
    }
}
