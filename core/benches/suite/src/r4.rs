//! R4: R1 on 2 reader threads, in alternating phases without and with a writer thread
//! upserting 10,000-row batches, for libmurr and RocksDB in turn.

use std::path::Path;
use std::time::{Duration, Instant};

use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;

use crate::Args;
use crate::data::{FEATURES, value};
use crate::measure::percentile;
use crate::phases::{Sides, alternate};
use crate::query::{Answer, Queries, Query};
use crate::report::Report;
use crate::systems::*;

/// Rows per upsert of the R4 writer.
const UPSERT_ROWS: usize = 10_000;
/// Distinct upsert batches the writer cycles through.
const UPSERT_BATCHES: u64 = 50;
/// Batches each reader reads per phase.
const PHASE: usize = 250;
/// Reader threads.
const READERS: usize = 2;

/// R4 for libmurr and RocksDB, each in turn.
pub fn r4(a: &Args, murr_dir: &Path, rocks_dir: &Path, report: &mut Report) {
    let spec = FEATURES;
    let n = a.rows;
    let cols: Vec<usize> = (0..spec.width()).collect();
    let queries: Vec<Query> = Queries::new(n, None, cols, spec.columns())
        .take(2 * READERS * PHASE)
        .collect();
    let picked: Vec<Vec<u64>> = (0..UPSERT_BATCHES)
        .map(|s| {
            workload::random_rows(1000 + s, n)
                .take(UPSERT_ROWS)
                .collect()
        })
        .collect();
    let rounds = (a.batches / (2 * PHASE)).max(1);
    report.line(format!(
        "\n#### R4: R1 on {READERS} reader threads, with and without 1 writer upserting {UPSERT_ROWS}-row batches, N = {n} ({rounds} rounds of {PHASE} batches per reader per side)\n"
    ));
    report.line("| system | writer | reads | median us | p99 us | max us | rows upserted/s | p99 with / without |");
    report.line("|---|---|---:|---:|---:|---:|---:|---:|");

    eprintln!("R4: libmurr ...");
    let db = Db::open(murr_dir, Options::default().with_sync(SyncPolicy::Never)).unwrap();
    let batches: Vec<_> = picked
        .iter()
        .map(|rows| spec.batch_of(rows, &value))
        .collect();
    let res = run_r4(
        &|q| read_murr(&db, spec.table, q),
        &|i| {
            db.write(spec.table, &batches[i % batches.len()]).unwrap();
        },
        &queries,
        rounds,
    );
    r4_rows(
        report,
        "**libmurr** (default options, 1 background thread)",
        &res,
    );
    db.close().unwrap();
    drop(db);

    eprintln!("R4: RocksDB ...");
    let rocks = open_rocks(rocks_dir, &spec, n);
    let packed: Vec<Vec<(String, Vec<u8>)>> = picked
        .iter()
        .map(|rows| {
            rows.iter()
                .map(|&i| (workload::key(i), spec.packed(i, &value)))
                .collect()
        })
        .collect();
    let res = run_r4(
        &|q| read_rocks(&rocks, &spec, q),
        &|i| {
            let mut wb = rocksdb::WriteBatch::default();
            for (k, v) in &packed[i % packed.len()] {
                wb.put(k.as_bytes(), v);
            }
            rocks.write(wb).unwrap();
        },
        &queries,
        rounds,
    );
    r4_rows(report, "RocksDB", &res);
}

fn run_r4(
    read: &(dyn Fn(&Query) -> Answer + Sync),
    write: &(dyn Fn(usize) + Sync),
    queries: &[Query],
    rounds: usize,
) -> Sides {
    let phase = |next: usize| -> (Vec<f64>, Duration) {
        let t0 = Instant::now();
        let times = std::thread::scope(|s| {
            let handles: Vec<_> = (0..READERS)
                .map(|t| {
                    s.spawn(move || {
                        let mut times = Vec::with_capacity(PHASE);
                        for j in 0..PHASE {
                            let q = &queries[(next + t * PHASE + j) % queries.len()];
                            let r0 = Instant::now();
                            let answer = read(q);
                            times.push(r0.elapsed().as_secs_f64() * 1e6);
                            answer.check(q, &value);
                        }
                        times
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        (times, t0.elapsed())
    };
    phase(0); // warm-up
    alternate(
        write,
        UPSERT_ROWS as u64,
        rounds,
        0,
        READERS * PHASE,
        &phase,
    )
}

fn r4_rows(report: &mut Report, name: &str, r: &Sides) {
    let ratio = percentile(&r.times[1], 0.99) / percentile(&r.times[0], 0.99);
    for (on, label) in ["idle", "upserting"].iter().enumerate() {
        let t = &r.times[on];
        let (rate, ratio) = if on == 1 {
            (
                format!("{:.0}", r.written as f64 / r.wall[1].as_secs_f64()),
                format!("{ratio:.2}x"),
            )
        } else {
            ("-".to_owned(), String::new())
        };
        report.line(format!(
            "| {name} | {label} | {} | {:.1} | {:.1} | {:.1} | {rate} | {ratio} |",
            t.len(),
            percentile(t, 0.5),
            percentile(t, 0.99),
            percentile(t, 1.0),
        ));
    }
}
