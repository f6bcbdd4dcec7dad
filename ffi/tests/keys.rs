//! The key descriptor (`murr_keys_t`) through `murr_db_read_keys`, `murr_db_read_f32` and
//! `murr_db_delete_keys`: every kind on utf8, int64 and uint64 tables, mismatched kinds,
//! NULL and invalid descriptors, keys holding NUL bytes, and the grown `murr_error_t`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::{c_char, c_void};
use std::ptr;
use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, to_ffi};
use arrow_array::{
    Array, ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use common::*;
use murr::*;

/// Owned keys of every kind, and a descriptor of them. (The owned strings are only kept
/// alive for the pointers.)
#[allow(dead_code)]
enum Keys {
    Cstr(Vec<std::ffi::CString>, Vec<*const c_char>),
    Utf8(Vec<Vec<u8>>, Vec<*const c_char>, Vec<usize>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    Arrow(FFI_ArrowArray, FFI_ArrowSchema, usize),
}

impl Keys {
    fn cstr(keys: &[&str]) -> Keys {
        let (owned, ptrs) = c_list(keys);
        Keys::Cstr(owned, ptrs)
    }
    fn utf8(keys: &[&[u8]]) -> Keys {
        let owned: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
        let ptrs = owned.iter().map(|k| k.as_ptr().cast()).collect();
        let lengths = owned.iter().map(Vec::len).collect();
        Keys::Utf8(owned, ptrs, lengths)
    }
    fn arrow(array: &dyn Array) -> Keys {
        let (a, s) = to_ffi(&array.to_data()).unwrap();
        Keys::Arrow(a, s, array.len())
    }
    fn len(&self) -> usize {
        match self {
            Keys::Cstr(_, p) | Keys::Utf8(_, p, _) => p.len(),
            Keys::I64(v) => v.len(),
            Keys::U64(v) => v.len(),
            Keys::Arrow(_, _, n) => *n,
        }
    }
    fn desc(&self) -> murr_keys_t {
        let plain = |kind, data: *const c_void, count| murr_keys_t {
            kind,
            count,
            data,
            lengths: ptr::null(),
            array: ptr::null(),
            schema: ptr::null(),
        };
        match self {
            Keys::Cstr(_, p) => plain(MURR_KEYS_CSTR, p.as_ptr().cast(), p.len()),
            Keys::Utf8(_, p, l) => murr_keys_t {
                lengths: l.as_ptr(),
                ..plain(MURR_KEYS_UTF8, p.as_ptr().cast(), p.len())
            },
            Keys::I64(v) => plain(MURR_KEYS_INT64, v.as_ptr().cast(), v.len()),
            Keys::U64(v) => plain(MURR_KEYS_UINT64, v.as_ptr().cast(), v.len()),
            Keys::Arrow(a, s, _) => murr_keys_t {
                array: a,
                schema: s,
                ..plain(MURR_KEYS_ARROW, ptr::null(), 0)
            },
        }
    }
}

/// Reads column "v" for `keys` three ways (Arrow, dense, their found masks agreeing) and
/// checks each key's value (`None`: absent).
fn expect_values(db: &TestDb, table: &str, keys: &Keys, expect: &[Option<f32>]) {
    let desc = keys.desc();
    let t = cstr(table);
    let (_c, cols) = c_list(&["v"]);
    let n = keys.len();
    assert_eq!(n, expect.len());
    let mut out = vec![0f32; n];
    let mut found = vec![9u8; n];
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers; out and found hold n entries.
    let s = unsafe {
        murr_db_read_f32(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &desc,
            cols.as_ptr(),
            1,
            -1.0,
            out.as_mut_ptr(),
            found.as_mut_ptr(),
            &mut err,
        )
    };
    check(s, &mut err);
    let mut array = FFI_ArrowArray::empty();
    let mut schema = FFI_ArrowSchema::empty();
    let mut found2 = vec![9u8; n];
    // SAFETY: valid pointers.
    let s = unsafe {
        murr_db_read_keys(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &desc,
            cols.as_ptr(),
            1,
            &mut array,
            &mut schema,
            found2.as_mut_ptr(),
            &mut err,
        )
    };
    check(s, &mut err);
    let batch = import_batch(array, schema);
    let v = column::<Float32Array>(&batch, 0);
    for (i, e) in expect.iter().enumerate() {
        assert_eq!(found[i], u8::from(e.is_some()), "{table} key {i}");
        assert_eq!(found2[i], found[i], "{table} key {i}");
        assert_eq!(out[i], e.unwrap_or(-1.0), "{table} key {i}");
        assert_eq!(v.is_valid(i).then(|| v.value(i)), *e, "{table} key {i}");
    }
}

/// Deletes `keys` from `table`; the status, the message in `err` left for the caller.
fn delete(db: &TestDb, table: &str, keys: &Keys, err: &mut murr_error_t) -> murr_status_t {
    let desc = keys.desc();
    let t = cstr(table);
    let mut seq = 0;
    // SAFETY: valid pointers.
    let s = unsafe { murr_db_delete_keys(db.db, t.as_ptr(), &desc, &mut seq, err) };
    assert!(s != MURR_OK || seq > 0);
    s
}

fn delete_ok(db: &TestDb, table: &str, keys: &Keys) {
    let mut err = MURR_ERROR_INIT();
    let s = delete(db, table, keys, &mut err);
    check(s, &mut err);
}

/// A table `name` keyed by `k` (of `key`'s type) with a float32 column `v` = 10, 11, ...
fn kv_table(db: &TestDb, name: &str, key: ArrayRef) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", key.data_type().clone(), false),
        Field::new("v", DataType::Float32, true),
    ]));
    create_table(db, name, &schema, "k");
    let v = Float32Array::from_iter_values((0..key.len()).map(|i| 10.0 + i as f32));
    let batch = RecordBatch::try_new(schema, vec![key, Arc::new(v)]).unwrap();
    write_ok(db, name, &batch);
}

