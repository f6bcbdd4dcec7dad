//! `murr stats`: sizes and counts of a database.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::error::{Failure, Result};
use crate::{engine, open, output};

/// Options of `murr stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints, per table, rows, segments (level 0 and run), bytes, deleted rows and memtable
/// bytes, then the engine's metrics (`Db::metrics`: gauges, and the counters of this
/// command's own open, such as the flush of writes its recovery replayed), then the bytes
/// of every file in the directory.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let mut tables = Vec::new();
    for name in db.tables()? {
        let stats = db.table_stats(&name)?;
        tables.push((name, stats));
    }
    let metrics = db.metrics()?;
    db.close()?;
    let disk = disk_bytes(&args.db)?;
    if args.json {
        let tables: Vec<_> = tables
            .iter()
            .map(|(name, s)| {
                json!({
                    "name": name,
                    "segment_rows": s.segment_rows,
                    "deleted_rows": s.deleted_rows,
                    "level0_segments": s.level0_segments,
                    "run_segments": s.run_segments,
                    "segment_bytes": s.segment_bytes,
                    "memtable_bytes": s.memtable_bytes,
                })
            })
            .collect();
        return output::json(&json!({
            "tables": tables,
            "engine": engine::to_json(&metrics),
            "disk_bytes": disk,
        }));
    }
    let mut out = output::text();
    for (name, s) in &tables {
        writeln!(out, "table {name}").map_err(Failure::output)?;
        writeln!(
            out,
            "  rows:      {} in segments ({} marked deleted or superseded)",
            s.segment_rows, s.deleted_rows
        )
        .map_err(Failure::output)?;
        writeln!(
            out,
            "  segments:  {} ({} at level 0, {} in the run)",
            s.level0_segments + s.run_segments,
            s.level0_segments,
            s.run_segments
        )
        .map_err(Failure::output)?;
        writeln!(out, "  bytes:     {}", s.segment_bytes).map_err(Failure::output)?;
        writeln!(out, "  memtable:  {} bytes", s.memtable_bytes).map_err(Failure::output)?;
    }
    engine::write_text(&mut out, &metrics)?;
    writeln!(out, "disk: {disk} bytes in {}", args.db.display()).map_err(Failure::output)?;
    out.flush().map_err(Failure::output)
}

/// The bytes of the files in `dir` (segments, deletion vectors, logs, manifests).
pub fn disk_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::io("read", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Failure::io("read", dir, e))?;
        let meta = entry
            .metadata()
            .map_err(|e| Failure::io("read", &entry.path(), e))?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}
