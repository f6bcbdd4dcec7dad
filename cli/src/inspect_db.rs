//! `murr inspect DIR`: the newest manifest of a database, summarized, and its logs. Reads
//! the files only: the database is not opened, nothing is replayed or changed.

use std::io::Write;
use std::path::Path;

use murr_core::manifest::{self, SegmentMeta, TableMeta};
use serde_json::json;

use crate::error::{Failure, Result};
use crate::{dbstats, files, open, output};

/// Prints the manifest's counters, each table (key, columns, segments per level with rows,
/// bytes and sequence ranges) and each log.
pub fn run(dir: &Path, as_json: bool) -> Result {
    open::check_database(dir)?;
    let manifest = manifest::load_latest(dir)?
        .ok_or_else(|| Failure::new(format!("{}: no manifest", dir.display())))?;
    let logs = files::logs(dir)?;
    let disk = dbstats::disk_bytes(dir)?;
    if as_json {
        let tables: Vec<_> = manifest.tables.iter().map(table_json).collect();
        let logs: Vec<_> = logs
            .iter()
            .map(|l| json!({ "number": l.number, "path": l.path.display().to_string(), "bytes": l.bytes }))
            .collect();
        return output::json(&json!({
            "path": dir.display().to_string(),
            "manifest": manifest.number,
            "last_flushed_seq": manifest.last_flushed_seq,
            "next_file_number": manifest.next_file_number,
            "tables": tables,
            "logs": logs,
            "disk_bytes": disk,
        }));
    }
    let mut out = output::text();
    let w = &mut out;
    line(w, format!("database: {}", dir.display()))?;
    line(
        w,
        format!(
            "manifest: {} (last flushed seq {}, next file number {})",
            manifest.number, manifest.last_flushed_seq, manifest.next_file_number
        ),
    )?;
    line(w, format!("disk:     {disk} bytes"))?;
    line(w, format!("tables:   {}", manifest.tables.len()))?;
    for t in &manifest.tables {
        line(
            w,
            format!(
                "  {} (id {}): key {}, {} column(s)",
                t.name,
                t.id,
                t.key_column,
                t.columns.len()
            ),
        )?;
        for (level, segments) in levels(t) {
            let (rows, bytes, deleted) = totals(&segments);
            line(
                w,
                format!(
                    "    level {level}: {} segment(s), {rows} rows, {bytes} bytes, {deleted} deleted",
                    segments.len()
                ),
            )?;
            for s in segments {
                let deletes = s
                    .deletes
                    .map(|d| format!(", {} deleted (file {})", d.rows, d.file_number))
                    .unwrap_or_default();
                line(
                    w,
                    format!(
                        "      file {} ({:#x}): {} rows, {} bytes, seq {}..{}{deletes}",
                        s.file_number, s.file_number, s.rows, s.bytes, s.min_seq, s.max_seq
                    ),
                )?;
            }
        }
    }
    line(w, format!("logs:     {}", logs.len()))?;
    for l in &logs {
        line(w, format!("  {} ({} bytes)", l.path.display(), l.bytes))?;
    }
    out.flush().map_err(Failure::output)
}

/// Writes one line.
fn line(out: &mut impl Write, text: String) -> Result {
    writeln!(out, "{text}").map_err(Failure::output)
}

/// The table's segments grouped by level, lowest first, each group in manifest order.
fn levels(t: &TableMeta) -> Vec<(u8, Vec<&SegmentMeta>)> {
    let mut levels: Vec<(u8, Vec<&SegmentMeta>)> = Vec::new();
    let mut numbers: Vec<u8> = t.segments.iter().map(|s| s.level).collect();
    numbers.sort_unstable();
    numbers.dedup();
    for level in numbers {
        levels.push((
            level,
            t.segments.iter().filter(|s| s.level == level).collect(),
        ));
    }
    levels
}

/// Rows, bytes and deleted rows of `segments`.
fn totals(segments: &[&SegmentMeta]) -> (u64, u64, u64) {
    segments.iter().fold((0, 0, 0), |(r, b, d), s| {
        (r + s.rows, b + s.bytes, d + s.deletes.map_or(0, |x| x.rows))
    })
}

/// One table as JSON.
fn table_json(t: &TableMeta) -> serde_json::Value {
    let columns: Vec<_> = t
        .columns
        .iter()
        .map(|c| json!({ "name": c.name, "type": c.column_type.to_arrow().to_string(), "nullable": c.nullable }))
        .collect();
    let segments: Vec<_> = t
        .segments
        .iter()
        .map(|s| {
            json!({
                "file_number": s.file_number,
                "level": s.level,
                "rows": s.rows,
                "bytes": s.bytes,
                "min_seq": s.min_seq,
                "max_seq": s.max_seq,
                "deleted_rows": s.deletes.map_or(0, |d| d.rows),
            })
        })
        .collect();
    json!({
        "id": t.id,
        "name": t.name,
        "key": t.key_column,
        "columns": columns,
        "segments": segments,
    })
}
