//! `murr tables`: the tables of a database.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::error::{Failure, Result};
use crate::{keys, open, output};

/// Options of `murr tables`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// Also count the live rows of each table exactly (a scan of its keys).
    #[arg(long)]
    count: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// One table's line.
struct Row {
    name: String,
    key: String,
    key_type: String,
    stored_rows: u64,
    live_rows: Option<u64>,
    segments: usize,
}

/// Lists each table: name, key column and type, stored rows (in segments, minus those
/// deletion vectors mark), segments, and the exact live rows with `--count`.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let mut rows = Vec::new();
    for name in db.tables()? {
        let schema = db.schema(&name)?;
        let key = keys::key_field(&schema, &name)?;
        let stats = db.table_stats(&name)?;
        let live_rows = if args.count {
            let mut n = 0;
            for batch in db.scan(&name, &[key.name().as_str()])? {
                n += batch?.num_rows() as u64;
            }
            Some(n)
        } else {
            None
        };
        rows.push(Row {
            key: key.name().clone(),
            key_type: key.data_type().to_string(),
            stored_rows: stats.segment_rows.saturating_sub(stats.deleted_rows),
            live_rows,
            segments: stats.level0_segments + stats.run_segments,
            name,
        });
    }
    db.close()?;
    if args.json {
        let tables: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "key": r.key,
                    "key_type": r.key_type,
                    "stored_rows": r.stored_rows,
                    "live_rows": r.live_rows,
                    "segments": r.segments,
                })
            })
            .collect();
        return output::json(&json!({ "tables": tables }));
    }
    let mut out = output::text();
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(5);
    let key_width = rows
        .iter()
        .map(|r| r.key.len() + r.key_type.len() + 3)
        .max()
        .unwrap_or(0)
        .max(3);
    let mut header = format!(
        "{:<width$}  {:<key_width$}  {:>12}",
        "table", "key", "stored rows"
    );
    if args.count {
        header.push_str(&format!("  {:>12}", "live rows"));
    }
    header.push_str("  segments");
    writeln!(out, "{header}").map_err(Failure::output)?;
    for r in &rows {
        let key = format!("{} ({})", r.key, r.key_type);
        let mut line = format!(
            "{:<width$}  {key:<key_width$}  {:>12}",
            r.name, r.stored_rows
        );
        if let Some(n) = r.live_rows {
            line.push_str(&format!("  {n:>12}"));
        }
        line.push_str(&format!("  {:>8}", r.segments));
        writeln!(out, "{line}").map_err(Failure::output)?;
    }
    out.flush().map_err(Failure::output)
}
