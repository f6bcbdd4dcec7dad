//! The change feed: every write and delete of a table after a sequence number, as an Arrow
//! C stream.

use std::ffi::c_char;

use arrow_array::ffi_stream::FFI_ArrowArrayStream;

use crate::args::{out_arg, str_arg};
use crate::error::murr_error_t;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::status::murr_status_t;

/// Streams the change feed of `table`: every write and delete of it with a sequence number
/// above `since_seq`, in sequence order, up to the newest write visible at this call. One
/// row per key written or deleted; the columns, told by position:
///
/// - `_seq` (uint64): the write's or delete's sequence number;
/// - `_op` (utf8): `"write"` (an upsert) or `"delete"`;
/// - the key column (the key's type);
/// - each other column of the table in schema order (nullable): the value written, null
///   when not written and for deletes;
/// - `_present` (`fixed_size_list<bool>` of n entries): for each of the n columns between
///   the key and `_present`, whether the write carried it (a write sets only those; an
///   explicit null writes null).
///
/// The stream's schema metadata `murr.changes.end_seq` is the sequence number it ends at
/// (decimal): the `since_seq` of the next call. The changes come from the write-ahead
/// logs: those not yet flushed and the flushed ones kept under
/// `murr_options_t.change_retention_bytes`; a `since_seq` below
/// `murr_db_changes_oldest_since` fails with `MURR_CHANGES_NOT_RETAINED` (the message says
/// what is kept). A bulk ingest writes segments, not the log: the stream's `get_next` fails
/// at the marker it logs (its `get_last_error` says so; resynchronise from a scan). The
/// stream holds no lock and keeps the logs it reads from being deleted until it is
/// released.
///
/// - `out`: caller-allocated, marked released on entry; on success an Arrow C stream of
///   struct arrays the caller reads with `out->get_next` and releases with
///   `out->release(out)`, before `murr_db_free` of `db`. After `murr_db_close` its next
///   `get_next` fails. A stream is read by one thread at a time.
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_changes(
    db: *const murr_db_t,
    table: *const c_char,
    since_seq: u64,
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
            let table = str_arg(table, "table")?;
            let changes = db.changes(table, since_seq)?;
            out.write(FFI_ArrowArrayStream::new(Box::new(changes)));
            Ok(())
        })
    }
}

/// Writes to `*out` the smallest `since_seq` `murr_db_changes` accepts now: one below the
/// first sequence number of the oldest write-ahead log kept. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_changes_oldest_since(
    db: *const murr_db_t,
    out: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            let db = db_arg(db)?;
            out.write(db.changes_oldest_since()?);
            Ok(())
        })
    }
}
