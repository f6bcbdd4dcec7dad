#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The change feed against the database: replaying `Db::changes(table, 0)` onto an empty
//! map must give exactly what a scan of the table returns, at every point of random
//! sequences of full and partial upserts (explicit nulls included), deletes, flushes
//! (explicit, and automatic from a tiny memtable), full compactions, a column added, clean
//! reopens and crashes; and a feed started at an earlier point, replayed onto the table as
//! it was scanned then, must give the table now. Bulk ingests are among the operations:
//! the feed cannot pass one (it fails at the ingest's marker), so after one the check
//! resynchronises from a scan at a snapshot and follows the feed from there. Crashes are
//! simulated in the process model test (the directory's files copied while the database is
//! open: what a `kill -9` leaves, since every write reaches the operating system before it
//! returns) and real in `feed_replays_after_sigkill`, which kills a child process
//! (background flushes and compactions on) at random moments.
//!
//! `MURR_CHANGES_CRASH_CYCLES=50 cargo test -p murr-core --test changes_model` runs more
//! kill cycles (default 6).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::{Changes, Db, Options};
use proptest::prelude::*;

/// Columns besides the key at the start; `AddColumn` adds one more.
const COLUMNS: usize = 3;

#[derive(Debug, Clone)]
enum Op {
    /// Rows (key, value per column: None = not written, Some(None) = explicit null) of the
    /// chosen columns (indices past the table's width are dropped).
    Write(Vec<usize>, Vec<(i64, Vec<Option<i64>>)>),
    Delete(Vec<i64>),
    Flush,
    Compact,
    AddColumn,
    Reopen,
    Crash,
    /// A bulk ingest of rows as `Write`'s: the feed cannot pass it, so the check
    /// resynchronises from a scan after it.
    Ingest(Vec<usize>, Vec<(i64, Vec<Option<i64>>)>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (
            proptest::sample::subsequence((0..=COLUMNS).collect::<Vec<_>>(), 1..=COLUMNS + 1),
            proptest::collection::vec(
                (-15i64..15, proptest::collection::vec(proptest::option::weighted(0.8, 0..100i64), COLUMNS + 1)),
                1..10,
            ),
        )
            .prop_map(|(cols, rows)| Op::Write(cols, rows)),
        3 => proptest::collection::vec(-15i64..15, 1..5).prop_map(Op::Delete),
        2 => Just(Op::Flush),
        1 => Just(Op::Compact),
        1 => Just(Op::AddColumn),
        1 => Just(Op::Reopen),
        1 => Just(Op::Crash),
        1 => (
            proptest::sample::subsequence((0..=COLUMNS).collect::<Vec<_>>(), 1..=COLUMNS + 1),
            proptest::collection::vec(
                (-15i64..15, proptest::collection::vec(proptest::option::weighted(0.8, 0..100i64), COLUMNS + 1)),
                1..10,
            ),
        )
            .prop_map(|(cols, rows)| Op::Ingest(cols, rows)),
    ]
}

/// A table's contents: per key, each value column (None = null).
type Model = BTreeMap<i64, Vec<Option<i64>>>;

fn name(c: usize) -> String {
    format!("c{c}")
}

fn schema() -> Schema {
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    fields.extend((0..COLUMNS).map(|c| Field::new(name(c), DataType::Int64, true)));
    Schema::new(fields)
}

fn options() -> Options {
    common::manual()
        .with_change_retention_bytes(u64::MAX)
        .with_memtable_bytes(6 << 10)
}

/// Every row of a scan of `t` (all columns).
fn scan(db: &Db) -> Model {
    let mut out = Model::new();
    for batch in db.scan("t", &[]).unwrap() {
        let batch = batch.unwrap();
        let keys = batch.column(0).as_primitive::<Int64Type>();
        for r in 0..batch.num_rows() {
            let values = (1..batch.num_columns())
                .map(|c| {
                    let col = batch.column(c).as_primitive::<Int64Type>();
                    col.is_valid(r).then(|| col.value(r))
                })
                .collect();
            out.insert(keys.value(r), values);
        }
    }
    out
}

