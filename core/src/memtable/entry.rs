//! The values of the memtable's index: a reference to one row of a written batch, or a
//! tombstone.

use std::sync::Arc;

use arrow_array::RecordBatch;

/// A column index meaning "this batch does not carry the column".
pub(crate) const ABSENT: u32 = u32::MAX;

/// One written batch, kept as it was given, with the table column each of its columns is.
#[derive(Debug)]
pub(crate) struct Written {
    /// The batch, shared with every reader that resolves a cell to it.
    pub(crate) batch: Arc<RecordBatch>,
    /// For each table column, its index in `batch`, or [`ABSENT`].
    pub(crate) columns: Box<[u32]>,
}

impl Written {
    /// The index in the batch of table column `column`, if the batch carries it.
    #[inline]
    pub(crate) fn column(&self, column: usize) -> Option<usize> {
        match self.columns.get(column) {
            Some(&c) if c != ABSENT => Some(c as usize),
            _ => None,
        }
    }
}

/// What one index entry holds. The batch is reachable from the entry itself, so a reader
/// needs nothing but the lock-free index.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// Row `row` of a written batch: the key's value for every column the batch carries.
    Row { written: Arc<Written>, row: u32 },
    /// A delete: hides every older entry of the key.
    Tombstone,
}