#[test]
fn utf8_keys_of_every_kind() {
    let db = open_db();
    let written = StringArray::from(vec!["alpha", "beta", "", "été", "a\0b"]);
    kv_table(&db, "s", Arc::new(written));
    let ask = ["beta", "zeta", "été", "", "alpha"];
    let expect = [Some(11.0), None, Some(13.0), Some(12.0), Some(10.0)];
    expect_values(&db, "s", &Keys::cstr(&ask), &expect);
    let bytes: Vec<&[u8]> = ask.iter().map(|k| k.as_bytes()).collect();
    expect_values(&db, "s", &Keys::utf8(&bytes), &expect);
    let arrow = StringArray::from(ask.to_vec());
    expect_values(&db, "s", &Keys::arrow(&arrow), &expect);
    // Large utf8 and utf8 view arrays look up a utf8 column too.
    let large = arrow_array::LargeStringArray::from(ask.to_vec());
    expect_values(&db, "s", &Keys::arrow(&large), &expect);

    // A key holding a NUL byte: whole by pointer + length, cut at the NUL as a C string.
    expect_values(
        &db,
        "s",
        &Keys::utf8(&[b"a\0b", b"a", b"a\0"]),
        &[Some(14.0), None, None],
    );
    expect_values(&db, "s", &Keys::cstr(&["a"]), &[None]);

    delete_ok(&db, "s", &Keys::cstr(&["alpha"]));
    delete_ok(&db, "s", &Keys::utf8(&[b"a\0b", b"nope"]));
    delete_ok(&db, "s", &Keys::arrow(&StringArray::from(vec!["beta"])));
    expect_values(
        &db,
        "s",
        &Keys::cstr(&["alpha", "beta", "été"]),
        &[None, None, Some(13.0)],
    );
    expect_values(&db, "s", &Keys::utf8(&[b"a\0b"]), &[None]);
}

