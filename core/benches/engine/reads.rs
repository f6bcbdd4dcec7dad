//! R1 (flushed, and against the bare segment), R1mem (half in the memtable) and R4
//! (2 readers, with and without a writer).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::segment::Segment;
use murr_workload as workload;

use crate::fixture::{ONE_FLUSH, create, options, segment_files, write_rows};
use crate::phases::{Sides, alternate};
use crate::{
    KEYS, KeyBatches, Reader, TABLE, WARMUP, WIDTH, check, columns, interleave, percentile,
    print_reads,
};

/// A reader of `db`.
fn db_reader<'a>(db: &'a Db, cols: &'a [&'a str]) -> Reader<'a> {
    Box::new(move |keys: &StringArray| db.read(TABLE, keys, cols).unwrap())
}

/// A reader of `segment`.
fn segment_reader<'a>(segment: &'a Segment, cols: &'a [&'a str]) -> Reader<'a> {
    Box::new(move |keys: &StringArray| segment.get(keys, cols).unwrap())
}

/// A copy of the one segment file of the flushed database, opened on its own. A copy, not
/// the file itself: two maps of one file share physical pages, so whichever system read a
/// batch's keys second would find the first one's cache lines (measured: the bare segment
/// looked 1.4x faster than `Db::read` of the same file, and ran level with it on a copy).
fn bare_segment(db: &Db) -> Segment {
    let files = segment_files(db.path());
    assert_eq!(files.len(), 1);
    let copy = files[0].with_extension("bare");
    std::fs::copy(&files[0], &copy).unwrap();
    Segment::open(&copy).unwrap()
}

/// R1 on the flushed database, on its segment file opened bare, and on a database
/// loaded under the default memtable limit (as many segments as flushes; no compaction).
pub fn r1(flushed: &Db, keys: &KeyBatches, rows: u64, dir: &Path) {
    let segment = bare_segment(flushed);
    eprintln!("R1: loading {rows} rows under the default memtable limit ...");
    let default_dir = dir.join("r1-default");
    let default = create(
        &default_dir,
        options(SyncPolicy::Never, Options::default().memtable_bytes),
    );
    write_rows(&default, 0..rows);
    default.flush().unwrap();
    let segments = segment_files(&default_dir).len();

    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems = [
        db_reader(flushed, &cols),
        segment_reader(&segment, &cols),
        db_reader(&default, &cols),
    ];
    let labels = [
        "libmurr Db::read (one segment)".to_owned(),
        "bare Segment::get (a copy of the same file, mmap)".to_owned(),
        format!("libmurr Db::read (default 256 MiB memtable limit: {segments} segments)"),
    ];
    eprintln!("R1: reading ...");
    let times = interleave(&systems, keys);
    println!(
        "\n### R1: {rows} rows, 1000 random keys x {WIDTH} columns, {} batches\n",
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 1, "bare segment");
    drop(systems);
    default.close().unwrap();
    drop(default);
}

/// R1 with rows `0..rows/2` flushed and `rows/2..rows` written after the flush (in the
/// memtable), against the flushed database and its bare segment.
pub fn r1mem(flushed: &Db, keys: &KeyBatches, rows: u64, dir: &Path) {
    let segment = bare_segment(flushed);
    eprintln!("R1mem: loading {rows} rows, half flushed, half in the memtable ...");
    let half_dir = dir.join("r1mem");
    let half = create(&half_dir, options(SyncPolicy::Never, ONE_FLUSH));
    write_rows(&half, 0..rows / 2);
    half.flush().unwrap();
    write_rows(&half, rows / 2..rows);
    assert_eq!(segment_files(&half_dir).len(), 1);

    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems = [
        db_reader(&half, &cols),
        db_reader(flushed, &cols),
        segment_reader(&segment, &cols),
    ];
    let labels = [
        "libmurr Db::read (half memtable, half segment)".to_owned(),
        "libmurr Db::read (all in one segment)".to_owned(),
        "bare Segment::get (all rows: a copy of that file, mmap)".to_owned(),
    ];
    eprintln!("R1mem: reading ...");
    let times = interleave(&systems, keys);
    println!(
        "\n### R1mem: {rows} rows ({} in a segment, {} in the memtable), 1000 random keys x \
         {WIDTH} columns, {} batches\n",
        rows / 2,
        rows - rows / 2,
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 2, "bare segment");
    drop(systems);
    half.close().unwrap();
    drop(half);
}

