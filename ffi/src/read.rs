//! Batch reads by key, returned as an Arrow struct array: keys as an Arrow array, as C
//! strings, as int64 values.

use std::ffi::c_char;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use murr_core::db::{Db, Snapshot};

use crate::args::{out_slice, str_arg, str_list};
use crate::arrow_in::{deep_copy, import_borrowed};
use crate::arrow_out::clear_out;
use crate::error::{Result, murr_error_t};
use crate::export::export_batch;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::keys::{i64_keys, str_keys};
use crate::status::murr_status_t;

/// Reads `columns` of `table` for `keys` through `snapshot` (or the latest state).
pub(crate) fn engine_read(
    db: &Db,
    snapshot: Option<&Snapshot>,
    table: &str,
    keys: &dyn Array,
    columns: &[&str],
) -> Result<(RecordBatch, Vec<bool>)> {
    Ok(match snapshot {
        Some(s) => s.read(table, keys, columns)?,
        None => db.read(table, keys, columns)?,
    })
}

/// The caller's found mask at `found` (NULL: none) for `n` keys, zeroed.
///
/// # Safety
/// `found` is NULL or points to `n` writable bytes.
pub(crate) unsafe fn found_arg<'a>(found: *mut u8, n: usize) -> Result<Option<&'a mut [u8]>> {
    if found.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded.
    let mask = unsafe { out_slice(found, n, "found") }?;
    mask.fill(0);
    Ok(Some(mask))
}

/// Copies `hits` into the found mask (1 found, 0 absent).
pub(crate) fn set_found(mask: Option<&mut [u8]>, hits: &[bool]) {
    if let Some(mask) = mask {
        for (m, &h) in mask.iter_mut().zip(hits) {
            *m = u8::from(h);
        }
    }
}

/// `batch` with every column that shares memory with `keys` copied into memory of its
/// own.
fn detach(batch: RecordBatch, keys: &dyn Array) -> Result<RecordBatch> {
    let ranges = |data: &arrow_data::ArrayData| -> Vec<(usize, usize)> {
        data.buffers()
            .iter()
            .map(|b| (b.as_ptr() as usize, b.as_ptr() as usize + b.len()))
            .collect()
    };
    let key_ranges = ranges(&keys.to_data());
    // Only a column built from the keys (the key column) can share their memory; it has
    // their type. The others are not looked at.
    let shares = |column: &ArrayRef| {
        column.data_type() == keys.data_type()
            && ranges(&column.to_data()).iter().any(|&(start, end)| {
                key_ranges
                    .iter()
                    .any(|&(k_start, k_end)| start < k_end && k_start < end)
            })
    };
    if !batch.columns().iter().any(shares) {
        return Ok(batch);
    }
    let columns = batch
        .columns()
        .iter()
        .map(|c| {
            if shares(c) {
                Ok(arrow_array::make_array(deep_copy(&c.to_data())?))
            } else {
                Ok(Arc::clone(c))
            }
        })
        .collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(
        batch.schema(),
        columns,
        &options,
    )?)
}

/// The shared body of the three Arrow reads: checks, reads, exports.
///
/// # Safety
/// Pointers are NULL or valid as the entry points describe.
#[allow(clippy::too_many_arguments)]
unsafe fn read_into(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<std::sync::Arc<dyn Array>>,
    borrowed: bool,
    columns: *const *const c_char,
    n_columns: usize,
    out_array: *mut FFI_ArrowArray,
    out_schema: *mut FFI_ArrowSchema,
    found: *mut u8,
) -> Result<()> {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        clear_out(out_array, "out_array", out_schema, "out_schema")?;
        let db = db_arg(db)?;
        let snapshot = snapshot_arg(snapshot);
        let table = str_arg(table, "table")?;
        let columns = str_list(columns, n_columns, "columns")?;
        let keys = keys()?;
        let mask = found_arg(found, keys.len())?;
        let (batch, hits) = engine_read(db, snapshot, table, keys.as_ref(), &columns)?;
        // Borrowed keys may be in the result (the key column, when asked): that column is
        // copied, so nothing of the caller's is referenced after the call. Keys libmurr
        // built itself may stay.
        let batch = if borrowed {
            detach(batch, keys.as_ref())?
        } else {
            batch
        };
        drop(keys);
        export_batch(batch, out_array, out_schema)?;
        set_found(mask, &hits);
        Ok(())
    }
}

/// Reads `columns` of `table` for `keys`, as of `snapshot` (NULL: the latest state).
///
/// - `keys`, `keys_schema`: borrowed (not released; not referenced after the call): a plain
///   array of the key column's type. Keys of another type: `MURR_SCHEMA_MISMATCH`.
/// - `columns`: `n_columns` borrowed NUL-terminated UTF-8 names (the key column may be
///   among them; NULL allowed when `n_columns` is 0).
/// - `out_array`, `out_schema`: caller-allocated, marked released on entry, filled on
///   success with a struct array of `keys->length` rows, one nullable child per asked
///   column in order (null for absent keys and unwritten cells); the caller releases both.
/// - `found`: NULL, or a caller buffer of `keys->length` bytes: 1 found, 0 absent.
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const FFI_ArrowArray,
    keys_schema: *const FFI_ArrowSchema,
    columns: *const *const c_char,
    n_columns: usize,
    out_array: *mut FFI_ArrowArray,
    out_schema: *mut FFI_ArrowSchema,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let keys = || import_borrowed(keys, keys_schema, "keys", "keys_schema");
            read_into(
                db, snapshot, table, keys, true, columns, n_columns, out_array, out_schema, found,
            )
        })
    }
}

/// Reads as `murr_db_read` does, for the `n_keys` utf8 keys at `keys` (borrowed
/// NUL-terminated UTF-8; NULL allowed when `n_keys` is 0). `found`: NULL or `n_keys`
/// bytes. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_str(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const *const c_char,
    n_keys: usize,
    columns: *const *const c_char,
    n_columns: usize,
    out_array: *mut FFI_ArrowArray,
    out_schema: *mut FFI_ArrowSchema,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let keys = || Ok(std::sync::Arc::new(str_keys(keys, n_keys)?) as _);
            read_into(
                db, snapshot, table, keys, false, columns, n_columns, out_array, out_schema, found,
            )
        })
    }
}

/// Reads as `murr_db_read` does, for the `n_keys` int64 keys at `keys` (borrowed; NULL
/// allowed when `n_keys` is 0). `found`: NULL or `n_keys` bytes. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_i64(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const i64,
    n_keys: usize,
    columns: *const *const c_char,
    n_columns: usize,
    out_array: *mut FFI_ArrowArray,
    out_schema: *mut FFI_ArrowSchema,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let keys = || Ok(std::sync::Arc::new(i64_keys(keys, n_keys)?) as _);
            read_into(
                db, snapshot, table, keys, false, columns, n_columns, out_array, out_schema, found,
            )
        })
    }
}
