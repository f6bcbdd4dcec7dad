//! The database directory's layout: the kinds of file the engine keeps, their names, the
//! parsing of names, listing a directory by kind, and removing files. Nothing else spells a
//! file name (`docs/ENGINE.md`, "Directory").
//!
//! ```text
//! <dir>/LOCK                       the lock (flock), held while open
//! <dir>/MANIFEST-<number:016x>     manifests (the newest two)
//! <dir>/wal-<number:016x>.log      write-ahead logs
//! <dir>/seg-<number:016x>.seg      segments
//! <dir>/dv-<number:016x>.dv        deletion vectors
//! <name>.tmp                       a file being written, renamed into place once whole
//! ```
//!
//! Numbers are lowercase hexadecimal, 16 digits, so that names sort in number order.
// The segment reader alone (no `engine` feature: the wasm32 build) uses only the names of
// manifests and logs.
#![cfg_attr(not(feature = "engine"), allow(dead_code))]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::{Error, Result};

/// The name of the lock file.
pub const LOCK_FILE: &str = "LOCK";

/// The suffix of a file being written, before its rename.
pub(crate) const TMP_SUFFIX: &str = ".tmp";

/// A kind of numbered file in a database directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum FileKind {
    /// A manifest: `MANIFEST-<number>`.
    Manifest,
    /// A write-ahead log: `wal-<number>.log`.
    Log,
    /// A segment: `seg-<number>.seg`.
    Segment,
    /// A deletion vector file: `dv-<number>.dv`.
    Deletes,
}

impl FileKind {
    /// Every kind, in the order [`parse_any`] tries them.
    const ALL: [FileKind; 4] = [
        FileKind::Manifest,
        FileKind::Log,
        FileKind::Segment,
        FileKind::Deletes,
    ];

    /// The start of every name of this kind.
    pub(crate) const fn prefix(self) -> &'static str {
        self.affixes().0
    }

    /// The name's prefix and suffix around the number.
    const fn affixes(self) -> (&'static str, &'static str) {
        match self {
            FileKind::Manifest => ("MANIFEST-", ""),
            FileKind::Log => ("wal-", ".log"),
            FileKind::Segment => ("seg-", ".seg"),
            FileKind::Deletes => ("dv-", ".dv"),
        }
    }
}

/// The file name of file `number` of `kind`.
pub(crate) fn name(kind: FileKind, number: u64) -> String {
    let (prefix, suffix) = kind.affixes();
    format!("{prefix}{number:016x}{suffix}")
}

/// The number of a file of `kind` named by [`name`], or `None` for any other name.
pub(crate) fn parse(kind: FileKind, name: &str) -> Option<u64> {
    let (prefix, suffix) = kind.affixes();
    let hex = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    if hex.len() != 16 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// The kind and number of a file named by [`name`], or `None` for any other name.
pub(crate) fn parse_any(name: &str) -> Option<(FileKind, u64)> {
    FileKind::ALL
        .into_iter()
        .find_map(|kind| parse(kind, name).map(|n| (kind, n)))
}

/// Whether `name` is a temporary file of a log, segment or deletion vector being written
/// (manifests' temporary files are the manifest module's: [`crate::manifest`]).
fn is_data_tmp(name: &str) -> bool {
    name.ends_with(TMP_SUFFIX)
        && [FileKind::Log, FileKind::Segment, FileKind::Deletes]
            .into_iter()
            .any(|kind| name.starts_with(kind.affixes().0))
}

/// The files of a database directory by kind (names that are not UTF-8 are left out: no
/// file of the engine has one).
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Logs by number, in order.
    pub(crate) logs: BTreeMap<u64, String>,
    /// Segments by number.
    pub(crate) segments: HashMap<u64, String>,
    /// Deletion vector files by number.
    pub(crate) deletes: HashMap<u64, String>,
    /// Temporary files of logs, segments and deletion vectors.
    pub(crate) tmp: Vec<String>,
}

/// Lists `dir`.
pub(crate) fn list(dir: &Path) -> Result<Listing> {
    let mut files = Listing::default();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        match parse_any(&name) {
            Some((FileKind::Log, n)) => {
                files.logs.insert(n, name);
            }
            Some((FileKind::Segment, n)) => {
                files.segments.insert(n, name);
            }
            Some((FileKind::Deletes, n)) => {
                files.deletes.insert(n, name);
            }
            Some((FileKind::Manifest, _)) => {}
            None if is_data_tmp(&name) => files.tmp.push(name),
            None => {}
        }
    }
    Ok(files)
}

/// Removes the files of `kind` numbered `numbers` from `dir`, best effort (what an
/// abandoned flush or compaction wrote; a file left behind is a leftover the next open
/// removes).
pub(crate) fn remove_numbered(dir: &Path, kind: FileKind, numbers: &[u64]) {
    for &n in numbers {
        let _ = std::fs::remove_file(dir.join(name(kind, n)));
    }
}

/// Removes the logs of `dir` whose numbers `doomed` picks, best effort.
pub(crate) fn remove_logs(dir: &Path, doomed: impl Fn(u64) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .and_then(|n| parse(FileKind::Log, n))
            .is_some_and(&doomed)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_nothing_else_parses() {
        for kind in FileKind::ALL {
            for n in [0, 1, 0xabc, u64::MAX] {
                let s = name(kind, n);
                assert_eq!(parse(kind, &s), Some(n));
                assert_eq!(parse_any(&s), Some((kind, n)));
            }
        }
        assert_eq!(name(FileKind::Log, 7), "wal-0000000000000007.log");
        assert_eq!(name(FileKind::Segment, 255), "seg-00000000000000ff.seg");
        assert_eq!(name(FileKind::Deletes, 16), "dv-0000000000000010.dv");
        assert_eq!(name(FileKind::Manifest, 2), "MANIFEST-0000000000000002");
        for bad in [
            "wal-000000000000000G.log",
            "wal-0000000000000007.log.tmp",
            "seg-00000000000000FF.seg",
            "seg-0000000000000ff.seg",
            "dv-0000000000000010",
            "MANIFEST-0000000000000002.tmp",
            "LOCK",
        ] {
            assert_eq!(parse_any(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_listing_sorts_files_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            name(FileKind::Log, 3),
            name(FileKind::Log, 1),
            name(FileKind::Segment, 2),
            name(FileKind::Deletes, 4),
            name(FileKind::Manifest, 5),
            format!("{}{TMP_SUFFIX}", name(FileKind::Segment, 6)),
            format!("{}{TMP_SUFFIX}", name(FileKind::Manifest, 6)),
            LOCK_FILE.to_owned(),
            "notes.txt".to_owned(),
        ] {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        let l = list(dir.path()).unwrap();
        assert_eq!(l.logs.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(l.segments.keys().copied().collect::<Vec<_>>(), vec![2]);
        assert_eq!(l.deletes.keys().copied().collect::<Vec<_>>(), vec![4]);
        assert_eq!(
            l.tmp,
            vec![format!("{}{TMP_SUFFIX}", name(FileKind::Segment, 6))]
        );
        remove_logs(dir.path(), |n| n < 3);
        remove_numbered(dir.path(), FileKind::Segment, &[2, 99]);
        let l = list(dir.path()).unwrap();
        assert_eq!(l.logs.keys().copied().collect::<Vec<_>>(), vec![3]);
        assert!(l.segments.is_empty());
    }
}
