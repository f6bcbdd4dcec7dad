#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Compaction, deletion vectors, background work and file GC through the database's API:
//! what a read returns never changes, the table ends up in few segments, files go when
//! nothing reads them (and not before), and a crash's leftovers go at open.

mod common;

use std::sync::Arc;
use std::time::Duration;

use arrow_array::{Array, Float32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use common::{files, manual};
use murr_core::db::{Db, Options};

const KEYS: i64 = 2_000;

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("a", DataType::Float32, true),
        Field::new("b", DataType::Int64, true),
    ])
}

/// Rows `keys` with a = key + v, b = key * v.
fn rows(keys: impl Iterator<Item = i64>, v: i64) -> RecordBatch {
    let keys: Vec<i64> = keys.collect();
    RecordBatch::try_new(
        Arc::new(schema()),
        vec![
            Arc::new(Int64Array::from(keys.clone())),
            Arc::new(Float32Array::from_iter_values(
                keys.iter().map(|k| (k + v) as f32),
            )),
            Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| k * v))),
        ],
    )
    .unwrap()
}

/// Only column b for `keys`, = -key.
fn b_only(keys: impl Iterator<Item = i64>) -> RecordBatch {
    let keys: Vec<i64> = keys.collect();
    let fields = vec![
        Field::new("k", DataType::Int64, false),
        Field::new("b", DataType::Int64, true),
    ];
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        vec![
            Arc::new(Int64Array::from(keys.clone())),
            Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| -k))),
        ],
    )
    .unwrap()
}

/// Every key's (a, b), or None when absent.
fn dump(read: impl Fn(&Int64Array) -> (RecordBatch, Vec<bool>)) -> Vec<Option<(f32, i64)>> {
    let keys = Int64Array::from_iter_values(0..KEYS);
    let (batch, found) = read(&keys);
    let a = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    let b = batch
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    (0..KEYS as usize)
        .map(|i| found[i].then(|| (a.value(i), b.value(i))))
        .collect()
}

fn read_all(db: &Db) -> Vec<Option<(f32, i64)>> {
    dump(|k| db.read("t", k, &["a", "b"]).unwrap())
}

/// Several flushes of overlapping upserts, partial upserts and deletes.
fn load(db: &Db) {
    db.write("t", &rows(0..KEYS, 1)).unwrap();
    db.flush().unwrap();
    db.write("t", &rows((0..KEYS).step_by(3), 2)).unwrap();
    db.flush().unwrap();
    db.write("t", &b_only((0..KEYS).step_by(5))).unwrap();
    db.flush().unwrap();
    db.delete("t", &Int64Array::from_iter_values((0..KEYS).step_by(7)))
        .unwrap();
    db.flush().unwrap();
}

#[test]
fn compact_merges_everything_into_the_run_and_reads_do_not_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    load(&db);
    let before = read_all(&db);
    let stats = db.table_stats("t").unwrap();
    assert_eq!((stats.level0_segments, stats.run_segments), (4, 0));
    db.compact().unwrap();
    let stats = db.table_stats("t").unwrap();
    assert_eq!(stats.level0_segments, 0);
    assert!(stats.run_segments >= 1);
    let live = before.iter().filter(|r| r.is_some()).count() as u64;
    // Tombstones and overwritten rows are gone: one row per live key.
    assert_eq!(stats.segment_rows, live);
    assert_eq!(read_all(&db), before);
    // Only the run's files are left.
    assert_eq!(files(dir.path(), "", ".seg").len(), stats.run_segments);
    // Spot checks of the merge: deleted, partially updated, overwritten.
    assert_eq!(before[7], None);
    assert_eq!(before[5], Some((6.0, -5)));
    assert_eq!(before[3], Some((5.0, 6)));
    assert_eq!(before[15], Some((17.0, -15)));
    db.close().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    assert_eq!(read_all(&db), before);
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 0);
}

#[test]
fn small_target_splits_the_run_into_disjoint_segments() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = manual().with_target_segment_bytes(8 << 10);
    options.compaction_chunk_rows = 100;
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    load(&db);
    let before = read_all(&db);
    db.compact().unwrap();
    let stats = db.table_stats("t").unwrap();
    assert!(stats.run_segments > 2, "{stats:?}");
    assert_eq!(read_all(&db), before);
    // A second round on top of a multi-segment run.
    db.write("t", &rows((0..KEYS).step_by(11), 9)).unwrap();
    db.flush().unwrap();
    let before = read_all(&db);
    db.compact().unwrap();
    assert_eq!(read_all(&db), before);
    db.close().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    assert_eq!(read_all(&db), before);
}

