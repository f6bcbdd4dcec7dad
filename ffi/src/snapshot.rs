//! Snapshots: taking, inspecting and freeing a consistent read view.

use crate::args::out_arg;
use crate::error::murr_error_t;
use crate::guard::{guard, guard_void};
use crate::handles::{db_arg, murr_db_t, murr_snapshot, murr_snapshot_t};
use crate::status::murr_status_t;

/// Takes a snapshot of the database: reads through it see the database as it is now,
/// whatever is written later. `*out` is set to NULL on entry; on success it holds the new
/// handle, owned by the caller, freed with `murr_snapshot_free` (before `murr_db_free` of
/// `db`). It pins the memtables and segment files it reads until freed. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_snapshot(
    db: *const murr_db_t,
    out: *mut *mut murr_snapshot_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            out.write(std::ptr::null_mut());
            let snapshot = db_arg(db)?.snapshot()?;
            out.write(Box::into_raw(Box::new(murr_snapshot { snapshot })));
            Ok(())
        })
    }
}

/// The sequence number of the newest write `snapshot` sees; 0 for NULL. Thread-safe.
///
/// # Safety
/// `snapshot` is NULL or a handle from `murr_db_snapshot` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_snapshot_seq(snapshot: *const murr_snapshot_t) -> u64 {
    // SAFETY: NULL or valid, by the caller's contract.
    unsafe { snapshot.as_ref() }.map_or(0, |s| s.snapshot.seq())
}

/// Frees a snapshot handle. NULL-safe. No other call may run on the snapshot during or
/// after this one; scan streams opened from it stay valid.
///
/// # Safety
/// `snapshot` is NULL or a handle from `murr_db_snapshot` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_snapshot_free(snapshot: *mut murr_snapshot_t) {
    guard_void(|| {
        if !snapshot.is_null() {
            // SAFETY: a handle from murr_db_snapshot (Box::into_raw), freed only here.
            drop(unsafe { Box::from_raw(snapshot) });
        }
    });
}
