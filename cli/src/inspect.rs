//! `murr inspect` and `murr verify`: looking at one segment file.

use std::path::Path;

use murr_core::segment::Segment;

use crate::error::Result;
use crate::stats::megabytes;

/// Prints the segment's name, format version, row count, file size and schema.
pub fn inspect(path: &Path) -> Result {
    let segment = Segment::open(path)?;
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
    let segment = Segment::open(path)?;
    segment.verify()?;
    println!(
        "OK: {} ({} rows, {} bytes checked)",
        segment.name(),
        segment.row_count(),
        segment.file_len()
    );
    Ok(())
}
