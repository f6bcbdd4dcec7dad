//! The directory lock: one open database per directory, across threads and processes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The name of the lock file in a database directory.
pub const LOCK_FILE: &str = "LOCK";

/// An exclusive advisory lock (`flock`) on `<dir>/LOCK`, held until dropped. `flock` locks
/// belong to the open file, so a second open of the directory in the same process is
/// refused as well as one in another process; the operating system releases the lock when
/// the process dies, so a crash never leaves a stale lock behind.
#[derive(Debug)]
pub(crate) struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock of `dir`, or fails with [`Error::AlreadyOpen`] if it is held.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock> {
        let path: PathBuf = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(DirLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::AlreadyOpen {
                path: dir.display().to_string(),
            }),
            Err(TryLockError::Error(e)) => Err(Error::io(&path, e)),
        }
    }
}
