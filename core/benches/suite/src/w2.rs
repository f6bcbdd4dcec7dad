//! W2: upsert of 10% of the keys with new values, flush, compact, for libmurr and RocksDB.

use std::path::Path;
use std::time::{Duration, Instant};

use murr_core::db::Db;
use murr_workload as workload;

use crate::data::{FEATURES, upserted, value};
use crate::proc::{dir_bytes, written_bytes};
use crate::query::{Queries, Query};
use crate::report::Report;
use crate::systems::*;

/// W2: 10% of the keys (rows `i % 10 == 3`) upserted with new values in 100,000-row
/// batches, flushed, compacted; for libmurr and RocksDB in turn. Bytes written are the
/// process's `write_bytes` (every file: logs, tables, manifests).
pub fn w2(murr_dir: &Path, rocks_dir: &Path, n: u64, report: &mut Report) {
    let spec = FEATURES;
    let rows: Vec<u64> = (3..n).step_by(10).collect();
    let key_bytes: u64 = rows.iter().map(|&i| workload::key(i).len() as u64).sum();
    let upserted_bytes = key_bytes + rows.len() as u64 * 4 * spec.width() as u64;
    report.line(format!(
        "\n#### W2: upsert of 10% of the keys ({} rows, {:.1} MB of keys and values), flush, compact; N = {n}\n",
        rows.len(),
        upserted_bytes as f64 / 1e6
    ));
    report.line("| system | upsert s | flush s | compact s | MB written | written / upserted | disk MB before | disk MB after |");
    report.line("|---|---:|---:|---:|---:|---:|---:|---:|");
    let now_value = |i: u64, c: usize| {
        if i % 10 == 3 {
            upserted(i, c)
        } else {
            value(i, c)
        }
    };
    let cols: Vec<usize> = (0..spec.width()).collect();
    let check_q: Query = Queries::new(n, None, cols, spec.columns()).next().unwrap();

    eprintln!("W2: libmurr ...");
    let db = Db::open(murr_dir, murr_options()).unwrap();
    let before = dir_bytes(murr_dir);
    let w0 = written_bytes();
    let t = Instant::now();
    for chunk in rows.chunks(100_000) {
        db.write(spec.table, &spec.batch_of(chunk, &upserted))
            .unwrap();
    }
    let upsert = t.elapsed();
    let t = Instant::now();
    db.flush().unwrap();
    let flush = t.elapsed();
    let t = Instant::now();
    db.compact().unwrap();
    let compact = t.elapsed();
    let written = written_bytes() - w0;
    read_murr(&db, spec.table, &check_q).check(&check_q, &now_value);
    db.close().unwrap();
    drop(db);
    let after = dir_bytes(murr_dir);
    let label = match RUN_REWRITE_RATIO.get() {
        Some(r) => format!("**libmurr** (`Db::compact`, `run_rewrite_ratio` {r})"),
        None => "**libmurr** (`Db::compact`)".to_owned(),
    };
    w2_row(
        report,
        &label,
        [upsert, flush, compact],
        written,
        upserted_bytes,
        before,
        after,
    );

    eprintln!("W2: RocksDB ...");
    let rocks = open_rocks(rocks_dir, &spec, n);
    let before = dir_bytes(rocks_dir);
    let w0 = written_bytes();
    let t = Instant::now();
    for chunk in rows.chunks(100_000) {
        let mut wb = rocksdb::WriteBatch::default();
        for &i in chunk {
            wb.put(workload::key(i).as_bytes(), spec.packed(i, &upserted));
        }
        rocks.write(wb).unwrap();
    }
    let upsert = t.elapsed();
    let t = Instant::now();
    rocks.flush().unwrap();
    let flush = t.elapsed();
    let t = Instant::now();
    rocks.compact_range::<&[u8], &[u8]>(None, None);
    let compact = t.elapsed();
    let written = written_bytes() - w0;
    read_rocks(&rocks, &spec, &check_q).check(&check_q, &now_value);
    drop(rocks);
    let after = dir_bytes(rocks_dir);
    w2_row(
        report,
        "RocksDB (`compact_range`)",
        [upsert, flush, compact],
        written,
        upserted_bytes,
        before,
        after,
    );
}

fn w2_row(
    report: &mut Report,
    name: &str,
    t: [Duration; 3],
    written: u64,
    upserted: u64,
    before: u64,
    after: u64,
) {
    report.line(format!(
        "| {name} | {:.2} | {:.2} | {:.2} | {:.1} | {:.1} | {:.1} | {:.1} |",
        t[0].as_secs_f64(),
        t[1].as_secs_f64(),
        t[2].as_secs_f64(),
        written as f64 / 1e6,
        written as f64 / upserted as f64,
        before as f64 / 1e6,
        after as f64 / 1e6
    ));
}
