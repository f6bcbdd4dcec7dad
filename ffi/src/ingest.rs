//! Bulk ingest: an Arrow C stream or a Parquet / Arrow IPC file loaded into a table
//! through `Db::ingest`, sorted straight into segments, all of it or nothing.

use std::cell::RefCell;
use std::ffi::c_char;

use arrow_array::RecordBatch;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_schema::{ArrowError, SchemaRef};

use crate::args::str_arg;
use crate::arrow_in::{CheckedStream, take_stream};
use crate::error::{Failure, murr_error_t};
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::status::murr_status_t;

/// Loads every batch of `stream` into `table` as one bulk upsert (`Db::ingest`): the rows
/// are sorted by key straight into the table's segments, bypassing the log and the
/// memtable, and installed at once; the way to load large inputs.
///
/// - `table`: borrowed NUL-terminated UTF-8.
/// - `stream`: moved on every call: on return `stream->release` is NULL, libmurr has
///   released it. Its schema is a struct schema holding the table's key column and any of
///   its other columns, matched by name, each of the table's type (as for
///   `murr_db_write`: this library casts no types); its columns the table lacks are
///   ignored; table columns it lacks keep their values (a partial upsert). A key repeated
///   in the stream takes its last row.
///
/// All or nothing: on `MURR_OK` every row is readable; on any error (and after a crash)
/// none is, and the table is unchanged. Errors: the key column missing, a column of
/// another type, a null key, nulls in a column declared not nullable (all
/// `MURR_SCHEMA_MISMATCH`), a producer's error (`MURR_ARROW`), an unknown table. The ingest is ordered after every
/// write that returned before its commit begins; writes made while it runs may come after
/// it. Memory: about 256 MiB of rows sorted at a time, plus three output segments.
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_ingest_stream(
    db: *const murr_db_t,
    table: *const c_char,
    stream: *mut FFI_ArrowArrayStream,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let stream = take_stream(stream)?;
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            db.schema(table)?;
            let failed = RefCell::new(None);
            let reader = Reader {
                stream: CheckedStream::open(stream)?,
                failed: &failed,
            };
            match db.ingest(table, reader) {
                Ok(_) => Ok(()),
                // The stream's own failure, with its status, rather than its Arrow echo.
                Err(e) => Err(failed.into_inner().unwrap_or_else(|| Failure::from(e))),
            }
        })
    }
}

/// Loads the file at `path` into `table` as one bulk upsert, as `murr_db_ingest_stream`
/// does: Arrow IPC in the file or the stream format, told by the file's first bytes. Only
/// the table's columns are read. This library reads no Parquet (it would double its
/// size): a Parquet file is `MURR_INVALID_ARGUMENT`; read it with Arrow (pyarrow, Arrow
/// C++, arrow-go...) and pass its batches to `murr_db_ingest_stream`.
///
/// - `table`, `path`: borrowed NUL-terminated UTF-8.
///
/// All or nothing, as `murr_db_ingest_stream`. Errors besides its own: a missing file
/// (`MURR_IO`), a file of another format (`MURR_INVALID_ARGUMENT`), a damaged or
/// truncated file (`MURR_CORRUPT`, naming it). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_ingest_file(
    db: *const murr_db_t,
    table: *const c_char,
    path: *const c_char,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let path = str_arg(path, "path")?;
            db.ingest_file(table, path)?;
            Ok(())
        })
    }
}

/// The caller's stream as a record batch reader for `Db::ingest`; a failure of the
/// stream is kept in `failed` (the reader can only hand back an Arrow error).
struct Reader<'a> {
    stream: CheckedStream,
    failed: &'a RefCell<Option<Failure>>,
}

impl Iterator for Reader<'_> {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.stream.next_batch() {
            Ok(batch) => batch.map(Ok),
            Err(failure) => {
                let message = failure.message.clone();
                *self.failed.borrow_mut() = Some(failure);
                Some(Err(ArrowError::ExternalError(message.into())))
            }
        }
    }
}

impl arrow_array::RecordBatchReader for Reader<'_> {
    fn schema(&self) -> SchemaRef {
        self.stream.schema()
    }
}
