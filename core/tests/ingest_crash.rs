#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The ingest crash test: a child process ingests, over and over, every key of a table
//! with the ingest's number as value (in parts that spill, merged with the table's run into
//! several segments), printing each acknowledged ingest; the parent kills it with SIGKILL
//! at a random moment (while it sorts, writes parts, merges, installs), reopens the
//! database and checks that every key holds the same ingest — the last acknowledged one
//! or the one in flight, never a mix — that every segment verifies and that no file of a
//! crashed ingest is left.
//!
//! `MURR_CRASH_CYCLES=200 cargo test -p murr-core --test ingest_crash --release` runs more
//! cycles (default 6).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, Int64Array, RecordBatch, RecordBatchIterator, StringArray};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options};

const KEYS: u64 = 20_000;
const PER_BATCH: u64 = 2_000;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("v", DataType::Int64, false),
        Field::new("w", DataType::Utf8, true),
    ]))
}

fn options() -> Options {
    Options::default()
        .with_ingest_memory_bytes(150 << 10)
        .with_target_segment_bytes(96 << 10)
}

/// Ingest `i`: every key, `v` = i, `w` = "w{i}", keys in a scrambled order.
fn ingest_batches(i: u64) -> Vec<RecordBatch> {
    (0..KEYS / PER_BATCH)
        .map(|b| {
            let keys = (0..PER_BATCH).map(|j| format!("key{}", (b * PER_BATCH + j) * 7919 % KEYS));
            RecordBatch::try_new(
                schema(),
                vec![
                    Arc::new(StringArray::from_iter_values(keys)),
                    Arc::new(Int64Array::from(vec![i as i64; PER_BATCH as usize])),
                    Arc::new(StringArray::from(vec![format!("w{i}"); PER_BATCH as usize])),
                ],
            )
            .unwrap()
        })
        .collect()
}

/// The child: runs only when the parent starts it with MURR_INGEST_CRASH_DIR set.
#[test]
fn ingest_crash_child() {
    let Ok(dir) = std::env::var("MURR_INGEST_CRASH_DIR") else {
        return;
    };
    let start: u64 = std::env::var("MURR_CRASH_START").unwrap().parse().unwrap();
    let db = Db::open(&dir, options()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for i in start.. {
        let batches = ingest_batches(i);
        db.ingest(
            "t",
            RecordBatchIterator::new(batches.into_iter().map(Ok), schema()),
        )
        .unwrap();
        writeln!(out, "ack {i}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn an_ingest_killed_is_all_or_nothing() {
    let cycles: u64 = std::env::var("MURR_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("ingest crash test: {cycles} cycles, seed {rng}");
    let mut acked = 0u64;
    for cycle in 0..cycles {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "ingest_crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MURR_INGEST_CRASH_DIR", dir.path())
            .env("MURR_CRASH_START", (acked + 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("child started");
            if line.ends_with("ready") {
                break;
            }
            assert!(Instant::now() < deadline);
        }
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(50 + (rng >> 33) % 1500));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        reader.join().unwrap();
        for line in rx.try_iter() {
            if let Some(i) = line.strip_prefix("ack ") {
                let i: u64 = i.parse().unwrap();
                assert_eq!(i, acked + 1, "acks in order");
                acked = i;
            }
        }

        let db = Db::open(dir.path(), options().with_background_threads(0))
            .unwrap_or_else(|e| panic!("cycle {cycle}: reopen failed: {e}"));
        let keys = StringArray::from_iter_values((0..KEYS).map(|k| format!("key{k}")));
        let (batch, found) = db.read("t", &keys, &["v", "w"]).unwrap();
        let v = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let w = batch
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        let first = if found[0] { v.value(0) as u64 } else { 0 };
        assert!(
            first == acked || first == acked + 1,
            "cycle {cycle}: key0 holds ingest {first}, acknowledged up to {acked}"
        );
        for (k, &found) in found.iter().enumerate() {
            let here = if found { v.value(k) as u64 } else { 0 };
            assert_eq!(
                here, first,
                "cycle {cycle}: key{k} holds another ingest than key0"
            );
            if found {
                assert_eq!(
                    w.value(k),
                    format!("w{first}"),
                    "cycle {cycle}: key{k} torn"
                );
            }
        }
        acked = acked.max(first);
        db.verify().unwrap();
        // No file of a crashed ingest is left: the directory's segments are the table's.
        let stats = db.table_stats("t").unwrap();
        let segments = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with("seg-") || name.ends_with(".tmp")
            })
            .count();
        assert_eq!(
            segments,
            stats.level0_segments + stats.run_segments,
            "cycle {cycle}"
        );
        db.close().unwrap();
    }
    eprintln!("ingest crash test: {acked} acknowledged ingests over {cycles} kills");
}
