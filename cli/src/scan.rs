//! `murr scan`: every row of a table, in key order.

use std::path::PathBuf;

use arrow_array::RecordBatchReader;

use crate::error::Result;
use crate::output::{Format, Output};
use crate::{get, keys, open};

/// Options of `murr scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Columns to print beside the key (comma-separated; default: every column).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    columns: Vec<String>,
    /// Print at most N rows.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Prints the table's live rows in key order: the key first, then the columns asked for.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let schema = db.schema(&args.table)?;
    let key = keys::key_field(&schema, &args.table)?.name().clone();
    let columns = get::value_columns(&schema, &key, &args.columns, &args.table)?;
    let names: Vec<&str> = std::iter::once(key.as_str())
        .chain(columns.iter().map(String::as_str))
        .collect();
    let scan = db.scan(&args.table, &names)?;
    let output = Output::new(args.format, scan.schema())?;
    output.write_limited(scan, args.limit)?;
    db.close()?;
    Ok(())
}
