//! Dense tensor reads: numeric columns cast to `float`, written row-major into the caller's
//! buffer, with no Arrow structures crossing the boundary.

use std::ffi::c_char;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};
use arrow_schema::DataType;
use murr_core::db::{Db, Snapshot};

use crate::args::{out_slice, str_arg, str_list};
use crate::error::{Failure, Result, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::keys::{i64_keys, str_keys};
use crate::read::{engine_read, found_arg, set_found};
use crate::status::{MURR_INTERNAL, MURR_SCHEMA_MISMATCH, murr_status_t};

/// Whether a dense read can cast `data_type` to `float`.
fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_numeric() || *data_type == DataType::Boolean
}

/// Fails with `MURR_SCHEMA_MISMATCH` unless every asked column that exists is numeric or
/// bool (unknown columns are left to the read, which names them).
fn check_numeric(
    db: &Db,
    snapshot: Option<&Snapshot>,
    table: &str,
    columns: &[&str],
) -> Result<()> {
    let schema = match snapshot {
        Some(s) => s.schema(table)?,
        None => db.schema(table)?,
    };
    for &name in columns {
        if let Ok(field) = schema.field_with_name(name)
            && !is_numeric(field.data_type())
        {
            return Err(Failure::new(
                MURR_SCHEMA_MISMATCH,
                format!(
                    "column '{name}' of table '{table}' has type {}; a dense read takes \
                     numeric and bool columns only",
                    field.data_type()
                ),
            ));
        }
    }
    Ok(())
}

/// Rows per block of the tensor written at a time: a block (here 128 rows x the columns)
/// stays in the L1 cache while each column writes its cells into it.
const BLOCK_ROWS: usize = 128;

/// Writes one column's cells into a block of the row-major tensor: `(first row, block)`.
type ColumnWriter<'a> = Box<dyn Fn(usize, &mut [f32]) + 'a>;

/// The writer of column `j` of `n_columns` (`array`, one value per key): its value cast
/// to float at `row[j]` of each row of a block, `fill` for nulls.
fn column_writer<'a>(
    array: &'a dyn Array,
    j: usize,
    n_columns: usize,
    fill: f32,
) -> Result<ColumnWriter<'a>> {
    fn typed<'a, T: ArrowPrimitiveType>(
        a: &'a PrimitiveArray<T>,
        cast: impl Fn(T::Native) -> f32 + 'a,
        j: usize,
        n_columns: usize,
        fill: f32,
    ) -> ColumnWriter<'a> {
        let nulls = a.nulls().filter(|n| n.null_count() > 0);
        Box::new(move |first, block| {
            let values = a.values().get(first..).unwrap_or_default();
            let rows = (block.len() / n_columns).min(values.len());
            if j >= n_columns {
                return;
            }
            // Cell `(i, j)` is `block[i * n_columns + j]`; `block` holds `rows` rows.
            let cells = &mut block[j..];
            match nulls {
                None => {
                    for (i, &v) in values[..rows].iter().enumerate() {
                        cells[i * n_columns] = cast(v);
                    }
                }
                Some(nulls) => {
                    for (i, &v) in values[..rows].iter().enumerate() {
                        cells[i * n_columns] = if nulls.is_valid(first + i) {
                            cast(v)
                        } else {
                            fill
                        };
                    }
                }
            }
        })
    }
    macro_rules! prim {
        ($t:ty, $cast:expr) => {
            typed(array.as_primitive::<$t>(), $cast, j, n_columns, fill)
        };
    }
    Ok(match array.data_type() {
        DataType::Float32 => prim!(Float32Type, |v| v),
        DataType::Float64 => prim!(Float64Type, |v| v as f32),
        DataType::Float16 => prim!(Float16Type, |v| v.to_f32()),
        DataType::Int8 => prim!(Int8Type, f32::from),
        DataType::Int16 => prim!(Int16Type, f32::from),
        DataType::Int32 => prim!(Int32Type, |v| v as f32),
        DataType::Int64 => prim!(Int64Type, |v| v as f32),
        DataType::UInt8 => prim!(UInt8Type, f32::from),
        DataType::UInt16 => prim!(UInt16Type, f32::from),
        DataType::UInt32 => prim!(UInt32Type, |v| v as f32),
        DataType::UInt64 => prim!(UInt64Type, |v| v as f32),
        DataType::Boolean => {
            let a = array.as_boolean();
            Box::new(move |first, block| {
                let n = a.len().saturating_sub(first);
                for (i, row) in block.chunks_exact_mut(n_columns).take(n).enumerate() {
                    row[j] = if a.is_null(first + i) {
                        fill
                    } else {
                        f32::from(u8::from(a.value(first + i)))
                    };
                }
            })
        }
        other => {
            return Err(Failure::new(
                MURR_INTERNAL,
                format!("a dense read got a column of type {other} past its type check"),
            ));
        }
    })
}

