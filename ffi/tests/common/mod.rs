//! Helpers shared by the C ABI tests: a database in a temporary directory, C strings,
//! Arrow arrays exported and imported through the C Data Interface.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::{CStr, CString, c_char};
use std::ptr;
use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema, from_ffi, to_ffi};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, Int64Array, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr::*;

/// A database handle in a temporary directory, freed on drop.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub db: *mut murr_db_t,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // SAFETY: a handle from murr_db_open, freed once.
        unsafe { murr_db_free(self.db) };
    }
}

/// Options for tests: no fsync, manual mode (deterministic).
pub fn test_options() -> murr_options_t {
    let mut o = std::mem::MaybeUninit::<murr_options_t>::uninit();
    // SAFETY: murr_options_default fills the whole struct.
    unsafe {
        murr_options_default(o.as_mut_ptr());
        let mut o = o.assume_init();
        o.sync = MURR_SYNC_NEVER;
        o.background_threads = 0;
        o
    }
}

pub fn open_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let path = cstr(dir.path().to_str().unwrap());
    let options = test_options();
    let mut db = ptr::null_mut();
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_open(path.as_ptr(), &options, &mut db, &mut err) };
    check(status, &mut err);
    assert!(!db.is_null());
    TestDb { dir, db }
}

/// `MURR_ERROR_INIT` of the header: `{0, NULL, NULL, NULL, {0, 0, 0, 0}}`.
#[allow(non_snake_case)]
pub fn MURR_ERROR_INIT() -> murr_error_t {
    murr_error_t {
        status: 0,
        message: ptr::null_mut(),
        release: None,
        private_data: ptr::null_mut(),
        reserved: [0; 4],
    }
}

pub fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// The message in `err` ("" when none).
pub fn message(err: &murr_error_t) -> String {
    if err.message.is_null() {
        return String::new();
    }
    // SAFETY: libmurr's NUL-terminated message.
    unsafe { CStr::from_ptr(err.message) }
        .to_string_lossy()
        .into_owned()
}

/// Panics with the message unless `status` is MURR_OK; releases the error.
pub fn check(status: murr_status_t, err: &mut murr_error_t) {
    let msg = message(err);
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(err) };
    assert_eq!(status, MURR_OK, "status {status}: {msg}");
}

/// Asserts `status` is `expected`, that the error struct says so with a message containing
/// `needle`, and releases it.
pub fn expect_status(
    status: murr_status_t,
    err: &mut murr_error_t,
    expected: murr_status_t,
    needle: &str,
) {
    let msg = message(err);
    assert_eq!(status, expected, "message: {msg}");
    assert_eq!(err.status, expected);
    assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    // SAFETY: a valid error struct.
    unsafe { murr_error_release(err) };
    assert!(err.message.is_null() && err.release.is_none());
}

/// The table used by most tests: utf8 key "user", ctr float32, clicks int64, name utf8,
/// flag bool.
pub fn users_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user", DataType::Utf8, false),
        Field::new("ctr", DataType::Float32, true),
        Field::new("clicks", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("flag", DataType::Boolean, true),
    ]))
}

/// The struct schema of `schema`, exported.
pub fn export_schema(schema: &Schema) -> FFI_ArrowSchema {
    FFI_ArrowSchema::try_from(schema).unwrap()
}

pub fn create_table(db: &TestDb, table: &str, schema: &Schema, key: &str) {
    let ffi = export_schema(schema);
    let (t, k) = (cstr(table), cstr(key));
    let mut err = MURR_ERROR_INIT();
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_create_table(db.db, t.as_ptr(), &ffi, k.as_ptr(), &mut err) };
    check(status, &mut err);
}

pub fn create_users(db: &TestDb) {
    create_table(db, "users", &users_schema(), "user");
}

