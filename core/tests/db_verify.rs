//! `Db::verify`: every segment checked against its checksums.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;

fn load(dir: &std::path::Path, rows: u64) -> Db {
    let db = Db::open(
        dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0),
    )
    .unwrap();
    db.create_table("features", &workload::schema(10), "key")
        .unwrap();
    for batch in workload::batches(rows, 10) {
        db.write("features", &batch.unwrap()).unwrap();
    }
    db.flush().unwrap();
    db
}

fn segment_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let names = common::files(dir, "", ".seg");
    names.into_iter().map(|n| dir.join(n)).collect()
}

#[test]
fn verify_checks_every_segment_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = load(dir.path(), 150_000);
    // A second segment, so that more than one is checked.
    db.write("features", &workload::batch(200_000, 1000, 10).unwrap())
        .unwrap();
    db.flush().unwrap();
    let files = segment_files(dir.path());
    assert_eq!(files.len(), 2);
    let expected: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(db.verify().unwrap(), expected);
    let keys = arrow_array::StringArray::from(vec!["doc_7", "doc_200500", "doc_999999"]);
    let (_, found) = db.read("features", &keys, &["f3"]).unwrap();
    assert_eq!(found, vec![true, true, false]);
}

#[test]
fn verify_finds_a_flipped_byte_that_no_read_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = load(dir.path(), 150_000);
    db.close().unwrap();
    drop(db);
    let file = segment_files(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    let err = db.verify().unwrap_err();
    assert!(
        err.to_string().contains("checksum"),
        "unexpected error: {err}"
    );
}

#[test]
fn verify_of_an_empty_database_checks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.verify().unwrap(), 0);
    db.close().unwrap();
    assert!(db.verify().is_err());
}