#[test]
fn int64_and_uint64_keys_of_every_kind() {
    let db = open_db();
    kv_table(
        &db,
        "i",
        Arc::new(Int64Array::from(vec![-5, 0, 7, i64::MAX])),
    );
    let ask = vec![i64::MAX, 1, -5];
    let expect = [Some(13.0), None, Some(10.0)];
    expect_values(&db, "i", &Keys::I64(ask.clone()), &expect);
    expect_values(&db, "i", &Keys::arrow(&Int64Array::from(ask)), &expect);

    let keys = vec![0, (1 << 63) - 1, 1 << 63, (1 << 63) + 5, u64::MAX];
    kv_table(&db, "u", Arc::new(UInt64Array::from(keys)));
    let ask = vec![u64::MAX, 1 << 63, 42, 0, (1 << 63) + 5, (1 << 63) - 1];
    let expect = [
        Some(14.0),
        Some(12.0),
        None,
        Some(10.0),
        Some(13.0),
        Some(11.0),
    ];
    expect_values(&db, "u", &Keys::U64(ask.clone()), &expect);
    expect_values(
        &db,
        "u",
        &Keys::arrow(&UInt64Array::from(ask.clone())),
        &expect,
    );

    delete_ok(&db, "i", &Keys::I64(vec![-5]));
    delete_ok(&db, "i", &Keys::arrow(&Int64Array::from(vec![7])));
    expect_values(
        &db,
        "i",
        &Keys::I64(vec![-5, 7, 0]),
        &[None, None, Some(11.0)],
    );
    delete_ok(&db, "u", &Keys::U64(vec![u64::MAX]));
    delete_ok(&db, "u", &Keys::arrow(&UInt64Array::from(vec![1 << 63])));
    expect_values(
        &db,
        "u",
        &Keys::U64(ask),
        &[None, None, None, Some(10.0), Some(13.0), Some(11.0)],
    );
}

#[test]
fn mismatched_kinds_name_both_types() {
    let db = open_db();
    kv_table(&db, "s", Arc::new(StringArray::from(vec!["a"])));
    kv_table(&db, "i", Arc::new(Int64Array::from(vec![1])));
    kv_table(&db, "u", Arc::new(UInt64Array::from(vec![1])));
    let cases = [
        (
            "s",
            Keys::U64(vec![1]),
            "uint64 keys given for a utf8 key column",
        ),
        (
            "s",
            Keys::I64(vec![1]),
            "int64 keys given for a utf8 key column",
        ),
        (
            "i",
            Keys::U64(vec![1]),
            "uint64 keys given for an int64 key column",
        ),
        (
            "u",
            Keys::I64(vec![1]),
            "int64 keys given for a uint64 key column",
        ),
        (
            "u",
            Keys::cstr(&["1"]),
            "utf8 keys given for a uint64 key column",
        ),
        (
            "i",
            Keys::utf8(&[b"1"]),
            "utf8 keys given for an int64 key column",
        ),
        (
            "i",
            Keys::arrow(&Float32Array::from(vec![1.0])),
            "Arrow Float32 keys given for an int64 key column",
        ),
    ];
    let (_c, cols) = c_list(&["v"]);
    for (table, keys, needle) in &cases {
        let desc = keys.desc();
        let t = cstr(table);
        let mut err = MURR_ERROR_INIT();
        let mut out = [0f32; 1];
        let mut array = FFI_ArrowArray::empty();
        let mut schema = FFI_ArrowSchema::empty();
        // SAFETY: valid pointers.
        unsafe {
            let s = murr_db_read_f32(
                db.db,
                ptr::null(),
                t.as_ptr(),
                &desc,
                cols.as_ptr(),
                1,
                0.0,
                out.as_mut_ptr(),
                ptr::null_mut(),
                &mut err,
            );
            expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, needle);
            let s = murr_db_read_keys(
                db.db,
                ptr::null(),
                t.as_ptr(),
                &desc,
                cols.as_ptr(),
                1,
                &mut array,
                &mut schema,
                ptr::null_mut(),
                &mut err,
            );
            expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, needle);
        }
        let mut err = MURR_ERROR_INIT();
        let s = delete(&db, table, keys, &mut err);
        expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, needle);
    }
}

