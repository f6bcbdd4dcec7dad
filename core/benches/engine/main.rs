//! W1, R1, R4 and O1 of docs/WORKLOAD.md through the embedded database (`murr_core::db::Db`),
//! with a bare segment of the same rows as the same-run peer.
//!
//! `cargo bench -p murr-core --bench engine -- [--rows N] [--batches B] [--only w1|r1|r1mem|r4|o1|r1run|states|pair|metrics|ingest]`
//! [--segments N] [--ingest-mib N] (`--only` also takes a comma-separated list: `--only r1,o1`).
//!
//! - W1: ingest through `Db::write` in 100,000-row batches (sync always / never, one flush;
//!   and never with the default memtable limit), then `flush`.
//! - R1: 1000 random keys x 10 columns from the flushed database, from the bare segment
//!   file it flushed, and from a database loaded with the default memtable limit.
//! - R1mem: R1 with half the rows in a segment and half in the memtable.
//! - R4: R1 on 2 reader threads, alternately with and without a writer thread upserting
//!   10,000-row batches.
//! - O1: close, then `Db::open` + the first R1 answer, against `Segment::open` + the same read.
//! - W2: upsert of 10% of the keys into a compacted table, flush, then `compact()`: times,
//!   bytes written, disk before and after, peak anonymous memory of the compaction; and R1
//!   before and after the compaction and after many small flushes with background
//!   compaction, against the compacted table (`--target MiB` sets the compaction's output
//!   segment size, `--ratio N` `Options::run_rewrite_ratio`: tiered level 0).
//! - w2rounds (only when named): W2 ten times, a different 10% each round, each flushed and compacted: bytes
//!   written per round and cumulated (what a deferred compaction pays later); with
//!   `--contiguous`, each round a contiguous range of rows (a partial run rewrite).
//!
//! - ingest: W3, bulk ingest through `Db::ingest` from an Arrow stream and from an
//!   uncompressed Parquet file (each in a child process: seconds, rows/s, peak memory), then
//!   R1 right after the ingest against the same rows written, flushed and compacted.
//!
//! - states: R1 on one table compacted, with 10% of the keys upserted in the memtable
//!   (R1mem as the issue of reads while data changes defines it) and right after that
//!   upsert is flushed (R1L0), alternately; answers checked against the upserted values.
//!
//! - R1run: R1 on a table compacted into a run of about `--segments` (default 10)
//!   segments, and on a level-0 segment over that run, against the same rows in one bare
//!   segment and the prefetched in-memory baseline of the segment_read bench.
//!
//! - metrics: R1 on a database with `Options::metrics` on against two with it off (one of
//!   them an A/A control), alternately: the cost of the engine's counters.
//!
//! Every read is checked against the generator (outside the timing). Within a batch round
//! the systems take turns in a rotating order, so that machine noise falls on all alike.
//! The databases stay on disk until the bench exits (`MURR_BENCH_DIR`, default the target's
//! tmp directory; deleted at exit), so that no deletion of hundreds of MB runs under a later
//! measurement. O1 varies with the machine's fsync latency: `Db::open` creates a new log
//! and fsyncs it and the directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixture;
mod ingest;
mod lifecycle;
mod lsm;
mod metrics_cost;
mod pair;
mod phases;
mod reads;
mod run;
mod states;

use std::hint::black_box;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, RecordBatch, StringArray};
use murr_workload as workload;

/// Float32 columns of the canonical table.
const WIDTH: usize = 10;
/// Rows per batch of the load (docs/WORKLOAD.md).
const LOAD_BATCH: usize = 100_000;
/// Keys per read.
const KEYS: usize = 1000;
/// Batches read before timing starts.
const WARMUP: usize = 200;
/// The table's name.
const TABLE: &str = "features";

