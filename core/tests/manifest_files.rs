//! Manifest files: `commit` writes `MANIFEST-{number:016x}` durably, leaves no temporary
//! file and keeps the newest two; `load_latest` reads the newest, ignores `.tmp`
//! leftovers (which `remove_leftovers` deletes), gives `None` for an empty directory and
//! is an error — naming the file, with no fallback to an older manifest — when the newest
//! is corrupt, holds another number than its name, or has an unexpected `MANIFEST-` name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod manifest_util;

use std::path::Path;

use manifest_util::sample;
use murr_core::Error;
use murr_core::manifest::{
    Manifest, commit, file_name, load_latest, parse_file_name, remove_leftovers,
};

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn names_parse_back() {
    assert_eq!(file_name(0xAB), "MANIFEST-00000000000000ab");
    assert_eq!(parse_file_name("MANIFEST-00000000000000ab"), Some(0xAB));
    assert_eq!(parse_file_name(&file_name(u64::MAX)), Some(u64::MAX));
    for bad in [
        "MANIFEST-00000000000000AB",
        "MANIFEST-ab",
        "MANIFEST-00000000000000ab.tmp",
        "MANIFEST-+0000000000000ab",
        "wal-00000000000000ab.log",
    ] {
        assert_eq!(parse_file_name(bad), None, "{bad}");
    }
}

#[test]
fn empty_dir_has_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(load_latest(dir.path()).unwrap(), None);
    std::fs::write(dir.path().join("wal-0000000000000001.log"), b"x").unwrap();
    assert_eq!(load_latest(dir.path()).unwrap(), None);
    assert!(matches!(
        load_latest(dir.path().join("missing")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn newest_wins_and_the_newest_two_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut last = Manifest::default();
    for (i, number) in [1u64, 2, 5, 6, 0x10].into_iter().enumerate() {
        let mut m = sample(number);
        m.last_flushed_seq += i as u64;
        let path = commit(dir.path(), &m).unwrap();
        assert_eq!(path, dir.path().join(file_name(number)));
        assert_eq!(load_latest(dir.path()).unwrap().as_ref(), Some(&m));
        last = m;
    }
    assert_eq!(
        names(dir.path()),
        ["MANIFEST-0000000000000006", "MANIFEST-0000000000000010"]
    );
    // The previous manifest is whole too.
    let prev = std::fs::read(dir.path().join(file_name(6))).unwrap();
    assert_eq!(Manifest::decode(&prev, "prev").unwrap().number, 6);
    assert_eq!(load_latest(dir.path()).unwrap(), Some(last));
}

#[test]
fn commit_refuses_a_number_not_above_the_newest_and_invalid_manifests() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &sample(5)).unwrap();
    for number in [5, 4] {
        match commit(dir.path(), &sample(number)) {
            Err(Error::InvalidManifest(d)) => assert!(d.contains("MANIFEST-0000000000000005")),
            other => panic!("{other:?}"),
        }
    }
    let mut bad = sample(6);
    bad.tables[1].name = "tabA".into();
    assert!(matches!(
        commit(dir.path(), &bad),
        Err(Error::InvalidManifest(_))
    ));
    assert_eq!(names(dir.path()), ["MANIFEST-0000000000000005"]);
    assert_eq!(load_latest(dir.path()).unwrap(), Some(sample(5)));
}

#[test]
fn tmp_leftovers_are_ignored_overwritten_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &sample(1)).unwrap();
    // A commit of manifest 2 interrupted before its rename: half a file under .tmp.
    let whole = sample(2).encode().unwrap();
    let tmp = dir.path().join("MANIFEST-0000000000000002.tmp");
    std::fs::write(&tmp, &whole[..whole.len() / 2]).unwrap();
    std::fs::write(dir.path().join("MANIFEST-zz.tmp"), b"junk").unwrap();
    assert_eq!(load_latest(dir.path()).unwrap(), Some(sample(1)));
    // Committing 2 again replaces the leftover.
    commit(dir.path(), &sample(2)).unwrap();
    assert_eq!(load_latest(dir.path()).unwrap(), Some(sample(2)));
    assert_eq!(
        names(dir.path()),
        [
            "MANIFEST-0000000000000001",
            "MANIFEST-0000000000000002",
            "MANIFEST-zz.tmp"
        ]
    );
    // remove_leftovers deletes exactly the .tmp files.
    std::fs::write(&tmp, b"junk").unwrap();
    assert_eq!(remove_leftovers(dir.path()).unwrap(), 2);
    assert_eq!(
        names(dir.path()),
        ["MANIFEST-0000000000000001", "MANIFEST-0000000000000002"]
    );
    assert_eq!(remove_leftovers(dir.path()).unwrap(), 0);
}

#[test]
fn a_corrupt_newest_is_an_error_naming_it_never_a_fallback() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &sample(1)).unwrap();
    let newest = commit(dir.path(), &sample(2)).unwrap();
    let mut bytes = std::fs::read(&newest).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x10;
    std::fs::write(&newest, &bytes).unwrap();
    match load_latest(dir.path()) {
        Err(Error::Corrupt { file, section, .. }) => {
            assert_eq!(file, newest.display().to_string());
            assert_eq!(section, "manifest");
        }
        other => panic!("{other:?}"),
    }
    // Empty (a file system that lost the data of a renamed file) is no different.
    std::fs::write(&newest, b"").unwrap();
    let err = load_latest(dir.path()).unwrap_err().to_string();
    assert!(err.contains("MANIFEST-0000000000000002"), "{err}");
}

#[test]
fn the_number_inside_must_match_the_name() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &sample(1)).unwrap();
    std::fs::write(dir.path().join(file_name(9)), sample(8).encode().unwrap()).unwrap();
    match load_latest(dir.path()) {
        Err(Error::Corrupt { file, detail, .. }) => {
            assert!(file.ends_with("MANIFEST-0000000000000009"), "{file}");
            assert!(
                detail.contains("manifest 9") && detail.contains("manifest 8"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unexpected_manifest_name_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &sample(1)).unwrap();
    std::fs::write(dir.path().join("MANIFEST-000000000000000A"), b"?").unwrap();
    match load_latest(dir.path()) {
        Err(Error::Corrupt { file, .. }) => assert!(file.ends_with("MANIFEST-000000000000000A")),
        other => panic!("{other:?}"),
    }
}
