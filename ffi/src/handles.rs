//! The opaque handles: `murr_db_t` (an open database) and `murr_snapshot_t` (a read view).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use murr_core::db::{Db, Snapshot};

use crate::error::{Failure, Result};

/// An open database (opaque). Created by `murr_db_open`, closed by `murr_db_close`, freed
/// by `murr_db_free`. Every call on it is thread-safe, from any number of threads at once,
/// except `murr_db_free` (no other call may run on the handle during or after it).
/// `murr_db_close` may race other calls: those then return `MURR_CLOSED` or complete.
pub struct murr_db {
    /// The database (shared with the servers `murr_server_start` started on it).
    pub(crate) db: Arc<Db>,
    /// Set once `murr_db_close` ran: every later call returns `MURR_CLOSED`.
    pub(crate) closed: AtomicBool,
}

/// An open database (opaque).
#[allow(non_camel_case_types)]
pub type murr_db_t = murr_db;

/// A consistent read view of a database (opaque). Created by `murr_db_snapshot`, freed by
/// `murr_snapshot_free`. Reads through it are thread-safe; `murr_snapshot_free` must not
/// run concurrently with other calls on it. Free every snapshot before `murr_db_free` of
/// its database; reads on a snapshot of a closed (not freed) database return `MURR_CLOSED`.
pub struct murr_snapshot {
    /// The snapshot.
    pub(crate) snapshot: Snapshot,
}

/// A consistent read view of a database (opaque).
#[allow(non_camel_case_types)]
pub type murr_snapshot_t = murr_snapshot;

impl murr_db {
    /// The database, unless the handle was closed.
    pub(crate) fn open(&self) -> Result<&Db> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Failure::closed(&format!(
                "the database at {}",
                self.db.path().display()
            )));
        }
        Ok(&self.db)
    }
}

/// The database handle at `db` (argument "db"), open.
///
/// # Safety
/// `db` is NULL or a handle from `murr_db_open` not yet freed.
pub(crate) unsafe fn db_arg<'a>(db: *const murr_db) -> Result<&'a Db> {
    // SAFETY: forwarded.
    unsafe { crate::args::ref_arg(db, "db") }?.open()
}

/// The snapshot at `snapshot`, if not NULL.
///
/// # Safety
/// `snapshot` is NULL or a handle from `murr_db_snapshot` not yet freed.
pub(crate) unsafe fn snapshot_arg<'a>(snapshot: *const murr_snapshot) -> Option<&'a Snapshot> {
    // SAFETY: forwarded.
    unsafe { snapshot.as_ref() }.map(|s| &s.snapshot)
}
