//! Opening, closing and freeing a database; flush and compaction.

use std::ffi::c_char;
use std::sync::atomic::{AtomicBool, Ordering};

use murr_core::db::Db;

use crate::args::{out_arg, ref_arg, str_arg};
use crate::error::murr_error_t;
use crate::guard::{guard, guard_void};
use crate::handles::{db_arg, murr_db, murr_db_t};
use crate::options::{murr_options_t, read_options};
use crate::status::murr_status_t;

/// Opens (creating it if missing, unless `options->create_if_missing` is false) the database
/// in directory `path` and recovers its log.
///
/// - `path`: borrowed, NUL-terminated UTF-8.
/// - `options`: borrowed, NULL for the defaults (see `murr_options_t` on `size`).
/// - `out`: set to NULL on entry; on success, the new handle, owned by the caller, who
///   closes it with `murr_db_close` (optional) and frees it with `murr_db_free`.
///
/// `MURR_LOCKED` if the directory is open already (here or in another process). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_open(
    path: *const c_char,
    options: *const murr_options_t,
    out: *mut *mut murr_db_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            out.write(std::ptr::null_mut());
            let path = str_arg(path, "path")?;
            let options = read_options(options)?;
            let db = Db::open(path, options)?;
            let handle = Box::new(murr_db {
                db: std::sync::Arc::new(db),
                closed: AtomicBool::new(false),
            });
            out.write(Box::into_raw(handle));
            Ok(())
        })
    }
}

/// Closes the database: flushes the memtables, syncs the log, releases the directory lock.
/// The handle stays allocated: every later call on it (and on its snapshots and scans)
/// returns `MURR_CLOSED`, a second close included; free it with `murr_db_free`. If the flush
/// fails, the database is closed all the same (the next open recovers the writes from the
/// log) and the flush's error is returned. May race other calls on the handle (they return
/// `MURR_CLOSED` or complete).
///
/// # Safety
/// `db` is NULL or a handle from `murr_db_open` not yet freed; `error` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_close(
    db: *const murr_db_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let handle = ref_arg(db, "db")?;
            handle.open()?;
            let closed = handle.db.close();
            handle.closed.store(true, Ordering::Release);
            Ok(closed?)
        })
    }
}

/// Frees a database handle, closing it first if it is open (errors ignored: call
/// `murr_db_close` to see them). NULL-safe. No other call may run on the handle during or
/// after this one; free its snapshots first. Scan streams must be released before.
///
/// # Safety
/// `db` is NULL or a handle from `murr_db_open` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_free(db: *mut murr_db_t) {
    guard_void(|| {
        if !db.is_null() {
            // SAFETY: a handle from murr_db_open (Box::into_raw), freed only here.
            drop(unsafe { Box::from_raw(db) });
        }
    });
}

/// Writes every memtable to segments and makes them durable; returns once done. Nothing
/// to flush is fine. Thread-safe.
///
/// # Safety
/// `db` is NULL or a handle from `murr_db_open` not yet freed; `error` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_flush(
    db: *const murr_db_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe { guard(error, || Ok(db_arg(db)?.flush()?)) }
}

/// Flushes, then merges each table's segments into one sorted run, on the calling thread.
/// Reads and writes go on meanwhile. Thread-safe.
///
/// # Safety
/// `db` is NULL or a handle from `murr_db_open` not yet freed; `error` NULL or valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_compact(
    db: *const murr_db_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe { guard(error, || Ok(db_arg(db)?.compact()?)) }
}
