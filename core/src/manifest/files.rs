//! Manifest files in the database directory: committing a new one atomically, finding and
//! reading the newest, pruning old ones and removing the leftovers of a crash
//! (`docs/MANIFEST.md` §5).

use std::path::{Path, PathBuf};

use super::model::Manifest;
use super::{FILE_PREFIX, TMP_SUFFIX, file_name, parse_file_name};
use crate::{Error, Result};

/// Writes `manifest` as the directory's newest manifest and returns its path,
/// `MANIFEST-{number:016x}`.
///
/// The bytes go to `<name>.tmp`, which is fsynced, renamed to `<name>`, and the directory
/// fsynced: once this returns, the new manifest is durable, and a crash at any point before
/// leaves the previous manifest as the newest, whole. Then manifests older than the
/// previous one are deleted (best effort: a failure there is not reported, since the
/// commit has happened, and the next commit tries again), so the newest two remain.
///
/// Fails with [`Error::InvalidManifest`] if the manifest breaks a rule of the format or its
/// number is not above every manifest already in `dir`, and with [`Error::Io`] if writing
/// fails (the temporary file is then removed, and the previous manifest stays the newest).
pub fn commit(dir: impl AsRef<Path>, manifest: &Manifest) -> Result<PathBuf> {
    let dir = dir.as_ref();
    let bytes = manifest.encode()?;
    let existing = list(dir)?;
    if let Some(&newest) = existing.iter().max()
        && newest >= manifest.number
    {
        return Err(Error::InvalidManifest(format!(
            "manifest {} is not newer than {} already in {}",
            manifest.number,
            file_name(newest),
            dir.display()
        )));
    }
    let path = dir.join(file_name(manifest.number));
    let tmp = dir.join(format!("{}{TMP_SUFFIX}", file_name(manifest.number)));
    crate::durable::replace_file(&path, &tmp, &bytes)?;
    if let Some(previous) = existing.iter().copied().max() {
        for &n in existing.iter().filter(|&&n| n < previous) {
            let _ = std::fs::remove_file(dir.join(file_name(n)));
        }
    }
    Ok(path)
}

/// Reads the newest manifest of `dir`: the `MANIFEST-*` file with the highest number, or
/// `None` if there is none. `*.tmp` files (the leftovers of an interrupted commit) are
/// ignored.
///
/// The newest file must be a whole, valid manifest whose number is the one in its name;
/// otherwise this is an error naming it ([`Error::Corrupt`] or
/// [`Error::UnsupportedVersion`]). It **never** falls back to an older manifest: the
/// engine may have trimmed write-ahead logs that only the newest one makes redundant, so
/// an older one would silently lose writes. A file whose name starts with `MANIFEST-` but
/// is neither a manifest name nor a `.tmp` file is an error too, since it could be the
/// newest manifest written under an unexpected name.
pub fn load_latest(dir: impl AsRef<Path>) -> Result<Option<Manifest>> {
    let dir = dir.as_ref();
    let Some(number) = list(dir)?.into_iter().max() else {
        return Ok(None);
    };
    let path = dir.join(file_name(number));
    let shown = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let manifest = Manifest::decode(&bytes, &shown)?;
    if manifest.number != number {
        return Err(Error::corrupt(
            &shown,
            "manifest",
            format!(
                "the file name says manifest {number}, the file holds manifest {}",
                manifest.number
            ),
        ));
    }
    Ok(Some(manifest))
}

/// Whether `dir` holds any manifest (a `MANIFEST-*` file, not a `.tmp` one).
#[cfg(feature = "engine")]
pub(crate) fn any(dir: impl AsRef<Path>) -> Result<bool> {
    Ok(!list(dir.as_ref())?.is_empty())
}

/// Whether `dir` holds manifest `number` (a whole `MANIFEST-*` file of that name; its
/// contents are not read).
#[cfg(feature = "engine")]
pub(crate) fn exists(dir: impl AsRef<Path>, number: u64) -> Result<bool> {
    Ok(list(dir.as_ref())?.contains(&number))
}

/// Deletes the `MANIFEST-*.tmp` files of `dir`, left by commits a crash interrupted, and
/// returns how many. The engine calls it at start-up, before its first commit.
pub fn remove_leftovers(dir: impl AsRef<Path>) -> Result<usize> {
    let dir = dir.as_ref();
    let mut removed = 0;
    for name in names(dir)? {
        if name.starts_with(FILE_PREFIX) && name.ends_with(TMP_SUFFIX) {
            let path = dir.join(&name);
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The numbers of the manifests in `dir`. A `MANIFEST-` name that is neither a manifest's
/// nor a `.tmp` file's is an error.
fn list(dir: &Path) -> Result<Vec<u64>> {
    let mut numbers = Vec::new();
    for name in names(dir)? {
        if !name.starts_with(FILE_PREFIX) || name.ends_with(TMP_SUFFIX) {
            continue;
        }
        match parse_file_name(&name) {
            Some(n) => numbers.push(n),
            None => {
                return Err(Error::corrupt(
                    &dir.join(&name).display().to_string(),
                    "manifest",
                    "the name starts with MANIFEST- but is not MANIFEST- and 16 lowercase \
                     hex digits; move it away if it is not a manifest",
                ));
            }
        }
    }
    Ok(numbers)
}

/// The names of the entries of `dir` (names that are not UTF-8 are skipped: no manifest
/// has one).
fn names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if let Ok(name) = entry.file_name().into_string() {
            names.push(name);
        }
    }
    Ok(names)
}
