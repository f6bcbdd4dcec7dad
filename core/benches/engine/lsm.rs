//! W2 (upsert 10% of the keys, then compaction) and R1 around compaction: before it, after
//! it, and after many small flushes with background compaction.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use murr_core::db::{Db, Options, SyncPolicy, TableStats};
use murr_workload as workload;

use crate::fixture::{ONE_FLUSH, create, dir_bytes};
use crate::{
    KeyBatches, LOAD_BATCH, Reader, TABLE, WARMUP, WIDTH, columns, interleave_with, print_reads,
};

/// Whether row `i` is one of the upserted 10%.
pub fn upserted(i: u64) -> bool {
    i % 10 == 3
}

/// The value of row `i`, column `c` after the upsert.
pub fn value_after(i: u64, c: usize) -> f32 {
    if upserted(i) {
        -workload::value(i, c) - 1.0
    } else {
        workload::value(i, c)
    }
}

/// Upserts every row `i < rows` with `i % 10 == 3` (new values: [`value_after`]) in
/// 100,000-row batches; returns the time inside `Db::write`.
pub fn upsert(db: &Db, rows: u64) -> Duration {
    let picked: Vec<u64> = (0..rows).filter(|&i| upserted(i)).collect();
    let mut spent = Duration::ZERO;
    for chunk in picked.chunks(LOAD_BATCH) {
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
            chunk.iter().map(|&i| workload::key(i)),
        ))];
        for c in 0..WIDTH {
            arrays.push(Arc::new(Float32Array::from_iter_values(
                chunk.iter().map(|&i| value_after(i, c)),
            )));
        }
        let batch = RecordBatch::try_new(workload::schema(WIDTH), arrays).unwrap();
        let t0 = Instant::now();
        db.write(TABLE, &batch).unwrap();
        spent += t0.elapsed();
    }
    spent
}

/// The process's anonymous resident memory (heap, not the page cache or mapped files),
/// in bytes, from /proc/self/status.
pub fn anon_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Runs `f`, sampling anonymous RSS every 2 ms; returns its time and the peak growth of
/// anonymous RSS over the level before it.
pub fn with_peak_anon(f: impl FnOnce()) -> (Duration, u64) {
    let before = anon_rss();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(anon_rss(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let t0 = Instant::now();
    f();
    let spent = t0.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    peak.fetch_max(anon_rss(), Ordering::Relaxed);
    (spent, peak.load(Ordering::Relaxed).saturating_sub(before))
}

/// The process's peak resident memory (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Compacts the database in `dir` in a new process of this bench (`--compact-child`);
/// returns its peak anonymous RSS, its peak RSS and the seconds of open + compact.
fn compact_in_child(dir: &Path, target: usize, ratio: Option<u32>) -> (u64, u64, f64) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--compact-child")
        .arg(dir)
        .arg(target.to_string())
        .arg(ratio.map_or_else(|| "none".to_owned(), |r| r.to_string()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<&str> = text.split_whitespace().collect();
    (
        v[0].parse().unwrap(),
        v[1].parse().unwrap(),
        v[2].parse().unwrap(),
    )
}

/// The child of [`compact_in_child`]: opens `dir`, compacts with output segments of
/// `target` bytes (and run rewrite ratio `ratio`), prints peak anonymous RSS, peak RSS and
/// seconds.
pub fn compact_child(dir: &Path, target: usize, ratio: Option<u32>) {
    let options = Options::default()
        .with_run_rewrite_ratio(ratio)
        .with_sync(SyncPolicy::Never)
        .with_background_threads(0)
        .with_target_segment_bytes(target);
    let t0 = Instant::now();
    let (anon, hwm) = {
        let mut db = None;
        let (_, anon) = with_peak_anon(|| {
            let d = Db::open(dir, options).unwrap();
            d.compact().unwrap();
            db = Some(d);
        });
        (anon, peak_rss())
    };
    println!("{anon} {hwm} {}", t0.elapsed().as_secs_f64());
}

/// Copies the files of directory `from` into a new directory `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() != "LOCK" {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn stats_line(s: &TableStats) -> String {
    format!(
        "{} level-0 + {} run segments, {} rows ({} marked deleted), {:.1} MB",
        s.level0_segments,
        s.run_segments,
        s.segment_rows,
        s.deleted_rows,
        s.segment_bytes as f64 / 1e6
    )
}

fn mb(b: u64) -> String {
    format!("{:.1}", b as f64 / 1e6)
}

/// Loads `rows` rows and the upsert into a new database in `dir` through flushes of a
/// `memtable`-byte memtable with a background thread (idle compaction after `idle`),
/// flushes, and waits until the workers are done (level 0 below the trigger, or empty with
/// idle compaction). Returns it, its stats and the time taken.
fn small_flushes(
    dir: &Path,
    rows: u64,
    memtable: usize,
    idle: Option<Duration>,
) -> (Db, TableStats, Duration) {
    eprintln!(
        "W2: loading {rows} rows through {} MiB flushes, idle compaction {idle:?} ...",
        memtable >> 20
    );
    let options = Options::default()
        .with_sync(SyncPolicy::Never)
        .with_memtable_bytes(memtable)
        .with_idle_compaction_after(idle);
    let trigger = options.l0_compaction_trigger;
    let db = create(dir, options);
    let t0 = Instant::now();
    crate::fixture::write_rows(&db, 0..rows);
    upsert(&db, rows);
    db.flush().unwrap();
    let settled = |s: &TableStats| match idle {
        None => s.level0_segments < trigger,
        Some(_) => s.level0_segments == 0,
    };
    while !settled(&db.table_stats(TABLE).unwrap()) && t0.elapsed() < Duration::from_secs(900) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let spent = t0.elapsed();
    let stats = db.table_stats(TABLE).unwrap();
    (db, stats, spent)
}

/// A reader of `db`.
fn reader<'a>(db: &'a Db, cols: &'a [&'a str]) -> Reader<'a> {
    Box::new(move |k: &StringArray| db.read(TABLE, k, cols).unwrap())
}

