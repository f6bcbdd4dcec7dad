//! Opening the database a command names, never creating one by mistake.

use std::path::Path;

use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::manifest;

use crate::error::{Failure, Result};

/// Checks that `dir` is an existing libmurr database: a directory holding a manifest.
/// Names the directory and what is wrong otherwise.
pub fn check_database(dir: &Path) -> Result {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(Failure::new(format!(
                "{} is not a directory (a database is a directory)",
                dir.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Failure::new(format!(
                "no database at {}: the directory does not exist",
                dir.display()
            )));
        }
        Err(e) => return Err(Failure::io("read", dir, e)),
    }
    match manifest::load_latest(dir)? {
        Some(_) => Ok(()),
        None => Err(Failure::new(format!(
            "{} is not a libmurr database: it holds no manifest (MANIFEST-*)",
            dir.display()
        ))),
    }
}

/// Opens the existing database in `dir` for a command: no background threads (flushes and
/// compactions happen only when the command asks), never created. Opening replays the
/// logs and flushes what they held, as every open does. Every flushed log is kept (the
/// change feed's retention is the application's option: a command deletes no log it
/// might want, and the application's next open trims them as it is configured to).
pub fn existing(dir: &Path) -> Result<Db> {
    check_database(dir)?;
    Ok(Db::open(
        dir,
        Options::default()
            .with_create_if_missing(false)
            .with_background_threads(0)
            .with_change_retention_bytes(u64::MAX),
    )?)
}
/// Opens the database in `dir` for a bulk load: the log is synced at the end (by the
/// closing flush) rather than after every batch, one background thread compacts as the
/// load goes. `create` allows creating the directory and the database.
#[allow(dead_code)] // used by `ingest`, next commit
pub fn for_ingest(dir: &Path, create: bool) -> Result<Db> {
    if !create {
        check_database(dir)?;
    }
    Ok(Db::open(
        dir,
        Options::default()
            .with_create_if_missing(create)
            .with_sync(SyncPolicy::Never),
    )?)
}
