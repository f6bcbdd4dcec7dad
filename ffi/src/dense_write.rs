//! Dense writes: rows of float32 values from the caller's row-major buffer, keyed by a key
//! descriptor, with no Arrow structures built by the caller.

use std::collections::HashSet;
use std::ffi::c_char;
use std::sync::Arc;

use arrow_array::{Array as _, ArrayRef, Float32Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use murr_core::db::KEY_METADATA;

use crate::args::{slice_arg, str_arg, str_list};
use crate::error::{Failure, Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::keyset::{Keys, keys_arg, keys_failure, murr_keys_t};
use crate::status::{MURR_INTERNAL, MURR_SCHEMA_MISMATCH, murr_status_t};

/// The table's key field and the fields of `columns` (each a float32 column of the table,
/// not the key, named once), in that order.
fn dense_fields(schema: &Schema, table: &str, columns: &[&str]) -> Result<Vec<Field>> {
    let key_name = schema.metadata().get(KEY_METADATA).ok_or_else(|| {
        Failure::new(
            MURR_SCHEMA_MISMATCH,
            format!("table '{table}' names no key column"),
        )
    })?;
    let key = schema.field_with_name(key_name)?;
    let mut fields = Vec::with_capacity(columns.len() + 1);
    fields.push(key.clone());
    let mut seen = HashSet::with_capacity(columns.len());
    for (j, &name) in columns.iter().enumerate() {
        if name == key_name.as_str() {
            return Err(Failure::new(
                MURR_SCHEMA_MISMATCH,
                format!(
                    "columns[{j}] ('{name}') is the key column of table '{table}'; the keys \
                     are given by `keys`"
                ),
            ));
        }
        if !seen.insert(name) {
            return Err(Failure::invalid(format!(
                "columns[{j}] ('{name}') is named twice"
            )));
        }
        let Ok(field) = schema.field_with_name(name) else {
            return Err(Failure::from(murr_core::Error::UnknownColumn {
                column: name.to_owned(),
                container: format!("table '{table}'"),
            }));
        };
        if field.data_type() != &DataType::Float32 {
            return Err(Failure::new(
                MURR_SCHEMA_MISMATCH,
                format!(
                    "column '{name}' of table '{table}' has type {}; murr_db_write_f32 writes \
                     float32 columns only (write the others with murr_db_write)",
                    field.data_type()
                ),
            ));
        }
        fields.push(field.clone());
    }
    Ok(fields)
}

/// The body of the dense write.
///
/// # Safety
/// Pointers are NULL or valid as `murr_db_write_f32` describes; `keys` resolves the
/// caller's keys (called once the other arguments are checked).
pub(crate) unsafe fn dense_write(
    db: *const murr_db_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<Keys>,
    columns: *const *const c_char,
    n_columns: usize,
    values: *const f32,
    seq_out: *mut u64,
) -> Result<()> {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        let db = db_arg(db)?;
        let table = str_arg(table, "table")?;
        let columns = str_list(columns, n_columns, "columns")?;
        let schema = db.schema(table)?;
        let fields = dense_fields(&schema, table, &columns)?;
        let resolved = keys()?;
        let keys = &resolved.array;
        let Some(key_field) = fields.first() else {
            return Err(Failure::new(MURR_INTERNAL, "no key field"));
        };
        if keys.data_type() != key_field.data_type() {
            return Err(keys_failure(
                table,
                murr_core::Error::KeyTypeMismatch {
                    column: key_field.name().clone(),
                    expected: key_field.data_type().clone(),
                    found: keys.data_type().clone(),
                },
            ));
        }
        if let Some(nulls) = keys.nulls().filter(|n| n.null_count() > 0) {
            let row = nulls.iter().position(|valid| !valid).unwrap_or_default();
            return Err(Failure::new(
                MURR_SCHEMA_MISMATCH,
                format!("keys[{row}] is null; the keys of a write must not be null"),
            ));
        }
        let n_keys = keys.len();
        let cells = n_keys.checked_mul(n_columns).ok_or_else(|| {
            Failure::invalid(format!(
                "n_keys ({n_keys}) x n_columns ({n_columns}) overflows"
            ))
        })?;
        let values = slice_arg(values, cells, "values")?;
        // The memtable keeps what is written.
        let keys = resolved.into_owned()?;
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(n_columns + 1);
        arrays.push(keys);
        for j in 0..n_columns {
            let column: Float32Array = values.iter().skip(j).step_by(n_columns).copied().collect();
            arrays.push(Arc::new(column));
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?;
        let seq = db
            .write(table, &batch)
            .map_err(|e| keys_failure(table, e))?;
        if !seq_out.is_null() {
            seq_out.write(seq);
        }
        Ok(())
    }
}

/// Dense write: upserts one row per key into `table`, the values of `columns` taken from
/// the caller's row-major buffer `values` (`values[i * n_columns + j]` is key `i`, column
/// `j`); a partial upsert of those columns, as `murr_db_write` of the same rows (the other
/// columns keep their values; a key given twice: the last row wins). Atomic: everything is
/// written, or nothing.
///
/// - `table`: borrowed NUL-terminated UTF-8.
/// - `keys`: borrowed, the key descriptor (see `murr_keys_t`) of the key column's exact
///   type (an Arrow key array of utf8 for a utf8 key column), no null key: else
///   `MURR_SCHEMA_MISMATCH`.
/// - `columns`: `n_columns` borrowed names, each of a float32 column of the table (not the
///   key column), each once. An unknown column is `MURR_UNKNOWN_COLUMN`; a column of
///   another type or the key column `MURR_SCHEMA_MISMATCH`; a name given twice
///   `MURR_INVALID_ARGUMENT`. Nothing is written then.
/// - `values`: borrowed, `n_keys * n_columns` floats (NULL when that is 0), copied during
///   the call. NaN is stored as NaN (not null).
/// - `seq_out`: NULL, or receives the write's sequence number.
///
/// When this returns `MURR_OK` the write is visible to every later read. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_write_f32(
    db: *const murr_db_t,
    table: *const c_char,
    keys: *const murr_keys_t,
    columns: *const *const c_char,
    n_columns: usize,
    values: *const f32,
    seq_out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            dense_write(
                db,
                table,
                || keys_arg(keys),
                columns,
                n_columns,
                values,
                seq_out,
            )
        })
    }
}
