#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Writes while an ingest runs (with a background thread flushing and compacting): a
//! writer upserts keys 0..100 round after round while an ingest of keys 0..20000 (value
//! -1, in parts that spill and merge) runs, and goes on after it returns. Every write that
//! returned after the ingest returned is newer than it, so keys 0..100 end with the
//! writer's last round and the others with the ingest's value; a reader meanwhile never
//! sees a key's value go back to an older round.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use arrow_array::{Array, Int64Array, RecordBatch, RecordBatchIterator};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options};

const WRITTEN: i64 = 100;
const INGESTED: i64 = 20_000;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Int64, false),
        Field::new("v", DataType::Int64, false),
    ]))
}

fn batch(keys: std::ops::Range<i64>, v: i64) -> RecordBatch {
    let n = (keys.end - keys.start) as usize;
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(keys)),
            Arc::new(Int64Array::from(vec![v; n])),
        ],
    )
    .unwrap()
}

fn values(db: &Db, keys: std::ops::Range<i64>) -> Vec<Option<i64>> {
    let (b, _) = db
        .read("t", &Int64Array::from_iter_values(keys), &["v"])
        .unwrap();
    let v = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
    (0..v.len())
        .map(|i| v.is_valid(i).then(|| v.value(i)))
        .collect()
}

#[test]
fn writes_during_an_ingest_stay_ordered() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(
        Db::open(
            dir.path(),
            Options::default()
                .with_memtable_bytes(64 << 10)
                .with_l0_triggers(2, 8, 12)
                .with_ingest_memory_bytes(64 << 10)
                .with_target_segment_bytes(64 << 10),
        )
        .unwrap(),
    );
    db.create_table("t", &schema(), "k").unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let last = Arc::new(AtomicI64::new(0));
    let writer = {
        let (db, stop, last) = (Arc::clone(&db), Arc::clone(&stop), Arc::clone(&last));
        std::thread::spawn(move || {
            let mut round = 1;
            while !stop.load(Ordering::Acquire) {
                db.write("t", &batch(0..WRITTEN, round)).unwrap();
                last.store(round, Ordering::Release);
                round += 1;
            }
        })
    };
    let reader = {
        let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut seen = vec![None; WRITTEN as usize];
            while !stop.load(Ordering::Acquire) {
                for (k, v) in values(&db, 0..WRITTEN).into_iter().enumerate() {
                    // -1 (the ingest) may come between rounds; a round never goes back.
                    if let (Some(new), Some(old)) = (v.filter(|&v| v > 0), seen[k]) {
                        assert!(new >= old, "key {k}: round {new} after {old}");
                    }
                    if let Some(v) = v.filter(|&v| v > 0) {
                        seen[k] = Some(v);
                    }
                }
            }
        })
    };
    while last.load(Ordering::Acquire) < 5 {
        std::thread::yield_now();
    }
    let batches: Vec<RecordBatch> = (0..INGESTED / 1000)
        .map(|b| batch(b * 1000..(b + 1) * 1000, -1))
        .collect();
    let stats = db
        .ingest(
            "t",
            RecordBatchIterator::new(batches.into_iter().map(Ok), schema()),
        )
        .unwrap();
    assert!(stats.spills > 0, "{stats:?}");
    let after = last.load(Ordering::Acquire);
    while last.load(Ordering::Acquire) < after + 3 {
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Release);
    writer.join().unwrap();
    reader.join().unwrap();
    let final_round = last.load(Ordering::Acquire);
    assert!(
        values(&db, 0..WRITTEN)
            .iter()
            .all(|&v| v == Some(final_round)),
        "the writer's last round ({final_round}) wins over the ingest"
    );
    assert!(
        values(&db, WRITTEN..INGESTED)
            .iter()
            .all(|&v| v == Some(-1))
    );
    db.flush().unwrap();
    db.compact().unwrap();
    assert!(
        values(&db, 0..WRITTEN)
            .iter()
            .all(|&v| v == Some(final_round))
    );
    assert!(
        values(&db, WRITTEN..INGESTED)
            .iter()
            .all(|&v| v == Some(-1))
    );
}
