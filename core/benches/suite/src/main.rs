//! The benchmark suite of `make bench` (issue 7): every workload of docs/WORKLOAD.md (R1-R6, W1,
//! W2, O1, M1) through libmurr and its peers, in one process, on the same rows and the same
//! key sequences, every answer checked outside the timing.
//!
//! `cargo run --release -- --rows N [--batches B] [--wide] [--murr-only] [--out FILE]
//! [--json FILE] [--dir DIR] [--only r2,r3,r4,r5,r6,o1,m1,w2] [--peers plain,rocks,redis] [--target MiB] [--ratio N]`
//! (`--only` and `--peers` narrow a run, for profiling; `make bench` runs everything) (from this directory; `make bench` at the top runs it at 1M
//! and 10M rows, and 100M with `BENCH_100M=1`). Redis must be listening on `MURR_REDIS`
//! (default 127.0.0.1:6399) with its pid in `MURR_REDIS_PID`; scripts/bench.sh starts and
//! stops a redis-server.
//!
//! Systems (docs/WORKLOAD.md, "Peers"):
//! - libmurr `Db::read` (Arrow keys in, one Arrow batch out), loaded through `Db::write` in
//!   100,000-row batches, flushed and compacted;
//! - baseline (of every ratio): open-addressing hash (XXH3 tags, load 0.7) over a key
//!   arena, row-major values, staged prefetching (core/benches/segment_read/baseline.rs);
//! - FxHashMap<String, u32> + one Vec<f32> per column, the plain peer;
//! - RocksDB (rocksdb crate): key -> packed little-endian row, `batched_multi_get_cf`, a
//!   block cache larger than the data, flushed and compacted after the load;
//! - Redis: MGET of the packed rows, and pipelined HMGET of one hash per row.
//!
//! `--wide` adds R5 (100 columns) and R6 (an embedding of 128 float32) at the same N;
//! `--murr-only` measures libmurr alone (W1, R1, O1, M1: the 100M scaling point).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../segment_read/baseline.rs"]
#[allow(dead_code)]
mod baseline;
mod data;
mod lifecycle;
mod measure;
mod memory;
#[path = "../../engine/phases.rs"]
mod phases;
mod proc;
mod query;
mod r4;
mod redis;
mod report;
mod systems;
mod w2;

use std::path::PathBuf;

use data::{EMBEDDING, Spec, WIDE, value};
use measure::{Reader, interleave};
use query::Queries;
use report::Report;
use systems::*;

/// The command line.
pub struct Args {
    pub rows: u64,
    pub batches: usize,
    pub wide: bool,
    pub murr_only: bool,
    /// `--only r2,o1,...`: the workloads to run (W1 and R1 always run); all when `None`.
    pub only: Option<Vec<String>>,
    /// `--peers plain,rocks,redis`: the peers of R5 and R6 (the baseline always runs).
    pub peers: Option<Vec<String>>,
    pub out: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub dir: PathBuf,
    /// `--child SYSTEM DIR`: serve R1 from one system and report memory (M1).
    pub child: Option<(String, PathBuf)>,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        batches: 2000,
        wide: false,
        murr_only: false,
        only: None,
        peers: None,
        out: None,
        json: None,
        dir: std::env::temp_dir(),
        child: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => a.rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--batches" => a.batches = it.next().and_then(|v| v.parse().ok()).expect("--batches B"),
            "--wide" => a.wide = true,
            "--murr-only" => a.murr_only = true,
            "--target" => {
                let mib = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--target MiB");
                let _ = systems::TARGET_MIB.set(mib);
            }
            "--ratio" => {
                let ratio = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--ratio N");
                let _ = systems::RUN_REWRITE_RATIO.set(ratio);
            }
            "--peers" => {
                let list = it.next().expect("--peers plain,rocks,redis");
                a.peers = Some(list.split(',').map(str::to_owned).collect());
            }
            "--only" => {
                let list = it.next().expect("--only r2,r3,...");
                a.only = Some(list.split(',').map(str::to_owned).collect());
            }
            "--out" => a.out = it.next().map(PathBuf::from),
            "--json" => a.json = it.next().map(PathBuf::from),
            "--dir" => a.dir = it.next().map(PathBuf::from).expect("--dir DIR"),
            "--child" => {
                let system = it.next().expect("--child SYSTEM DIR");
                let dir = it.next().map(PathBuf::from).expect("--child SYSTEM DIR");
                a.child = Some((system, dir));
            }
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

impl Args {
    /// Whether workload `w` (lower case: "r2", "o1", ...) is to run.
    pub fn runs(&self, w: &str) -> bool {
        self.only.as_ref().is_none_or(|o| o.iter().any(|x| x == w))
    }

