//! Writes and deletes: Arrow batches and streams; keys to delete by a key descriptor.

use std::ffi::c_char;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;

use crate::args::str_arg;
use crate::arrow_in::{for_each_batch, import_batch, take_array, take_stream};
use crate::error::{Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::keyset::{Keys, keys_arg, keys_failure, murr_keys_t};
use crate::status::murr_status_t;

/// Stores `seq` in `*seq_out` when it is not NULL.
///
/// # Safety
/// `seq_out` is NULL or writable.
unsafe fn set_seq(seq_out: *mut u64, seq: u64) {
    if !seq_out.is_null() {
        // SAFETY: writable, by the caller's contract.
        unsafe { seq_out.write(seq) };
    }
}

/// Upserts one record batch into `table` by key (a partial upsert: the batch carries the key
/// column and any subset of the other columns, matched by name, each of the table's type).
///
/// - `table`: borrowed NUL-terminated UTF-8.
/// - `array`: a struct array (one child per column, no null rows). Ownership of `*array`
///   moves to libmurr on every call, success or failure: on return `array->release` is
///   NULL, and libmurr releases the data when it no longer needs it. A released array
///   (release NULL) is `MURR_INVALID_ARGUMENT`.
/// - `schema`: borrowed (not released), the struct schema of `array` (format "+s").
/// - `seq_out`: NULL, or receives the write's sequence number.
///
/// A batch not matching the table is `MURR_SCHEMA_MISMATCH`, with nothing written. When
/// this returns `MURR_OK` the write is visible to every later read. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_write(
    db: *const murr_db_t,
    table: *const c_char,
    array: *mut FFI_ArrowArray,
    schema: *const FFI_ArrowSchema,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            // Taken first, so that the caller's struct is released whatever fails.
            let array = take_array(array, "array")?;
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let batch = import_batch(array, schema, "array", "schema")?;
            set_seq(seq_out, db.write(table, &batch)?);
            Ok(())
        })
    }
}

/// Writes every batch of `stream` into `table`, one at a time as `murr_db_write` does (each
/// batch atomic; on a failure the batches before it stay written).
///
/// - `stream`: moved on every call: on return `stream->release` is NULL, libmurr has
///   released it. Its schema is a struct schema of the table's columns.
/// - `seq_out`: NULL, or receives the last batch's sequence number (0 for an empty stream).
///
/// An error of the stream's producer is `MURR_ARROW`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_write_stream(
    db: *const murr_db_t,
    table: *const c_char,
    stream: *mut FFI_ArrowArrayStream,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let stream = take_stream(stream)?;
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            // The table must exist (and the database be open) even for an empty stream.
            db.schema(table)?;
            let mut last = 0;
            for_each_batch(stream, |batch| {
                last = db.write(table, &batch)?;
                Ok(())
            })?;
            set_seq(seq_out, last);
            Ok(())
        })
    }
}

/// The body of every delete.
///
/// # Safety
/// Pointers are NULL or valid as `murr_db_delete_keys` describes; `keys` resolves the
/// caller's keys (called once the other arguments are checked).
pub(crate) unsafe fn delete_from(
    db: *const murr_db_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<Keys>,
    seq_out: *mut u64,
) -> Result<()> {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        let db = db_arg(db)?;
        let table = str_arg(table, "table")?;
        // The memtable keeps the deleted keys.
        let keys = keys()?.into_owned()?;
        let seq = db
            .delete(table, keys.as_ref())
            .map_err(|e| keys_failure(table, e))?;
        set_seq(seq_out, seq);
        Ok(())
    }
}

/// Deletes `keys` from `table` (blind: absent keys are fine).
///
/// - `table`: borrowed NUL-terminated UTF-8.
/// - `keys`: borrowed, the key descriptor (see `murr_keys_t`), of the key column's type:
///   else `MURR_SCHEMA_MISMATCH`, as is a null key of an Arrow array (nothing deleted then).
/// - `seq_out`: NULL, or receives the delete's sequence number.
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_delete_keys(
    db: *const murr_db_t,
    table: *const c_char,
    keys: *const murr_keys_t,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe { guard(error, || delete_from(db, table, || keys_arg(keys), seq_out)) }
}