/// W2, then R1 on the compacted table, the same table before the compaction (a copy of
/// its files), and a table loaded through many small flushes with background compaction.
pub fn w2(rows: u64, keys: &KeyBatches, dir: &Path, target_mib: Option<usize>, ratio: Option<u32>) {
    let mut manual = Options::default()
        .with_run_rewrite_ratio(ratio)
        .with_sync(SyncPolicy::Never)
        .with_memtable_bytes(ONE_FLUSH)
        .with_background_threads(0);
    if let Some(t) = target_mib {
        manual = manual.with_target_segment_bytes(t << 20);
    }
    let target = manual.target_segment_bytes;

    eprintln!("W2: loading {rows} rows, compacting ...");
    let a_dir = dir.join("w2");
    let db = create(&a_dir, manual.clone());
    crate::fixture::write_rows(&db, 0..rows);
    db.compact().unwrap();
    let stats0 = db.table_stats(TABLE).unwrap();
    let disk0 = dir_bytes(&a_dir);

    eprintln!("W2: upserting 10% of the keys ...");
    let write = upsert(&db, rows);
    let t0 = Instant::now();
    db.flush().unwrap();
    let flush = t0.elapsed();
    let stats1 = db.table_stats(TABLE).unwrap();
    let disk1 = dir_bytes(&a_dir);
    db.close().unwrap();
    drop(db);
    let b_dir = dir.join("w2-before");
    copy_dir(&a_dir, &b_dir);
    let m_dir = dir.join("w2-memory");
    copy_dir(&a_dir, &m_dir);
    let db = Db::open(&a_dir, manual.clone()).unwrap();
    let before = Db::open(&b_dir, manual.clone()).unwrap();

    eprintln!("W2: compacting ...");
    let written_before = db.metrics().unwrap().compaction_bytes_written;
    let (compact, _) = with_peak_anon(|| db.compact().unwrap());
    // What the compaction wrote (it may keep some of the run's files, or all of them).
    let compaction_written = db.metrics().unwrap().compaction_bytes_written - written_before;
    eprintln!("W2: compacting a copy in a fresh process, for its memory ...");
    let (child_anon, child_hwm, child_secs) = compact_in_child(&m_dir, target, ratio);
    let stats2 = db.table_stats(TABLE).unwrap();
    let disk2 = dir_bytes(&a_dir);

    let upserted_rows = (0..rows).filter(|&i| upserted(i)).count() as u64;
    let logical = upserted_rows * (WIDTH as u64 * 4 + workload::key(rows / 2).len() as u64);
    let flush_written = disk1.saturating_sub(disk0);
    println!(
        "\n### W2: {rows} rows, upsert of {upserted_rows} (10%) with new values, flush, \
         compact() (target segment {} MiB, run rewrite ratio {ratio:?})\n",
        target >> 20
    );
    println!("| step | s | bytes written MB | disk after MB | table after |");
    println!("|---|---:|---:|---:|---|");
    println!(
        "| load + compact (start) | | | {} | {} |",
        mb(disk0),
        stats_line(&stats0)
    );
    println!(
        "| upsert (Db::write) | {:.2} | (log) | | |",
        write.as_secs_f64()
    );
    println!(
        "| flush (segment + deletion vector) | {:.2} | {} | {} | {} |",
        flush.as_secs_f64(),
        mb(flush_written),
        mb(disk1),
        stats_line(&stats1)
    );
    println!(
        "| compact() | {:.2} | {} | {} | {} |",
        compact.as_secs_f64(),
        mb(compaction_written),
        mb(disk2),
        stats_line(&stats2)
    );
    println!(
        "\nUpserted data: {} MB (values + keys). Bytes written by flush + compaction per \
         byte upserted (write amplification, the log not counted): {:.1}. The same \
         compaction of a copy in a fresh process (open + compact(), {:.2} s): peak anonymous \
         memory (RssAnon, heap: sampled every 2 ms) {} MB, peak RSS (VmHWM, mapped segment \
         pages included) {} MB.",
        mb(logical),
        (flush_written + compaction_written) as f64 / logical as f64,
        child_secs,
        mb(child_anon),
        mb(child_hwm)
    );

    let small_memtable = ((rows as usize) * 8).max(1 << 20);
    let (small, stats3, load3) = small_flushes(&dir.join("w2-small"), rows, small_memtable, None);
    let (idle, stats4, load4) = small_flushes(
        &dir.join("w2-idle"),
        rows,
        small_memtable,
        Options::default().idle_compaction_after,
    );

    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems = [
        reader(&db, &cols),
        reader(&before, &cols),
        reader(&small, &cols),
        reader(&idle, &cols),
    ];
    let mib = small_memtable >> 20;
    let labels = [
        format!("after compact(): {}", stats_line(&stats2)),
        format!(
            "before compaction (a copy of its files): {}",
            stats_line(&stats1)
        ),
        format!(
            "small flushes ({mib} MiB memtable), compaction at the trigger only: {}",
            stats_line(&stats3)
        ),
        format!(
            "small flushes ({mib} MiB memtable), then quiet (idle compaction, default): {}",
            stats_line(&stats4)
        ),
    ];
    eprintln!("R1 around compaction: reading ...");
    let times = interleave_with(&systems, keys, &value_after);
    println!(
        "\n### R1 around compaction: {rows} rows, 1000 random keys x {WIDTH} columns, {} \
         batches\n",
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 0, "compacted");
    println!(
        "\nThe small-flush tables took {:.1} s and {:.1} s to load, upsert, flush and settle \
         (the second until idle compaction left no level-0 segment).",
        load3.as_secs_f64(),
        load4.as_secs_f64()
    );
    drop(systems);
    for d in [db, before, small, idle] {
        d.close().unwrap();
    }
}

