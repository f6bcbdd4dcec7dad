//! `write_file` / `read_file`: a `.dv` file reads back as written, only for the segment it
//! was written for; a vector that does not fit its segment is not written.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use murr_core::Error;
use murr_core::dv::DeletionVector;

#[test]
fn write_then_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("0000000000000007.dv");
    let dv = DeletionVector::from_rows((0..5_000).map(|i| i * 3).chain([99_999]));
    let bytes = dv.write_file(&path, 7, 100_000).unwrap();
    assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(std::fs::read(&path).unwrap(), dv.encode_file(7, 100_000));
    assert_eq!(DeletionVector::read_file(&path, 7, 100_000).unwrap(), dv);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);

    // Overwriting replaces the file whole.
    let more = dv.union(&DeletionVector::from_rows([1, 2]));
    more.write_file(&path, 7, 100_000).unwrap();
    assert_eq!(DeletionVector::read_file(&path, 7, 100_000).unwrap(), more);
}

#[test]
fn another_segment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("7.dv");
    DeletionVector::from_rows([1, 2, 3])
        .write_file(&path, 7, 10)
        .unwrap();
    let shown = path.display().to_string();
    for (number, rows, needle) in [(8, 10, "segment 7"), (7, 11, "10 rows")] {
        match DeletionVector::read_file(&path, number, rows) {
            Err(Error::Corrupt { file, detail, .. }) => {
                assert_eq!(file, shown);
                assert!(detail.contains(needle), "{detail}");
            }
            other => panic!("segment {number} of {rows} rows: {other:?}"),
        }
    }
}

#[test]
fn a_row_past_the_segment_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("7.dv");
    match DeletionVector::from_rows([1, 10]).write_file(&path, 7, 10) {
        Err(Error::InvalidDeletionVector(msg)) => {
            assert!(msg.contains("row 10") && msg.contains("10 rows"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.dv");
    match DeletionVector::read_file(&path, 1, 1) {
        Err(Error::Io { path: p, .. }) => assert!(p.ends_with("absent.dv")),
        other => panic!("{other:?}"),
    }
}
