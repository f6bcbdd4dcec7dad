//! M1: the memory of each system while it serves R1, each measured in a process of its
//! own (a child of the suite: `--child SYSTEM DIR`) that opens (libmurr, RocksDB) or builds
//! (the baselines) the canonical table, serves `SERVE` R1 batches and reports its memory;
//! Redis's from its server process. RocksDB's child also reports its block cache's usage.

use std::path::Path;
use std::process::Command;

use crate::data::{FEATURES, value};
use crate::proc::{Memory, memory};
use crate::query::{Answer, Queries};
use crate::systems::*;

/// R1 batches a child serves before it reports.
const SERVE: usize = 500;

/// Runs in the child: opens or builds `system` over the table in `dir` of `rows` rows,
/// serves R1, prints `M1 peak rss anon file` (KiB).
pub fn child(system: &str, dir: &Path, rows: u64) {
    let spec = FEATURES;
    let cols: Vec<usize> = (0..spec.width()).collect();
    let queries = Queries::new(rows, None, cols, spec.columns());
    let mut read: Box<dyn FnMut(&crate::query::Query) -> Answer> = match system {
        "murr" => {
            let db = murr_core::db::Db::open(dir, murr_options()).unwrap();
            db.verify().unwrap();
            Box::new(move |q| read_murr(&db, spec.table, q))
        }
        "rocks" => {
            let db = open_rocks(dir, &spec, rows);
            for q in queries.take(SERVE) {
                read_rocks(&db, &spec, &q).check(&q, &value);
            }
            let cache = db
                .property_int_value("rocksdb.block-cache-usage")
                .ok()
                .flatten()
                .unwrap_or(0);
            print(cache);
            return;
        }
        "prefetched" => {
            let (p, _) = build_prefetched(&spec, rows);
            Box::new(move |q| read_prefetched(&p, &spec, q))
        }
        "plain" => {
            let (p, _) = build_plain(&spec, rows);
            Box::new(move |q| read_plain(&p, q))
        }
        other => panic!("unknown system {other}"),
    };
    for q in queries.take(SERVE) {
        read(&q).check(&q, &value);
    }
    print(0);
}

/// Prints this process's memory and `extra` (RocksDB: its block cache's usage in bytes).
fn print(extra: u64) {
    let m = memory("self");
    println!("M1 {} {} {} {} {extra}", m.peak, m.rss, m.anon, m.file);
}

/// Runs `system` in a child process over `dir`, returns the memory it reported and its
/// extra figure.
pub fn measure(system: &str, dir: &Path, rows: u64) -> (Memory, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--rows", &rows.to_string(), "--child", system])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "M1 child {system} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("M1 "))
        .expect("M1 line");
    let v: Vec<u64> = line.split(' ').map(|x| x.parse().unwrap()).collect();
    let m = Memory {
        peak: v[0],
        rss: v[1],
        anon: v[2],
        file: v[3],
    };
    (m, v[4])
}
