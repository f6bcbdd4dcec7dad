//! Compaction: merging two 1M-row segments of the workload's 10 x float32 table.
//!
//! `cargo bench -p murr-core --bench merge -- [--rows N] [--overlap F] [--chunk R] [--target MiB] [--runs K]`
//!
//! The newer input holds rows `(1 - F) * N .. (2 - F) * N` (default F = 0.5: half its keys
//! replace older rows), the older one rows `0 .. N`; both are files opened by memory map.
//! Reported per run: wall time (including writing and fsyncing the outputs), input rows/s
//! and output rows/s; then the best run, and the time of the segment writer alone writing
//! as many rows (generated in memory), the floor of the merge.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use murr_core::compact::{MergeInput, MergeOptions, merge};
use murr_core::segment::{Segment, SegmentWriter};
use murr_workload as workload;

const COLUMNS: usize = 10;

struct Args {
    rows: u64,
    overlap: f64,
    chunk: usize,
    target_mib: usize,
    runs: usize,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        overlap: 0.5,
        chunk: MergeOptions::default().chunk_rows,
        target_mib: 64,
        runs: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match arg.as_str() {
            "--rows" => a.rows = value().parse().expect("--rows N"),
            "--overlap" => a.overlap = value().parse().expect("--overlap F"),
            "--chunk" => a.chunk = value().parse().expect("--chunk R"),
            "--target" => a.target_mib = value().parse().expect("--target MiB"),
            "--runs" => a.runs = value().parse().expect("--runs K"),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn write_segment(first: u64, rows: u64, path: &Path) -> Segment {
    let mut w = SegmentWriter::new(workload::schema(COLUMNS), "key").unwrap();
    let mut start = first;
    while start < first + rows {
        let len = (first + rows - start).min(100_000) as usize;
        w.push(&workload::batch(start, len, COLUMNS).unwrap())
            .unwrap();
        start += len as u64;
    }
    w.finish_to_file(path).unwrap();
    Segment::open(path).unwrap()
}

fn main() {
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let shift = ((1.0 - a.overlap) * a.rows as f64) as u64;
    let older = write_segment(0, a.rows, &dir.path().join("older"));
    let newer = write_segment(shift, a.rows, &dir.path().join("newer"));
    let inputs = [
        MergeInput {
            segment: &newer,
            deleted: None,
        },
        MergeInput {
            segment: &older,
            deleted: None,
        },
    ];
    let options = MergeOptions {
        target_segment_bytes: a.target_mib << 20,
        chunk_rows: a.chunk,
        drop_tombstones: true,
        split_before: Vec::new(),
    };
    println!(
        "merge: 2 x {} rows of {COLUMNS} x float32, overlap {}, chunk {} rows, target {} MiB",
        a.rows, a.overlap, a.chunk, a.target_mib
    );
    let mut best = f64::MAX;
    for run in 0..a.runs {
        let out = dir.path().join(format!("run{run}"));
        std::fs::create_dir(&out).unwrap();
        let mut n = 0;
        let t = Instant::now();
        let outputs = merge(&inputs, workload::schema(COLUMNS), "key", &options, || {
            n += 1;
            Ok(out.join(format!("{n}.seg")))
        })
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        best = best.min(secs);
        let rows: u64 = outputs.iter().map(|o| o.info.rows).sum();
        let bytes: u64 = outputs.iter().map(|o| o.info.bytes).sum();
        println!(
            "run {run}: {:.3} s, {:.2} M input rows/s, {:.2} M output rows/s ({rows} rows, {} files, {:.1} MiB)",
            secs,
            2.0 * a.rows as f64 / secs / 1e6,
            rows as f64 / secs / 1e6,
            outputs.len(),
            bytes as f64 / (1 << 20) as f64
        );
        std::fs::remove_dir_all(&out).unwrap();
    }
    println!(
        "best: {best:.3} s, {:.2} M input rows/s",
        2.0 * a.rows as f64 / best / 1e6
    );
    // The floor the segment writer sets: writing the merged rows, already in memory.
    let rows = a.rows + shift;
    let t = Instant::now();
    write_segment(0, rows, &dir.path().join("floor"));
    let secs = t.elapsed().as_secs_f64();
    println!(
        "writer alone ({rows} rows generated in memory, written to one file): {secs:.3} s, {:.2} M rows/s",
        rows as f64 / secs / 1e6
    );
}