/// Rows per upsert of the R4 writer.
const UPSERT_ROWS: usize = 10_000;
/// Distinct upsert batches the writer cycles through.
const UPSERT_BATCHES: usize = 100;
/// Batches each reader reads per phase.
const PHASE: usize = 250;
/// Reader threads.
const READERS: usize = 2;

/// `UPSERT_ROWS` uniformly random existing rows (seed `seed`) with their canonical values,
/// so reads of them still check.
fn upsert_batch(rows: u64, seed: u64) -> RecordBatch {
    let picked: Vec<u64> = workload::random_rows(seed, rows)
        .take(UPSERT_ROWS)
        .collect();
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
        picked.iter().map(|&i| workload::key(i)),
    ))];
    for c in 0..WIDTH {
        arrays.push(Arc::new(Float32Array::from_iter_values(
            picked.iter().map(|&i| workload::value(i, c)),
        )));
    }
    RecordBatch::try_new(workload::schema(WIDTH), arrays).unwrap()
}

/// Each of the `READERS` threads reads `count` key batches from `next` on (each its own);
/// returns every read's time in microseconds and the phase's wall time.
fn read_phase(db: &Db, keys: &KeyBatches, next: usize, count: usize) -> (Vec<f64>, Duration) {
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let t0 = Instant::now();
    let times = std::thread::scope(|s| {
        let handles: Vec<_> = (0..READERS)
            .map(|t| {
                let cols = &cols;
                s.spawn(move || {
                    let mut times = Vec::with_capacity(count);
                    for j in 0..count {
                        let b = (next + t * count + j) % keys.len();
                        let r0 = Instant::now();
                        let answer = db.read(TABLE, &keys.arrays[b], cols).unwrap();
                        times.push(r0.elapsed().as_secs_f64() * 1e6);
                        check(&keys.rows[b], &answer);
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
}

/// R4: reopens `db` under the default memtable limit (so that the writer's upserts flush
/// as they would in service), then reads with `READERS` threads in phases of `PHASE`
/// batches per reader, alternately with a writer thread upserting 10,000-row batches
/// continuously and with it idle, until each side has `batches` batches per reader.
pub fn r4(db: Db, keys: &KeyBatches, rows: u64, batches: usize) {
    let dir = db.path().to_path_buf();
    db.close().unwrap();
    drop(db);
    let db = Db::open(
        &dir,
        options(SyncPolicy::Never, Options::default().memtable_bytes),
    )
    .unwrap();
    let segments_before = segment_files(&dir).len();
    let upserts: Vec<RecordBatch> = (0..UPSERT_BATCHES as u64)
        .map(|i| upsert_batch(rows, 1000 + i))
        .collect();
    let rounds = batches.div_ceil(PHASE);
    eprintln!("R4: {rounds} rounds of {READERS} readers x {PHASE} batches, writer off then on ...");
    read_phase(&db, keys, 0, WARMUP / READERS);
    let Sides {
        times,
        wall,
        written: upserted,
    } = alternate(
        &|i| {
            db.write(TABLE, &upserts[i % upserts.len()])
                .map(drop)
                .unwrap()
        },
        UPSERT_ROWS as u64,
        rounds,
        WARMUP,
        READERS * PHASE,
        &|next| read_phase(&db, keys, next, PHASE),
    );
    let segments_after = segment_files(&dir).len();
    println!(
        "\n### R4: {rows} rows, R1 on {READERS} reader threads, with and without 1 writer \
         upserting {UPSERT_ROWS}-row batches (sync never, default memtable limit; \
         {} rounds of {PHASE} batches per reader per side)\n",
        rounds
    );
    println!(
        "| writer | reads | median us | p99 us | max us | read Mkeys/s (all readers) | writer rows/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (on, label) in ["idle", "upserting"].iter().enumerate() {
        let t = &times[on];
        let rate = if on == 1 {
            format!("{:.0}", upserted as f64 / wall[1].as_secs_f64())
        } else {
            "-".to_owned()
        };
        println!(
            "| {label} | {} | {:.1} | {:.1} | {:.1} | {:.2} | {rate} |",
            t.len(),
            percentile(t, 0.5),
            percentile(t, 0.99),
            percentile(t, 1.0),
            (t.len() * KEYS) as f64 / wall[on].as_secs_f64() / 1e6,
        );
    }
    println!(
        "\nread p99 with the writer / without: {:.2}x; median: {:.2}x. The writer upserted \
         {upserted} rows; segments {segments_before} -> {segments_after} (flushes during the \
         run).",
        percentile(&times[1], 0.99) / percentile(&times[0], 0.99),
        percentile(&times[1], 0.5) / percentile(&times[0], 0.5),
    );
    db.close().unwrap();
}