/// Applies `feed` to `model` (columns told by position), checking its shape: sequence
/// numbers above the start and ascending, up to its end; returns the last one.
fn replay(feed: Changes, model: &mut Model) -> u64 {
    let schema = arrow_array::RecordBatchReader::schema(&feed);
    let end = feed.end_seq();
    let since = feed.since_seq();
    assert_eq!(
        schema
            .metadata()
            .get(murr_core::db::CHANGES_END_SEQ_METADATA),
        Some(&end.to_string())
    );
    let width = schema.fields().len() - 4;
    let mut last = since;
    for batch in feed {
        let batch = batch.unwrap();
        assert_eq!(batch.schema(), schema);
        assert!(batch.num_rows() > 0);
        let seqs = batch.column(0).as_primitive::<UInt64Type>();
        let ops = batch.column(1).as_string::<i32>();
        let keys = batch.column(2).as_primitive::<Int64Type>();
        let present = batch.column(3 + width).as_fixed_size_list();
        assert_eq!(present.value_length() as usize, width);
        for r in 0..batch.num_rows() {
            let seq = seqs.value(r);
            assert!(
                seq > since && seq <= end && seq >= last,
                "{since} < {seq} <= {end}"
            );
            last = seq;
            let key = keys.value(r);
            let here = present.value(r);
            let here = here.as_boolean();
            match ops.value(r) {
                "write" => {
                    let row = model.entry(key).or_default();
                    row.resize(width, None);
                    for (c, cell) in row.iter_mut().enumerate() {
                        if here.value(c) {
                            let col = batch.column(3 + c).as_primitive::<Int64Type>();
                            *cell = col.is_valid(r).then(|| col.value(r));
                        }
                    }
                }
                "delete" => {
                    assert!((0..width).all(|c| !here.value(c)));
                    model.remove(&key);
                }
                other => panic!("op {other}"),
            }
        }
    }
    for row in model.values_mut() {
        row.resize(width, None);
    }
    last
}

/// The feed from `base` (0 and an empty table, or the point a scan resynchronised at after
/// an ingest) rebuilds the table, and the feed from `at` rebuilds it from the contents
/// scanned at `at`; after an ingest, the feed from 0 fails.
fn check(db: &Db, base: &(u64, Model), history: &[(u64, Model)], pick: usize) -> Model {
    let now = scan(db);
    let mut model = base.1.clone();
    replay(db.changes("t", base.0).unwrap(), &mut model);
    assert_eq!(model, now, "the feed from {} against the scan", base.0);
    if base.0 > 0 {
        let failed = db.changes("t", 0).unwrap().find_map(Result::err);
        let e = failed.expect("the feed from 0 fails at the ingest");
        assert!(e.to_string().contains("bulk-loaded"), "{e}");
    }
    if !history.is_empty() {
        let (at, then) = &history[pick % history.len()];
        let mut model = then.clone();
        replay(db.changes("t", *at).unwrap(), &mut model);
        assert_eq!(model, now, "the feed from {at} against the scan");
    }
    now
}

/// Copies the database files of `from` into `to` while `from` is open: the files as a
/// process crash would leave them.
fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name == "LOCK" || name.ends_with(".tmp") {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&name)).unwrap();
    }
}

fn write_batch(db: &Db, width: usize, cols: &[usize], rows: &[(i64, Vec<Option<i64>>)]) {
    db.write("t", &batch_of(width, cols, rows)).unwrap();
}

