#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::metrics`: each counter moves by what the calls did (reads, keys, misses, bytes,
//! latency; writes, rows, deletes, log bytes and fsyncs; flushes, compactions, stalls),
//! gauges follow the memtables and segments, `Options::metrics` off leaves the counters at
//! zero, and the Prometheus text carries them.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::{Metrics, TableMetrics};

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("v", DataType::Float32, true),
    ]))
}

fn rows(from: usize, n: usize) -> RecordBatch {
    let keys: Vec<String> = (from..from + n).map(|i| format!("k{i}")).collect();
    let values: Vec<f32> = (from..from + n).map(|i| i as f32).collect();
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(StringArray::from(keys)) as ArrayRef,
            Arc::new(Float32Array::from(values)),
        ],
    )
    .unwrap()
}

fn keys(v: &[&str]) -> StringArray {
    StringArray::from(v.to_vec())
}

fn manual() -> Options {
    Options::default()
        .with_background_threads(0)
        .with_idle_compaction_after(None)
}

fn table<'a>(m: &'a Metrics, name: &str) -> &'a TableMetrics {
    m.tables.iter().find(|t| t.name == name).unwrap()
}

#[test]
fn counters_move_by_what_the_calls_did() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let m0 = db.metrics().unwrap();
    assert!(m0.enabled);
    assert_eq!((m0.reads, m0.writes, m0.log_bytes), (0, 0, 0));

    db.write("t", &rows(0, 100)).unwrap();
    db.write("t", &rows(100, 50)).unwrap();
    db.delete("t", &keys(&["k0", "k1", "nope"])).unwrap();
    let m1 = db.metrics().unwrap();
    assert_eq!(m1.writes, 2);
    assert_eq!(m1.write_rows, 150);
    assert_eq!(m1.deletes, 1);
    assert_eq!(m1.delete_keys, 3);
    assert!(m1.log_bytes > 150 * 4, "{}", m1.log_bytes);
    // SyncPolicy::Always: every write and delete waited for an fsync.
    assert!(m1.log_syncs >= 3, "{}", m1.log_syncs);
    let t = table(&m1, "t");
    assert_eq!(t.memtable_rows, 153);
    assert!(t.memtable_bytes > 0);
    assert_eq!(m1.memtable_rows, 153);
    assert_eq!((t.segments, m1.segments), (0, 0));

    // 4 keys, 2 absent (one deleted, one never written).
    let (batch, found) = db
        .read("t", &keys(&["k0", "k5", "zzz", "k149"]), &["v"])
        .unwrap();
    assert_eq!(found, vec![false, true, false, true]);
    let mut out = vec![0f32; 3];
    let found = db
        .read_f32("t", &keys(&["k2", "k3", "none"]), &["v"], -1.0, &mut out)
        .unwrap();
    assert_eq!(found, vec![true, true, false]);
    // A failed read (unknown table) counts nothing.
    assert!(db.read("missing", &keys(&["k2"]), &["v"]).is_err());
    let m2 = db.metrics().unwrap();
    assert_eq!(m2.reads, 2);
    assert_eq!(m2.read_keys, 7);
    assert_eq!(m2.read_misses, 3);
    assert_eq!(
        m2.read_bytes,
        (batch.get_array_memory_size() + 3 * 4) as u64
    );
    assert_eq!(m2.read_latency.count, 2);
    assert!(m2.read_latency.sum_nanos > 0);
    let p50 = m2.read_latency_percentile(0.5);
    assert!(p50 > 0 && p50 <= m2.read_latency_percentile(0.999));

    // Snapshots count their reads too.
    let snap = db.snapshot().unwrap();
    snap.read("t", &keys(&["k7"]), &["v"]).unwrap();
    assert_eq!(db.metrics().unwrap().reads, 3);

    db.flush().unwrap();
    let m3 = db.metrics().unwrap();
    assert_eq!(m3.flushes, 1);
    assert_eq!(
        m3.flush_rows, 151,
        "one row per key: 150 written, and the tombstone of 'nope'"
    );
    let t = table(&m3, "t");
    assert_eq!((t.segments, t.level0_segments), (1, 1));
    assert_eq!(m3.flush_bytes, t.segment_bytes);
    assert!(m3.flush_nanos > 0);
    assert_eq!(t.memtable_rows, 0);
    assert!(
        m3.log_syncs >= m2.log_syncs,
        "log fsyncs survive the log's rotation"
    );

    db.write("t", &rows(150, 10)).unwrap();
    db.flush().unwrap();
    let before = db.metrics().unwrap();
    db.compact().unwrap();
    let m4 = db.metrics().unwrap();
    assert_eq!(m4.compactions, 1);
    assert_eq!(m4.compaction_bytes_read, before.segment_bytes);
    assert_eq!(m4.compaction_bytes_written, m4.segment_bytes);
    assert!(m4.compaction_nanos > 0);
    assert_eq!(table(&m4, "t").level0_segments, 0);
    assert_eq!(m4.segment_rows, 158, "160 keys written, 2 deleted");
    // Nothing counts backwards.
    assert!(m4.reads >= m3.reads && m4.writes >= m3.writes && m4.log_syncs >= m3.log_syncs);
    db.close().unwrap();
    assert!(db.metrics().is_err(), "a closed database");
}