/// Writes `columns` (one value per key each) into the row-major `out` (`fill` for nulls),
/// a block of rows at a time.
fn fill_tensor(columns: &[ArrayRef], fill: f32, out: &mut [f32]) -> Result<()> {
    let n_columns = columns.len();
    if n_columns == 0 {
        return Ok(());
    }
    let writers = columns
        .iter()
        .enumerate()
        .map(|(j, c)| column_writer(c.as_ref(), j, n_columns, fill))
        .collect::<Result<Vec<_>>>()?;
    for (b, block) in out.chunks_mut(BLOCK_ROWS * n_columns).enumerate() {
        for write in &writers {
            write(b * BLOCK_ROWS, block);
        }
    }
    Ok(())
}

/// The shared body of the two dense reads.
///
/// # Safety
/// Pointers are NULL or valid as the entry points describe.
#[allow(clippy::too_many_arguments)]
unsafe fn dense_into(
    db: *mut murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: impl FnOnce() -> Result<std::sync::Arc<dyn Array>>,
    columns: *const *const c_char,
    n_columns: usize,
    fill: f32,
    out: *mut f32,
    found: *mut u8,
) -> Result<()> {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        let db = db_arg(db)?;
        let snapshot = snapshot_arg(snapshot);
        let table = str_arg(table, "table")?;
        let columns = str_list(columns, n_columns, "columns")?;
        let keys = keys()?;
        let n_keys = keys.len();
        let cells = n_keys.checked_mul(n_columns).ok_or_else(|| {
            Failure::invalid(format!(
                "n_keys ({n_keys}) x n_columns ({n_columns}) overflows"
            ))
        })?;
        let out = out_slice(out, cells, "out")?;
        let mask = found_arg(found, n_keys)?;
        check_numeric(db, snapshot, table, &columns)?;
        let (batch, hits) = engine_read(db, snapshot, table, keys.as_ref(), &columns)?;
        fill_tensor(batch.columns(), fill, out)?;
        set_found(mask, &hits);
        Ok(())
    }
}

/// Dense read for `n_keys` utf8 keys (borrowed NUL-terminated UTF-8): fills the caller's
/// `out` (`n_keys * n_columns` floats, row-major: `out[i * n_columns + j]` is key `i`,
/// column `j`) with the values of `columns` cast to float (bool: 0/1), `fill` for nulls and
/// absent keys, as of `snapshot` (NULL: the latest state).
///
/// - `columns`: `n_columns` borrowed names, each of a numeric or bool column, else
///   `MURR_SCHEMA_MISMATCH` before anything is read.
/// - `out`: written only on success (unspecified on failure).
/// - `found`: NULL, or a caller buffer of `n_keys` bytes (1 found, 0 absent).
///
/// No Arrow structures; no allocation proportional to the output beyond the engine's read.
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_f32_str(
    db: *mut murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const *const c_char,
    n_keys: usize,
    columns: *const *const c_char,
    n_columns: usize,
    fill: f32,
    out: *mut f32,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let keys = || Ok(std::sync::Arc::new(str_keys(keys, n_keys)?) as _);
            dense_into(
                db, snapshot, table, keys, columns, n_columns, fill, out, found,
            )
        })
    }
}

/// Dense read as `murr_db_read_f32_str` does, for `n_keys` int64 keys (borrowed).
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_read_f32_i64(
    db: *mut murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    keys: *const i64,
    n_keys: usize,
    columns: *const *const c_char,
    n_columns: usize,
    fill: f32,
    out: *mut f32,
    found: *mut u8,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let keys = || Ok(std::sync::Arc::new(i64_keys(keys, n_keys)?) as _);
            dense_into(
                db, snapshot, table, keys, columns, n_columns, fill, out, found,
            )
        })
    }
}
