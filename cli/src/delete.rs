//! `murr delete`: deleting keys.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{Failure, Result};
use crate::{keys, open, output};

/// Options of `murr delete`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Keys to delete; none, or `-`, reads them from stdin, one per line.
    keys: Vec<String>,
}

/// Deletes the keys (blind: keys that do not exist are fine), durably, then closes the
/// database (which flushes).
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let schema = db.schema(&args.table)?;
    let key = keys::key_field(&schema, &args.table)?;
    let keys = keys::collect(&args.keys)?;
    // Every chunk is parsed before the first delete: a bad key deletes nothing.
    let arrays = keys
        .chunks(keys::CHUNK)
        .map(|chunk| keys::parse(chunk, key, &args.table))
        .collect::<Result<Vec<_>>>()?;
    for array in &arrays {
        db.delete(&args.table, array.as_ref())?;
    }
    db.close()?;
    let mut out = output::text();
    writeln!(
        out,
        "deleted {} key(s) from table '{}' (keys that did not exist included)",
        keys.len(),
        args.table
    )
    .map_err(Failure::output)?;
    out.flush().map_err(Failure::output)
}
