//! `murr flush` and `murr compact`: maintenance of a database.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use crate::error::{Failure, Result};
use crate::{open, output};

/// Options of `murr flush` and `murr compact`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
}

/// Writes every memtable to segments (after the replay at open, that is what the logs
/// held).
pub fn flush(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let start = Instant::now();
    db.flush()?;
    let took = start.elapsed();
    db.close()?;
    let mut out = output::text();
    writeln!(out, "flushed in {:.3} s", took.as_secs_f64()).map_err(Failure::output)?;
    out.flush().map_err(Failure::output)
}

/// Flushes, then merges each table's segments into one sorted run; prints the time taken
/// and each table's segments before and after.
pub fn compact(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let tables = db.tables()?;
    let before = tables
        .iter()
        .map(|t| db.table_stats(t))
        .collect::<murr_core::Result<Vec<_>>>()?;
    let start = Instant::now();
    db.compact()?;
    let took = start.elapsed();
    let mut out = output::text();
    writeln!(out, "compacted in {:.3} s", took.as_secs_f64()).map_err(Failure::output)?;
    for (table, before) in tables.iter().zip(&before) {
        let after = db.table_stats(table)?;
        writeln!(
            out,
            "  {table}: {} segment(s), {} bytes -> {} segment(s), {} bytes",
            before.level0_segments + before.run_segments,
            before.segment_bytes,
            after.level0_segments + after.run_segments,
            after.segment_bytes
        )
        .map_err(Failure::output)?;
    }
    db.close()?;
    out.flush().map_err(Failure::output)
}
