#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Readers checking invariants while writers, deletes and flushes run.
//!
//! Each writer owns a set of keys and writes rounds `1, 2, 3...` to them: `a = round` and
//! `b = 2 * round` in one batch. Readers check that a row is never torn (`b == 2a`), that a
//! key never goes back to an older round (monotonic reads), that a writer sees its own
//! write at once (read-your-writes), and that a snapshot reads the same twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::{Array, Int64Array, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options, SyncPolicy};

const WRITERS: u64 = 3;
const KEYS_PER_WRITER: u64 = 200;
const ROUNDS: i64 = 300;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::UInt64, false),
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Int64, true),
    ]))
}

fn keys_of(writer: u64) -> Vec<u64> {
    (0..KEYS_PER_WRITER).map(|i| i * WRITERS + writer).collect()
}

/// (a, b, found) per key.
fn read(db: &Db, keys: &[u64]) -> Vec<(Option<i64>, Option<i64>, bool)> {
    let (batch, found) = db
        .read("t", &UInt64Array::from(keys.to_vec()), &["a", "b"])
        .unwrap();
    let a = batch
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    let b = batch
        .column(1)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    (0..keys.len())
        .map(|i| {
            (
                a.is_valid(i).then(|| a.value(i)),
                b.is_valid(i).then(|| b.value(i)),
                found[i],
            )
        })
        .collect()
}

#[test]
fn readers_see_whole_monotonic_rows_while_writers_and_flushes_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(
        Db::open(
            dir.path(),
            Options::default()
                .with_sync(SyncPolicy::Never)
                .with_memtable_bytes(256 << 10),
        )
        .unwrap(),
    );
    db.create_table("t", &schema(), "k").unwrap();
    let done = Arc::new(AtomicBool::new(false));

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let keys = keys_of(w);
                for round in 1..=ROUNDS {
                    let n = keys.len();
                    let batch = RecordBatch::try_new(
                        schema(),
                        vec![
                            Arc::new(UInt64Array::from(keys.clone())),
                            Arc::new(Int64Array::from(vec![round; n])),
                            Arc::new(Int64Array::from(vec![2 * round; n])),
                        ],
                    )
                    .unwrap();
                    db.write("t", &batch).unwrap();
                    // Read-your-writes.
                    for (a, b, found) in read(&db, &keys[..10]) {
                        assert!(found);
                        assert_eq!((a, b), (Some(round), Some(2 * round)));
                    }
                }
            })
        })
        .collect();

    let flusher = {
        let db = db.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut flushes = 0;
            while !done.load(Ordering::Acquire) {
                db.flush().unwrap();
                flushes += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            flushes
        })
    };

    let readers: Vec<_> = (0..2)
        .map(|r| {
            let db = db.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let all: Vec<u64> = (0..WRITERS * KEYS_PER_WRITER).collect();
                let mut seen = vec![0i64; all.len()];
                let mut reads = 0u64;
                while !done.load(Ordering::Acquire) {
                    for (i, (a, b, found)) in read(&db, &all).into_iter().enumerate() {
                        match (a, found) {
                            (Some(a), true) => {
                                assert_eq!(b, Some(2 * a), "reader {r}: torn row for key {i}");
                                assert!(
                                    a >= seen[i],
                                    "reader {r}: key {i} went back from round {} to {a}",
                                    seen[i]
                                );
                                seen[i] = a;
                            }
                            (None, false) => assert_eq!(seen[i], 0, "reader {r}: key {i} vanished"),
                            other => panic!("reader {r}: key {i}: {other:?}"),
                        }
                    }
                    // A snapshot reads the same twice, whatever happens in between.
                    let snap = db.snapshot().unwrap();
                    let keys = UInt64Array::from(all.clone());
                    let first = snap.read("t", &keys, &["a", "b"]).unwrap();
                    std::thread::yield_now();
                    let second = snap.read("t", &keys, &["a", "b"]).unwrap();
                    assert_eq!(first, second, "reader {r}: snapshot changed");
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    for w in writers {
        w.join().unwrap();
    }
    done.store(true, Ordering::Release);
    let flushes = flusher.join().unwrap();
    let reads: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();
    eprintln!("{flushes} flushes, {reads} full reads alongside the writers");
    assert!(reads > 0 && flushes > 0);
    for (a, b, found) in read(&db, &(0..WRITERS * KEYS_PER_WRITER).collect::<Vec<_>>()) {
        assert_eq!((a, b, found), (Some(ROUNDS), Some(2 * ROUNDS), true));
    }
}
