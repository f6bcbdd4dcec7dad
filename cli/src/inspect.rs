//! `murr inspect` and `murr verify` of one segment file; `murr inspect` of a database
//! directory is in `inspect_db`.

use std::path::{Path, PathBuf};

use murr_core::segment::Segment;
use serde_json::json;

use crate::error::{Failure, Result};
use crate::stats::megabytes;
use crate::{inspect_db, output};

/// Options of `murr inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A database directory, or one segment file.
    path: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Describes the database in the directory, or the segment file.
pub fn run(args: &Args) -> Result {
    if args.path.is_dir() {
        return inspect_db::run(&args.path, args.json);
    }
    if args.json {
        return inspect_json(&args.path);
    }
    inspect(&args.path)
}

/// Opens the segment file at `path`; a directory is refused with a message (mapping one
/// fails with "No such device").
fn open(path: &Path) -> Result<Segment> {
    if path.is_dir() {
        return Err(Failure::new(format!(
            "{} is a directory; a segment file was expected",
            path.display()
        )));
    }
    Ok(Segment::open(path)?)
}

/// The segment's description as JSON.
fn inspect_json(path: &Path) -> Result {
    let segment = open(path)?;
    let schema = segment.schema();
    let columns: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| {
            json!({
                "name": f.name(),
                "type": f.data_type().to_string(),
                "nullable": f.is_nullable(),
                "key": f.name() == segment.key_name(),
            })
        })
        .collect();
    output::json(&json!({
        "segment": segment.name(),
        "format_version": segment.format_version(),
        "partial_rows": segment.has_partial_rows(),
        "rows": segment.row_count(),
        "bytes": segment.file_len(),
        "key": segment.key_name(),
        "columns": columns,
    }))
}

/// Prints the segment's name, format version, row count, file size and schema.
pub fn inspect(path: &Path) -> Result {
    let segment = open(path)?;
    let rows = segment.row_count();
    let bytes = segment.file_len();
    let schema = segment.schema();
    println!("segment:  {}", segment.name());
    print!("format:   version {}", segment.format_version());
    if segment.has_partial_rows() {
        print!(" (partial rows: presence or tombstones)");
    }
    println!();
    println!("rows:     {rows}");
    print!("size:     {bytes} bytes ({:.1} MB", megabytes(bytes));
    if rows > 0 {
        print!(", {:.1} bytes/row", bytes as f64 / rows as f64);
    }
    println!(")");
    println!("key:      {}", segment.key_name());
    println!("columns:  {}", schema.fields().len());
    let width = schema
        .fields()
        .iter()
        .map(|f| f.name().len())
        .max()
        .unwrap_or(0);
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    let type_width = types.iter().map(String::len).max().unwrap_or(0);
    for (field, data_type) in schema.fields().iter().zip(&types) {
        let mut notes = Vec::new();
        if field.name() == segment.key_name() {
            notes.push("key");
        }
        if !field.is_nullable() {
            notes.push("not null");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  ({})", notes.join(", "))
        };
        println!(
            "  {:<width$}  {data_type:<type_width$}{notes}",
            field.name()
        );
    }
    Ok(())
}

/// Checks every checksum of the segment; prints `OK` or returns the damage found.
pub fn verify(path: &Path) -> Result {
    let segment = open(path)?;
    segment.verify()?;
    println!(
        "OK: {} ({} rows, {} bytes checked)",
        segment.name(),
        segment.row_count(),
        segment.file_len()
    );
    Ok(())
}