#[test]
fn flushes_mark_the_rows_they_hide_and_compaction_drops_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0..KEYS, 1)).unwrap();
    db.compact().unwrap();
    assert_eq!(db.table_stats("t").unwrap().deleted_rows, 0);
    // Full upserts of 100 keys and deletes of 50 others hide their run rows; partial
    // upserts (b only) of 30 more do not; a delete of an absent key marks nothing.
    db.write("t", &rows(0..100, 5)).unwrap();
    db.delete("t", &Int64Array::from_iter_values(100..150))
        .unwrap();
    db.write("t", &b_only(150..180)).unwrap();
    db.delete("t", &Int64Array::from(vec![KEYS + 10])).unwrap();
    db.flush().unwrap();
    let stats = db.table_stats("t").unwrap();
    assert_eq!(stats.deleted_rows, 150, "{stats:?}");
    assert_eq!(files(dir.path(), "", ".dv").len(), 1);
    let expect: Vec<Option<(f32, i64)>> = (0..KEYS)
        .map(|k| match k {
            0..100 => Some(((k + 5) as f32, k * 5)),
            100..150 => None,
            150..180 => Some(((k + 1) as f32, -k)),
            _ => Some(((k + 1) as f32, k)),
        })
        .collect();
    assert_eq!(read_all(&db), expect);
    // The vector survives a reopen (the manifest names its file).
    db.close().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    assert_eq!(db.table_stats("t").unwrap().deleted_rows, 150);
    assert_eq!(read_all(&db), expect);
    // A second flush adds to the vector in a new file; the old one goes.
    db.write("t", &rows(180..200, 7)).unwrap();
    db.flush().unwrap();
    assert_eq!(db.table_stats("t").unwrap().deleted_rows, 170);
    assert_eq!(files(dir.path(), "", ".dv").len(), 1);
    let mut expect = expect;
    for k in 180..200 {
        expect[k as usize] = Some(((k + 7) as f32, k * 7));
    }
    assert_eq!(read_all(&db), expect);
    // Compaction drops the marked rows and the vectors.
    db.compact().unwrap();
    let stats = db.table_stats("t").unwrap();
    assert_eq!((stats.deleted_rows, stats.level0_segments), (0, 0));
    assert_eq!(stats.segment_rows, (KEYS - 50) as u64);
    assert!(files(dir.path(), "", ".dv").is_empty());
    assert_eq!(read_all(&db), expect);
}

#[test]
fn snapshots_pin_the_files_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    load(&db);
    let snap = db.snapshot().unwrap();
    let before = read_all(&db);
    let old = files(dir.path(), "", ".seg");
    db.write("t", &rows(0..KEYS, 3)).unwrap();
    db.compact().unwrap();
    // The snapshot still reads its segments, whose files are still there.
    assert_eq!(dump(|k| snap.read("t", k, &["a", "b"]).unwrap()), before);
    for f in &old {
        assert!(dir.path().join(f).exists(), "{f} deleted under a snapshot");
    }
    drop(snap);
    for f in &old {
        assert!(
            !dir.path().join(f).exists(),
            "{f} kept after the snapshot went"
        );
    }
    assert_eq!(read_all(&db)[1], Some((4.0, 3)));
}

#[test]
fn the_grace_period_keeps_replaced_files_a_while() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default()
        .with_background_threads(1)
        .with_file_gc_grace(Duration::from_millis(300));
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    load(&db);
    let old = files(dir.path(), "", ".seg");
    db.compact().unwrap();
    for f in &old {
        assert!(
            dir.path().join(f).exists(),
            "{f} deleted within the grace period"
        );
    }
    // The background worker sweeps them once the period has passed.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while old.iter().any(|f| dir.path().join(f).exists()) {
        assert!(std::time::Instant::now() < deadline, "not swept");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn open_removes_unlisted_segments_and_deletion_vectors() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = Db::open(dir.path(), manual()).unwrap();
        db.create_table("t", &schema(), "k").unwrap();
        load(&db);
        db.compact().unwrap();
        db.close().unwrap();
    }
    // What a crash between writing files and committing them leaves.
    let junk = [
        "seg-00000000000fffff.seg",
        "dv-00000000000ffffe.dv",
        "dv-00000000000ffffd.dv.tmp",
    ];
    for j in junk {
        std::fs::write(dir.path().join(j), b"left by a crash").unwrap();
    }
    let db = Db::open(dir.path(), manual()).unwrap();
    let mut removed = db.recovery_report().removed_files.clone();
    removed.sort();
    let mut expect: Vec<String> = junk.iter().map(|s| s.to_string()).collect();
    expect.sort();
    assert_eq!(removed, expect);
    for j in junk {
        assert!(!dir.path().join(j).exists());
    }
    assert!(read_all(&db).iter().any(Option::is_some));
}

#[test]
fn background_work_keeps_level_0_small() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default()
        .with_background_threads(2)
        .with_memtable_bytes(16 << 10)
        .with_l0_triggers(2, 4, 6);
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut max_l0 = 0;
    for round in 0..200i64 {
        let start = (round * 97) % KEYS;
        db.write("t", &rows(start..(start + 50).min(KEYS), round))
            .unwrap();
        let stats = db.table_stats("t").unwrap();
        max_l0 = max_l0.max(stats.level0_segments);
    }
    // Writes stop at 6 level-0 segments; a flush already under way may add one.
    assert!(max_l0 <= 7, "level 0 reached {max_l0}");
    let before = read_all(&db);
    db.compact().unwrap();
    assert_eq!(read_all(&db), before);
    let stats = db.table_stats("t").unwrap();
    assert!(
        stats.run_segments >= 1 && stats.level0_segments == 0,
        "{stats:?}"
    );
}

#[test]
fn compaction_of_a_dropped_table_leaves_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    load(&db);
    db.compact().unwrap();
    db.drop_table("t").unwrap();
    assert!(files(dir.path(), "", ".seg").is_empty());
    assert!(files(dir.path(), "", ".dv").is_empty());
}

#[test]
fn quiet_tables_are_compacted_below_the_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default()
        .with_background_threads(1)
        .with_idle_compaction_after(Some(Duration::from_millis(200)));
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0..KEYS, 1)).unwrap();
    db.flush().unwrap();
    db.write("t", &rows((0..KEYS).step_by(2), 2)).unwrap();
    db.flush().unwrap();
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 2);
    let before = read_all(&db);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let stats = db.table_stats("t").unwrap();
        if stats.level0_segments == 0 {
            assert_eq!(stats.run_segments, 1);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not compacted: {stats:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(read_all(&db), before);

    // Without idle compaction, level 0 stays below the trigger.
    let dir = tempfile::tempdir().unwrap();
    let options = Options::default()
        .with_background_threads(1)
        .with_idle_compaction_after(None);
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0..KEYS, 1)).unwrap();
    db.flush().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(db.table_stats("t").unwrap().level0_segments, 1);
}
