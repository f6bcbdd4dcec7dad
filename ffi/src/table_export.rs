//! Exports of a table as Parquet files or as an Apache Iceberg table (`Db::export_parquet`,
//! `Db::export_iceberg`; docs/ICEBERG.md). They need murr-core's Parquet writer, which the C
//! library leaves out to stay small: built without murr-ffi's cargo feature `export` (the
//! default), both functions answer `MURR_UNSUPPORTED`. The Python wheel turns it on.

use std::ffi::c_char;

use crate::args::str_arg;
use crate::error::murr_error_t;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t, murr_snapshot_t, snapshot_arg};
use crate::status::murr_status_t;

/// Writes the live rows of `table` (exactly what `murr_db_scan` streams at `snapshot`;
/// NULL: the database as it is at this call) as zstd Parquet files `part-00000.parquet`,
/// ... in `dir`: key order, the key column first, the other columns with their libmurr
/// types, row groups of 512 Ki rows, files of at most 8 Mi rows, column statistics. `dir`
/// is created if missing and must be empty; on an error no `part-*.parquet` file is left.
/// The database is only read.
///
/// - `table`, `dir`: borrowed NUL-terminated UTF-8.
/// - `rows`: NULL, or where the number of rows exported is written on success.
///
/// Errors: `MURR_UNSUPPORTED` when this libmurr was built without exports (the C library's
/// default), an unknown table, `dir` not empty (`MURR_INVALID_ARGUMENT`), `MURR_IO`.
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db`, `snapshot` handles not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_export_parquet(
    db: *const murr_db_t,
    snapshot: *const murr_snapshot_t,
    table: *const c_char,
    dir: *const c_char,
    rows: *mut u64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let snapshot = snapshot_arg(snapshot);
            let table = str_arg(table, "table")?;
            let dir = str_arg(dir, "dir")?;
            let exported = run::parquet(db, snapshot, table, dir)?;
            if let Some(rows) = rows.as_mut() {
                *rows = exported;
            }
            Ok(())
        })
    }
}

/// Exports `table`, as it is at this call, to the Apache Iceberg table (format v2) at the
/// local directory `location`: created by the first export, given one new overwrite
/// snapshot of Parquet data files holding every live row by each later one; earlier
/// snapshots stay readable. Column types map as docs/ICEBERG.md says (a uint64 above
/// 2^63 - 1 fails the export). The new `metadata/vN.metadata.json` is committed last: on an
/// error (or a crash) the previous snapshot stays current. The database is only read.
///
/// - `table`, `location`: borrowed NUL-terminated UTF-8.
/// - `snapshot_id`: NULL, or where the committed Iceberg snapshot id is written on success.
///
/// Errors: `MURR_UNSUPPORTED` when this libmurr was built without exports (the C library's
/// default), an unknown table, a value Iceberg cannot hold or a location holding metadata
/// libmurr cannot extend (`MURR_INVALID_ARGUMENT`, the message says which), `MURR_IO`.
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_export_iceberg(
    db: *const murr_db_t,
    table: *const c_char,
    location: *const c_char,
    snapshot_id: *mut i64,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let location = str_arg(location, "location")?;
            let id = run::iceberg(db, table, location)?;
            if let Some(out) = snapshot_id.as_mut() {
                *out = id;
            }
            Ok(())
        })
    }
}

#[cfg(feature = "export")]
mod run {
    use murr_core::db::{Db, Snapshot};
    use murr_core::{Error, ExportOptions};

    use crate::error::Failure;

    pub(super) fn parquet(
        db: &Db,
        snapshot: Option<&Snapshot>,
        table: &str,
        dir: &str,
    ) -> Result<u64, Failure> {
        Ok(db
            .export_parquet(table, snapshot, dir, &ExportOptions::default())?
            .rows)
    }

    pub(super) fn iceberg(db: &Db, table: &str, location: &str) -> Result<i64, Failure> {
        let report = db.export_iceberg(table, location, &ExportOptions::default())?;
        report.snapshot_id.ok_or_else(|| {
            Failure::from(Error::InvalidArgument(
                "the Iceberg export committed no snapshot".into(),
            ))
        })
    }
}

#[cfg(not(feature = "export"))]
mod run {
    use murr_core::db::{Db, Snapshot};

    use crate::error::Failure;
    use crate::status::MURR_UNSUPPORTED;

    const MESSAGE: &str = "this libmurr was built without exports (cargo feature `export` of \
        murr-ffi, which adds the Parquet writer the C library leaves out to stay small); use \
        the Python wheel, the `murr export` command, or murr-core's Db::export_parquet / \
        Db::export_iceberg";

    pub(super) fn parquet(_: &Db, _: Option<&Snapshot>, _: &str, _: &str) -> Result<u64, Failure> {
        Err(Failure::new(MURR_UNSUPPORTED, MESSAGE))
    }

    pub(super) fn iceberg(_: &Db, _: &str, _: &str) -> Result<i64, Failure> {
        Err(Failure::new(MURR_UNSUPPORTED, MESSAGE))
    }
}