/// Rows of the users table: ann (0.5, 3, "Ann", true), bob (0.25, null, null, false),
/// cid (null, 7, "Cid", null).
pub fn users_batch() -> RecordBatch {
    RecordBatch::try_new(
        users_schema(),
        vec![
            Arc::new(StringArray::from(vec!["ann", "bob", "cid"])) as ArrayRef,
            Arc::new(Float32Array::from(vec![Some(0.5), Some(0.25), None])),
            Arc::new(Int64Array::from(vec![Some(3), None, Some(7)])),
            Arc::new(StringArray::from(vec![Some("Ann"), None, Some("Cid")])),
            Arc::new(BooleanArray::from(vec![Some(true), Some(false), None])),
        ],
    )
    .unwrap()
}

/// A batch as the C Data Interface struct array and its schema.
pub fn export_batch(batch: &RecordBatch) -> (FFI_ArrowArray, FFI_ArrowSchema) {
    let data = StructArray::from(batch.clone()).into_data();
    to_ffi(&data).unwrap()
}

/// Writes `batch` to `table` through murr_db_write; returns the status and the sequence
/// number, and checks the array was moved.
pub fn write(
    db: &TestDb,
    table: &str,
    batch: &RecordBatch,
    err: &mut murr_error_t,
) -> (murr_status_t, u64) {
    let (mut array, schema) = export_batch(batch);
    let t = cstr(table);
    let mut seq = 0;
    // SAFETY: valid pointers.
    let status = unsafe { murr_db_write(db.db, t.as_ptr(), &mut array, &schema, &mut seq, err) };
    assert!(array.is_released(), "murr_db_write must move the array");
    (status, seq)
}

pub fn write_ok(db: &TestDb, table: &str, batch: &RecordBatch) -> u64 {
    let mut err = MURR_ERROR_INIT();
    let (status, seq) = write(db, table, batch, &mut err);
    check(status, &mut err);
    seq
}

/// Imports the struct array libmurr exported into a record batch.
pub fn import_batch(array: FFI_ArrowArray, schema: FFI_ArrowSchema) -> RecordBatch {
    // SAFETY: libmurr filled both.
    let data = unsafe { from_ffi(array, &schema) }.unwrap();
    RecordBatch::from(StructArray::from(data))
}

/// C string pointers of `strings` (kept alive by the returned CStrings).
pub fn c_list(strings: &[&str]) -> (Vec<CString>, Vec<*const c_char>) {
    let owned: Vec<CString> = strings.iter().map(|s| cstr(s)).collect();
    let ptrs = owned.iter().map(|s| s.as_ptr()).collect();
    (owned, ptrs)
}

/// Reads `columns` of `table` for utf8 `keys` through murr_db_read_str.
pub fn read_str(
    db: &TestDb,
    snapshot: *const murr_snapshot_t,
    table: &str,
    keys: &[&str],
    columns: &[&str],
    err: &mut murr_error_t,
) -> (murr_status_t, Option<RecordBatch>, Vec<u8>) {
    let t = cstr(table);
    let (_k, kp) = c_list(keys);
    let (_c, cp) = c_list(columns);
    let mut array = FFI_ArrowArray::empty();
    let mut schema = FFI_ArrowSchema::empty();
    let mut found = vec![9u8; keys.len()];
    // SAFETY: valid pointers.
    let status = unsafe {
        murr_db_read_str(
            db.db,
            snapshot,
            t.as_ptr(),
            kp.as_ptr(),
            kp.len(),
            cp.as_ptr(),
            cp.len(),
            &mut array,
            &mut schema,
            found.as_mut_ptr(),
            err,
        )
    };
    if status != MURR_OK {
        assert!(array.is_released() && schema.release().is_none());
        return (status, None, found);
    }
    (status, Some(import_batch(array, schema)), found)
}

pub fn column<T: 'static>(batch: &RecordBatch, i: usize) -> &T {
    batch.column(i).as_any().downcast_ref::<T>().unwrap()
}

pub fn len(batch: &RecordBatch) -> usize {
    batch.column(0).len()
}
