//! Batch reads by key (a key descriptor), returned as an Arrow struct array.

use std::ffi::c_char;

use std::sync::Arc;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use murr_core::db::{Db, Snapshot};

use crate::args::{out_slice, str_arg, str_list};
use crate::arrow_in::deep_copy;
use crate::arrow_out::clear_out;
use crate::error::{Result, murr_error_t};
use crate::export::export_batch;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::keyset::{Keys, keys_arg, keys_failure, murr_keys_t};
use crate::status::murr_status_t;

/// Reads `columns` of `table` for `keys` through `snapshot` (or the latest state).
fn engine_read(
    db: &Db,
    snapshot: Option<&Snapshot>,
    table: &str,
    keys: &dyn Array,
    columns: &[&str],
) -> murr_core::Result<(RecordBatch, Vec<bool>)> {
    match snapshot {
        Some(s) => s.read(table, keys, columns),
        None => db.read(table, keys, columns),
    }
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

/// The body of every Arrow read: checks, reads, exports.
///
/// # Safety
/// Pointers are NULL or valid as `murr_db_read_keys` describes; `keys` resolves the
/// caller's keys (called once the other arguments are checked).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn read_into(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<Keys>,
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
        let Keys { array, borrowed } = keys()?;
        let mask = found_arg(found, array.len())?;
        let (batch, hits) = engine_read(db, snapshot, table, array.as_ref(), &columns)
            .map_err(|e| keys_failure(table, e))?;
        // Borrowed keys may be in the result (the key column, when asked): that column is
        // copied, so nothing of the caller's is referenced after the call. Keys libmurr
        // built itself may stay.
        let batch = if borrowed {
            detach(batch, array.as_ref())?
        } else {
            batch
        };
        drop(array);
        export_batch(batch, out_array, out_schema)?;
        set_found(mask, &hits);
        Ok(())
    }
}

/// Reads `columns` of `table` for `keys`, as of `snapshot` (NULL: the latest state).
///
/// - `keys`: borrowed, the key descriptor (see `murr_keys_t`; one line with the
///   `murr_keys_*` helpers), of the key column's type: else `MURR_SCHEMA_MISMATCH`.
///   An Arrow array's null keys are not found.
/// - `columns`: `n_columns` borrowed NUL-terminated UTF-8 names (the key column may be
///   among them; NULL allowed when `n_columns` is 0).
/// - `out_array`, `out_schema`: caller-allocated, marked released on entry, filled on
///   success with a struct array of one row per key, one nullable child per asked column
///   in order (null for absent keys and unwritten cells); the caller releases both. Nothing
///   in them refers to the caller's keys.
/// - `found`: NULL, or a caller buffer of one byte per key: 1 found, 0 absent.
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_keys(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const murr_keys_t,
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
            read_into(
                db,
                snapshot,
                table,
                || keys_arg(keys),
                columns,
                n_columns,
                out_array,
                out_schema,
                found,
            )
        })
    }
}