    /// Whether peer `p` ("plain", "rocks", "redis") takes part in R5 and R6.
    pub fn peer(&self, p: &str) -> bool {
        self.peers.as_ref().is_none_or(|o| o.iter().any(|x| x == p))
    }
}

fn redis_addr() -> String {
    std::env::var("MURR_REDIS").unwrap_or_else(|_| "127.0.0.1:6399".to_owned())
}

fn main() {
    let a = args();
    if let Some((system, dir)) = &a.child {
        memory::child(system, dir, a.rows);
        return;
    }
    let tmp = tempfile::Builder::new()
        .prefix("murr-bench-")
        .tempdir_in(&a.dir)
        .unwrap();
    let mut report = Report::default();
    let n = a.rows;
    report.line(format!("\n### N = {n} rows\n"));
    let scaling = lifecycle::features(&a, tmp.path(), &mut report);
    if a.wide && a.runs("r5") {
        wide(
            &a,
            &WIDE,
            "R5: 1000 random keys x all 100 float32 columns (wide table)",
            tmp.path(),
            &mut report,
        );
    }
    if a.wide && a.runs("r6") {
        wide(
            &a,
            &EMBEDDING,
            "R6: 1000 random keys x an embedding (fixed-size list of 128 float32)",
            tmp.path(),
            &mut report,
        );
    }
    if let Some(out) = &a.out {
        std::fs::write(out, report.markdown()).unwrap();
    }
    if let Some(json) = &a.json {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(json)
            .unwrap();
        writeln!(f, "{scaling}").unwrap();
    }
}

/// R5 or R6: `spec` loaded into every system, then read whole rows.
fn wide(a: &Args, spec: &Spec, title: &str, dir: &std::path::Path, report: &mut Report) {
    let n = a.rows;
    eprintln!("{}: loading {n} rows ...", spec.table);
    let (db, _) = load_murr(&dir.join(spec.table), spec, n);
    let (pre, _) = build_prefetched(spec, n);
    let columns = matches!(spec.shape, data::Shape::Columns(_));
    let plain = (columns && a.peer("plain")).then(|| build_plain(spec, n).0);
    let rocks_dir = dir.join(format!("rocks-{}", spec.table));
    let rocks = a.peer("rocks").then(|| load_rocks(&rocks_dir, spec, n).0);
    let mut mget = a.peer("redis").then(|| {
        let mut c = redis::Conn::connect(&redis_addr()).unwrap();
        load_redis(&mut c, spec, n);
        c
    });
    let mut hmget =
        (columns && a.peer("redis")).then(|| redis::Conn::connect(&redis_addr()).unwrap());
    let cols: Vec<usize> = (0..spec.width()).collect();
    let mut systems = vec![
        Reader::new("baseline: prefetched hash + row-major", |q| {
            read_prefetched(&pre, spec, q)
        }),
        Reader::new("libmurr Db::read", |q| read_murr(&db, spec.table, q)),
    ];
    if let Some(plain) = &plain {
        systems.push(Reader::new("FxHashMap + Vec columns", |q| {
            read_plain(plain, q)
        }));
    }
    if let Some(rocks) = &rocks {
        systems.push(Reader::new("RocksDB batched_multi_get", |q| {
            read_rocks(rocks, spec, q)
        }));
    }
    if let Some(mget) = mget.as_mut() {
        systems.push(Reader::new("Redis MGET (packed rows)", |q| {
            read_mget(mget, spec, q)
        }));
    }
    if let Some(hmget) = hmget.as_mut() {
        systems.push(Reader::new("Redis pipelined HMGET", |q| {
            read_hmget(hmget, q)
        }));
    }
    eprintln!("{}: reading ...", spec.table);
    let queries = Queries::new(n, None, cols, spec.columns());
    let times = interleave(&mut systems, queries, a.batches, &value);
    report.reads(
        &format!("{title}, N = {n}, {} batches", a.batches),
        &times,
        0,
    );
    drop(systems);
    db.close().unwrap();
    if a.peer("redis") {
        let mut conn = redis::Conn::connect(&redis_addr()).unwrap();
        conn.flushall().unwrap();
    }
}
