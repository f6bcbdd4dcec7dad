//! `murr changes`: a table's change feed (every write and delete after a sequence number).

use std::path::PathBuf;

use arrow_array::RecordBatchReader;

use crate::error::Result;
use crate::open;
use crate::output::{Format, Output};

/// Options of `murr changes`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Print the writes and deletes with a sequence number above N (default 0: every one
    /// the kept logs hold).
    #[arg(long, value_name = "N", default_value_t = 0)]
    since: u64,
    /// Print at most N rows.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Prints the feed's rows (`_seq`, `_op`, the key, the columns, `_present`), then, on
/// stderr, the sequence number the next `--since` should be.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let changes = db.changes(&args.table, args.since)?;
    let end = changes.end_seq();
    let output = Output::new(args.format, changes.schema())?;
    output.write_limited(changes, args.limit)?;
    db.close()?;
    if args.limit.is_none() {
        eprintln!("murr changes: up to sequence number {end} (next: --since {end})");
    }
    Ok(())
}
