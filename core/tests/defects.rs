#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Regression tests for defects found by probing the database with damaged directories and
//! misuse: each failed before its fix.
//! - F1: the newest manifest deleted: open fell back to the previous one and lost writes.
//! - F3: an open failing while it starts worker threads leaked them and the directory lock.
//! - F4: the write-ahead log deleted: open succeeded and unflushed writes vanished.
//!
//! A crash is simulated by copying an open database's files (its log is synced by every
//! write) and opening the copy.
//! - F6: an empty or over-long table name was reported as a damaged manifest.
//! - F7: with LOCK deleted while the database is open, a second open succeeded.

mod common;

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{files, manual};
use murr_core::Error;
use murr_core::db::{Db, Recovery};

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("v", DataType::Float32, true),
    ])
}

fn rows(from: usize, to: usize) -> RecordBatch {
    let keys: Vec<String> = (from..to).map(|i| format!("k{i}")).collect();
    let values: Vec<f32> = (from..to).map(|i| i as f32).collect();
    RecordBatch::try_new(
        Arc::new(schema()),
        vec![
            Arc::new(StringArray::from(keys)) as ArrayRef,
            Arc::new(Float32Array::from(values)),
        ],
    )
    .unwrap()
}

/// How many of keys `k0..k{n}` the database finds.
fn found(db: &Db, n: usize) -> usize {
    let keys: ArrayRef = Arc::new(StringArray::from(
        (0..n).map(|i| format!("k{i}")).collect::<Vec<_>>(),
    ));
    let (batch, found) = db.read("t", keys.as_ref(), &["v"]).unwrap();
    assert_eq!(batch.num_rows(), n);
    found.iter().filter(|&&f| f).count()
}

/// Copies the files of `src` (an open database, its log synced by every write) into a new
/// directory: what a crash of the machine at this point would leave on disk.
fn crash_image(src: &Path) -> tempfile::TempDir {
    let dst = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "LOCK" {
            std::fs::copy(entry.path(), dst.path().join(name)).unwrap();
        }
    }
    dst
}

/// A closed database whose table `t` holds 2000 rows, written in two flushed halves.
fn two_flushes(dir: &Path) {
    let db = Db::open(dir, manual()).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    db.write("t", &rows(0, 1000)).unwrap();
    db.flush().unwrap();
    db.write("t", &rows(1000, 2000)).unwrap();
    db.flush().unwrap();
    assert_eq!(found(&db, 2000), 2000);
    db.close().unwrap();
}

#[test]
fn f1_a_deleted_newest_manifest_is_an_error_not_a_silent_fallback() {
    let dir = tempfile::tempdir().unwrap();
    two_flushes(dir.path());
    let manifests = files(dir.path(), "MANIFEST-", "");
    assert!(manifests.len() >= 2, "{manifests:?}");
    let segments_before = files(dir.path(), "seg-", "");
    std::fs::remove_file(dir.path().join(manifests.last().unwrap())).unwrap();

    let err = Db::open(dir.path(), manual()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("manifest"), "{err}");
    // Nothing was deleted as a leftover: putting the manifest back would recover all.
    assert_eq!(files(dir.path(), "seg-", ""), segments_before);
}

#[test]
fn f1_a_deleted_older_manifest_alone_is_reported_too() {
    // The engine keeps the newest two manifests; one missing means the directory was
    // changed by hand, and which one is gone cannot be told apart from the newest.
    let dir = tempfile::tempdir().unwrap();
    two_flushes(dir.path());
    let manifests = files(dir.path(), "MANIFEST-", "");
    std::fs::remove_file(dir.path().join(&manifests[manifests.len() - 2])).unwrap();
    let err = Db::open(dir.path(), manual()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
}

/// A crash image of a database with 1000 flushed rows and 1000 more in the log only.
fn unflushed_half() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    db.write("t", &rows(0, 1000)).unwrap();
    db.flush().unwrap();
    db.write("t", &rows(1000, 2000)).unwrap();
    let image = crash_image(dir.path());
    db.close().unwrap();
    (dir, image)
}

#[test]
fn f4_a_deleted_log_with_unflushed_writes_is_an_error() {
    let (_dir, image) = unflushed_half();
    // The image opens whole...
    let copy = crash_image(image.path());
    let db = Db::open(copy.path(), manual()).unwrap();
    assert_eq!(found(&db, 2000), 2000);
    db.close().unwrap();
    // ...and without its log it does not open.
    let logs = files(image.path(), "wal-", "");
    assert!(!logs.is_empty());
    for log in &logs {
        std::fs::remove_file(image.path().join(log)).unwrap();
    }
    let err = Db::open(image.path(), manual()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("log"), "{err}");
}

#[test]
fn f4_a_missing_oldest_log_of_two_is_an_error() {
    // A crash during a flush leaves two logs with unflushed writes: the frozen memtable's
    // and the new one's. Built here from a crash image taken before a flush (manifest and
    // first log) and the log the flush started.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    db.write("t", &rows(0, 1000)).unwrap();
    let before = crash_image(dir.path());
    let first_logs = files(before.path(), "wal-", "");
    db.flush().unwrap();
    db.write("t", &rows(1000, 2000)).unwrap();
    let after = crash_image(dir.path());
    db.close().unwrap();
    for log in files(after.path(), "wal-", "") {
        if !first_logs.contains(&log) {
            std::fs::copy(after.path().join(&log), before.path().join(&log)).unwrap();
        }
    }
    let whole = crash_image(before.path());
    let db = Db::open(whole.path(), manual()).unwrap();
    assert_eq!(found(&db, 2000), 2000);
    db.close().unwrap();

    for log in &first_logs {
        std::fs::remove_file(before.path().join(log)).unwrap();
    }
    let err = Db::open(before.path(), manual()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("is missing"), "{err}");
}

