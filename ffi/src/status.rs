//! Status codes: what every entry point returns, and their names.

use std::ffi::c_char;

/// What every libmurr call returns: `MURR_OK` (0) or one of the `MURR_*` error codes below.
/// Values are never renumbered; new ones are only appended.
#[allow(non_camel_case_types)]
pub type murr_status_t = i32;

/// Success.
pub const MURR_OK: murr_status_t = 0;
/// A NULL pointer, invalid UTF-8, bad options, a released ArrowArray, a non-struct array
/// where a struct array is needed.
pub const MURR_INVALID_ARGUMENT: murr_status_t = 1;
/// No table of that name.
pub const MURR_UNKNOWN_TABLE: murr_status_t = 2;
/// No column of that name in the table.
pub const MURR_UNKNOWN_COLUMN: murr_status_t = 3;
/// A batch's schema does not match the table's, keys of the wrong type, a null key, or a
/// column that is not numeric in a dense read.
pub const MURR_SCHEMA_MISMATCH: murr_status_t = 4;
/// A table of that name exists with another schema.
pub const MURR_TABLE_EXISTS: murr_status_t = 5;
/// An operating-system I/O call failed.
pub const MURR_IO: murr_status_t = 6;
/// Files on disk are damaged (or not libmurr's).
pub const MURR_CORRUPT: murr_status_t = 7;
/// An unsupported column type, key type or file format version.
pub const MURR_UNSUPPORTED: murr_status_t = 8;
/// The database handle was closed (`murr_db_close`) but not freed.
pub const MURR_CLOSED: murr_status_t = 9;
/// The database directory is already open (by this process or another).
pub const MURR_LOCKED: murr_status_t = 10;
/// Writes are refused since an earlier log failure: close and reopen.
pub const MURR_WRITES_STOPPED: murr_status_t = 11;
/// Input beyond what the format can hold.
pub const MURR_LIMIT_EXCEEDED: murr_status_t = 12;
/// A write waits for background work that fails.
pub const MURR_BACKGROUND_FAILED: murr_status_t = 13;
/// An Arrow error (invalid array data, a stream's producer failing, ...).
pub const MURR_ARROW: murr_status_t = 14;
/// A bug in libmurr: a Rust panic caught at the boundary.
pub const MURR_INTERNAL: murr_status_t = 15;
/// An error of the core that this ABI version does not name.
pub const MURR_UNKNOWN: murr_status_t = 16;
/// `murr_db_changes` cannot give every change after the asked sequence number: it is older
/// than the write-ahead logs kept (raise `murr_options_t.change_retention_bytes`), or a
/// bulk ingest into the table came after it (ingests are not in the log). Resynchronise
/// from a scan, then follow the feed from the scan's sequence number.
pub const MURR_CHANGES_NOT_RETAINED: murr_status_t = 17;

/// The status code of a core error.
pub(crate) fn status_of(error: &murr_core::Error) -> murr_status_t {
    use murr_core::Error as E;
    match error {
        E::UnknownTable { .. } => MURR_UNKNOWN_TABLE,
        E::UnknownColumn { .. } => MURR_UNKNOWN_COLUMN,
        E::SchemaMismatch(_)
        | E::KeyTypeMismatch { .. }
        | E::NullKey { .. }
        | E::MissingKeyColumn { .. }
        | E::Uncastable { .. } => MURR_SCHEMA_MISMATCH,
        E::TableExists { .. } => MURR_TABLE_EXISTS,
        E::Io { .. } => MURR_IO,
        E::Corrupt { .. } | E::InvalidManifest(_) | E::InvalidDeletionVector(_) => MURR_CORRUPT,
        E::UnsupportedVersion { .. } | E::UnsupportedType { .. } | E::UnsupportedKeyType { .. } => {
            MURR_UNSUPPORTED
        }
        E::Closed { .. } => MURR_CLOSED,
        E::AlreadyOpen { .. } => MURR_LOCKED,
        E::WritesStopped(_) => MURR_WRITES_STOPPED,
        E::LimitExceeded(_) => MURR_LIMIT_EXCEEDED,
        E::InvalidArgument(_) | E::Export { .. } => MURR_INVALID_ARGUMENT,
        E::BackgroundFailed(_) => MURR_BACKGROUND_FAILED,
        E::Arrow(_) => MURR_ARROW,
        E::ChangesNotRetained { .. } | E::ChangesIngested { .. } => MURR_CHANGES_NOT_RETAINED,
        _ => MURR_UNKNOWN,
    }
}

/// The name of status code `status` ("MURR_OK", "MURR_INVALID_ARGUMENT", ...; "MURR_UNKNOWN"
/// for a value this version does not know), as a static NUL-terminated string owned by
/// libmurr: never freed by the caller. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn murr_status_name(status: murr_status_t) -> *const c_char {
    let name: &'static str = match status {
        MURR_OK => "MURR_OK\0",
        MURR_INVALID_ARGUMENT => "MURR_INVALID_ARGUMENT\0",
        MURR_UNKNOWN_TABLE => "MURR_UNKNOWN_TABLE\0",
        MURR_UNKNOWN_COLUMN => "MURR_UNKNOWN_COLUMN\0",
        MURR_SCHEMA_MISMATCH => "MURR_SCHEMA_MISMATCH\0",
        MURR_TABLE_EXISTS => "MURR_TABLE_EXISTS\0",
        MURR_IO => "MURR_IO\0",
        MURR_CORRUPT => "MURR_CORRUPT\0",
        MURR_UNSUPPORTED => "MURR_UNSUPPORTED\0",
        MURR_CLOSED => "MURR_CLOSED\0",
        MURR_LOCKED => "MURR_LOCKED\0",
        MURR_WRITES_STOPPED => "MURR_WRITES_STOPPED\0",
        MURR_LIMIT_EXCEEDED => "MURR_LIMIT_EXCEEDED\0",
        MURR_BACKGROUND_FAILED => "MURR_BACKGROUND_FAILED\0",
        MURR_ARROW => "MURR_ARROW\0",
        MURR_INTERNAL => "MURR_INTERNAL\0",
        MURR_CHANGES_NOT_RETAINED => "MURR_CHANGES_NOT_RETAINED\0",
        _ => "MURR_UNKNOWN\0",
    };
    name.as_ptr().cast()
}
