//! Dense f32 reads, snapshots and scans through the C ABI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ptr;
use std::sync::Arc;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt8Array};
use arrow_schema::{DataType, Field, Schema};
use common::*;
use murr::*;

fn dense_str(
    db: &TestDb,
    snapshot: *const murr_snapshot_t,
    table: &str,
    keys: &[&str],
    columns: &[&str],
    err: &mut murr_error_t,
) -> (murr_status_t, Vec<f32>, Vec<u8>) {
    let t = cstr(table);
    let (_k, kp) = c_list(keys);
    let (_c, cp) = c_list(columns);
    let mut out = vec![-7.0f32; keys.len() * columns.len()];
    let mut found = vec![9u8; keys.len()];
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_read_f32_str(
            db.db,
            snapshot,
            t.as_ptr(),
            kp.as_ptr(),
            kp.len(),
            cp.as_ptr(),
            cp.len(),
            f32::NAN,
            out.as_mut_ptr(),
            found.as_mut_ptr(),
            err,
        )
    };
    (status, out, found)
}

/// Compares with NaN equal to NaN.
fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// The dense read of many keys (several of its 128-row blocks, a partial last one) over
/// columns of several types with nulls equals the Arrow read cast cell by cell.
#[test]
fn dense_reads_of_many_keys_equal_the_arrow_read() {
    let db = open_db();
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("f", DataType::Float64, true),
        Field::new("u", DataType::UInt8, true),
        Field::new("i", DataType::Int64, true),
        Field::new("b", DataType::Boolean, true),
    ]));
    create_table(&db, "t", &schema, "k");
    let n = 700;
    let keys: Vec<String> = (0..n).map(|i| format!("key-{i}")).collect();
    let rows = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(keys.clone())) as ArrayRef,
            Arc::new(Float64Array::from_iter(
                (0..n).map(|i| (i % 7 != 0).then_some(i as f64 / 4.0)),
            )),
            Arc::new(UInt8Array::from_iter(
                (0..n).map(|i| (i % 5 != 0).then_some(i as u8)),
            )),
            Arc::new(Int64Array::from_iter(
                (0..n).map(|i| (i % 3 != 0).then_some(-(i as i64))),
            )),
            Arc::new(arrow_array::BooleanArray::from_iter(
                (0..n).map(|i| (i % 11 != 0).then_some(i % 2 == 0)),
            )),
        ],
    )
    .unwrap();
    write_ok(&db, "t", &rows);
    // Every other key absent; asked in a shuffled order, 413 keys in all.
    let asked: Vec<String> = (0..413)
        .map(|j| {
            let i = (j * 389) % 826;
            if i % 2 == 0 {
                format!("key-{}", i / 2)
            } else {
                format!("nokey-{i}")
            }
        })
        .collect();
    let asked: Vec<&str> = asked.iter().map(String::as_str).collect();
    let columns = ["i", "b", "f", "u"];
    let mut err = MURR_ERROR_INIT();
    let (status, out, found) = dense_str(&db, ptr::null(), "t", &asked, &columns, &mut err);
    check(status, &mut err);
    let (status, batch, arrow_found) = read_str(&db, ptr::null(), "t", &asked, &columns, &mut err);
    check(status, &mut err);
    let batch = batch.unwrap();
    assert_eq!(found, arrow_found);
    let cast = arrow_cast::cast(batch.column(0), &DataType::Float32).unwrap();
    let mut expected = vec![0f32; asked.len() * columns.len()];
    for j in 0..columns.len() {
        let column = arrow_cast::cast(batch.column(j), &DataType::Float32).unwrap();
        let column = column
            .as_any()
            .downcast_ref::<arrow_array::Float32Array>()
            .unwrap();
        for (r, v) in column.iter().enumerate() {
            expected[r * columns.len() + j] = v.unwrap_or(f32::NAN);
        }
    }
    assert!(cast.null_count() > 0 && found.contains(&0) && found.contains(&1));
    assert!(same(&out, &expected), "{out:?}");
}

