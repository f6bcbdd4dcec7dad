//! `murr demo`: loads the canonical feature table into an embedded database through
//! `Db::write`, flushes, closes and reopens it, then reads it back with random point
//! lookups through `Db::read`, checks every value and reports ingest rate, open time and
//! read latency.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use indicatif::{HumanCount, ProgressBar, ProgressFinish, ProgressStyle};
use murr_core::db::{Db, Options};
use murr_workload as workload;

use crate::error::{Failure, Result};
use crate::stats::{Latency, megabytes};

/// The demo table.
const TABLE: &str = "features";
/// Float32 columns of the demo table (`f0`..`f9`).
const COLUMNS: usize = 10;
/// Rows generated and written per record batch.
const BATCH_ROWS: u64 = 100_000;
/// Keys per read.
const KEYS_PER_READ: usize = 1000;
/// Reads done before timing starts.
const WARMUP_BATCHES: usize = 200;
/// Rows and float columns of the result shown.
const SHOWN: usize = 5;

/// Options of `murr demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rows to generate.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1_000_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    rows: u64,
    /// Directory of the demo database, kept after the demo (created if missing; a
    /// `features` table left there by a previous demo is dropped first). Default: a
    /// temporary directory, deleted at the end.
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Timed reads of 1000 random keys each.
    #[arg(
        long,
        value_name = "B",
        default_value_t = 3000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    batches: u64,
    /// Seed of the random keys read.
    #[arg(long, value_name = "S", default_value_t = 42)]
    seed: u64,
}

/// Runs the demo.
pub fn run(args: &Args) -> Result {
    let temporary = match &args.dir {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("murr-demo-")
                .tempdir()
                .map_err(|e| Failure::io("create directory", &std::env::temp_dir(), e))?,
        ),
    };
    let dir = match (&args.dir, &temporary) {
        (Some(dir), _) => dir.as_path(),
        (None, Some(t)) => t.path(),
        (None, None) => return Err(Failure::new("no directory for the demo database")),
    };
    println!(
        "murr demo: {} rows x {COLUMNS} float32 columns in {}{}",
        HumanCount(args.rows),
        dir.display(),
        if temporary.is_some() {
            " (temporary; --dir keeps it)"
        } else {
            ""
        }
    );

    let db = Db::open(dir, Options::default())?;
    create_table(&db, dir)?;
    ingest(&db, args.rows)?;
    flush(&db, dir, args.rows)?;
    db.close()?;
    drop(db);

    let opened = Instant::now();
    let db = Db::open(dir, Options::default())?;
    let open_ms = opened.elapsed().as_secs_f64() * 1e3;
    println!(
        "opened:  {} in {open_ms:.2} ms (closed, then Db::open: {} log records replayed)",
        dir.display(),
        db.recovery_report().replayed
    );
    read(&db, args)?;
    db.close()?;
    Ok(())
}

/// Creates the demo table, dropping the one a previous demo left in `dir`.
fn create_table(db: &Db, dir: &Path) -> Result {
    if db.tables()?.iter().any(|t| t == TABLE) {
        println!(
            "note:    {} holds a database from a previous run; overwriting its table {TABLE}",
            dir.display()
        );
        db.drop_table(TABLE)?;
    }
    db.create_table(TABLE, &workload::schema(COLUMNS), "key")?;
    Ok(())
}

/// Generates `rows` rows and writes them through `Db::write` in 100,000-row batches.
fn ingest(db: &Db, rows: u64) -> Result {
    let start = Instant::now();
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {human_pos}/{human_len} rows, {per_sec:0}, ETA {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::new(rows)
        .with_style(style.progress_chars("=> "))
        .with_message("writing")
        .with_finish(ProgressFinish::AndClear);
    let mut writing = Duration::ZERO;
    let mut next = 0;
    while next < rows {
        let len = (rows - next).min(BATCH_ROWS);
        let batch = workload::batch(next, len as usize, COLUMNS)?;
        let t0 = Instant::now();
        db.write(TABLE, &batch)?;
        writing += t0.elapsed();
        next += len;
        bar.inc(len);
    }
    bar.finish_and_clear();
    let total = start.elapsed();
    println!(
        "ingest:  {} rows in {:.2} s = {} rows/s through Db::write, {} rows a batch, each \
         fsynced (generate {:.2} s, write {:.2} s)",
        HumanCount(rows),
        total.as_secs_f64(),
        HumanCount((rows as f64 / total.as_secs_f64()) as u64),
        HumanCount(BATCH_ROWS),
        (total - writing).as_secs_f64(),
        writing.as_secs_f64()
    );
    Ok(())
}

/// Runs `step` under a spinner saying `message`; returns how long it took.
fn timed(message: &'static str, step: impl FnOnce() -> murr_core::Result<()>) -> Result<Duration> {
    let spinner = ProgressBar::new_spinner()
        .with_message(message)
        .with_finish(ProgressFinish::AndClear);
    spinner.enable_steady_tick(Duration::from_millis(100));
    let start = Instant::now();
    let done = step();
    spinner.finish_and_clear();
    done?;
    Ok(start.elapsed())
}

/// Flushes the memtable to a segment, compacts the table into its sorted run (so that
/// background compaction has nothing left to rewrite while the demo reads) and lists the
/// segments of `dir`.
fn flush(db: &Db, dir: &Path, rows: u64) -> Result {
    let flushed = timed("flushing", || db.flush())?;
    let compacted = timed("compacting", || db.compact())?;
    println!("flush:   {:.2} s", flushed.as_secs_f64());
    let segments = segment_files(dir)?;
    let bytes: u64 = segments.iter().map(|(_, b)| b).sum();
    println!(
        "compact: {:.2} s; {} segment(s), {:.1} MB ({} bytes), {:.1} bytes/row",
        compacted.as_secs_f64(),
        segments.len(),
        megabytes(bytes),
        HumanCount(bytes),
        bytes as f64 / rows.max(1) as f64
    );
    for (path, bytes) in &segments {
        println!("segment: {} ({:.1} MB)", path.display(), megabytes(*bytes));
    }
    Ok(())
}

/// The segment files (`*.seg`) of `dir` and their sizes, by name.
fn segment_files(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::io("list directory", dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Failure::io("list directory", dir, e))?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "seg") {
            let len = entry
                .metadata()
                .map_err(|e| Failure::io("stat", &path, e))?
                .len();
            files.push((path, len));
        }
    }
    files.sort();
    Ok(files)
}