struct Args {
    rows: u64,
    batches: usize,
    only: Option<String>,
    /// The compaction's target segment size in MiB (W2); the default when `None`.
    target_mib: Option<usize>,
    /// W2's `Options::run_rewrite_ratio` (tiered level 0); `None` (the default) when not
    /// given.
    ratio: Option<u32>,
    /// w2rounds: each round upserts a contiguous range of rows instead of every tenth.
    contiguous: bool,
    /// About how many segments R1run's run has.
    segments: u64,
    /// W3's `Options::ingest_memory_bytes` in MiB; the default when `None`.
    ingest_mib: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        batches: 2000,
        only: None,
        target_mib: None,
        ratio: None,
        contiguous: false,
        segments: 10,
        ingest_mib: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => a.rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--batches" => a.batches = it.next().and_then(|v| v.parse().ok()).expect("--batches N"),
            "--only" => a.only = it.next(),
            "--target" => a.target_mib = it.next().and_then(|v| v.parse().ok()),
            "--ratio" => a.ratio = it.next().and_then(|v| v.parse().ok()),
            "--contiguous" => a.contiguous = true,
            "--ingest-mib" => a.ingest_mib = it.next().and_then(|v| v.parse().ok()),
            "--segments" => {
                a.segments = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--segments N")
            }
            _ => {} // cargo bench passes --bench
        }
    }
    assert!(a.rows >= 2, "--rows must be at least 2");
    a
}

/// The `p` quantile (0..=1) of `times`, by nearest rank.
fn percentile(times: &[f64], p: f64) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    t[((t.len() - 1) as f64 * p).round() as usize]
}

/// The names of the ten columns, every read asks all of them.
fn columns() -> Vec<String> {
    (0..WIDTH).map(|c| format!("f{c}")).collect()
}

/// The key batches every system reads: `WARMUP + batches` batches of 1000 uniformly
/// random existing rows (seed 42).
struct KeyBatches {
    rows: Vec<Vec<u64>>,
    arrays: Vec<StringArray>,
}

impl KeyBatches {
    fn new(n: u64, count: usize) -> KeyBatches {
        let mut rng = workload::random_rows(42, n);
        let rows: Vec<Vec<u64>> = (0..count)
            .map(|_| rng.by_ref().take(KEYS).collect())
            .collect();
        let arrays = rows
            .iter()
            .map(|b| StringArray::from_iter_values(b.iter().map(|&i| workload::key(i))))
            .collect();
        KeyBatches { rows, arrays }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }
}

/// Panics unless `result` holds exactly the generated values of `rows`, all found.
fn check(rows: &[u64], answer: &(RecordBatch, Vec<bool>)) {
    check_with(rows, answer, &workload::value);
}

/// Panics unless `result` holds `value(row, column)` for `rows`, all found.
fn check_with(
    rows: &[u64],
    (result, found): &(RecordBatch, Vec<bool>),
    value: &dyn Fn(u64, usize) -> f32,
) {
    assert_eq!(result.num_rows(), rows.len());
    assert!(found.iter().all(|&f| f), "a written key was not found");
    assert_eq!(result.num_columns(), WIDTH);
    for (c, column) in result.columns().iter().enumerate() {
        let values = column.as_primitive::<Float32Type>();
        for (r, &i) in rows.iter().enumerate() {
            assert!(values.is_valid(r));
            assert_eq!(values.value(r), value(i, c), "row {i} column f{c}");
        }
    }
}

/// A reader measured by [`interleave`].
type Reader<'a> = Box<dyn Fn(&StringArray) -> (RecordBatch, Vec<bool>) + 'a>;

