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
