//! What the command reads of a database directory without opening it: the logs present.
//! File names are spelled by murr-core (`wal::parse_file_name`), never here.

use std::path::{Path, PathBuf};

use murr_core::wal;

use crate::error::{Failure, Result};

/// A write-ahead log file of the directory.
pub struct Log {
    /// Its log number.
    pub number: u64,
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// The write-ahead logs in `dir`, in log order.
pub fn logs(dir: &Path) -> Result<Vec<Log>> {
    let mut logs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Failure::io("read", dir, e))? {
        let entry = entry.map_err(|e| Failure::io("read", dir, e))?;
        let Some(number) = entry.file_name().to_str().and_then(wal::parse_file_name) else {
            continue;
        };
        let path = entry.path();
        let bytes = entry
            .metadata()
            .map_err(|e| Failure::io("read", &path, e))?
            .len();
        logs.push(Log {
            number,
            path,
            bytes,
        });
    }
    logs.sort_by_key(|l| l.number);
    Ok(logs)
}
