//! Conforming an ingest's input to its table: which input column feeds which table column,
//! cast to the table's type; which table columns the input does not write; which input
//! columns the table does not have (ignored).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, new_null_array};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Schema, SchemaRef};

use crate::{Error, Result};

/// How the batches of one input become rows of a table's schema.
#[derive(Debug, Clone)]
pub(crate) struct Conform {
    table: String,
    /// What the input is called in errors ("the stream", a file's path).
    input: String,
    /// The table's schema with every non-key column nullable: the schema of the rows
    /// written (a column the input lacks is written as nulls that are not held).
    target: SchemaRef,
    /// The table's declared nullability, per column.
    nullable: Vec<bool>,
    key: usize,
    /// Per table column: the input column feeding it, if any.
    sources: Vec<Option<usize>>,
    /// The input's columns the table does not have, in input order.
    ignored: Vec<String>,
}

impl Conform {
    /// Matches `input`'s columns to table `table` of `schema` (key column `key`) by name.
    /// Errors: the input lacks the key column; an input column's type has no cast to the
    /// table's.
    pub(crate) fn new(
        table: &str,
        schema: &Schema,
        key: usize,
        input: &Schema,
        input_name: &str,
    ) -> Result<Self> {
        let mut sources = Vec::with_capacity(schema.fields().len());
        for (i, field) in schema.fields().iter().enumerate() {
            let source = input.index_of(field.name()).ok();
            if i == key && source.is_none() {
                return Err(Error::MissingKeyColumn {
                    table: table.to_owned(),
                    column: field.name().clone(),
                    input: input_name.to_owned(),
                    found: names(input).join(", "),
                });
            }
            if let Some(s) = source {
                let from = input.field(s).data_type();
                if from != field.data_type()
                    && let Err(why) = castable(from, field.data_type())
                {
                    return Err(Error::Uncastable {
                        table: table.to_owned(),
                        column: field.name().clone(),
                        from: from.clone(),
                        to: field.data_type().clone(),
                        detail: format!("{input_name}: {why}"),
                    });
                }
            }
            sources.push(source);
        }
        let ignored = names(input)
            .into_iter()
            .filter(|n| schema.index_of(n).is_err())
            .collect();
        let target = Arc::new(Schema::new_with_metadata(
            schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| f.as_ref().clone().with_nullable(i != key))
                .collect::<Vec<_>>(),
            schema.metadata().clone(),
        ));
        Ok(Conform {
            table: table.to_owned(),
            input: input_name.to_owned(),
            target,
            nullable: schema.fields().iter().map(|f| f.is_nullable()).collect(),
            key,
            sources,
            ignored,
        })
    }

    /// The table's name.
    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// The schema of the conformed rows: the table's, every non-key column nullable.
    pub(crate) fn target(&self) -> &SchemaRef {
        &self.target
    }

    /// The index of the key column.
    pub(crate) fn key(&self) -> usize {
        self.key
    }

    /// The input's columns that the table does not have (not read, not written).
    pub(crate) fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// The indices of the input columns that are read, ascending (a projection).
    pub(crate) fn projection(&self) -> Vec<usize> {
        let mut p: Vec<usize> = self.sources.iter().flatten().copied().collect();
        p.sort_unstable();
        p
    }

    /// The same matching for an input whose columns are `projected` (the input's schema
    /// projected to [`Conform::projection`]).
    pub(crate) fn projected(&self, projected: &Schema) -> Result<Self> {
        let sources = self
            .target
            .fields()
            .iter()
            .zip(&self.sources)
            .map(|(f, s)| match s {
                Some(_) => projected.index_of(f.name()).map(Some).map_err(Error::from),
                None => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Conform {
            sources,
            ..self.clone()
        })
    }

    /// The presence masks of `rows` conformed rows, one per non-key column (as
    /// [`crate::segment::SegmentWriter::push_partial`] takes them): `None` for a column
    /// the input writes, no bit set for one it does not.
    pub(crate) fn present(&self, rows: usize) -> Vec<Option<BooleanBuffer>> {
        self.sources
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != self.key)
            .map(|(_, s)| match s {
                Some(_) => None,
                None => Some(BooleanBuffer::new_unset(rows)),
            })
            .collect()
    }

    /// `batch` (of the input's schema, its first row row `first_row` of the input) as rows
    /// of [`Conform::target`]. Errors: a value that does not cast, a null key (its row
    /// counted from the input's start), a null in a column declared not nullable.
    pub(crate) fn apply(&self, batch: &RecordBatch, first_row: u64) -> Result<RecordBatch> {
        let n = batch.num_rows();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.sources.len());
        for (i, (field, source)) in self.target.fields().iter().zip(&self.sources).enumerate() {
            let Some(s) = *source else {
                columns.push(new_null_array(field.data_type(), n));
                continue;
            };
            let array = batch.columns().get(s).ok_or_else(|| {
                Error::SchemaMismatch(format!(
                    "{}: a batch has {} columns where its schema has more",
                    self.input,
                    batch.num_columns()
                ))
            })?;
            let array = if array.data_type() == field.data_type() {
                Arc::clone(array)
            } else {
                cast(array, field.data_type()).map_err(|e| {
                    self.uncastable(field.name(), array.data_type(), field.data_type(), e)
                })?
            };
            if array.null_count() > 0 {
                if i == self.key {
                    let row = (0..n).find(|&r| array.is_null(r)).unwrap_or(0);
                    return Err(Error::NullKey {
                        column: field.name().clone(),
                        row: usize::try_from(first_row)
                            .unwrap_or(usize::MAX)
                            .saturating_add(row),
                    });
                }
                if !self.nullable.get(i).copied().unwrap_or(true) {
                    return Err(Error::SchemaMismatch(format!(
                        "column '{}' of table '{}' is declared not nullable, and {} has {} \
                         nulls in it",
                        field.name(),
                        self.table,
                        self.input,
                        array.null_count()
                    )));
                }
            }
            columns.push(array);
        }
        Ok(RecordBatch::try_new(Arc::clone(&self.target), columns)?)
    }

    fn uncastable(&self, column: &str, from: &DataType, to: &DataType, e: impl ToString) -> Error {
        Error::Uncastable {
            table: self.table.clone(),
            column: column.to_owned(),
            from: from.clone(),
            to: to.clone(),
            detail: format!("{}: {}", self.input, e.to_string()),
        }
    }
}

