//! The canonical table through every workload: W1 (the loads), R1-R3 (reads), O1 (open to
//! the first answer), M1 (memory, in child processes), then R4 (`r4.rs`) and W2 (`w2.rs`).

use std::path::Path;
use std::time::{Duration, Instant};

use murr_core::db::Db;
use murr_workload as workload;

use crate::baseline::{PlainMap, Prefetched};
use crate::data::{FEATURES, value};
use crate::measure::{Reader, Times, interleave, percentile};
use crate::proc::{Memory, dir_bytes, huge_file_mapped, memory};
use crate::query::{Queries, Query};
use crate::report::Report;
use crate::systems::*;
use crate::{Args, memory as m1, redis, redis_addr};

/// The peers beside the baseline, loaded.
struct Peers {
    plain: PlainMap,
    rocks: rocksdb::DB,
    loads: Vec<(String, Load)>,
}

/// Runs every workload of the canonical table; returns the scaling point (a JSON line).
pub fn features(a: &Args, dir: &Path, report: &mut Report) -> String {
    let spec = FEATURES;
    let n = a.rows;
    let murr_dir = dir.join("murr");
    let rocks_dir = dir.join("rocks");
    eprintln!("W1: loading {n} rows into libmurr ...");
    let (db, murr_load) = load_murr(&murr_dir, &spec, n);
    let murr_disk = dir_bytes(&murr_dir);
    eprintln!("W1: building the baseline ...");
    let (pre, pre_t) = build_prefetched(&spec, n);
    let peers = (!a.murr_only).then(|| {
        eprintln!("W1: building the plain map ...");
        let (plain, plain_t) = build_plain(&spec, n);
        eprintln!("W1: loading RocksDB ...");
        let (rocks, rocks_load) = load_rocks(&rocks_dir, &spec, n);
        eprintln!("W1: loading Redis ...");
        let mut conn = redis::Conn::connect(&redis_addr()).unwrap();
        let redis_load = load_redis(&mut conn, &spec, n);
        let built = |t| Load {
            write: t,
            ..Load::default()
        };
        Peers {
            plain,
            rocks,
            loads: vec![
                ("FxHashMap + Vec columns (build)".to_owned(), built(plain_t)),
                (
                    "RocksDB (WriteBatch, WAL on, no sync)".to_owned(),
                    rocks_load,
                ),
                (
                    "Redis (pipelined MSET + HSET: both forms)".to_owned(),
                    redis_load,
                ),
            ],
        }
    });
    let rocks_disk = dir_bytes(&rocks_dir);
    w1(
        report,
        n,
        murr_load,
        murr_disk,
        pre_t,
        peers.as_ref(),
        rocks_disk,
    );

    let r1 = reads(a, &db, &pre, peers.as_ref(), report);
    drop(db);
    drop(pre);
    let (o1_open, o1_first) = if a.runs("o1") {
        o1(
            &murr_dir,
            peers.is_some().then_some(&rocks_dir),
            n,
            report,
            peers,
        )
    } else {
        drop(peers);
        (f64::NAN, f64::NAN)
    };
    if a.runs("m1") {
        m1(
            &murr_dir,
            (!a.murr_only).then_some(&rocks_dir),
            n,
            murr_disk,
            rocks_disk,
            report,
        );
    }
    if !a.murr_only {
        if a.runs("r4") {
            crate::r4::r4(a, &murr_dir, &rocks_dir, report);
        }
        if a.runs("w2") {
            crate::w2::w2(&murr_dir, &rocks_dir, n, report);
        }
        let mut conn = redis::Conn::connect(&redis_addr()).unwrap();
        conn.flushall().unwrap();
    }
    format!(
        "{{\"rows\": {n}, \"r1_median_us\": {:.1}, \"r1_p99_us\": {:.1}, \"o1_open_ms\": {o1_open:.3}, \"o1_first_ms\": {o1_first:.3}}}",
        r1.median(),
        r1.p99()
    )
}