fn batch_of(width: usize, cols: &[usize], rows: &[(i64, Vec<Option<i64>>)]) -> RecordBatch {
    // Columns past the width are dropped: a write may be of the key alone (it creates the
    // row, every column null, or leaves an existing row as it is).
    let cols: Vec<usize> = cols.iter().copied().filter(|&c| c < width).collect();
    let mut fields = vec![Field::new("k", DataType::Int64, false)];
    fields.extend(
        cols.iter()
            .map(|&c| Field::new(name(c), DataType::Int64, true)),
    );
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
    ))];
    for &c in &cols {
        arrays.push(Arc::new(Int64Array::from(
            rows.iter().map(|r| r.1[c]).collect::<Vec<_>>(),
        )));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

fn run(ops: Vec<Op>, pick: usize) {
    let mut dirs = vec![tempfile::tempdir().unwrap()];
    let mut db = common::table_with(dirs[0].path(), options(), &schema(), "k");
    let mut width = COLUMNS;
    let mut history: Vec<(u64, Model)> = vec![(0, Model::new())];
    let mut base: (u64, Model) = (0, Model::new());
    for (i, op) in ops.into_iter().enumerate() {
        match op {
            Op::Write(cols, rows) => write_batch(&db, width, &cols, &rows),
            Op::Delete(keys) => {
                db.delete("t", &Int64Array::from(keys)).unwrap();
            }
            Op::Flush => db.flush().unwrap(),
            Op::Compact => db.compact().unwrap(),
            Op::AddColumn => {
                if width == COLUMNS {
                    db.add_column("t", Field::new(name(width), DataType::Int64, true))
                        .unwrap();
                    width += 1;
                }
            }
            Op::Reopen => {
                db.close().unwrap();
                db = Db::open(dirs.last().unwrap().path(), options()).unwrap();
            }
            Op::Ingest(cols, rows) => {
                let batch = batch_of(width, &cols, &rows);
                let schema = batch.schema();
                let reader = arrow_array::RecordBatchIterator::new(vec![Ok(batch)], schema);
                db.ingest("t", reader).unwrap();
                // Resynchronise: a scan at a snapshot, the feed from its number on.
                let seq = db.snapshot().unwrap().seq();
                base = (seq, scan(&db));
                history.clear();
            }
            Op::Crash => {
                let next = tempfile::tempdir().unwrap();
                copy_files(dirs.last().unwrap().path(), next.path());
                drop(db);
                dirs.push(next);
                db = Db::open(dirs.last().unwrap().path(), options()).unwrap();
            }
        }
        let now = check(&db, &base, &history, pick + i);
        let seq = db.snapshot().unwrap().seq();
        history.push((seq, now));
    }
    db.close().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn feed_replays_to_the_table(ops in proptest::collection::vec(op(), 1..40), pick in 0usize..1000) {
        run(ops, pick);
    }
}

#[test]
fn a_fixed_sequence_across_every_kind_of_step() {
    use Op::*;
    let w = |cols: Vec<usize>, k: i64, v: i64| {
        Write(
            cols,
            vec![(k, vec![Some(v), None, Some(v + 1), Some(v + 2)])],
        )
    };
    run(
        vec![
            w(vec![0, 1, 2], 1, 10),
            w(vec![1], 1, 11),
            Flush,
            w(vec![2], 2, 20),
            Delete(vec![1]),
            Crash,
            w(vec![0], 1, 12),
            Compact,
            AddColumn,
            w(vec![3], 2, 30),
            Reopen,
            Delete(vec![2, 3]),
            Crash,
            w(vec![0, 3], 4, 40),
            Flush,
            Compact,
            Ingest(
                vec![1, 2],
                vec![
                    (4, vec![None, Some(41), None, None]),
                    (5, vec![Some(50); 4]),
                ],
            ),
            w(vec![2], 5, 51),
            Crash,
            Delete(vec![4]),
        ],
        7,
    );
}

// ---- The kill -9 harness (after core/tests/crash.rs) ----

fn crash_options() -> Options {
    let mut options = Options::default()
        .with_change_retention_bytes(u64::MAX)
        .with_memtable_bytes(24 << 10)
        .with_l0_triggers(2, 6, 10)
        .with_target_segment_bytes(16 << 10);
    options.compaction_chunk_rows = 64;
    options
}

/// A small deterministic generator.
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

/// The child: runs only when the parent starts it with MURR_CHANGES_CRASH_DIR set; writes
/// random partial upserts and deletes, flushes and compacts, until it is killed.
#[test]
fn changes_crash_child() {
    let Ok(dir) = std::env::var("MURR_CHANGES_CRASH_DIR") else {
        return;
    };
    let seed: u64 = std::env::var("MURR_CHANGES_CRASH_SEED")
        .unwrap()
        .parse()
        .unwrap();
    let db = Db::open(&dir, crash_options()).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut rng = Lcg(seed);
    loop {
        match rng.next(20) {
            0..=13 => {
                let cols: Vec<usize> = (0..COLUMNS).filter(|_| rng.next(3) > 0).collect();
                let rows: Vec<(i64, Vec<Option<i64>>)> = (0..1 + rng.next(40))
                    .map(|_| {
                        let key = rng.next(300) as i64;
                        let values = (0..=COLUMNS)
                            .map(|_| (rng.next(5) > 0).then(|| rng.next(1000) as i64))
                            .collect();
                        (key, values)
                    })
                    .collect();
                write_batch(&db, COLUMNS, &cols, &rows);
            }
            14..=17 => {
                let keys: Vec<i64> = (0..1 + rng.next(20))
                    .map(|_| rng.next(300) as i64)
                    .collect();
                db.delete("t", &Int64Array::from(keys)).unwrap();
            }
            18 => db.flush().unwrap(),
            // An explicit compaction racing the background thread can fail on a deletion
            // vector file retired under it (a known engine issue, not the feed's): the
            // database goes on, and the parent checks the feed against what it holds.
            _ => {
                if let Err(e) = db.compact() {
                    eprintln!("compact: {e}");
                }
            }
        }
    }
}

#[test]
fn feed_replays_after_sigkill() {
    let cycles: u64 = std::env::var("MURR_CHANGES_CRASH_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(6);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("changes crash test: {cycles} cycles, seed {seed}");
    let mut rng = Lcg(seed);
    let mut rows_seen = 0;
    for cycle in 0..cycles {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "changes_crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MURR_CHANGES_CRASH_DIR", dir.path())
            .env("MURR_CHANGES_CRASH_SEED", (seed ^ cycle).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Wait for the child to be up (the test harness prints first).
        for line in BufReader::new(stdout).lines() {
            if line.unwrap().ends_with("ready") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(30 + rng.next(300)));
        child.kill().unwrap(); // SIGKILL
        assert!(!child.wait().unwrap().success(), "the child was killed");

        let db = Db::open(dir.path(), crash_options().with_background_threads(0))
            .unwrap_or_else(|e| panic!("cycle {cycle}: reopen failed: {e}"));
        let now = scan(&db);
        let mut model = Model::new();
        replay(db.changes("t", 0).unwrap(), &mut model);
        assert_eq!(
            model, now,
            "cycle {cycle}: the feed from 0 against the scan"
        );
        // And once more after a flush and a compaction of what was recovered.
        db.compact().unwrap();
        let mut again = Model::new();
        replay(db.changes("t", 0).unwrap(), &mut again);
        assert_eq!(again, scan(&db), "cycle {cycle}: after compaction");
        rows_seen = now.len();
        db.close().unwrap();
    }
    assert!(rows_seen > 0, "the children wrote something");
}