#[test]
fn null_and_invalid_descriptors() {
    let db = open_db();
    kv_table(&db, "s", Arc::new(StringArray::from(vec!["a"])));
    kv_table(&db, "u", Arc::new(UInt64Array::from(vec![1])));
    let (_c, cols) = c_list(&["v"]);
    let dense = |table: &str, desc: *const murr_keys_t, err: &mut murr_error_t| {
        let t = cstr(table);
        let mut out = [0f32; 4];
        // SAFETY: valid pointers but the descriptor under test.
        unsafe {
            murr_db_read_f32(
                db.db,
                ptr::null(),
                t.as_ptr(),
                desc,
                cols.as_ptr(),
                1,
                -1.0,
                out.as_mut_ptr(),
                ptr::null_mut(),
                err,
            )
        }
    };
    let mut err = MURR_ERROR_INIT();
    let s = dense("s", ptr::null(), &mut err);
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys is NULL");

    let mut desc = Keys::U64(vec![1]).desc();
    desc.kind = 5;
    let s = dense("u", &desc, &mut err);
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys->kind is 5");

    for kind in [
        MURR_KEYS_CSTR,
        MURR_KEYS_UTF8,
        MURR_KEYS_INT64,
        MURR_KEYS_UINT64,
    ] {
        let mut desc = Keys::U64(vec![]).desc();
        desc.kind = kind;
        desc.count = 2;
        desc.data = ptr::null();
        let s = dense("u", &desc, &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys->data is NULL");
        desc.count = 0;
        let s = dense("u", &desc, &mut err);
        if kind == MURR_KEYS_UINT64 {
            check(s, &mut err);
        } else {
            expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "keys given for a uint64");
        }
    }

    let utf8 = Keys::utf8(&[b"a", b"b"]);
    let mut desc = utf8.desc();
    desc.lengths = ptr::null();
    let s = dense("s", &desc, &mut err);
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys->lengths is NULL");
    // A NULL string: refused with a length, the empty key without.
    let ptrs: [*const c_char; 2] = [c"a".as_ptr(), ptr::null()];
    let lengths = [1usize, 1];
    let desc = murr_keys_t {
        lengths: lengths.as_ptr(),
        ..Keys::utf8(&[]).desc()
    };
    let desc = murr_keys_t {
        data: ptrs.as_ptr().cast(),
        count: 2,
        ..desc
    };
    let s = dense("s", &desc, &mut err);
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys[1] is NULL");
    let lengths = [1usize, 0];
    let desc = murr_keys_t {
        lengths: lengths.as_ptr(),
        ..desc
    };
    check(dense("s", &desc, &mut err), &mut err);
    let desc = murr_keys_t {
        kind: MURR_KEYS_CSTR,
        ..desc
    };
    let s = dense("s", &desc, &mut err);
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys[1] is NULL");

    // Invalid UTF-8, by either string kind.
    let s = dense("s", &Keys::utf8(&[b"ok", b"b\xff"]).desc(), &mut err);
    expect_status(
        s,
        &mut err,
        MURR_INVALID_ARGUMENT,
        "keys[1] is not valid UTF-8",
    );
    let bad = [c"ok".as_ptr(), c"b\xff".as_ptr()];
    let desc = murr_keys_t {
        kind: MURR_KEYS_CSTR,
        data: bad.as_ptr().cast(),
        count: 2,
        ..Keys::U64(vec![]).desc()
    };
    let s = dense("s", &desc, &mut err);
    expect_status(
        s,
        &mut err,
        MURR_INVALID_ARGUMENT,
        "keys[1] is not valid UTF-8",
    );

    // Arrow: NULL array or schema, a released array; count ignored; a null key is not
    // found by a read and refused by a delete.
    let arrow = Keys::arrow(&UInt64Array::from(vec![Some(1), None]));
    let good = arrow.desc();
    let s = dense(
        "u",
        &murr_keys_t {
            array: ptr::null(),
            ..good
        },
        &mut err,
    );
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys->array is NULL");
    let s = dense(
        "u",
        &murr_keys_t {
            schema: ptr::null(),
            ..good
        },
        &mut err,
    );
    expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "keys->schema is NULL");
    let released = FFI_ArrowArray::empty();
    let s = dense(
        "u",
        &murr_keys_t {
            array: &released,
            ..good
        },
        &mut err,
    );
    expect_status(
        s,
        &mut err,
        MURR_INVALID_ARGUMENT,
        "keys->array is released",
    );
    check(
        dense("u", &murr_keys_t { count: 99, ..good }, &mut err),
        &mut err,
    );
    let s = delete(&db, "u", &arrow, &mut err);
    expect_status(s, &mut err, MURR_SCHEMA_MISMATCH, "null");
    expect_values(&db, "u", &Keys::U64(vec![1]), &[Some(10.0)]);
}

