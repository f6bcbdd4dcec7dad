#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The crash test: a child process writes and deletes with `SyncPolicy::Always`, printing
//! each acknowledged sequence number; the parent kills it with SIGKILL at a random moment
//! (during writes, automatic and explicit flushes, background and explicit compactions,
//! deletion vector writes and file GC: small memtables, a level-0 trigger of 2 and small
//! output segments make them frequent), reopens the database and checks that every
//! acknowledged write is there, whole, and nothing is corrupt.
//!
//! `MURR_CRASH_CYCLES=500 cargo test -p murr-core --test crash --release` runs more cycles
//! (default 20).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Db, Options, SyncPolicy};

const KEYS: u64 = 3000;
const PER_BATCH: u64 = 100;

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("v", DataType::Int64, true),
        Field::new("w", DataType::Utf8, true),
    ])
}

/// The keys batch `i` touches.
fn keys_of(i: u64) -> Vec<String> {
    (0..PER_BATCH)
        .map(|j| format!("key{}", (i * 37 + j * 13) % KEYS))
        .collect()
}

/// Whether batch `i` is a delete.
fn is_delete(i: u64) -> bool {
    i % 7 == 3
}

fn options() -> Options {
    let mut options = Options::default()
        .with_sync(SyncPolicy::Always)
        .with_memtable_bytes(96 << 10)
        .with_l0_triggers(2, 6, 10)
        .with_target_segment_bytes(48 << 10);
    options.compaction_chunk_rows = 256;
    options
}

/// The child: runs only when the parent starts it with MURR_CRASH_DIR set.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var("MURR_CRASH_DIR") else {
        return;
    };
    let start: u64 = std::env::var("MURR_CRASH_START").unwrap().parse().unwrap();
    let db = Db::open(&dir, options()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for i in start.. {
        let keys = StringArray::from(keys_of(i));
        let seq = if is_delete(i) {
            db.delete("t", &keys).unwrap()
        } else {
            let batch = RecordBatch::try_new(
                Arc::new(schema()),
                vec![
                    Arc::new(keys),
                    Arc::new(Int64Array::from(vec![i as i64; PER_BATCH as usize])),
                    Arc::new(StringArray::from(vec![format!("v{i}"); PER_BATCH as usize])),
                ],
            )
            .unwrap();
            db.write("t", &batch).unwrap()
        };
        writeln!(out, "ack {i} {seq}").unwrap();
        out.flush().unwrap();
        if i % 40 == 0 {
            db.flush().unwrap();
        }
        if i % 150 == 0 {
            db.compact().unwrap();
        }
    }
}

/// A small deterministic generator for kill delays.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Per key: the batch of its last acknowledged write or delete.
type Model = HashMap<String, u64>;

#[test]
fn acknowledged_writes_survive_sigkill() {
    let cycles: u64 = std::env::var("MURR_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test: {cycles} cycles, seed {seed}");
    let mut rng = Lcg(seed);
    let mut model: Model = HashMap::new();
    let mut next_batch = 1u64;
    let mut last_seq = 0u64;
    let mut total_acks = 0u64;
    for cycle in 0..cycles {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env("MURR_CRASH_DIR", dir.path())
            .env("MURR_CRASH_START", next_batch.to_string())
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
        // Wait for the child to be up, then let it run a random while.
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
        std::thread::sleep(Duration::from_millis(20 + rng.next(400)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let mut acked_to = next_batch - 1;
        for line in rx.try_iter() {
            if let Some(rest) = line.strip_prefix("ack ") {
                let mut parts = rest.split(' ');
                let i: u64 = parts.next().unwrap().parse().unwrap();
                let seq: u64 = parts.next().unwrap().parse().unwrap();
                assert_eq!(i, acked_to + 1, "acks in order");
                assert!(
                    seq > last_seq,
                    "sequence numbers grow: {seq} after {last_seq}"
                );
                last_seq = seq;
                acked_to = i;
                total_acks += 1;
                for k in keys_of(i) {
                    model.insert(k, i);
                }
            }
        }
        assert!(!status.success(), "the child was killed");
        // The batch in flight at the kill may or may not be there.
        let in_flight = acked_to + 1;
        let in_flight_keys: std::collections::HashSet<String> =
            keys_of(in_flight).into_iter().collect();

        // Manual mode: no background compaction deletes files while they are checked.
        let db = Db::open(dir.path(), options().with_background_threads(0))
            .unwrap_or_else(|e| panic!("cycle {cycle}: reopen failed: {e}"));
        let all: Vec<String> = (0..KEYS).map(|k| format!("key{k}")).collect();
        let (batch, found) = db
            .read("t", &StringArray::from(all.clone()), &["v", "w"])
            .unwrap_or_else(|e| panic!("cycle {cycle}: read failed: {e}"));
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
        for (i, key) in all.iter().enumerate() {
            let got = found[i].then(|| v.value(i) as u64);
            if let Some(g) = got {
                assert!(
                    !v.is_null(i) && w.value(i) == format!("v{g}"),
                    "cycle {cycle}: {key} torn"
                );
            }
            let expect = model.get(key).map(|&b| (!is_delete(b)).then_some(b));
            let ok = match expect {
                Some(e) => got == e,
                None => got.is_none(),
            } || (in_flight_keys.contains(key)
                && got == (!is_delete(in_flight)).then_some(in_flight));
            assert!(
                ok,
                "cycle {cycle}: {key} reads {got:?}, acknowledged state {expect:?} \
                 (in flight: batch {in_flight})"
            );
        }
        // Every segment file verifies whole.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "seg") {
                murr_core::segment::Segment::open(&path)
                    .and_then(|s| s.verify())
                    .unwrap_or_else(|e| panic!("cycle {cycle}: {}: {e}", path.display()));
            }
        }
        // The in-flight batch, if it landed, is now part of the state.
        let landed = db
            .read("t", &StringArray::from(keys_of(in_flight)), &["v"])
            .unwrap();
        let landed_v = landed
            .0
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let in_flight_landed = if is_delete(in_flight) {
            landed.1.iter().all(|f| !f)
                && keys_of(in_flight)
                    .iter()
                    .any(|k| model.get(k).is_some_and(|&b| !is_delete(b)))
        } else {
            (0..landed_v.len()).all(|j| landed.1[j] && landed_v.value(j) as u64 == in_flight)
        };
        if in_flight_landed {
            for k in keys_of(in_flight) {
                model.insert(k, in_flight);
            }
        }
        last_seq = last_seq.max(db.snapshot().unwrap().seq());
        db.close().unwrap();
        next_batch = in_flight + 1;
    }
    eprintln!("crash test: {total_acks} acknowledged writes over {cycles} kills");
    assert!(total_acks > cycles, "the children got work done");
}
