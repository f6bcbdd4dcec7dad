//! The directory lock: one open database per directory, across threads and processes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

pub use crate::dir::LOCK_FILE;

/// Exclusive advisory locks (`flock`) on the directory itself and on `<dir>/LOCK`, held
/// until dropped. `flock` locks belong to the open file, so a second open of the directory
/// in the same process is refused as well as one in another process; the operating system
/// releases them when the process dies, so a crash never leaves a stale lock behind. The
/// directory's lock holds even if someone deletes `LOCK` while the database is open (a new
/// `LOCK` file would be another file, free to lock); `LOCK` is kept for tools that look for
/// it.
#[derive(Debug)]
pub(crate) struct DirLock {
    _dir: File,
    _file: File,
}

impl DirLock {
    /// Takes the locks of `dir`, or fails with [`Error::AlreadyOpen`] if one is held.
    pub(crate) fn acquire(dir: &Path) -> Result<DirLock> {
        let dir_file = File::open(dir).map_err(|e| Error::io(dir, e))?;
        try_lock(&dir_file, dir, dir)?;
        let path: PathBuf = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        try_lock(&file, &path, dir)?;
        Ok(DirLock {
            _dir: dir_file,
            _file: file,
        })
    }
}

/// How many times a held lock is tried again, [`RETRY_PAUSE`] apart, before the open fails.
const RETRIES: u32 = 20;

/// The pause between tries of a held lock.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

/// Locks `file` (at `path`, for messages) exclusively. A lock held by another open file
/// is tried again for about 100 ms before [`Error::AlreadyOpen`]: a `flock` belongs to the
/// open file, which a child process forked by any thread shares until it calls `exec`, so a
/// database closed while the process spawns a program can stay locked for that moment.
fn try_lock(file: &File, path: &Path, dir: &Path) -> Result<()> {
    for attempt in 0..=RETRIES {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if attempt < RETRIES => std::thread::sleep(RETRY_PAUSE),
            Err(TryLockError::WouldBlock) => break,
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::AlreadyOpen {
        path: dir.display().to_string(),
    })
}