/// W2 repeated: `rounds` upserts of a different 10% of the keys each (rows
/// `i % 10 == round % 10`; with `contiguous`, rows `(r + 1) N / 10 .. (r + 2) N / 10` for
/// `r = round % 9`: keys `doc_<r+1>...`, about a ninth of the key range), each flushed and
/// compacted with `compact()`: bytes written per round (flush and compaction, from the
/// metrics) and cumulated per byte upserted, and the table after each. Shows what a partial
/// run rewrite saves, and the cost a deferred (tiered) compaction pays later.
pub fn w2_rounds(
    rows: u64,
    dir: &Path,
    target_mib: Option<usize>,
    ratio: Option<u32>,
    contiguous: bool,
) {
    let rounds = 10;
    let picks = |round: u64, i: u64| {
        if contiguous {
            let r = round % 9;
            ((r + 1) * rows / 10..(r + 2) * rows / 10).contains(&i)
        } else {
            i % 10 == round % 10
        }
    };
    let mut options = Options::default()
        .with_run_rewrite_ratio(ratio)
        .with_sync(SyncPolicy::Never)
        .with_memtable_bytes(ONE_FLUSH)
        .with_background_threads(0);
    if let Some(t) = target_mib {
        options = options.with_target_segment_bytes(t << 20);
    }
    let target = options.target_segment_bytes;
    let db = create(&dir.join("w2-rounds"), options);
    crate::fixture::write_rows(&db, 0..rows);
    db.compact().unwrap();
    let key_len = workload::key(rows / 2).len() as u64;
    println!(
        "\n### W2 x {rounds}: {rows} rows, each round a different 10% upserted ({}), \
         flushed, compact() (target segment {} MiB, run rewrite ratio {ratio:?})\n",
        if contiguous {
            "a contiguous range"
        } else {
            "every tenth row"
        },
        target >> 20
    );
    println!(
        "| round | flush MB | compaction MB | compact() s | cumulated written / upserted | table after |"
    );
    println!("|---:|---:|---:|---:|---:|---|");
    let (mut upserted_total, mut written_total) = (0u64, 0u64);
    for round in 0..rounds {
        let picked: Vec<u64> = (0..rows).filter(|&i| picks(round, i)).collect();
        for chunk in picked.chunks(LOAD_BATCH) {
            let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
                chunk.iter().map(|&i| workload::key(i)),
            ))];
            for c in 0..WIDTH {
                arrays.push(Arc::new(Float32Array::from_iter_values(
                    chunk
                        .iter()
                        .map(|&i| workload::value(i, c) + round as f32 + 1.0),
                )));
            }
            let batch = RecordBatch::try_new(workload::schema(WIDTH), arrays).unwrap();
            db.write(TABLE, &batch).unwrap();
        }
        let m0 = db.metrics().unwrap();
        db.flush().unwrap();
        let t0 = Instant::now();
        db.compact().unwrap();
        let spent = t0.elapsed();
        let m1 = db.metrics().unwrap();
        let flushed = m1.flush_bytes - m0.flush_bytes;
        let compacted = m1.compaction_bytes_written - m0.compaction_bytes_written;
        upserted_total += picked.len() as u64 * (WIDTH as u64 * 4 + key_len);
        written_total += flushed + compacted;
        println!(
            "| {} | {} | {} | {:.2} | {:.1} | {} |",
            round + 1,
            mb(flushed),
            mb(compacted),
            spent.as_secs_f64(),
            written_total as f64 / upserted_total as f64,
            stats_line(&db.table_stats(TABLE).unwrap())
        );
    }
    // Every key reads its last round's values.
    let probe: Vec<u64> = (0..rows).step_by((rows / 1000).max(1) as usize).collect();
    let keys = StringArray::from_iter_values(probe.iter().map(|&i| workload::key(i)));
    let (batch, found) = db.read(TABLE, &keys, &["f0"]).unwrap();
    let f0 = batch
        .column(0)
        .as_any()
        .downcast_ref::<Float32Array>()
        .unwrap();
    for (j, &i) in probe.iter().enumerate() {
        let last = (0..rounds).filter(|&r| picks(r, i)).max();
        let want = workload::value(i, 0) + last.map_or(0.0, |r| r as f32 + 1.0);
        assert!(found[j] && f0.value(j) == want, "key {i}");
    }
    db.close().unwrap();
}
