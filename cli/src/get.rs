//! `murr get`: point lookups by key.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use crate::error::{Failure, Result};
use crate::output::{Format, Output};
use crate::{keys, open};

/// Options of `murr get`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database directory.
    db: PathBuf,
    /// The table.
    table: String,
    /// Keys to look up; none, or `-`, reads them from stdin, one per line.
    keys: Vec<String>,
    /// Columns to print (comma-separated; default: every column).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    columns: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Prints one row per key: the key, the columns asked for, and whether it was found.
pub fn run(args: &Args) -> Result {
    let db = open::existing(&args.db)?;
    let schema = db.schema(&args.table)?;
    let key = keys::key_field(&schema, &args.table)?;
    let columns = value_columns(&schema, key.name(), &args.columns, &args.table)?;
    let keys = keys::collect(&args.keys)?;
    let mut fields = vec![Field::new(key.name(), key.data_type().clone(), false)];
    for c in &columns {
        let field = schema.field_with_name(c)?;
        fields.push(Field::new(c.as_str(), field.data_type().clone(), true));
    }
    fields.push(Field::new("found", DataType::Boolean, false));
    let out_schema = Arc::new(Schema::new(fields));
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let mut output = Output::new(args.format, Arc::clone(&out_schema))?;
    for chunk in keys.chunks(keys::CHUNK) {
        let array = keys::parse(chunk, key, &args.table)?;
        let (batch, found) = db.read(&args.table, array.as_ref(), &names)?;
        let mut arrays: Vec<ArrayRef> = vec![array];
        arrays.extend(batch.columns().iter().cloned());
        arrays.push(Arc::new(BooleanArray::from(found)));
        output.write(&RecordBatch::try_new(Arc::clone(&out_schema), arrays)?)?;
    }
    output.finish()?;
    db.close()?;
    Ok(())
}

/// The columns to print beside the key: those asked for (the key left out, since it comes
/// first anyway), or every column but the key.
pub fn value_columns(
    schema: &Schema,
    key: &str,
    asked: &[String],
    table: &str,
) -> Result<Vec<String>> {
    if asked.is_empty() {
        return Ok(schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| n != key)
            .collect());
    }
    let mut columns = Vec::new();
    for c in asked {
        if schema.field_with_name(c).is_err() {
            let known: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            return Err(Failure::new(format!(
                "no column '{c}' in table '{table}' (columns: {})",
                known.join(", ")
            )));
        }
        if c != key && !columns.contains(c) {
            columns.push(c.clone());
        }
    }
    Ok(columns)
}