#[test]
fn dense_reads_cast_numeric_and_bool_columns() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let (status, out, found) = dense_str(
        &db,
        ptr::null(),
        "users",
        &["cid", "zed", "ann", "bob"],
        &["ctr", "clicks", "flag"],
        &mut err,
    );
    check(status, &mut err);
    let n = f32::NAN;
    #[rustfmt::skip]
    let expected = [
        n, 7.0, n,      // cid: ctr null, clicks 7, flag null
        n, n, n,        // zed: absent
        0.5, 3.0, 1.0,  // ann
        0.25, n, 0.0,   // bob
    ];
    assert!(same(&out, &expected), "{out:?}");
    assert_eq!(found, [1, 0, 1, 1]);

    // int64 keys over float64 / uint8 / int64 (the key itself) columns.
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("x", DataType::Float64, true),
        Field::new("b", DataType::UInt8, true),
    ]));
    create_table(&db, "items", &schema, "id");
    let rows = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(vec![4, 9])) as ArrayRef,
            Arc::new(Float64Array::from(vec![Some(1.5), None])),
            Arc::new(UInt8Array::from(vec![200, 3])),
        ],
    )
    .unwrap();
    write_ok(&db, "items", &rows);
    let t = cstr("items");
    let (_c, cols) = c_list(&["b", "x", "id"]);
    let keys = [9i64, 5, 4];
    let mut out = [0f32; 9];
    // SAFETY: valid pointers; a NULL found mask is allowed.
    let status = unsafe {
        murr_db_read_f32_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            keys.as_ptr(),
            3,
            cols.as_ptr(),
            3,
            -1.0,
            out.as_mut_ptr(),
            ptr::null_mut(),
            &mut err,
        )
    };
    check(status, &mut err);
    assert_eq!(out, [3.0, -1.0, 9.0, -1.0, -1.0, -1.0, 200.0, 1.5, 4.0]);
}

#[test]
fn dense_read_misuse() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let (status, out, _) = dense_str(
        &db,
        ptr::null(),
        "users",
        &["ann"],
        &["ctr", "name"],
        &mut err,
    );
    expect_status(status, &mut err, MURR_SCHEMA_MISMATCH, "column 'name'");
    assert_eq!(out, [-7.0, -7.0], "out is not written on failure");
    let (status, _, _) = dense_str(&db, ptr::null(), "users", &["ann"], &["nope"], &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_COLUMN, "nope");
    let (status, _, _) = dense_str(&db, ptr::null(), "nope", &["ann"], &["ctr"], &mut err);
    expect_status(status, &mut err, MURR_UNKNOWN_TABLE, "nope");
    let t = cstr("users");
    let (_k, keys) = c_list(&["ann"]);
    let (_c, cols) = c_list(&["ctr"]);
    // SAFETY: valid pointers; the NULL out buffer is what is tested.
    unsafe {
        let s = murr_db_read_f32_str(
            db.db,
            ptr::null(),
            t.as_ptr(),
            keys.as_ptr(),
            1,
            cols.as_ptr(),
            1,
            0.0,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let ikeys = [1i64];
        let mut out = [0f32];
        let s = murr_db_read_f32_i64(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ikeys.as_ptr(),
            1,
            cols.as_ptr(),
            1,
            0.0,
            out.as_mut_ptr(),
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "Int64");
    }
}

