//! Writing a small file so that a crash leaves the old contents or the new, never a mix.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::segment::sync_dir;
use crate::{Error, Result};

/// Writes `bytes` to `tmp`, fsyncs it, renames it to `path` and fsyncs the directory:
/// once this returns the file is durable, and a crash before leaves whatever `path` held
/// (or nothing). On failure the temporary file is removed.
pub(crate) fn replace_file(path: &Path, tmp: &Path, bytes: &[u8]) -> Result<()> {
    let written = std::fs::File::create(tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(tmp);
        return Err(Error::io(tmp, e));
    }
    if let Err(e) = std::fs::rename(tmp, path) {
        let _ = std::fs::remove_file(tmp);
        return Err(Error::io(path, e));
    }
    sync_dir(path)
}

/// `path` with `.tmp` appended: the name a file is written under before its rename.
#[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by deletion vector files
pub(crate) fn tmp_name(path: &Path) -> PathBuf {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    PathBuf::from(tmp)
}
