//! `murr schema`: the columns of a table.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use crate::error::{Failure, Result};
use crate::{keys, open, output};

/// Options of `murr schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Prints each column of the table: name, Arrow type, nullability, and which is the key.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let schema = db.schema(&args.table)?;
    db.close()?;
    let key = keys::key_field(&schema, &args.table)?.name().clone();
    if args.json {
        let columns: Vec<_> = schema
            .fields()
            .iter()
            .map(|f| {
                json!({
                    "name": f.name(),
                    "type": f.data_type().to_string(),
                    "nullable": f.is_nullable(),
                    "key": *f.name() == key,
                })
            })
            .collect();
        return output::json(&json!({ "table": args.table, "key": key, "columns": columns }));
    }
    let mut out = output::text();
    let width = schema
        .fields()
        .iter()
        .map(|f| f.name().len())
        .max()
        .unwrap_or(0)
        .max(6);
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    let type_width = types.iter().map(String::len).max().unwrap_or(0).max(4);
    writeln!(
        out,
        "{:<width$}  {:<type_width$}  nullable",
        "column", "type"
    )
    .map_err(Failure::output)?;
    for (f, t) in schema.fields().iter().zip(&types) {
        let nullable = if f.is_nullable() { "yes" } else { "no" };
        let line = format!("{:<width$}  {t:<type_width$}  {nullable}", f.name());
        let note = if *f.name() == key { "       (key)" } else { "" };
        writeln!(out, "{line}{note}").map_err(Failure::output)?;
    }
    out.flush().map_err(Failure::output)
}
