//! R1, R2 and R5 of docs/WORKLOAD.md on a single segment, against the in-memory baselines,
//! in one run.
//!
//! `cargo bench -p murr-core --bench segment_read -- [--rows N] [--batches B] [--only r1|r2|r5|open]`
//!
//! Every system reads the same key batches; within a batch round the systems take turns, so
//! that machine noise falls on all of them alike. Reported: median and p99 per batch of 1000
//! keys, Mkeys/s, and the ratio to the prefetched baseline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// Shared with the suite (core/benches/suite), which uses parts this bench does not.
#[allow(dead_code)]
mod baseline;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::StringArray;
use murr_core::segment::{Segment, SegmentWriter};
use murr_workload as workload;

struct Args {
    rows: u64,
    batches: usize,
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        rows: 1_000_000,
        batches: 2000,
        only: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => a.rows = it.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--batches" => a.batches = it.next().and_then(|v| v.parse().ok()).expect("--batches N"),
            "--only" => a.only = it.next(),
            _ => {} // cargo bench passes --bench
        }
    }
    a
}

fn write_segment(rows: u64, width: usize, path: &std::path::Path) -> Segment {
    let mut w = SegmentWriter::new(workload::schema(width), "key").unwrap();
    let mut start = 0;
    while start < rows {
        let len = (rows - start).min(100_000) as usize;
        w.push(&workload::batch(start, len, width).unwrap())
            .unwrap();
        start += len as u64;
    }
    w.finish_to_file(path).unwrap();
    Segment::open(path).unwrap()
}

/// The `p` quantile (0..=1) of `times`, by nearest rank.
fn percentile(times: &[f64], p: f64) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    t[((t.len() - 1) as f64 * p).round() as usize]
}

fn run(
    title: &str,
    rows: u64,
    width: usize,
    asked: &[usize],
    batches: usize,
    dir: &std::path::Path,
) {
    eprintln!("{title}: building {rows} rows x {width} float32 ...");
    let path = dir.join(format!("bench-{rows}-{width}.seg"));
    let mapped = write_segment(rows, width, &path);
    let in_memory = Segment::from_bytes(std::fs::read(&path).unwrap(), "memory").unwrap();
    in_memory.verify().unwrap();
    let huge = Segment::load(&path).unwrap();
    let pre = baseline::Prefetched::build(rows, width, true, workload::key, workload::value);
    let pre_cols = baseline::Prefetched::build(rows, width, false, workload::key, workload::value);
    let plain = baseline::PlainMap::build(rows, width, workload::key, workload::value);
    let names: Vec<String> = asked.iter().map(|c| format!("f{c}")).collect();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let col_idx: Vec<usize> = asked.to_vec();

    let warmup = 200;
    let mut rng = workload::random_rows(42, rows);
    let key_batches: Vec<Vec<String>> = (0..warmup + batches)
        .map(|_| {
            (0..1000)
                .map(|_| workload::key(rng.next().unwrap()))
                .collect()
        })
        .collect();
    let arrays: Vec<Arc<StringArray>> = key_batches
        .iter()
        .map(|b| Arc::new(StringArray::from_iter_values(b)))
        .collect();

    let systems = [
        "baseline: prefetched hash + row-major",
        "libmurr segment (mmap, pages checked lazily)",
        "libmurr segment (heap Vec, verify() at open)",
        "baseline: FxHashMap + Vec columns",
        "baseline: prefetched hash + one array per column",
        "libmurr segment (Segment::load: huge-page memory, verified)",
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); systems.len()];
    for (b, keys) in key_batches.iter().enumerate() {
        let strs: Vec<&str> = keys.iter().map(String::as_str).collect();
        for turn in 0..systems.len() {
            let s = (b + turn) % systems.len();
            let t0 = Instant::now();
            match s {
                0 => drop(black_box(pre.get(&strs, &col_idx))),
                1 => {
                    let (batch, found) = mapped.get(arrays[b].as_ref(), &cols).unwrap();
                    assert!(found.iter().all(|&f| f));
                    black_box(batch);
                }
                2 => drop(black_box(in_memory.get(arrays[b].as_ref(), &cols).unwrap())),
                3 => drop(black_box(plain.get(&strs, &col_idx))),
                5 => drop(black_box(huge.get(arrays[b].as_ref(), &cols).unwrap())),
                _ => drop(black_box(pre_cols.get(&strs, &col_idx))),
            }
            let us = t0.elapsed().as_secs_f64() * 1e6;
            if b >= warmup {
                times[s].push(us);
            }
        }
    }
    let base = percentile(&times[0], 0.5);
    println!(
        "\n### {title}: {rows} rows x {width} float32, 1000 random keys x {} columns, {batches} batches\n",
        asked.len()
    );
    println!("| system | median us | p99 us | Mkeys/s | median vs baseline |");
    println!("|---|---:|---:|---:|---:|");
    for (name, t) in systems.iter().zip(&times) {
        let med = percentile(t, 0.5);
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.2}x |",
            name,
            med,
            percentile(t, 0.99),
            1000.0 / med,
            med / base
        );
    }
    std::fs::remove_file(&path).ok();
}

/// Opening a segment (and answering one key) at growing sizes: the cost must not grow.
fn open_cost(max_rows: u64, dir: &std::path::Path) {
    println!("\n### Open: Segment::open (mmap) + first 1-key read, median of 200\n");
    println!("| rows | file MB | open us | open + first read us |");
    println!("|---:|---:|---:|---:|");
    let mut rows = 1_000;
    while rows <= max_rows {
        let path = dir.join(format!("open-{rows}.seg"));
        drop(write_segment(rows, 10, &path));
        let keys = StringArray::from(vec![workload::key(rows / 2)]);
        let mut open = Vec::new();
        let mut first = Vec::new();
        for _ in 0..200 {
            let t0 = Instant::now();
            let seg = Segment::open(&path).unwrap();
            open.push(t0.elapsed().as_secs_f64() * 1e6);
            let (_, found) = seg.get(&keys, &["f0"]).unwrap();
            first.push(t0.elapsed().as_secs_f64() * 1e6);
            assert_eq!(found, vec![true]);
        }
        let mb = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        println!(
            "| {rows} | {mb:.1} | {:.1} | {:.1} |",
            percentile(&open, 0.5),
            percentile(&first, 0.5)
        );
        std::fs::remove_file(&path).ok();
        rows *= 10;
    }
}

fn main() {
    let a = args();
    let dir = std::env::var_os("MURR_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")));
    std::fs::create_dir_all(&dir).unwrap();
    let only = |w: &str| a.only.as_deref().is_none_or(|o| o == w);
    if only("r1") {
        run(
            "R1",
            a.rows,
            10,
            &(0..10).collect::<Vec<_>>(),
            a.batches,
            &dir,
        );
    }
    if only("r2") {
        run("R2", a.rows, 10, &[0, 4, 9], a.batches, &dir);
    }
    if only("open") {
        open_cost(a.rows, &dir);
    }
    if only("r5") {
        run(
            "R5",
            1_000_000.min(a.rows),
            100,
            &(0..100).collect::<Vec<_>>(),
            a.batches,
            &dir,
        );
    }
}
