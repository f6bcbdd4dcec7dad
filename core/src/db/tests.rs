//! Recovery: replay after a crash, torn tails, corruption in the middle, leftovers.

use std::sync::Arc;

use arrow_array::{Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use super::{Db, Options, Recovery};
use crate::Error;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("v", DataType::Int64, true),
    ]))
}

fn write(db: &Db, keys: std::ops::Range<i64>) {
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(keys.clone())),
            Arc::new(Int64Array::from_iter_values(keys.map(|k| k * 10))),
        ],
    )
    .unwrap();
    db.write("t", &batch).unwrap();
}

fn found(db: &Db, keys: std::ops::Range<i64>) -> Vec<bool> {
    let (batch, found) = db
        .read("t", &Int64Array::from_iter_values(keys.clone()), &["v"])
        .unwrap();
    let v = batch
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    for (i, k) in keys.enumerate() {
        if found[i] {
            assert_eq!(v.value(i), k * 10);
        }
    }
    found
}

fn fresh(dir: &std::path::Path) -> Db {
    let db = Db::open(dir, Options::default()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db
}

fn logs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut logs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs
}

#[test]
fn unflushed_writes_are_replayed_after_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    write(&db, 0..10);
    db.flush().unwrap();
    write(&db, 10..20);
    db.delete("t", &Int64Array::from(vec![0, 15])).unwrap();
    db.crash();

    let db = Db::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.recovery_report().replayed, 2);
    assert!(db.recovery_report().torn_tails.is_empty());
    let f = found(&db, 0..20);
    assert_eq!(f.iter().filter(|&&x| x).count(), 18);
    assert!(!f[0] && !f[15]);
    // Recovery flushed the replayed writes: the old logs are gone.
    assert_eq!(logs(dir.path()).len(), 1);
    db.crash();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    assert_eq!(db.recovery_report().replayed, 0);
    assert_eq!(found(&db, 0..20).iter().filter(|&&x| x).count(), 18);
}

#[test]
fn a_torn_last_record_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    for i in 0..3 {
        write(&db, i * 10..i * 10 + 10);
    }
    db.crash();
    let log = logs(dir.path()).pop().unwrap();
    let len = std::fs::metadata(&log).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
    f.set_len(len - 5).unwrap();
    drop(f);

    let db = Db::open(dir.path(), Options::default()).unwrap();
    let report = db.recovery_report().clone();
    assert_eq!(report.replayed, 2);
    assert_eq!(report.torn_tails.len(), 1, "{report:?}");
    assert_eq!(
        found(&db, 0..30),
        [vec![true; 20], vec![false; 10]].concat()
    );
    // The sequence number of the torn write is given to the next one, and a crash now
    // (the torn log still there if the flush had not deleted it) recovers cleanly.
    write(&db, 100..101);
    db.crash();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    assert_eq!(found(&db, 99..101), vec![false, true]);
}

#[test]
fn corruption_in_the_middle_is_an_error_unless_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    // Enough records to fill several 32 KiB blocks.
    for i in 0..200 {
        write(&db, i * 10..i * 10 + 10);
    }
    db.crash();
    let log = logs(dir.path()).pop().unwrap();
    let mut bytes = std::fs::read(&log).unwrap();
    assert!(bytes.len() > 3 * 32 * 1024);
    bytes[40_000] ^= 0xFF;
    std::fs::write(&log, &bytes).unwrap();

    let err = Db::open(dir.path(), Options::default()).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains(".log"), "{err}");

    let db = Db::open(
        dir.path(),
        Options::default().with_recovery(Recovery::SkipCorrupt),
    )
    .unwrap();
    let report = db.recovery_report().clone();
    assert!(!report.skipped.is_empty(), "{report:?}");
    assert!(report.replayed > 150 && report.replayed < 200, "{report:?}");
    let f = found(&db, 0..2000);
    assert!(
        f[0] && f[1999],
        "records before and after the damage are kept"
    );
    assert!(f.iter().any(|&x| !x), "the damaged records are lost");
}

#[test]
fn leftovers_of_a_crash_are_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    write(&db, 0..10);
    db.close().unwrap();
    drop(db);
    std::fs::write(dir.path().join("seg-00000000000000ff.seg"), b"orphan").unwrap();
    std::fs::write(dir.path().join("seg-0000000000000100.seg.tmp"), b"half").unwrap();
    let db = Db::open(dir.path(), Options::default()).unwrap();
    let mut removed = db.recovery_report().removed_files.clone();
    removed.sort();
    assert_eq!(
        removed,
        vec![
            "seg-00000000000000ff.seg".to_owned(),
            "seg-0000000000000100.seg.tmp".to_owned()
        ]
    );
    assert_eq!(found(&db, 0..10), vec![true; 10]);
}

#[test]
fn a_missing_segment_or_a_foreign_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh(dir.path());
    write(&db, 0..10);
    db.close().unwrap();
    drop(db);
    for e in std::fs::read_dir(dir.path()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "seg") {
            std::fs::remove_file(p).unwrap();
        }
    }
    let err = Db::open(dir.path(), Options::default()).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");

    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("wal-0000000000000001.log"), b"x").unwrap();
    let err = Db::open(other.path(), Options::default()).unwrap_err();
    assert!(err.to_string().contains("no manifest"), "{err}");
}
