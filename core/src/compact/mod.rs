//! Compaction: a streaming k-way merge of segments into new segments, for an LSM tree.
//!
//! [`merge`] reads its inputs (ordered newest first, each sorted by key with each key at most
//! once) and writes, for each distinct key in key order, the key's merged row, into one or
//! more output segments of disjoint, ascending key ranges.
//!
//! ## Semantics
//!
//! A key's state is built from its rows newest to oldest: per column, the value of the
//! newest row that holds the cell (a held null is a value: it wins over older non-nulls).
//! A tombstone stops the walk: older rows of the key are hidden; cells of newer rows still
//! apply. Then:
//!
//! - the walk stopped at a tombstone and no newer row exists: the key is deleted. It is
//!   left out with [`MergeOptions::drop_tombstones`], else written as a tombstone (which
//!   still hides the key in older segments);
//! - the walk stopped at a tombstone after newer rows (even rows that hold no cell: the key
//!   was written again after its delete, so it exists): a row whose other cells are
//!   written as null (they hide older values);
//! - no tombstone: cells no input holds are written as null with `drop_tombstones` (nothing
//!   older exists) and left unwritten (not present) without it, so the output can still be
//!   merged over older segments.
//!
//! Rows of an input's [`MergeInput::deleted`] bitmap are skipped as if absent. A column of
//! the schema that an input lacks (it was added later) is not held by that input's rows.
//! Columns of an input that the schema lacks are not carried over.
//!
//! ## Algorithm and memory
//!
//! Each input has a cursor that loads [`MergeOptions::chunk_rows`] rows at a time (keys,
//! values, presence and tombstone bits of a contiguous row range; chunks entirely deleted
//! are skipped unread) and checks that its keys ascend strictly (a corrupt input is an
//! error, never a wrong merge). Each step takes the smallest current key over the cursors
//! (a linear scan: inputs are few), resolves its cells from the cursors holding it, newest
//! first, and records per cell only where its value is (input and row, or null). Before any
//! cursor loads its next chunk — and whenever `chunk_rows` rows wait — the waiting rows are
//! assembled into one record batch (range by range, with Arrow's `MutableArrayData`) and
//! pushed to a [`SegmentWriter`](crate::segment::SegmentWriter) with their presence and
//! tombstone bits. On the merge bench (`core/benches/merge`) a merge is about as fast as
//! the segment writer alone writing the same rows: the writer is the floor.
//!
//! The segment writer keeps every pushed batch until it finishes the file (it sorts and
//! lays out the whole segment at once). So when the in-memory size of the batches pushed
//! reaches [`MergeOptions::target_segment_bytes`] the file is finished at the path
//! `next_path` gives and a new one begun; a file may pass the target by one batch (at most
//! `chunk_rows` rows). Memory is therefore O(k × chunk_rows × row width +
//! target_segment_bytes), whatever the size of the inputs: while a file is finished the
//! writer holds the batches, their concatenation and the laid-out row groups, so the peak
//! is a few times the target (about five times in `core/tests/compact_memory.rs`).

mod cursor;
mod merge;
pub(crate) mod output;
mod pending;
pub(crate) mod plan;

use roaring::RoaringBitmap;

use crate::segment::{Segment, SegmentInfo, SortKey};

pub use merge::merge;

/// One input of [`merge`].
#[derive(Debug, Clone, Copy)]
pub struct MergeInput<'a> {
    /// The segment.
    pub segment: &'a Segment,
    /// Its deleted rows (row numbers, as [`Segment::find`] returns), skipped as if absent;
    /// numbers past the last row are ignored.
    pub deleted: Option<&'a RoaringBitmap>,
}

/// How [`merge`] writes its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOptions {
    /// The estimated size (the in-memory size of its rows) at which an output file is
    /// finished and the next begun. Default 64 MiB.
    pub target_segment_bytes: usize,
    /// Rows read from an input at a time, and the most rows assembled into one batch.
    /// Default 65 536; 0 is taken as 1.
    pub chunk_rows: usize,
    /// Whether nothing older than the inputs exists (a merge into the last level): deleted
    /// keys are then left out and cells no input holds are written as null. Default false.
    pub drop_tombstones: bool,
    /// Keys, ascending, before each of which the output file being written is finished:
    /// no output holds keys on both sides of one. A compaction that rewrites only part of
    /// a run passes the first keys of the segments it keeps, so that no output's range
    /// spans one of them. Default none.
    pub split_before: Vec<SortKey>,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            target_segment_bytes: 64 << 20,
            chunk_rows: 65_536,
            drop_tombstones: false,
            split_before: Vec::new(),
        }
    }
}

/// One file written by [`merge`].
#[derive(Debug, Clone)]
pub struct MergeOutput {
    /// The file, its rows and its size.
    pub info: SegmentInfo,
    /// Its first (smallest) key.
    pub first_key: SortKey,
    /// Its last (largest) key.
    pub last_key: SortKey,
}
