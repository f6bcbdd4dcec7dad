//! What a manifest says: the database's metadata at one point of its history.

use crate::types::ColumnType;

/// One version of the database's metadata, complete and self-contained: every table, its
/// schema and the segments that hold its rows, plus the counters the engine needs to go on.
/// Each commit writes a whole new manifest (see [`crate::manifest::commit`]); nothing is
/// ever patched in place. The byte format and its rules are in `docs/MANIFEST.md`.
///
/// **Extending.** A later format version adds fields here (and to [`TableMeta`],
/// [`ColumnMeta`] or [`SegmentMeta`]) with a value that means "as before" (for instance
/// `0`, `None` or an empty list), appends them to the encoding, and raises
/// [`crate::manifest::FORMAT_VERSION`]. The new reader decodes every older version, filling
/// in the "as before" value; an older reader refuses the newer file with
/// [`crate::Error::UnsupportedVersion`] rather than silently dropping what it does not
/// understand (a new field may change which segments hold which rows).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// This manifest's number, also in its file name. Each commit uses a number greater
    /// than every manifest before it.
    pub number: u64,
    /// Every write-ahead-log record with a sequence number at or below this one is in a
    /// segment listed here; recovery replays only the records above it.
    pub last_flushed_seq: u64,
    /// The next unused file number: the engine numbers new segment files from it. Every
    /// segment listed has a smaller file number.
    pub next_file_number: u64,
    /// The tables, in the order the engine keeps them (ids and names are unique).
    pub tables: Vec<TableMeta>,
}

/// One table: its identity, its schema and its segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMeta {
    /// The table's id, unique in the database and never reused.
    pub id: u64,
    /// The table's name: non-empty, unique in the database, at most 65,535 bytes of UTF-8.
    pub name: String,
    /// The name of the key column, which is one of [`TableMeta::columns`]: of a key type
    /// (utf8, int64 or uint64) and not nullable.
    pub key_column: String,
    /// The columns, in schema order, key column included; names are unique in the table.
    pub columns: Vec<ColumnMeta>,
    /// The table's segments, **newest first**: a read consults them in this order and the
    /// first segment holding a key wins. The manifest keeps the order as given.
    pub segments: Vec<SegmentMeta>,
}

/// One column of a table's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMeta {
    /// The column's name (at most 65,535 bytes of UTF-8).
    pub name: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Whether it may hold nulls.
    pub nullable: bool,
}

/// One segment file of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SegmentMeta {
    /// The segment's file number (its file name derives from it); unique in the database
    /// and below [`Manifest::next_file_number`].
    pub file_number: u64,
    /// The compaction level the segment sits at (0: flushed from memory).
    pub level: u8,
    /// Rows in the segment.
    pub rows: u64,
    /// The segment file's size in bytes.
    pub bytes: u64,
    /// The smallest sequence number of a write in the segment.
    pub min_seq: u64,
    /// The largest sequence number of a write in the segment; at most
    /// [`Manifest::last_flushed_seq`] and at least `min_seq`.
    pub max_seq: u64,
    /// The segment's deletion vector, if it has one (format version 2): the rows of the
    /// segment that are deleted or superseded, which reads skip and compactions drop.
    pub deletes: Option<DeletesMeta>,
}

/// A segment's deletion vector file (`docs/FORMAT.md`, "Deletion vectors"). Each change
/// writes a new file under a new number; the manifest names the one that holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeletesMeta {
    /// The file's number (its name derives from it), unique in the database among segment
    /// and deletion vector files and below [`Manifest::next_file_number`].
    pub file_number: u64,
    /// How many rows it marks: at least 1, at most the segment's rows.
    pub rows: u64,
    /// The file's size in bytes.
    pub bytes: u64,
}
