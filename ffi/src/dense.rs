//! Dense tensor reads: numeric columns cast to `float`, written row-major into the caller's
//! buffer, with no Arrow structures crossing the boundary.

use std::ffi::c_char;

use arrow_array::Array as _;

use crate::args::{out_slice, str_arg, str_list};
use crate::error::{Failure, Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::keyset::{Keys, keys_arg, keys_failure, murr_keys_t};
use crate::read::{found_arg, set_found};
use crate::status::murr_status_t;

/// The body of every dense read.
///
/// # Safety
/// Pointers are NULL or valid as `murr_db_read_f32` describes; `keys` resolves the
/// caller's keys (called once the other arguments are checked).
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn dense_into(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<Keys>,
    columns: *const *const c_char,
    n_columns: usize,
    fill: f32,
    out: *mut f32,
    found: *mut u8,
) -> Result<()> {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        let db = db_arg(db)?;
        let snapshot = snapshot_arg(snapshot);
        let table = str_arg(table, "table")?;
        let columns = str_list(columns, n_columns, "columns")?;
        let keys = keys()?.array;
        let n_keys = keys.len();
        let cells = n_keys.checked_mul(n_columns).ok_or_else(|| {
            Failure::invalid(format!(
                "n_keys ({n_keys}) x n_columns ({n_columns}) overflows"
            ))
        })?;
        let out = out_slice(out, cells, "out")?;
        let mask = found_arg(found, n_keys)?;
        let hits = match snapshot {
            Some(s) => s.read_f32(table, keys.as_ref(), &columns, fill, out),
            None => db.read_f32(table, keys.as_ref(), &columns, fill, out),
        }
        .map_err(|e| keys_failure(table, e))?;
        set_found(mask, &hits);
        Ok(())
    }
}

/// Dense read: fills the caller's `out` (`n_keys * n_columns` floats, `n_keys` the number
/// of keys; row-major: `out[i * n_columns + j]` is key `i`, column `j`) with the values of
/// `columns` of `table` cast to float (bool: 0/1), `fill` for nulls and absent keys, as of
/// `snapshot` (NULL: the latest state).
///
/// - `keys`: borrowed, the key descriptor (see `murr_keys_t`), of the key column's type:
///   else `MURR_SCHEMA_MISMATCH`.
/// - `columns`: `n_columns` borrowed names, each of a numeric or bool column, else
///   `MURR_SCHEMA_MISMATCH` before anything is read.
/// - `out`: written only on success (unspecified on failure).
/// - `found`: NULL, or a caller buffer of one byte per key (1 found, 0 absent).
///
/// No Arrow structures out; no allocation proportional to the output beyond the engine's
/// read. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_f32(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const murr_keys_t,
    columns: *const *const c_char,
    n_columns: usize,
    fill: f32,
    out: *mut f32,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            dense_into(
                db,
                snapshot,
                table,
                || keys_arg(keys),
                columns,
                n_columns,
                fill,
                out,
                found,
            )
        })
    }
}
