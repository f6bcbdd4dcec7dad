//! The keyed entry points of libmurr 0.1, one per key type, kept for compatibility: each is
//! a thin wrapper that describes its keys with a `murr_keys_t` and runs the body of
//! `murr_db_read_keys`, `murr_db_read_f32` or `murr_db_delete_keys`. Messages name their
//! arguments as 0.1 did ("keys", "keys_schema").

use std::ffi::c_char;

use arrow_array::ffi::{FFI_ArrowArray, FFI_ArrowSchema};

use crate::arrow_in::take_array;
use crate::dense::dense_into;
use crate::error::murr_error_t;
use crate::guard::guard;
use crate::handles::{murr_db_t, murr_snapshot_t};
use crate::keyset::{ARGUMENTS, MURR_KEYS_CSTR, MURR_KEYS_INT64, murr_keys, resolve};
use crate::read::read_into;
use crate::status::murr_status_t;
use crate::write::delete_from;

/// Kept for compatibility: a thin wrapper of `murr_db_read_keys` (keys `MURR_KEYS_ARROW`).
/// Reads `columns` of `table` for the keys of `keys` (described by `keys_schema`; both
/// borrowed: not released, not referenced after the call), as `murr_db_read_keys` does.
/// `found`: NULL or `keys->length` bytes. Thread-safe.
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
    let keys = murr_keys::arrow(keys, keys_schema);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            read_into(
                db,
                snapshot,
                table,
                || resolve(&keys, &ARGUMENTS),
                columns,
                n_columns,
                out_array,
                out_schema,
                found,
            )
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_read_keys` (keys `MURR_KEYS_CSTR`):
/// reads for the `n_keys` NUL-terminated UTF-8 keys at `keys` (borrowed; NULL allowed when
/// `n_keys` is 0). `found`: NULL or `n_keys` bytes. Thread-safe.
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
    let keys = murr_keys::plain(MURR_KEYS_CSTR, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            read_into(
                db,
                snapshot,
                table,
                || resolve(&keys, &ARGUMENTS),
                columns,
                n_columns,
                out_array,
                out_schema,
                found,
            )
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_read_keys` (keys `MURR_KEYS_INT64`):
/// reads for the `n_keys` int64 keys at `keys` (borrowed; NULL allowed when `n_keys` is 0).
/// `found`: NULL or `n_keys` bytes. Thread-safe.
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
    let keys = murr_keys::plain(MURR_KEYS_INT64, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            read_into(
                db,
                snapshot,
                table,
                || resolve(&keys, &ARGUMENTS),
                columns,
                n_columns,
                out_array,
                out_schema,
                found,
            )
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_read_f32` (keys `MURR_KEYS_CSTR`):
/// the dense read for the `n_keys` NUL-terminated UTF-8 keys at `keys` (borrowed).
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
    let keys = murr_keys::plain(MURR_KEYS_CSTR, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            dense_into(
                db,
                snapshot,
                table,
                || resolve(&keys, &ARGUMENTS),
                columns,
                n_columns,
                fill,
                out,
                found,
            )
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_read_f32` (keys `MURR_KEYS_INT64`):
/// the dense read for the `n_keys` int64 keys at `keys` (borrowed). Thread-safe.
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
    let keys = murr_keys::plain(MURR_KEYS_INT64, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            dense_into(
                db,
                snapshot,
                table,
                || resolve(&keys, &ARGUMENTS),
                columns,
                n_columns,
                fill,
                out,
                found,
            )
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_delete_keys` (keys
/// `MURR_KEYS_ARROW`), except that `keys` is moved, not borrowed: on every call, success or
/// failure, libmurr takes the array (on return `keys->release` is NULL) and releases it.
/// `keys_schema`: borrowed, the schema of `keys`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_delete(
    db: *const murr_db_t,
    table: *const c_char,
    keys: *mut FFI_ArrowArray,
    keys_schema: *const FFI_ArrowSchema,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            // Taken first, so that the caller's struct is released whatever fails; the
            // taken array is released when this returns.
            let taken = take_array(keys, "keys")?;
            let keys = murr_keys::arrow(&taken, keys_schema);
            delete_from(db, table, || resolve(&keys, &ARGUMENTS), seq_out)
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_delete_keys` (keys
/// `MURR_KEYS_CSTR`): deletes the `n_keys` NUL-terminated UTF-8 keys at `keys` (borrowed;
/// NULL allowed when `n_keys` is 0). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_delete_str(
    db: *const murr_db_t,
    table: *const c_char,
    keys: *const *const c_char,
    n_keys: usize,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    let keys = murr_keys::plain(MURR_KEYS_CSTR, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            delete_from(db, table, || resolve(&keys, &ARGUMENTS), seq_out)
        })
    }
}

/// Kept for compatibility: a thin wrapper of `murr_db_delete_keys` (keys
/// `MURR_KEYS_INT64`): deletes the `n_keys` int64 keys at `keys` (borrowed; NULL allowed
/// when `n_keys` is 0). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_delete_i64(
    db: *const murr_db_t,
    table: *const c_char,
    keys: *const i64,
    n_keys: usize,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    let keys = murr_keys::plain(MURR_KEYS_INT64, keys.cast(), n_keys);
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            delete_from(db, table, || resolve(&keys, &ARGUMENTS), seq_out)
        })
    }
}