#[allow(clippy::too_many_arguments)]
fn w1(
    report: &mut Report,
    n: u64,
    murr: Load,
    murr_disk: u64,
    baseline: Duration,
    peers: Option<&Peers>,
    rocks_disk: u64,
) {
    report.line(format!(
        "\n#### W1: ingest of {n} rows in 100,000-row batches, then flush and compact\n"
    ));
    report.line(
        "| system | write s | rows/s | flush s | compact s | verify (warm) s | disk bytes/row |",
    );
    report.line("|---|---:|---:|---:|---:|---:|---:|");
    let row = |report: &mut Report, name: &str, l: &Load, disk: Option<u64>| {
        let opt = |d: Duration| {
            if d.is_zero() {
                "-".to_owned()
            } else {
                format!("{:.2}", d.as_secs_f64())
            }
        };
        report.line(format!(
            "| {name} | {:.2} | {:.0} | {} | {} | {} | {} |",
            l.write.as_secs_f64(),
            n as f64 / l.write.as_secs_f64(),
            opt(l.flush),
            opt(l.compact),
            opt(l.verify),
            disk.map_or("- (memory only)".to_owned(), |d| format!(
                "{:.1}",
                d as f64 / n as f64
            ))
        ));
    };
    row(
        report,
        "**libmurr** `Db::write` (sync never)",
        &murr,
        Some(murr_disk),
    );
    let built = Load {
        write: baseline,
        ..Load::default()
    };
    row(
        report,
        "baseline: prefetched hash + row-major (build)",
        &built,
        None,
    );
    if let Some(p) = peers {
        for (name, l) in &p.loads {
            let disk = name.starts_with("RocksDB").then_some(rocks_disk);
            row(report, name, l, disk);
        }
    }
}

/// R1, R2, R3 through every system; returns libmurr's R1 times.
fn reads(a: &Args, db: &Db, pre: &Prefetched, peers: Option<&Peers>, report: &mut Report) -> Times {
    let spec = FEATURES;
    let n = a.rows;
    let all: Vec<usize> = (0..spec.width()).collect();
    let workloads: [(&str, Option<usize>, Vec<usize>); 3] = [
        (
            "R1: 1000 random keys x all 10 float32 columns",
            None,
            all.clone(),
        ),
        (
            "R2: 1000 random keys x 3 of 10 columns (f0, f4, f9)",
            None,
            vec![0, 4, 9],
        ),
        ("R3: R1 with 10% of the keys absent", Some(10), all),
    ];
    let mut murr_r1 = None;
    for (title, absent, cols) in workloads {
        let id = title[..2].to_lowercase();
        if id != "r1" && (peers.is_none() || !a.runs(&id)) {
            continue;
        }
        let names: Vec<String> = cols.iter().map(|c| format!("f{c}")).collect();
        let mut mget = redis::Conn::connect(&redis_addr()).ok();
        let mut hmget = redis::Conn::connect(&redis_addr()).ok();
        let mut systems = vec![Reader::new(
            "baseline: prefetched hash + row-major",
            |q: &Query| read_prefetched(pre, &spec, q),
        )];
        systems.push(Reader::new("libmurr Db::read", |q: &Query| {
            read_murr(db, spec.table, q)
        }));
        if let Some(p) = peers {
            systems.push(Reader::new("FxHashMap + Vec columns", |q: &Query| {
                read_plain(&p.plain, q)
            }));
            systems.push(Reader::new("RocksDB batched_multi_get", |q: &Query| {
                read_rocks(&p.rocks, &spec, q)
            }));
            let mget = mget.as_mut().unwrap();
            systems.push(Reader::new("Redis MGET (packed rows)", move |q: &Query| {
                read_mget(mget, &spec, q)
            }));
            let hmget = hmget.as_mut().unwrap();
            systems.push(Reader::new("Redis pipelined HMGET", move |q: &Query| {
                read_hmget(hmget, q)
            }));
        }
        eprintln!("{} ...", &title[..2]);
        let queries = Queries::new(n, absent, cols, names);
        let mut times = interleave(&mut systems, queries, a.batches, &value);
        report.reads(
            &format!("{title}, N = {n}, {} batches", a.batches),
            &times,
            0,
        );
        if murr_r1.is_none() {
            let (huge, file) = huge_file_mapped();
            report.line(format!(
                "libmurr's mapped segments during R1: {} of {} MB in 2 MiB pages \
                 (`FilePmdMapped` of `/proc/self/smaps_rollup`).\n",
                huge / 1024,
                file / 1024
            ));
            let i = times
                .iter()
                .position(|t| t.name.starts_with("libmurr"))
                .unwrap();
            murr_r1 = Some(times.swap_remove(i));
        }
    }
    murr_r1.unwrap()
}

/// Opens made and timed per system.
const OPENS: usize = 10;