/// The Arrow kind borrows: the caller's keys stay valid and unreleased, and a result that
/// asked for the key column owns its copy.
#[test]
fn arrow_keys_are_borrowed() {
    let db = open_db();
    kv_table(&db, "u", Arc::new(UInt64Array::from(vec![u64::MAX])));
    let keys = Keys::arrow(&UInt64Array::from(vec![u64::MAX, 3]));
    let desc = keys.desc();
    let t = cstr("u");
    let (_c, cols) = c_list(&["k", "v"]);
    let mut array = FFI_ArrowArray::empty();
    let mut schema = FFI_ArrowSchema::empty();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let s = unsafe {
        murr_db_read_keys(
            db.db,
            ptr::null(),
            t.as_ptr(),
            &desc,
            cols.as_ptr(),
            2,
            &mut array,
            &mut schema,
            ptr::null_mut(),
            &mut err,
        )
    };
    check(s, &mut err);
    drop(keys);
    let batch = import_batch(array, schema);
    let k = column::<UInt64Array>(&batch, 0);
    assert_eq!(k.value(0), u64::MAX);
    assert_eq!(k.value(1), 3);
}

/// `MURR_ERROR_INIT` holds every field zero; a failure fills status and message only; a
/// release clears the message and leaves the rest as they were.
#[test]
fn error_init_round_trip() {
    assert_eq!(
        std::mem::size_of::<murr_error_t>(),
        4 * std::mem::size_of::<usize>() + 4 * 8
    );
    let db = open_db();
    let mut err = MURR_ERROR_INIT();
    let d = murr_error_t::default();
    assert!(d.private_data.is_null() && d.reserved == [0; 4] && d.release.is_none());
    let t = cstr("nope");
    // SAFETY: valid pointers; a NULL descriptor.
    let s =
        unsafe { murr_db_delete_keys(db.db, t.as_ptr(), ptr::null(), ptr::null_mut(), &mut err) };
    assert_eq!(s, MURR_INVALID_ARGUMENT);
    assert_eq!(err.status, MURR_INVALID_ARGUMENT);
    assert!(!err.message.is_null() && err.release.is_some());
    assert!(err.private_data.is_null());
    assert_eq!(err.reserved, [0; 4]);
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(&mut err) };
    assert!(err.message.is_null() && err.release.is_none() && err.private_data.is_null());
    assert_eq!(err.reserved, [0; 4]);
    assert_eq!(err.status, MURR_INVALID_ARGUMENT);
}