/// Times `args.batches` reads of random keys after the warm-up, checking every value.
fn read(db: &Db, args: &Args) -> Result {
    let names: Vec<String> = (0..COLUMNS).map(|c| format!("f{c}")).collect();
    let columns: Vec<&str> = names.iter().map(String::as_str).collect();
    let batches = usize::try_from(args.batches)
        .map_err(|_| Failure::new(format!("--batches {} is too large", args.batches)))?;
    let mut picks = workload::random_rows(args.seed, args.rows);
    let mut latencies = Vec::with_capacity(batches);
    let mut shown = None;
    let mut checked = 0u64;
    for b in 0..WARMUP_BATCHES + batches {
        let rows: Vec<u64> = picks.by_ref().take(KEYS_PER_READ).collect();
        let keys = StringArray::from_iter_values(rows.iter().map(|&i| workload::key(i)));

        let started = Instant::now();
        let (result, found) = db.read(TABLE, &keys, &columns)?;
        let elapsed = started.elapsed();

        checked += check(&rows, &result, &found)?;
        if b >= WARMUP_BATCHES {
            latencies.push(elapsed);
            if shown.is_none() {
                shown = Some(preview(&keys, &result)?);
            }
        }
    }

    println!(
        "reads:   {} batches of {} random keys x {COLUMNS} columns through Db::read (after \
         {WARMUP_BATCHES} warm-up batches, seed {})",
        HumanCount(args.batches),
        HumanCount(KEYS_PER_READ as u64),
        args.seed
    );
    if let Some(table) = shown {
        println!(
            "one result (first {SHOWN} rows, key and f0..f{}):",
            SHOWN - 1
        );
        println!("{table}");
    }
    println!(
        "checked: all {} values read equal the generator's",
        HumanCount(checked)
    );
    let latency = Latency::of(&latencies).ok_or_else(|| Failure::new("no reads were timed"))?;
    println!(
        "latency: median {:.1} us, p99 {:.1} us (mean {:.1} us) per read of {KEYS_PER_READ} keys \
         = {:.2} Mkeys/s",
        latency.median_us,
        latency.p99_us,
        latency.mean_us,
        KEYS_PER_READ as f64 / latency.median_us
    );
    Ok(())
}

/// Checks that `result` holds, for each of `rows`, exactly the generated values; returns
/// how many values it checked.
fn check(rows: &[u64], result: &RecordBatch, found: &[bool]) -> Result<u64> {
    if result.num_rows() != rows.len() || found.len() != rows.len() {
        return Err(Failure::new(format!(
            "a read of {} keys returned {} rows and {} found flags",
            rows.len(),
            result.num_rows(),
            found.len()
        )));
    }
    if let Some(r) = found.iter().position(|&f| !f) {
        return Err(Failure::new(format!(
            "wrong result: key {} was written but not found",
            workload::key(rows[r])
        )));
    }
    for (c, column) in result.columns().iter().enumerate() {
        let values = column.as_primitive_opt::<Float32Type>().ok_or_else(|| {
            Failure::new(format!(
                "wrong result: column f{c} has type {}, not Float32",
                column.data_type()
            ))
        })?;
        for (r, &i) in rows.iter().enumerate() {
            let want = workload::value(i, c);
            let got = values.is_valid(r).then(|| values.value(r));
            if got.map(f32::to_bits) != Some(want.to_bits()) {
                return Err(Failure::new(format!(
                    "wrong result: key {} column f{c} read {got:?}, expected {want}",
                    workload::key(i)
                )));
            }
        }
    }
    Ok((rows.len() * result.num_columns()) as u64)
}

/// The first rows of a result as a table: the keys asked for and the first float columns.
fn preview(keys: &StringArray, result: &RecordBatch) -> Result<String> {
    let rows = SHOWN.min(result.num_rows());
    let projection: Vec<usize> = (0..SHOWN.min(result.num_columns())).collect();
    let head = result.slice(0, rows).project(&projection)?;
    let mut fields = vec![Arc::new(Field::new("key", DataType::Utf8, false))];
    fields.extend(head.schema().fields().iter().cloned());
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(keys.slice(0, rows))];
    arrays.extend(head.columns().iter().cloned());
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
    Ok(arrow_cast::pretty::pretty_format_batches(&[batch])?.to_string())
}
