//! Tables through the C ABI: create, list, schema, add a column, drop; their misuse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ffi::CStr;
use std::ptr;

use arrow_array::ffi::FFI_ArrowSchema;
use arrow_schema::{DataType, Field, Schema};
use common::*;
use murr::*;

fn tables(db: &TestDb) -> Vec<String> {
    let mut list = murr_string_list_t {
        count: 7,
        items: ptr::null_mut(),
    };
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    unsafe {
        check(murr_db_tables(db.db, &mut list, &mut err), &mut err);
        let names = (0..list.count)
            .map(|i| {
                CStr::from_ptr(*list.items.add(i))
                    .to_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        murr_string_list_free(&mut list);
        assert_eq!((list.count, list.items), (0, ptr::null_mut()));
        murr_string_list_free(&mut list);
        murr_string_list_free(ptr::null_mut());
        names
    }
}

fn table_schema(db: &TestDb, table: &str) -> Result<Schema, (murr_status_t, String)> {
    let t = cstr(table);
    let mut out = FFI_ArrowSchema::empty();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_table_schema(db.db, t.as_ptr(), &mut out, &mut err) };
    if status != MURR_OK {
        let msg = message(&err);
        // SAFETY: a valid error struct.
        unsafe { murr_error_release(&mut err) };
        assert!(out.release().is_none());
        return Err((status, msg));
    }
    Ok(Schema::try_from(&out).unwrap())
}

#[test]
fn create_list_schema_add_column_drop() {
    let db = open_db();
    assert!(tables(&db).is_empty());
    create_users(&db);
    let keyed = Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("v", DataType::Float64, true),
    ]);
    create_table(&db, "items", &keyed, "id");
    // The same schema again: nothing happens.
    create_table(&db, "items", &keyed, "id");
    assert_eq!(tables(&db), vec!["users", "items"]);

    let schema = table_schema(&db, "users").unwrap();
    let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["user", "ctr", "clicks", "name", "flag"]);
    assert_eq!(schema.field(0).data_type(), &DataType::Utf8);
    assert!(!schema.field(0).is_nullable());
    // The struct schema's metadata entry "murr.key" names the key column.
    assert_eq!(
        schema.metadata().get("murr.key").map(String::as_str),
        Some("user")
    );

    let field = FFI_ArrowSchema::try_from(&Field::new("extra", DataType::Int32, true)).unwrap();
    let t = cstr("users");
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    unsafe {
        check(
            murr_db_add_column(db.db, t.as_ptr(), &field, &mut err),
            &mut err,
        )
    };
    let schema = table_schema(&db, "users").unwrap();
    assert_eq!(schema.fields().len(), 6);
    assert_eq!(schema.field(5).name(), "extra");

    // SAFETY: valid pointers.
    unsafe { check(murr_db_drop_table(db.db, t.as_ptr(), &mut err), &mut err) };
    assert_eq!(tables(&db), vec!["items"]);
    let (status, msg) = table_schema(&db, "users").unwrap_err();
    assert_eq!(status, MURR_UNKNOWN_TABLE, "{msg}");
}

