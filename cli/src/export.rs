//! `murr export`: a table's live rows as Parquet files or as an Apache Iceberg table
//! (docs/ICEBERG.md).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use murr_core::ExportOptions;

use crate::error::{Failure, Result};
use crate::{open, output};

/// What `murr export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Parquet files part-00000.parquet, ... in an empty directory.
    Parquet,
    /// An Iceberg table (format v2): a new snapshot at each export.
    Iceberg,
}

/// Options of `murr export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table to export.
    table: String,
    /// The output format.
    #[arg(long, value_enum, default_value = "parquet")]
    format: Format,
    /// Where to write: a new or empty directory (parquet), or the Iceberg table's location
    /// (created by the first export, given a new snapshot by each later one).
    #[arg(long)]
    to: PathBuf,
    /// Rows per Parquet row group.
    #[arg(long, default_value_t = ExportOptions::default().rows_per_row_group)]
    row_group_rows: usize,
    /// Rows per Parquet file at most.
    #[arg(long, default_value_t = ExportOptions::default().rows_per_file)]
    file_rows: usize,
}

/// Exports the table; prints the rows, files and bytes written and the time taken, and
/// for Iceberg the snapshot id and the metadata file committed.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let options = ExportOptions::default()
        .with_rows_per_row_group(args.row_group_rows)
        .with_rows_per_file(args.file_rows);
    let start = Instant::now();
    let report = match args.format {
        Format::Parquet => db.export_parquet(&args.table, None, &args.to, &options)?,
        Format::Iceberg => db.export_iceberg(&args.table, &args.to, &options)?,
    };
    let took = start.elapsed();
    db.close()?;
    let mut out = output::text();
    writeln!(
        out,
        "exported {} row(s) of table '{}' to {} file(s), {} bytes, in {:.3} s",
        report.rows,
        args.table,
        report.files.len(),
        report.bytes,
        took.as_secs_f64()
    )
    .map_err(Failure::output)?;
    if let (Some(id), Some(metadata)) = (report.snapshot_id, &report.metadata) {
        writeln!(out, "snapshot {id}: {}", metadata.display()).map_err(Failure::output)?;
    }
    out.flush().map_err(Failure::output)
}