/// O1: `Db::open` (and RocksDB's `DB::open`) of the closed table, then the first R1 answer,
/// `OPENS` times each, taking turns. Returns libmurr's median open and open + first answer
/// (ms). The peers are closed on return.
fn o1(
    murr_dir: &Path,
    rocks_dir: Option<&Path>,
    n: u64,
    report: &mut Report,
    peers: Option<Peers>,
) -> (f64, f64) {
    let spec = FEATURES;
    drop(peers);
    // The table was just written: without a sync, the opens' own fsyncs (a new log, the
    // directory) would wait for the writeback of those hundreds of MB, not measure an open.
    let _ = std::process::Command::new("sync").status();
    let cols: Vec<usize> = (0..spec.width()).collect();
    let queries: Vec<Query> = Queries::new(n, None, cols, spec.columns())
        .take(OPENS)
        .collect();
    let systems = if rocks_dir.is_some() { 2 } else { 1 };
    let mut open = vec![Vec::new(); systems];
    let mut first = vec![Vec::new(); systems];
    eprintln!("O1 ...");
    for (i, q) in queries.iter().enumerate() {
        for turn in 0..systems {
            let s = (i + turn) % systems;
            let t0 = Instant::now();
            let (opened, answer, answered) = if s == 0 {
                let db = Db::open(murr_dir, murr_options()).unwrap();
                let opened = t0.elapsed();
                let answer = read_murr(&db, spec.table, q);
                let answered = t0.elapsed();
                db.close().unwrap();
                (opened, answer, answered)
            } else {
                let dir = rocks_dir.unwrap();
                let db = open_rocks(dir, &spec, n);
                let opened = t0.elapsed();
                let answer = read_rocks(&db, &spec, q);
                (opened, answer, t0.elapsed())
            };
            answer.check(q, &value);
            open[s].push(opened.as_secs_f64() * 1e3);
            first[s].push(answered.as_secs_f64() * 1e3);
        }
    }
    report.line(format!(
        "\n#### O1: open of the closed table ({n} rows) to the first R1 answer, median of {OPENS}\n"
    ));
    report.line("| system | open ms | open + first R1 ms | max ms |");
    report.line("|---|---:|---:|---:|");
    let names = [
        "**libmurr** `Db::open` + `Db::read`",
        "RocksDB `DB::open` + `batched_multi_get`",
    ];
    for s in 0..systems {
        report.line(format!(
            "| {} | {:.3} | {:.3} | {:.3} |",
            names[s],
            percentile(&open[s], 0.5),
            percentile(&first[s], 0.5),
            percentile(&first[s], 1.0)
        ));
    }
    (percentile(&open[0], 0.5), percentile(&first[0], 0.5))
}

/// M1: each system's memory while serving R1 (a child process each; Redis's server).
fn m1(
    murr_dir: &Path,
    rocks_dir: Option<&Path>,
    n: u64,
    murr_disk: u64,
    rocks_disk: u64,
    report: &mut Report,
) {
    eprintln!("M1 ...");
    let key_bytes: u64 = [n / 2, n - 1]
        .iter()
        .map(|&i| workload::key(i).len() as u64)
        .sum::<u64>()
        / 2;
    let mut rows: Vec<(String, Memory, String)> = vec![(
        "**libmurr** (mmap)".to_owned(),
        m1::measure("murr", murr_dir, n).0,
        format!("{:.1}", murr_disk as f64 / n as f64),
    )];
    if let Some(rocks_dir) = rocks_dir {
        rows.push((
            "baseline: prefetched hash + row-major".to_owned(),
            m1::measure("prefetched", murr_dir, n).0,
            "-".to_owned(),
        ));
        rows.push((
            "FxHashMap + Vec columns".to_owned(),
            m1::measure("plain", murr_dir, n).0,
            "-".to_owned(),
        ));
        let (rocks, cache) = m1::measure("rocks", rocks_dir, n);
        rows.push((
            format!("RocksDB (block cache holds {:.0} MB)", cache as f64 / 1e6),
            rocks,
            format!("{:.1}", rocks_disk as f64 / n as f64),
        ));
        if let Ok(pid) = std::env::var("MURR_REDIS_PID") {
            let used = redis::Conn::connect(&redis_addr())
                .and_then(|mut c| c.used_memory())
                .unwrap_or(0);
            rows.push((
                format!(
                    "Redis server (packed rows and hashes; used_memory {:.0} MB)",
                    used as f64 / 1e6
                ),
                memory(&pid),
                "- (memory only)".to_owned(),
            ));
        }
    }
    report.line(format!(
        "\n#### M1: memory while serving R1 ({n} rows; raw data {:.0} bytes/row: 40 of values + ~{key_bytes} of key)\n",
        40 + key_bytes
    ));
    report
        .line("| system | peak RSS MB | RSS MB | anonymous MB | file-backed MB | disk bytes/row |");
    report.line("|---|---:|---:|---:|---:|---:|");
    for (name, m, disk) in rows {
        let mb = |kib: u64| kib as f64 / 1024.0;
        report.line(format!(
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {disk} |",
            mb(m.peak),
            mb(m.rss),
            mb(m.anon),
            mb(m.file)
        ));
    }
}
