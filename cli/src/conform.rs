//! Fitting a file's columns to a table: which columns go where, cast to which type,
//! decided from the schemas alone, before any row is written.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_cast::{CastOptions, can_cast_types, cast_with_options};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Failure, Result};

/// How a file's batches become batches of a table's types.
pub struct Plan {
    /// The batches written: the file's columns (in the file's order) with the table's types.
    schema: SchemaRef,
}

/// Plans the cast of a file of schema `file` (at `path`) into `table`, whose schema is
/// `target` and key column `key`. Fails, naming the file and column, when the key column is
/// missing, a column is not in the table, or a type cannot be cast to the table's.
pub fn plan(path: &Path, file: &Schema, table: &str, target: &Schema, key: &str) -> Result<Plan> {
    if file.field_with_name(key).is_err() {
        return Err(Failure::new(format!(
            "{} has no column '{key}', the key column of table '{table}'",
            path.display()
        )));
    }
    let mut fields = Vec::with_capacity(file.fields().len());
    for f in file.fields() {
        let Ok(column) = target.field_with_name(f.name()) else {
            let known: Vec<&str> = target.fields().iter().map(|f| f.name().as_str()).collect();
            return Err(Failure::new(format!(
                "{}: column '{}' is not in table '{table}' (columns: {})",
                path.display(),
                f.name(),
                known.join(", ")
            )));
        };
        if !can_cast_types(f.data_type(), column.data_type()) {
            return Err(Failure::new(format!(
                "{}: column '{}' is {}, which cannot be cast to {} (its type in table '{table}')",
                path.display(),
                f.name(),
                f.data_type(),
                column.data_type()
            )));
        }
        fields.push(Field::new(
            f.name(),
            column.data_type().clone(),
            column.is_nullable(),
        ));
    }
    Ok(Plan {
        schema: Arc::new(Schema::new(fields)),
    })
}

impl Plan {
    /// `batch` (of the file's schema) cast to the table's types; a value that does not
    /// convert (text that is not a number...) is an error naming the column, never a null.
    pub fn apply(&self, path: &Path, batch: &RecordBatch) -> Result<RecordBatch> {
        let options = CastOptions {
            safe: false,
            ..CastOptions::default()
        };
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
        for (field, column) in self.schema.fields().iter().zip(batch.columns()) {
            if column.data_type() == field.data_type() {
                columns.push(Arc::clone(column));
            } else {
                columns.push(
                    cast_with_options(column, field.data_type(), &options).map_err(|e| {
                        Failure::new(format!(
                            "{}: column '{}': {e}",
                            path.display(),
                            field.name()
                        ))
                    })?,
                );
            }
        }
        RecordBatch::try_new(Arc::clone(&self.schema), columns)
            .map_err(|e| Failure::new(format!("{}: {e}", path.display())))
    }
}

/// The schema of a table created from a file of schema `file`: the key column not
/// nullable, and the types libmurr does not store but can hold the values of made
/// storable (large and view strings and binaries as utf8 and binary, dictionaries as
/// their values). Other types are left for `create_table` to refuse, naming them.
pub fn table_schema(file: &Schema, key: &str) -> Schema {
    let fields: Vec<Field> = file
        .fields()
        .iter()
        .map(|f| {
            let data_type = storable(f.data_type());
            Field::new(f.name(), data_type, f.is_nullable() && f.name() != key)
        })
        .collect();
    Schema::new(fields)
}

/// The storable type that holds `data_type`'s values, where there is an obvious one.
fn storable(data_type: &DataType) -> DataType {
    match data_type {
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::LargeBinary | DataType::BinaryView => DataType::Binary,
        DataType::Dictionary(_, values) => storable(values),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn plans_name_what_does_not_fit() {
        let target = schema(&[("id", DataType::Utf8), ("x", DataType::Float32)]);
        let path = Path::new("in.csv");
        let ok = schema(&[("x", DataType::Utf8), ("id", DataType::Int64)]);
        assert!(plan(path, &ok, "t", &target, "id").is_ok());
        let no_key = schema(&[("x", DataType::Float64)]);
        let err = plan(path, &no_key, "t", &target, "id").err().unwrap();
        assert!(err.to_string().contains("no column 'id'"), "{err}");
        let extra = schema(&[("id", DataType::Utf8), ("y", DataType::Float64)]);
        let err = plan(path, &extra, "t", &target, "id").err().unwrap();
        assert!(
            err.to_string().contains("column 'y' is not in table 't'"),
            "{err}"
        );
        let list = DataType::List(Arc::new(Field::new_list_field(DataType::Float32, true)));
        let bad = schema(&[("id", DataType::Utf8), ("x", list)]);
        let err = plan(path, &bad, "t", &target, "id").err().unwrap();
        assert!(
            err.to_string().contains("cannot be cast to Float32"),
            "{err}"
        );
    }
}
