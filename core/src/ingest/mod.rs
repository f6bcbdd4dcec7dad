//! Bulk ingest: the parts of [`crate::db::Db::ingest`] that know nothing of the database.
//!
//! - `conform`: an input's columns matched to the table's by name, cast to its types;
//!   the table's columns the input lacks are not written (a partial ingest), the input's
//!   columns the table lacks are ignored.
//! - `sort`: buffered rows sorted by key (the last row of a key wins) and written as
//!   segments of about the target size, in key order.
//! - `source`: Parquet and Arrow IPC (file and stream format) files read as record
//!   batches of the table's columns only.
//!
//! How the database orders, merges and commits what these write is in `db/ingest.rs` and
//! `docs/ENGINE.md` ("Bulk ingest").

pub(crate) mod conform;
pub(crate) mod sort;
pub(crate) mod source;

pub use source::FileFormat;

/// What [`crate::db::Db::ingest`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct IngestStats {
    /// Rows read from the input (a key repeated in it counts each time).
    pub rows_read: u64,
    /// Rows of the segments the ingest installed: one per distinct key of the input, plus,
    /// when the table held rows already, every other live key of the table (the ingest is
    /// merged with them into one sorted run).
    pub rows_written: u64,
    /// Segments installed (the table's new sorted run).
    pub segments: usize,
    /// Times the input filled [`crate::db::Options::ingest_memory_bytes`] and was sorted
    /// and written in parts (0: it was sorted in memory at once).
    pub spills: usize,
    /// Whether the table's earlier segments were merged with the input (it held rows).
    pub merged: bool,
    /// Columns of the input that the table does not have: not read, not written.
    pub ignored_columns: Vec<String>,
    /// The sequence number the ingest is ordered after: every write numbered at or below
    /// it is older than the ingest, every later one newer.
    pub seq: u64,
}