/// Whether a column of type `from` can be cast to `to`; why not.
#[cfg(feature = "cast")]
fn castable(from: &DataType, to: &DataType) -> std::result::Result<(), String> {
    if arrow_cast::can_cast_types(from, to) {
        Ok(())
    } else {
        Err("Arrow has no cast between these types".to_owned())
    }
}

/// Without the `cast` feature only the table's own types are taken.
#[cfg(not(feature = "cast"))]
fn castable(_: &DataType, _: &DataType) -> std::result::Result<(), String> {
    Err(
        "this build of libmurr casts no types (murr-core's cargo feature 'cast' is off); \
         give the column the table's type"
            .to_owned(),
    )
}

/// `array` cast to `to`; a value that does not fit is an error (`safe: false`), never a
/// null.
#[cfg(feature = "cast")]
fn cast(array: &ArrayRef, to: &DataType) -> std::result::Result<ArrayRef, String> {
    let options = arrow_cast::CastOptions {
        safe: false,
        ..arrow_cast::CastOptions::default()
    };
    arrow_cast::cast_with_options(array.as_ref(), to, &options).map_err(|e| e.to_string())
}

#[cfg(not(feature = "cast"))]
fn cast(array: &ArrayRef, to: &DataType) -> std::result::Result<ArrayRef, String> {
    castable(array.data_type(), to).map(|()| Arc::clone(array))
}

fn names(schema: &Schema) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}