#[test]
fn switched_off_counts_nothing_but_gauges_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual().with_metrics(false)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0, 10)).unwrap();
    db.read("t", &keys(&["k1", "x"]), &["v"]).unwrap();
    db.flush().unwrap();
    db.compact().unwrap();
    let m = db.metrics().unwrap();
    assert!(!m.enabled);
    assert_eq!(
        (m.reads, m.read_keys, m.writes, m.log_bytes, m.log_syncs),
        (0, 0, 0, 0, 0)
    );
    assert_eq!((m.flushes, m.compactions, m.read_latency.count), (0, 0, 0));
    assert_eq!(m.segment_rows, 10);
    assert_eq!(m.segments, 1);
}

#[test]
fn slowed_writes_are_counted_as_stalls() {
    let dir = tempfile::tempdir().unwrap();
    // One level-0 segment slows writes; nothing compacts it.
    let options = Options::default()
        .with_sync(SyncPolicy::Never)
        .with_background_threads(1)
        .with_l0_triggers(100, 1, 100)
        .with_idle_compaction_after(None);
    let db = Db::open(dir.path(), options).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0, 10)).unwrap();
    assert_eq!(db.metrics().unwrap().write_stalls, 0);
    db.flush().unwrap();
    db.write("t", &rows(10, 10)).unwrap();
    db.write("t", &rows(20, 10)).unwrap();
    let m = db.metrics().unwrap();
    assert_eq!(m.write_stalls, 2);
    assert!(m.write_stall_nanos >= 2_000_000, "{}", m.write_stall_nanos);
}

#[test]
fn prometheus_text_carries_the_counters_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.create_table("we\"ird", &schema(), "k").unwrap();
    db.write("t", &rows(0, 10)).unwrap();
    db.read("t", &keys(&["k1", "x"]), &["v"]).unwrap();
    let text = db.metrics().unwrap().to_prometheus();
    assert!(text.contains("murr_reads_total 1\n"), "{text}");
    assert!(text.contains("murr_read_misses_total 1\n"));
    assert!(text.contains("murr_write_rows_total 10\n"));
    assert!(text.contains("murr_read_latency_seconds_count 1\n"));
    assert!(text.contains("murr_read_latency_seconds_bucket{le=\"+Inf\"} 1\n"));
    assert!(text.contains("murr_table_memtable_rows{table=\"t\"} 10\n"));
    assert!(text.contains("murr_table_memtable_rows{table=\"we\\\"ird\"} 0\n"));
}

#[test]
fn concurrent_readers_and_writers_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), manual().with_sync(SyncPolicy::Never)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db.write("t", &rows(0, 100)).unwrap();
    std::thread::scope(|s| {
        for r in 0..3 {
            let db = &db;
            s.spawn(move || {
                for i in 0..200 {
                    // 2 keys found, 1 absent.
                    let k = format!("k{}", (r * 7 + i) % 100);
                    db.read("t", &keys(&[&k, "absent", "k0"]), &["v"]).unwrap();
                }
            });
        }
        for w in 0..2 {
            let db = &db;
            s.spawn(move || {
                for i in 0..100 {
                    db.write("t", &rows(1000 + w * 1000 + i * 5, 5)).unwrap();
                }
            });
        }
        let db = &db;
        s.spawn(move || {
            // Snapshots taken meanwhile never go back.
            let mut last = db.metrics().unwrap();
            for _ in 0..50 {
                let m = db.metrics().unwrap();
                assert!(m.reads >= last.reads && m.writes >= last.writes);
                assert!(m.log_bytes >= last.log_bytes && m.read_keys >= last.read_keys);
                last = m;
            }
        });
    });
    let m = db.metrics().unwrap();
    assert_eq!(m.reads, 600);
    assert_eq!(m.read_keys, 1800);
    assert_eq!(m.read_misses, 600);
    assert_eq!(m.read_latency.count, 600);
    assert_eq!(m.writes, 201);
    assert_eq!(m.write_rows, 100 + 2 * 100 * 5);
}