#[test]
fn f4_skip_corrupt_opens_without_the_log_and_says_so() {
    let (_dir, image) = unflushed_half();
    for log in files(image.path(), "wal-", "") {
        std::fs::remove_file(image.path().join(log)).unwrap();
    }
    let db = Db::open(image.path(), manual().with_recovery(Recovery::SkipCorrupt)).unwrap();
    let missing = &db.recovery_report().missing;
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!(found(&db, 2000), 1000);
    db.close().unwrap();
    // Opened once that way, the database is whole again.
    Db::open(image.path(), manual()).unwrap().close().unwrap();
}

#[test]
fn a_database_whose_open_crashed_before_its_first_log_opens() {
    // A fresh database commits its first manifest, then creates its log: a crash between
    // the two leaves a manifest without a log, which must still open (nothing was written).
    let dir = tempfile::tempdir().unwrap();
    Db::open(dir.path(), manual()).unwrap().close().unwrap();
    for log in files(dir.path(), "wal-", "") {
        std::fs::remove_file(dir.path().join(log)).unwrap();
    }
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    db.close().unwrap();
}

#[test]
fn reopening_after_writes_to_a_dropped_table_keeps_opening() {
    // Log records of a dropped table are not flushed anywhere; the sequence numbers they
    // took must not look like lost records at the next open.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    db.create_table("gone", &schema(), "id").unwrap();
    db.write("t", &rows(0, 10)).unwrap();
    db.flush().unwrap();
    db.write("gone", &rows(0, 10)).unwrap();
    db.drop_table("gone").unwrap();
    let image = crash_image(dir.path());
    db.close().unwrap();
    for _ in 0..3 {
        let db = Db::open(image.path(), manual()).unwrap();
        assert_eq!(found(&db, 10), 10);
        db.close().unwrap();
    }
}

#[test]
fn f3_too_many_background_threads_is_an_invalid_argument_and_leaves_no_lock() {
    let dir = tempfile::tempdir().unwrap();
    let err = Db::open(dir.path(), manual().with_background_threads(100_000)).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(err.to_string().contains("background_threads"), "{err}");
    // The directory is not left locked.
    Db::open(dir.path(), manual()).unwrap().close().unwrap();
}

#[test]
fn f6_bad_table_names_are_invalid_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    let err = db.create_table("", &schema(), "id").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    let long = "x".repeat(65_536);
    let err = db.create_table(&long, &schema(), "id").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(err.to_string().contains("65535"), "{err}");
    let wide = Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("y".repeat(65_536), DataType::Float32, true),
    ]);
    let err = db.create_table("t", &wide, "id").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    // The longest allowed name works, and the database is unharmed.
    db.create_table(&"x".repeat(65_535), &schema(), "id")
        .unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    assert_eq!(db.tables().unwrap().len(), 2);
    db.close().unwrap();
}

#[test]
fn f7_a_deleted_lock_file_does_not_let_a_second_open_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    std::fs::remove_file(dir.path().join("LOCK")).unwrap();
    let err = Db::open(dir.path(), manual()).unwrap_err();
    assert!(matches!(err, Error::AlreadyOpen { .. }), "{err}");
    db.close().unwrap();
    // Once closed, the directory opens again.
    Db::open(dir.path(), manual()).unwrap().close().unwrap();
}

#[test]
fn create_if_missing_false_creates_nothing_in_an_existing_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let err = Db::open(dir.path(), manual().with_create_if_missing(false)).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(err.to_string().contains("no libmurr database"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // A database made there opens with the option.
    Db::open(dir.path(), manual()).unwrap().close().unwrap();
    Db::open(dir.path(), manual().with_create_if_missing(false))
        .unwrap()
        .close()
        .unwrap();
}

#[test]
fn opening_a_directory_as_a_segment_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = murr_core::segment::Segment::open(dir.path()).unwrap_err();
    assert!(
        err.to_string().contains("a directory, not a segment file"),
        "{err}"
    );
}

#[test]
fn f2_a_write_whose_inline_flush_fails_succeeds_and_the_flush_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual().with_memtable_bytes(1)).unwrap();
    db.create_table("t", &schema(), "id").unwrap();
    // Every segment the flush could write next cannot be created: a directory sits at
    // its temporary name.
    let blockers: Vec<_> = (0..256u64)
        .map(|n| dir.path().join(format!("seg-{n:016x}.seg.tmp")))
        .collect();
    for b in &blockers {
        std::fs::create_dir(b).unwrap();
    }
    // The write is logged and visible: it returns its sequence number, not the flush's
    // error (F2: it returned the error although the write had happened).
    let seq = db.write("t", &rows(0, 10)).unwrap();
    assert!(seq > 0);
    assert_eq!(found(&db, 10), 10);
    let err = db.flush().unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    // Once the obstacle is gone, the next write's flush goes through.
    for b in &blockers {
        std::fs::remove_dir(b).unwrap();
    }
    db.write("t", &rows(10, 20)).unwrap();
    assert!(!files(dir.path(), "seg-", "").is_empty());
    assert_eq!(found(&db, 20), 20);
    db.close().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    assert_eq!(found(&db, 20), 20);
    db.close().unwrap();
}
