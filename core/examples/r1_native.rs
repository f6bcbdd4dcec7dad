//! R1 (`BENCHMARKS.md`: 1000 random keys x the 10 float32 columns) on one segment held in
//! memory (`Segment::from_bytes`, the way the WASM reader holds it), natively: the Rust side
//! of `wasm/bench/r1.mjs`, which runs it and the same read in Node in one go.
//!
//! ```text
//! cargo run --release -p murr-core --example r1_native -- --path /tmp/r1.murr [--rows 1000000] [--batches 2000] [--warmup 200]
//! ```
//!
//! Writes the workload table (`docs/WORKLOAD.md`) to `--path` unless a file is there, then times
//! `Segment::get` per batch (the keys built outside the timing; seed 42, as the Node side) and
//! prints one JSON line: `{"system", "rows", "batches", "median_us", "p99_us"}`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use arrow_array::StringArray;
use murr_core::segment::{Segment, SegmentWriter};
use murr_workload as workload;

const COLUMNS: usize = 10;
const KEYS: usize = 1000;

fn main() {
    let (mut path, mut rows, mut batches, mut warmup) = (None, 1_000_000u64, 2000usize, 200usize);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--path" => path = Some(PathBuf::from(value())),
            "--rows" => rows = value().parse().expect("--rows N"),
            "--batches" => batches = value().parse().expect("--batches N"),
            "--warmup" => warmup = value().parse().expect("--warmup N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let path = path.expect("--path FILE");
    if !path.exists() {
        let mut w = SegmentWriter::new(workload::schema(COLUMNS), "key").unwrap();
        let mut start = 0;
        while start < rows {
            let len = (rows - start).min(100_000) as usize;
            w.push(&workload::batch(start, len, COLUMNS).unwrap())
                .unwrap();
            start += len as u64;
        }
        w.finish_to_file(&path).unwrap();
    }
    let segment = Segment::from_bytes(std::fs::read(&path).unwrap(), "r1").unwrap();
    segment.verify().unwrap();
    assert_eq!(
        segment.row_count(),
        rows,
        "{} holds another row count",
        path.display()
    );

    let columns: Vec<String> = (0..COLUMNS).map(|c| format!("f{c}")).collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut random = workload::random_rows(42, rows);
    let mut times = Vec::with_capacity(batches);
    for b in 0..warmup + batches {
        let keys = StringArray::from_iter_values((&mut random).take(KEYS).map(workload::key));
        let t = Instant::now();
        let (batch, found) = segment.get(&keys, &columns).unwrap();
        black_box((&batch, &found));
        drop((batch, found));
        let us = t.elapsed().as_secs_f64() * 1e6;
        if b >= warmup {
            times.push(us);
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{{\"system\":\"rust native, Segment::from_bytes + get\",\"rows\":{rows},\"batches\":{batches},\"median_us\":{:.1},\"p99_us\":{:.1}}}",
        at(0.5),
        at(0.99)
    );
}
