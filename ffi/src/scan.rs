//! Scans: every live row of a table in key order, as an Arrow C stream.

use std::ffi::c_char;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;

use crate::args::{out_arg, str_arg, str_list};
use crate::error::murr_error_t;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::status::murr_status_t;

/// Streams every live row of `table` in key order (utf8 keys bytewise, integer keys
/// numerically) as batches of `columns`, as of `snapshot` (NULL: the database as it is at
/// this call; writes made while the stream is read change nothing in it).
///
/// - `columns`: `n_columns` borrowed NUL-terminated UTF-8 names; `n_columns` 0 (`columns`
///   may then be NULL): every column, the key first. Every column of the stream is
///   nullable. An unknown table or column fails here, not in the stream.
/// - `out`: caller-allocated, marked released on entry; on success an Arrow C stream of
///   struct arrays the caller reads with `out->get_next` and releases with
///   `out->release(out)`. The stream holds what it reads alive: it may outlive `snapshot`'s
///   handle, but must be released before `murr_db_free` of `db`. After `murr_db_close` its
///   next `get_next` fails (`get_last_error` says the database is closed). A stream is read
///   by one thread at a time (the C Stream Interface's rule).
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_scan(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    columns: *const *const c_char,
    n_columns: usize,
    out: *mut FFI_ArrowArrayStream,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            // The old contents are not released: they may be uninitialized.
            out.write(FFI_ArrowArrayStream::empty());
            let db = db_arg(db)?;
            let snapshot = snapshot_arg(snapshot);
            let table = str_arg(table, "table")?;
            let columns = str_list(columns, n_columns, "columns")?;
            let scan = match snapshot {
                Some(s) => s.scan(table, &columns)?,
                None => db.scan(table, &columns)?,
            };
            out.write(FFI_ArrowArrayStream::new(Box::new(scan)));
            Ok(())
        })
    }
}
