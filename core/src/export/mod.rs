//! Exports of a table to open formats, read through [`crate::Db::scan`]'s path so that an
//! export holds exactly the rows a scan returns:
//! - `parquet`: the live rows of a snapshot as Parquet files ([`crate::Db::export_parquet`]);
//! - `iceberg` (feature `iceberg`): the table as an Apache Iceberg table (format v2) on the
//!   local filesystem, one Iceberg snapshot per export (`Db::export_iceberg`);
//!   `docs/ICEBERG.md` says how libmurr's types map to Iceberg's.
//!
//! Neither writes to the database: an export reads one [`crate::Snapshot`].

#[cfg(feature = "iceberg")]
pub mod iceberg;
pub mod parquet;

use std::path::PathBuf;

/// How an export lays out its Parquet files. The defaults suit scans: row groups of
/// 512 Ki rows, files of at most 8 Mi rows, zstd level 1.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportOptions {
    /// Rows per Parquet row group (at least 1). The writer holds about one row group's
    /// encoded columns in memory.
    pub rows_per_row_group: usize,
    /// Rows per Parquet file (at least 1): a file is closed and the next begun past it.
    pub rows_per_file: usize,
    /// The zstd level of the Parquet pages (1 to 22).
    pub zstd_level: i32,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            rows_per_row_group: 512 * 1024,
            rows_per_file: 8 * 1024 * 1024,
            zstd_level: 1,
        }
    }
}

impl ExportOptions {
    /// These options with row groups of `rows` rows.
    pub fn with_rows_per_row_group(mut self, rows: usize) -> Self {
        self.rows_per_row_group = rows.max(1);
        self
    }

    /// These options with files of at most `rows` rows.
    pub fn with_rows_per_file(mut self, rows: usize) -> Self {
        self.rows_per_file = rows.max(1);
        self
    }

    /// These options with zstd at `level`.
    pub fn with_zstd_level(mut self, level: i32) -> Self {
        self.zstd_level = level;
        self
    }
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportReport {
    /// The Parquet files written, in key order (the first holds the smallest keys).
    pub files: Vec<PathBuf>,
    /// The rows exported (the table's live rows at [`ExportReport::seq`]).
    pub rows: u64,
    /// The bytes of the Parquet files written.
    pub bytes: u64,
    /// The sequence number of the database snapshot exported.
    pub seq: u64,
    /// For an Iceberg export, the snapshot id it committed.
    pub snapshot_id: Option<i64>,
    /// For an Iceberg export, the metadata file it committed (`metadata/vN.metadata.json`).
    pub metadata: Option<PathBuf>,
}
