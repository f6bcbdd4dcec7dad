//! The one error type of libmurr's core.

use arrow_schema::{ArrowError, DataType};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in libmurr's core. Every message names the file, section,
/// table, column or key involved, so that a user can act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system I/O call failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Bytes on disk (or handed in by the caller) are not a valid libmurr structure: truncated,
    /// bit-flipped or crafted. Nothing from the damaged structure is returned.
    #[error("{file}: corrupt {section}: {detail}")]
    Corrupt {
        /// The file (or the name given to in-memory bytes).
        file: String,
        /// Which part of the file: "trailer", "footer", "key index", "column 'f0' values", ...
        section: String,
        /// What exactly is wrong.
        detail: String,
    },

    /// The file (a segment or a write-ahead log) was written by a newer (or unknown) version
    /// of its format.
    #[error(
        "{file}: format version {found} is not supported (this build reads versions up to \
         {supported})"
    )]
    UnsupportedVersion {
        /// The file involved.
        file: String,
        /// The version found in the file.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },

    /// A column's Arrow type cannot be stored.
    #[error(
        "column '{column}' has type {data_type}, which libmurr does not store; supported: bool, \
         int8-64, uint8-64, float16/32/64, utf8, binary, date32, timestamp, \
         fixed_size_list<float32|float16|int8>"
    )]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: DataType,
    },

    /// The key column has a type that cannot be a key.
    #[error("key column '{column}' has type {data_type}; keys must be utf8, int64 or uint64")]
    UnsupportedKeyType {
        /// The key column.
        column: String,
        /// Its Arrow type.
        data_type: DataType,
    },

    /// Keys given to a read do not have the key column's type.
    #[error("keys of type {found} cannot look up key column '{column}' of type {expected}")]
    KeyTypeMismatch {
        /// The key column.
        column: String,
        /// The key column's type.
        expected: DataType,
        /// The type of the keys given.
        found: DataType,
    },

    /// A key to be written is null.
    #[error(
        "key column '{column}' is null at row {row} of the input (counting from 0); keys must \
         not be null"
    )]
    NullKey {
        /// The key column.
        column: String,
        /// The row in the batch written, or for an ingest in the whole input.
        row: usize,
    },

    /// An ingest's input (a stream or a file) lacks the table's key column.
    #[error(
        "{input} has no key column '{column}' of table '{table}' (its columns: {found}); \
         rename the column or ingest into a table keyed by one it has"
    )]
    MissingKeyColumn {
        /// The table.
        table: String,
        /// The key column.
        column: String,
        /// The input (a file path, or "the stream").
        input: String,
        /// The input's columns, comma-separated, for the message.
        found: String,
    },

    /// A column of an ingest's input cannot be converted to the table's type: the types
    /// have no cast, or a value does not fit (an overflow, an unparsable string).
    #[error(
        "column '{column}' has type {from}, which cannot become table '{table}''s type {to}: \
         {detail}"
    )]
    Uncastable {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The input column's type.
        from: DataType,
        /// The table column's type.
        to: DataType,
        /// The input (a file path, or "the stream") and why.
        detail: String,
    },

    /// A column was asked for that does not exist.
    #[error("no column '{column}' in {container}")]
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// Where it was looked for (a file or a table).
        container: String,
    },

    /// A batch does not match the schema it is written against.
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),

    /// A manifest handed in to be written breaks a rule of the manifest format (see
    /// `docs/MANIFEST.md`), or is not newer than the directory's newest manifest.
    #[error("invalid manifest: {0}")]
    InvalidManifest(String),

    /// A deletion vector handed in to be written does not fit its segment: it marks a row
    /// at or past the segment's row count.
    #[error("invalid deletion vector: {0}")]
    InvalidDeletionVector(String),

    /// The database directory is open already, by this process or another one (it holds
    /// the directory's `LOCK` file).
    #[error(
        "database {path} is already open (its LOCK file is held by this or another process); \
         close the other handle first"
    )]
    AlreadyOpen {
        /// The database directory.
        path: String,
    },

    /// The database (or the snapshot's database) was closed; open it again to go on.
    #[error("the database at {path} is closed")]
    Closed {
        /// The database directory.
        path: String,
    },

    /// No table has this name.
    #[error("no table '{table}' (tables: {known})")]
    UnknownTable {
        /// The name asked for.
        table: String,
        /// The tables that exist, comma-separated, for the message.
        known: String,
    },

    /// A table of this name exists with another schema.
    #[error("table '{table}' exists with another schema: {detail}")]
    TableExists {
        /// The table.
        table: String,
        /// How the schemas differ.
        detail: String,
    },

    /// An earlier write-ahead-log write or sync failed, so the database refuses further
    /// writes (reads still work): what is in the log after the failure is unknown. Close
    /// and reopen the database; recovery keeps every write that reached the log whole.
    #[error("writes are refused since an earlier log failure ({0}); close and reopen the database")]
    WritesStopped(String),

    /// A write must wait for background work (level 0 or the memtables are at their limit,
    /// see `Options::l0_stop_writes`) and that work is failing; the write was not applied.
    #[error(
        "the write waits for background work that fails ({0}); fix the cause (disk space, \
         permissions), or call flush() or compact() to retry it and see the error"
    )]
    BackgroundFailed(String),

    /// [`crate::db::Db::changes`] was asked for changes after a sequence number whose
    /// write-ahead logs are no longer kept (see `Options::change_retention_bytes`).
    #[error(
        "changes after sequence number {since} are no longer retained: the oldest kept \
         write-ahead log starts at sequence number {oldest}, so the feed can start at \
         since_seq {oldest_since} or later. Raise Options::change_retention_bytes (now \
         {retention_bytes} bytes) to keep more logs after flushes, or resynchronise from a \
         scan of the table and follow the feed from the scan's sequence number"
    )]
    ChangesNotRetained {
        /// The sequence number asked for.
        since: u64,
        /// The first sequence number the oldest kept log may hold.
        oldest: u64,
        /// The smallest `since_seq` the feed accepts now (`oldest - 1`).
        oldest_since: u64,
        /// The retention option in force.
        retention_bytes: u64,
    },

    /// [`crate::db::Db::changes`] met the marker of a bulk ingest into the table
    /// (`Db::ingest` writes segments, not the log, so the feed cannot replay it).
    #[error(
        "table '{table}' was bulk-loaded (Db::ingest) at sequence number {seq}, after the \
         feed's start: an ingest writes segments, not the write-ahead log, so the change feed \
         cannot replay it. Resynchronise from a scan of the table and follow the feed from \
         the scan's sequence number"
    )]
    ChangesIngested {
        /// The table.
        table: String,
        /// The sequence number of the ingest's marker in the log.
        seq: u64,
    },

    /// An argument is unusable as given (a buffer of the wrong size, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// Input is valid but beyond what the format can hold.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),

    /// An export (`Db::export_parquet`, `Db::export_iceberg`) could not be written: the
    /// target is unusable, a value has no place in the target format, or a file failed
    /// to encode. The database is untouched; an Iceberg target keeps its previous snapshot.
    #[error("export to {target} failed: {detail}")]
    Export {
        /// The directory or table location written to.
        target: String,
        /// What went wrong and what to do about it.
        detail: String,
    },

    /// An error raised by the Arrow library.
    #[error("arrow: {0}")]
    Arrow(#[from] ArrowError),
}

impl Error {
    /// A [`Error::Corrupt`] for `file`'s `section`.
    pub(crate) fn corrupt(
        file: &str,
        section: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Error::Corrupt {
            file: file.to_owned(),
            section: section.into(),
            detail: detail.into(),
        }
    }

    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
