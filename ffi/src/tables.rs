//! Tables: creating, dropping, listing them; their schemas; adding columns.

use std::ffi::{CString, c_char};

use arrow_array::ffi::FFI_ArrowSchema;
use arrow_schema::Field;

use crate::args::{out_arg, str_arg};
use crate::arrow_in::{schema_arg, struct_schema};
use crate::error::{Failure, murr_error_t};
use crate::guard::{guard, guard_void};
use crate::handles::{db_arg, murr_db_t};
use crate::status::{MURR_INTERNAL, murr_status_t};

/// A list of strings owned by libmurr: `count` NUL-terminated UTF-8 strings at `items`
/// (NULL when `count` is 0). The caller allocates the struct; libmurr fills it; the caller
/// frees what it holds with `murr_string_list_free`.
#[repr(C)]
#[derive(Debug)]
pub struct murr_string_list {
    /// How many strings.
    pub count: usize,
    /// The strings.
    pub items: *mut *mut c_char,
}

/// A list of strings owned by libmurr (`struct murr_string_list`).
#[allow(non_camel_case_types)]
pub type murr_string_list_t = murr_string_list;

/// Frees the strings a list holds and zeroes it (`count` 0, `items` NULL); the struct itself
/// stays the caller's. NULL-safe; freeing a zeroed list does nothing.
///
/// # Safety
/// `list` is NULL or points to a list zeroed or filled by libmurr and not freed since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_string_list_free(list: *mut murr_string_list_t) {
    guard_void(|| {
        // SAFETY: NULL or valid, by the caller's contract.
        let Some(list) = (unsafe { list.as_mut() }) else {
            return;
        };
        if !list.items.is_null() {
            let raw = std::ptr::slice_from_raw_parts_mut(list.items, list.count);
            // SAFETY: allocated by `fill_list` as a boxed slice of `count` strings.
            let items = unsafe { Box::from_raw(raw) };
            for &item in items.iter() {
                if !item.is_null() {
                    // SAFETY: each item came from CString::into_raw.
                    drop(unsafe { CString::from_raw(item) });
                }
            }
        }
        list.count = 0;
        list.items = std::ptr::null_mut();
    });
}

/// Creates table `table` with the columns of `schema`, keyed by its column `key_column`
/// (utf8, int64 or uint64). Creating a table that exists with the same schema does nothing;
/// with another schema: `MURR_TABLE_EXISTS`.
///
/// - `table`, `key_column`: borrowed NUL-terminated UTF-8.
/// - `schema`: borrowed (not released), a struct schema (format "+s") whose children are
///   the columns.
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_create_table(
    db: *const murr_db_t,
    table: *const c_char,
    schema: *const FFI_ArrowSchema,
    key_column: *const c_char,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let schema = struct_schema(schema_arg(schema, "schema")?, "schema")?;
            let key = str_arg(key_column, "key_column")?;
            Ok(db.create_table(table, &schema, key)?)
        })
    }
}

/// Drops table `table` (borrowed NUL-terminated UTF-8) and its data; snapshots taken before
/// keep reading it. `MURR_UNKNOWN_TABLE` if there is none. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_drop_table(
    db: *const murr_db_t,
    table: *const c_char,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            Ok(db.drop_table(table)?)
        })
    }
}

/// Fills the caller's `*out` with the names of the tables, in creation order. `*out` is
/// zeroed on entry (what it held is not freed); on success the caller frees it with
/// `murr_string_list_free`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_tables(
    db: *const murr_db_t,
    out: *mut murr_string_list_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            out.write(murr_string_list {
                count: 0,
                items: std::ptr::null_mut(),
            });
            let names = db_arg(db)?.tables()?;
            out.write(to_list(names)?);
            Ok(())
        })
    }
}

/// `names` as a list owned by libmurr.
fn to_list(names: Vec<String>) -> Result<murr_string_list, Failure> {
    if names.is_empty() {
        return Ok(murr_string_list {
            count: 0,
            items: std::ptr::null_mut(),
        });
    }
    let strings = names
        .into_iter()
        .map(|n| {
            CString::new(n)
                .map_err(|e| Failure::new(MURR_INTERNAL, format!("a name holds a NUL byte: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let items: Box<[*mut c_char]> = strings.into_iter().map(CString::into_raw).collect();
    let count = items.len();
    Ok(murr_string_list {
        count,
        items: Box::into_raw(items).cast::<*mut c_char>(),
    })
}

/// Exports the schema of table `table` into the caller's `*out`: a struct schema (format
/// "+s"), one child per column (the key column not nullable), whose metadata entry
/// "murr.key" names the key column. `*out` is marked released on entry (what it held is not released); on
/// success the caller calls `out->release(out)`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_table_schema(
    db: *const murr_db_t,
    table: *const c_char,
    out: *mut FFI_ArrowSchema,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            out.write(FFI_ArrowSchema::empty());
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let schema = db.schema(table)?;
            out.write(FFI_ArrowSchema::try_from(schema.as_ref())?);
            Ok(())
        })
    }
}

/// Adds a column to table `table`, at the end of its schema; rows written before read null
/// in it. `field`: borrowed (not released), the schema of one field (its name, format and
/// flags; it must be nullable). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_add_column(
    db: *const murr_db_t,
    table: *const c_char,
    field: *const FFI_ArrowSchema,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let field = Field::try_from(schema_arg(field, "field")?)?;
            Ok(db.add_column(table, field)?)
        })
    }
}