#[test]
fn snapshots_see_the_past() {
    let db = open_db();
    create_users(&db);
    let seq = write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let mut snap = ptr::dangling_mut::<murr_snapshot_t>();
    // SAFETY: valid pointers.
    unsafe { check(murr_db_snapshot(db.db, &mut snap, &mut err), &mut err) };
    // SAFETY: a live snapshot, then NULL.
    unsafe {
        assert_eq!(murr_snapshot_seq(snap), seq);
        assert_eq!(murr_snapshot_seq(ptr::null()), 0);
    }
    let t = cstr("users");
    let (_k, keys) = c_list(&["ann"]);
    // SAFETY: valid pointers.
    unsafe {
        check(
            murr_db_delete_str(
                db.db,
                t.as_ptr(),
                keys.as_ptr(),
                1,
                ptr::null_mut(),
                &mut err,
            ),
            &mut err,
        );
        check(murr_db_flush(db.db, &mut err), &mut err);
    }
    let (status, now, found) = read_str(&db, ptr::null(), "users", &["ann"], &["ctr"], &mut err);
    check(status, &mut err);
    assert_eq!(found, [0]);
    assert_eq!(now.unwrap().num_rows(), 1);
    let (status, _, found) = read_str(&db, snap, "users", &["ann"], &["ctr"], &mut err);
    check(status, &mut err);
    assert_eq!(found, [1]);
    let (status, out, found) = dense_str(&db, snap, "users", &["ann"], &["clicks"], &mut err);
    check(status, &mut err);
    assert_eq!((out, found), (vec![3.0], vec![1]));
    // SAFETY: valid pointers; NULL is accepted by free.
    unsafe {
        let s = murr_db_snapshot(db.db, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        murr_snapshot_free(snap);
        murr_snapshot_free(ptr::null_mut());
    }
}

/// Scans `table` into one batch per stream batch.
fn scan(
    db: &TestDb,
    snapshot: *const murr_snapshot_t,
    table: &str,
    columns: &[&str],
    err: &mut murr_error_t,
) -> Result<Vec<RecordBatch>, murr_status_t> {
    let t = cstr(table);
    let (_c, cols) = c_list(columns);
    let mut stream = FFI_ArrowArrayStream::empty();
    // SAFETY: valid pointers (NULL columns when none).
    let status = unsafe {
        let cp = if cols.is_empty() {
            ptr::null()
        } else {
            cols.as_ptr()
        };
        murr_db_scan(
            db.db,
            snapshot,
            t.as_ptr(),
            cp,
            cols.len(),
            &mut stream,
            err,
        )
    };
    if status != MURR_OK {
        assert!(stream.release().is_none());
        return Err(status);
    }
    let reader = RecordBatchStreamReader::try_new(stream).unwrap();
    Ok(reader.map(|b| b.unwrap()).collect())
}

#[test]
fn scans_stream_every_live_row_in_key_order() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let mut snap = ptr::null_mut();
    // SAFETY: valid pointers.
    unsafe { check(murr_db_snapshot(db.db, &mut snap, &mut err), &mut err) };
    let t = cstr("users");
    let (_k, keys) = c_list(&["bob"]);
    // SAFETY: valid pointers.
    unsafe {
        check(
            murr_db_delete_str(
                db.db,
                t.as_ptr(),
                keys.as_ptr(),
                1,
                ptr::null_mut(),
                &mut err,
            ),
            &mut err,
        );
    }

    // Every column, key first.
    let batches = scan(&db, ptr::null(), "users", &[], &mut err).unwrap();
    let names: Vec<_> = batches[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["user", "ctr", "clicks", "name", "flag"]);
    let users: Vec<_> = batches
        .iter()
        .flat_map(|b| {
            column::<StringArray>(b, 0)
                .iter()
                .map(|s| s.unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(users, ["ann", "cid"]);

    // A projection at the snapshot (bob still there); the stream outlives the snapshot.
    let t2 = cstr("users");
    let (_c, cols) = c_list(&["clicks", "user"]);
    let mut stream = FFI_ArrowArrayStream::empty();
    // SAFETY: valid pointers.
    unsafe {
        check(
            murr_db_scan(
                db.db,
                snap,
                t2.as_ptr(),
                cols.as_ptr(),
                2,
                &mut stream,
                &mut err,
            ),
            &mut err,
        );
        murr_snapshot_free(snap);
    }
    let batches: Vec<_> = RecordBatchStreamReader::try_new(stream)
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    let clicks: Vec<_> = batches
        .iter()
        .flat_map(|b| column::<Int64Array>(b, 0).iter().collect::<Vec<_>>())
        .collect();
    assert_eq!(clicks, [Some(3), None, Some(7)]);

    assert_eq!(
        scan(&db, ptr::null(), "nope", &[], &mut err),
        Err(MURR_UNKNOWN_TABLE)
    );
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(&mut err) };
    assert_eq!(
        scan(&db, ptr::null(), "users", &["zzz"], &mut err),
        Err(MURR_UNKNOWN_COLUMN)
    );
    assert!(message(&err).contains("zzz"));
    // SAFETY: valid pointers; the NULL out is what is tested.
    unsafe {
        murr_error_release(&mut err);
        let s = murr_db_scan(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ptr::null(),
            0,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let s = murr_db_scan(
            db.db,
            ptr::null(),
            t.as_ptr(),
            ptr::null(),
            1,
            &mut FFI_ArrowArrayStream::empty(),
            &mut err,
        );
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "columns is NULL");
    }
}

#[test]
fn a_scan_after_close_fails_in_the_stream() {
    let db = open_db();
    create_users(&db);
    write_ok(&db, "users", &users_batch());
    let mut err = MURR_ERROR_INIT();
    let t = cstr("users");
    let mut stream = FFI_ArrowArrayStream::empty();
    // SAFETY: valid pointers.
    unsafe {
        check(
            murr_db_scan(
                db.db,
                ptr::null(),
                t.as_ptr(),
                ptr::null(),
                0,
                &mut stream,
                &mut err,
            ),
            &mut err,
        );
        check(murr_db_close(db.db, &mut err), &mut err);
    }
    let mut reader = RecordBatchStreamReader::try_new(stream).unwrap();
    let next = reader.next().unwrap();
    let e = next.unwrap_err().to_string();
    assert!(e.contains("closed"), "{e}");
}
