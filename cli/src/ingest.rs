//! `murr ingest`: loading Parquet, Arrow, CSV and JSON lines files into a table.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::HumanCount;

use crate::error::{Failure, Result};
use crate::input::{self, InputFormat};
use crate::progress::Bar;
use crate::{conform, keys, open, output};

/// Options of `murr ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Files to load, in order (a key in several: the last file's row wins).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The files' format (default: from each file's extension: .parquet, .arrow/.feather,
    /// .arrows, .csv, .jsonl/.ndjson).
    #[arg(long, value_enum)]
    format: Option<InputFormat>,
    /// Create the table (and the database) when it does not exist, with the first file's
    /// columns and types.
    #[arg(long, requires = "key")]
    create: bool,
    /// The key column of the table `--create` creates.
    #[arg(long, value_name = "COLUMN", requires = "create")]
    key: Option<String>,
}

/// Checks every file's columns against the table before writing anything, then writes
/// their rows batch by batch and prints a summary.
pub fn run(args: &Args) -> Result {
    let formats = args
        .files
        .iter()
        .map(|f| {
            args.format
                .or_else(|| InputFormat::detect(f))
                .ok_or_else(|| {
                    Failure::new(format!(
                        "cannot tell the format of {} from its name; give --format",
                        f.display()
                    ))
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let start = Instant::now();
    let db = open::for_ingest(&args.db, args.create)?;
    let existing = if db.tables()?.contains(&args.table) {
        Some(db.schema(&args.table)?)
    } else if args.create {
        None
    } else {
        return Err(Failure::new(format!(
            "no table '{}' in {} (--create --key COLUMN creates it from the first file)",
            args.table,
            args.db.display()
        )));
    };
    let mut inputs = Vec::with_capacity(args.files.len());
    for (path, format) in args.files.iter().zip(&formats) {
        inputs.push(input::open(path, *format, existing.as_deref())?);
    }
    let (target, key) = match (&existing, &args.key, inputs.first()) {
        (Some(schema), asked, _) => {
            let key = keys::key_field(schema, &args.table)?.name().clone();
            if let Some(asked) = asked.as_ref().filter(|k| **k != key) {
                return Err(Failure::new(format!(
                    "table '{}' exists with key column '{key}', not '{asked}'",
                    args.table
                )));
            }
            (schema.as_ref().clone(), key)
        }
        (None, Some(key), Some(first)) => (conform::table_schema(&first.schema, key), key.clone()),
        _ => return Err(Failure::new("nothing to ingest")),
    };
    // Every file is checked before the first write: a file that does not fit changes
    // nothing.
    let plans = inputs
        .iter()
        .map(|i| conform::plan(&i.path, &i.schema, &args.table, &target, &key))
        .collect::<Result<Vec<_>>>()?;
    if existing.is_none() {
        db.create_table(&args.table, &target, &key)?;
    }
    let mut rows = 0u64;
    for ((input, plan), format) in inputs.into_iter().zip(&plans).zip(&formats) {
        if format.bulk() {
            // Parquet and Arrow files go through Db::ingest_file: sorted straight into the
            // table's segments, the whole file atomic.
            let path = input.path.clone();
            drop(input);
            let stats = db.ingest_file(&args.table, &path).map_err(|e| {
                Failure::new(format!(
                    "{}: {e} (nothing of this file was written; {rows} rows of the files \
                     before it stay written)",
                    path.display()
                ))
            })?;
            rows += stats.rows_read;
            continue;
        }
        let bar = Bar::new(&input.path.display().to_string(), input.progress.clone());
        let mut file_rows = 0u64;
        for batch in input.batches {
            let batch = batch.map_err(|e| {
                Failure::new(format!(
                    "cannot read {}: {e} ({rows} rows before it stay written)",
                    input.path.display()
                ))
            })?;
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = plan.apply(&input.path, &batch)?;
            // CSV and JSON go through Db::write, one batch at a time: each batch is atomic,
            // and the memtables flush to segments as they fill.
            db.write(&args.table, &batch).map_err(|e| {
                Failure::new(format!(
                    "{}: {e} ({rows} rows before it stay written)",
                    input.path.display()
                ))
            })?;
            rows += batch.num_rows() as u64;
            file_rows += batch.num_rows() as u64;
            bar.update(file_rows);
        }
        bar.finish();
    }
    db.close()?;
    let seconds = start.elapsed().as_secs_f64();
    let mut out = output::text();
    writeln!(
        out,
        "ingested {} rows into table '{}' from {} file(s) in {seconds:.2} s ({} rows/s)",
        HumanCount(rows),
        args.table,
        args.files.len(),
        HumanCount((rows as f64 / seconds.max(1e-9)) as u64)
    )
    .map_err(Failure::output)?;
    out.flush().map_err(Failure::output)
}