/// Reads every key batch with every system, taking turns in a rotating order; returns each
/// system's times in microseconds, warm-up excluded. Every answer is checked.
fn interleave(systems: &[Reader<'_>], keys: &KeyBatches) -> Vec<Vec<f64>> {
    interleave_with(systems, keys, &workload::value)
}

/// [`interleave`], checking answers against `value(row, column)`.
fn interleave_with(
    systems: &[Reader<'_>],
    keys: &KeyBatches,
    value: &dyn Fn(u64, usize) -> f32,
) -> Vec<Vec<f64>> {
    let mut times = vec![Vec::with_capacity(keys.len()); systems.len()];
    for (b, (rows, array)) in keys.rows.iter().zip(&keys.arrays).enumerate() {
        for turn in 0..systems.len() {
            let s = (b + turn) % systems.len();
            let t0 = Instant::now();
            let answer = black_box(systems[s](array));
            let us = t0.elapsed().as_secs_f64() * 1e6;
            check_with(rows, &answer, value);
            if b >= WARMUP {
                times[s].push(us);
            }
        }
    }
    times
}

/// Prints one row per system: median, p99, Mkeys/s and the median's ratio to system `base`.
fn print_reads(names: &[String], times: &[Vec<f64>], base: usize, base_name: &str) {
    let base_median = percentile(&times[base], 0.5);
    println!("| system | median us | p99 us | Mkeys/s | median vs {base_name} |");
    println!("|---|---:|---:|---:|---:|");
    for (name, t) in names.iter().zip(times) {
        let median = percentile(t, 0.5);
        println!(
            "| {name} | {median:.1} | {:.1} | {:.2} | {:.2}x |",
            percentile(t, 0.99),
            KEYS as f64 / median,
            median / base_median
        );
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if let Some(i) = argv.iter().position(|a| a == "--compact-child") {
        let dir = std::path::Path::new(&argv[i + 1]);
        lsm::compact_child(dir, argv[i + 2].parse().unwrap(), argv[i + 3].parse().ok());
        return;
    }
    if let Some(i) = argv.iter().position(|a| a == "--ingest-child") {
        let dir = std::path::Path::new(&argv[i + 1]);
        ingest::ingest_child(
            dir,
            &argv[i + 2],
            argv[i + 3].parse().unwrap(),
            argv[i + 4].parse().unwrap(),
        );
        return;
    }
    let a = args();
    let root = std::env::var_os("MURR_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&root).unwrap();
    let tmp = tempfile::Builder::new()
        .prefix("engine-")
        .tempdir_in(&root)
        .unwrap();
    let dir = tmp.path();
    let only = |w: &str| {
        a.only
            .as_deref()
            .is_none_or(|o| o.split(',').any(|x| x == w))
    };

    if only("w1") {
        lifecycle::w1(a.rows, dir);
    }
    // Only when asked: ten compactions of the whole table.
    if a.only
        .as_deref()
        .is_some_and(|o| o.split(',').any(|x| x == "w2rounds"))
    {
        lsm::w2_rounds(a.rows, dir, a.target_mib, a.ratio, a.contiguous);
    }
    if ![
        "r1", "r1mem", "o1", "r4", "w2", "r1run", "states", "metrics", "ingest", "pair",
    ]
    .iter()
    .any(|w| only(w))
    {
        return;
    }
    let keys = KeyBatches::new(a.rows, WARMUP + a.batches);
    if only("ingest") {
        ingest::ingest(a.rows, &keys, dir, a.ingest_mib);
    }
    if only("states") {
        states::states(&keys, a.rows, dir);
    }
    if only("pair") {
        pair::pair(&keys, a.rows, dir);
    }
    if only("metrics") {
        metrics_cost::metrics_cost(&keys, a.rows, dir);
    }
    if only("r1run") {
        run::r1run(&keys, a.rows, dir, a.segments);
    }
    if only("w2") {
        lsm::w2(a.rows, &keys, dir, a.target_mib, a.ratio);
    }
    if !["r1", "r1mem", "o1", "r4"].iter().any(|w| only(w)) {
        return;
    }
    eprintln!("loading {} rows into a database (one flush) ...", a.rows);
    let mut flushed = fixture::load_flushed(&dir.join("flushed"), a.rows);
    if only("r1") {
        reads::r1(&flushed, &keys, a.rows, dir);
    }
    if only("r1mem") {
        reads::r1mem(&flushed, &keys, a.rows, dir);
    }
    if only("o1") {
        flushed = lifecycle::o1(flushed, &keys, a.rows);
    }
    if only("r4") {
        reads::r4(flushed, &keys, a.rows, a.batches);
    }
}
