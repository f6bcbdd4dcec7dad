//! Dense tensor reads: numeric columns cast to `float`, written row-major into the caller's
//! buffer, with no Arrow structures crossing the boundary.

use std::ffi::c_char;

use arrow_array::Array;

use crate::args::{out_slice, str_arg, str_list};
use crate::error::{Failure, Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::keys::{i64_keys, str_keys};
use crate::read::{found_arg, set_found};
use crate::status::murr_status_t;

/// The shared body of the two dense reads.
///
/// # Safety
/// Pointers are NULL or valid as the entry points describe.
#[allow(clippy::too_many_arguments)]
unsafe fn dense_into(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<std::sync::Arc<dyn Array>>,
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
        let keys = keys()?;
        let n_keys = keys.len();
        let cells = n_keys.checked_mul(n_columns).ok_or_else(|| {
            Failure::invalid(format!(
                "n_keys ({n_keys}) x n_columns ({n_columns}) overflows"
            ))
        })?;
        let out = out_slice(out, cells, "out")?;
        let mask = found_arg(found, n_keys)?;
        let hits = match snapshot {
            Some(s) => s.read_f32(table, keys.as_ref(), &columns, fill, out)?,
            None => db.read_f32(table, keys.as_ref(), &columns, fill, out)?,
        };
        set_found(mask, &hits);
        Ok(())
    }
}

/// Dense read for `n_keys` utf8 keys (borrowed NUL-terminated UTF-8): fills the caller's
/// `out` (`n_keys * n_columns` floats, row-major: `out[i * n_columns + j]` is key `i`,
/// column `j`) with the values of `columns` cast to float (bool: 0/1), `fill` for nulls and
/// absent keys, as of `snapshot` (NULL: the latest state).
///
/// - `columns`: `n_columns` borrowed names, each of a numeric or bool column, else
///   `MURR_SCHEMA_MISMATCH` before anything is read.
/// - `out`: written only on success (unspecified on failure).
/// - `found`: NULL, or a caller buffer of `n_keys` bytes (1 found, 0 absent).
///
/// No Arrow structures; no allocation proportional to the output beyond the engine's read.
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_f32_str(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const *const c_char,
    n_keys: usize,
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
            let keys = || Ok(std::sync::Arc::new(str_keys(keys, n_keys)?) as _);
            dense_into(
                db, snapshot, table, keys, columns, n_columns, fill, out, found,
            )
        })
    }
}

/// Dense read as `murr_db_read_f32_str` does, for `n_keys` int64 keys (borrowed).
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_f32_i64(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const i64,
    n_keys: usize,
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
            let keys = || Ok(std::sync::Arc::new(i64_keys(keys, n_keys)?) as _);
            dense_into(
                db, snapshot, table, keys, columns, n_columns, fill, out, found,
            )
        })
    }
}