#[test]
fn table_errors() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let t = cstr("users");
    let key = cstr("user");
    let other = Schema::new(vec![Field::new("user", DataType::Utf8, false)]);
    let other = export_schema(&other);
    let bad_key = Schema::new(vec![Field::new("k", DataType::Float32, false)]);
    let bad_key = export_schema(&bad_key);
    let not_struct = FFI_ArrowSchema::try_from(&DataType::Int64).unwrap();
    let released = FFI_ArrowSchema::empty();
    let k = cstr("k");
    let nope = cstr("nope");
    let bad_utf8 = [b'a', 0xff, 0];
    // SAFETY: valid pointers; NULLs and bad values are what is tested.
    unsafe {
        let s = murr_db_create_table(db.db, t.as_ptr(), &other, key.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_TABLE_EXISTS, "users");
        let s = murr_db_create_table(db.db, t.as_ptr(), &bad_key, k.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_UNSUPPORTED, "key column 'k'");
        let s = murr_db_create_table(db.db, k.as_ptr(), &not_struct, key.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "struct schema");
        let s = murr_db_create_table(db.db, k.as_ptr(), &released, key.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "schema is released");
        let s = murr_db_create_table(db.db, k.as_ptr(), ptr::null(), key.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "schema is NULL");
        let s = murr_db_create_table(db.db, k.as_ptr(), &other, ptr::null(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "key_column is NULL");
        let s = murr_db_create_table(ptr::null_mut(), k.as_ptr(), &other, key.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "db is NULL");
        let s = murr_db_create_table(
            db.db,
            bad_utf8.as_ptr().cast(),
            &other,
            key.as_ptr(),
            &mut err,
        );
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "table is not valid UTF-8",
        );
        let s = murr_db_drop_table(db.db, nope.as_ptr(), &mut err);
        expect_status(s, &mut err, MURR_UNKNOWN_TABLE, "nope");
        let s = murr_db_drop_table(db.db, ptr::null(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "table is NULL");
        let s = murr_db_tables(db.db, ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let s = murr_db_table_schema(db.db, t.as_ptr(), ptr::null_mut(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "out is NULL");
        let s = murr_db_add_column(db.db, t.as_ptr(), ptr::null(), &mut err);
        expect_status(s, &mut err, MURR_INVALID_ARGUMENT, "field is NULL");
        let s = murr_db_add_column(db.db, nope.as_ptr(), &not_struct, &mut err);
        assert_ne!(s, MURR_OK);
        murr_error_release(&mut err);
    }
    assert_eq!(tables(&db), vec!["users"]);
}

/// A struct schema of a utf8 key "k" and a list column "l" whose list schema has no child
/// (what arrow-schema's import asserted on: issue 25, F5).
fn childless_list_schema() -> FFI_ArrowSchema {
    let key = FFI_ArrowSchema::try_new("u", vec![], None)
        .unwrap()
        .with_name("k")
        .unwrap();
    let list = FFI_ArrowSchema::try_new("+l", vec![], None)
        .unwrap()
        .with_name("l")
        .unwrap();
    FFI_ArrowSchema::try_new("+s", vec![key, list], None).unwrap()
}

#[test]
fn malformed_schemas_are_invalid_arguments_not_internal_errors() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let t = cstr("t");
    let k = cstr("k");
    let users = cstr("users");
    let bad = childless_list_schema();
    let bad_field = FFI_ArrowSchema::try_new("+w:4", vec![], None)
        .unwrap()
        .with_name("emb")
        .unwrap();
    // SAFETY: valid pointers; the schemas' trees are malformed on purpose.
    unsafe {
        let s = murr_db_create_table(db.db, t.as_ptr(), &bad, k.as_ptr(), &mut err);
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "schema.children[1]: format '+l' needs 1 child",
        );
        let s = murr_db_add_column(db.db, users.as_ptr(), &bad_field, &mut err);
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "field: format '+w:4' needs 1 child",
        );
    }
    assert_eq!(tables(&db), vec!["users".to_owned()]);
}

/// A stream whose get_schema hands out `childless_list_schema` and which has no batch.
mod bad_stream {
    use std::ffi::c_int;
    use std::sync::atomic::{AtomicBool, Ordering};

    use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
    use arrow_array::ffi_stream::FFI_ArrowArrayStream;

    pub static RELEASED: AtomicBool = AtomicBool::new(false);

    unsafe extern "C" fn get_schema(
        _: *mut FFI_ArrowArrayStream,
        out: *mut FFI_ArrowSchema,
    ) -> c_int {
        // SAFETY: `out` is the consumer's output struct.
        unsafe { std::ptr::write(out, super::childless_list_schema()) };
        0
    }

    unsafe extern "C" fn get_next(_: *mut FFI_ArrowArrayStream, out: *mut FFI_ArrowArray) -> c_int {
        // SAFETY: as above; an empty (released) array ends the stream.
        unsafe { std::ptr::write(out, FFI_ArrowArray::empty()) };
        0
    }

    unsafe extern "C" fn release(stream: *mut FFI_ArrowArrayStream) {
        RELEASED.store(true, Ordering::SeqCst);
        // SAFETY: the consumer's valid stream; marks it released.
        unsafe { (*stream).set_release(None) };
    }

    pub fn stream() -> FFI_ArrowArrayStream {
        // SAFETY: the callbacks follow the C Stream Interface.
        unsafe {
            FFI_ArrowArrayStream::new_unchecked(
                Some(get_schema),
                Some(get_next),
                None,
                Some(release),
                std::ptr::null_mut(),
            )
        }
    }
}

#[test]
fn a_stream_with_a_malformed_schema_is_an_invalid_argument() {
    let db = open_db();
    create_users(&db);
    let mut err = MURR_ERROR_INIT();
    let users = cstr("users");
    let mut stream = bad_stream::stream();
    // SAFETY: valid pointers; the stream's schema is malformed on purpose.
    unsafe {
        let s = murr_db_write_stream(
            db.db,
            users.as_ptr(),
            &mut stream,
            ptr::null_mut(),
            &mut err,
        );
        expect_status(
            s,
            &mut err,
            MURR_INVALID_ARGUMENT,
            "the stream's schema.children[1]",
        );
        assert!(
            stream.release().is_none(),
            "the stream was moved and released"
        );
        assert!(bad_stream::RELEASED.load(std::sync::atomic::Ordering::SeqCst));
    }
}
