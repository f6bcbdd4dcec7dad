//! W1 (ingest, then flush) and O1 (open of a closed database to the first R1 answer).

use std::path::Path;
use std::time::{Duration, Instant};

use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::segment::Segment;

use crate::fixture::{ONE_FLUSH, create, dir_bytes, options, segment_files, write_rows};
use crate::{KeyBatches, TABLE, check, columns, percentile};

/// Ingests `rows` rows three ways, each into a fresh database: sync always and never
/// under a memtable limit the load fits in (one flush, at the end), and sync never under
/// the default limit (the writes flush on their own whenever the memtable is full).
pub fn w1(rows: u64, dir: &Path) {
    let default_limit = Options::default().memtable_bytes;
    let cases = [
        ("always", SyncPolicy::Always, ONE_FLUSH),
        ("never", SyncPolicy::Never, ONE_FLUSH),
        ("never", SyncPolicy::Never, default_limit),
    ];
    println!(
        "\n### W1: ingest of {rows} rows in 100,000-row batches through Db::write, then flush\n"
    );
    println!(
        "| sync | memtable limit | write s | rows/s | flush s | segments | files MB after flush |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (i, &(name, sync, limit)) in cases.iter().enumerate() {
        eprintln!("W1: sync {name}, memtable limit {} MiB ...", limit >> 20);
        let d = dir.join(format!("w1-{i}"));
        let db = create(&d, options(sync, limit));
        let write = write_rows(&db, 0..rows);
        let t0 = Instant::now();
        db.flush().unwrap();
        let flush = t0.elapsed();
        let segments = segment_files(&d).len();
        let bytes = dir_bytes(&d);
        db.close().unwrap();
        drop(db);
        let limit = if limit == default_limit {
            format!("{} MiB (default)", limit >> 20)
        } else {
            format!("{} GiB", limit >> 30)
        };
        println!(
            "| {name} | {limit} | {:.2} | {:.0} | {:.2} | {segments} | {:.1} |",
            write.as_secs_f64(),
            rows as f64 / write.as_secs_f64(),
            flush.as_secs_f64(),
            bytes as f64 / 1e6
        );
    }
}

/// Opens made and timed per system.
const OPENS: usize = 20;

/// Closes `db` (one flushed segment), then times, `OPENS` times each and taking turns,
/// `Db::open` + the first R1 read, and `Segment::open` of its segment file + the same
/// read. Returns the database opened again.
pub fn o1(db: Db, keys: &KeyBatches, rows: u64) -> Db {
    let dir = db.path().to_path_buf();
    let file = segment_files(&dir).pop().unwrap();
    db.close().unwrap();
    drop(db);
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut open = [Vec::new(), Vec::new()];
    let mut first = [Vec::new(), Vec::new()];
    for i in 0..OPENS {
        let (want, array) = (&keys.rows[i], &keys.arrays[i]);
        for turn in 0..2 {
            let s = (i + turn) % 2;
            let t0 = Instant::now();
            let (opened, answer, answered) = if s == 0 {
                let db = Db::open(&dir, options(SyncPolicy::Never, ONE_FLUSH)).unwrap();
                let opened = t0.elapsed();
                let answer = db.read(TABLE, array, &cols).unwrap();
                let answered = t0.elapsed();
                db.close().unwrap();
                (opened, answer, answered)
            } else {
                let segment = Segment::open(&file).unwrap();
                let opened = t0.elapsed();
                let answer = segment.get(array, &cols).unwrap();
                (opened, answer, t0.elapsed())
            };
            check(want, &answer);
            open[s].push(ms(opened));
            first[s].push(ms(answered));
        }
    }
    let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
    println!(
        "\n### O1: open of a closed database of {rows} rows ({mb:.1} MB segment) to the first \
         R1 answer, median of {OPENS}\n"
    );
    println!(
        "| system | open ms | open + first R1 ms | max open + first R1 ms | vs bare segment |"
    );
    println!("|---|---:|---:|---:|---:|");
    let base = percentile(&first[1], 0.5);
    let systems = [
        "libmurr Db::open + Db::read",
        "bare Segment::open (mmap) + Segment::get",
    ];
    for (s, name) in systems.iter().enumerate() {
        let median = percentile(&first[s], 0.5);
        println!(
            "| {name} | {:.3} | {median:.3} | {:.3} | {:.2}x |",
            percentile(&open[s], 0.5),
            percentile(&first[s], 1.0),
            median / base
        );
    }
    Db::open(&dir, options(SyncPolicy::Never, ONE_FLUSH)).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
