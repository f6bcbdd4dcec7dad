//! The memtable: the engine's in-memory table of recent writes, read without ever waiting
//! for a writer.
//!
//! A [`Memtable`] belongs to one table (a key column plus typed columns). It takes:
//! - [`Memtable::insert`]: an upsert by key of a batch carrying the key column and any
//!   subset of the table's columns. Columns the batch leaves out keep their older values for
//!   those keys (partial upsert); an explicit null writes null; within one batch the last
//!   row of a key wins.
//! - [`Memtable::delete`]: blind tombstones, which hide every older value of their keys.
//!
//! Every write carries a sequence number assigned by the engine: distinct per write call
//! and increasing. [`Memtable::get`] reads keys x columns at a snapshot sequence number:
//! per key and column, the newest value whose sequence number is at most the snapshot,
//! unless a newer-or-equal tombstone hides it; a column never written for the key is
//! [`Cell::Unresolved`], to be looked up in older memtables and segments.
//! [`Memtable::merged_chunks`] walks every key in ascending order (numeric for integer
//! keys) with its merged newest values, a chunk of columns at a time, for flushing to a
//! segment.
//!
//! ## Design
//!
//! The memtable is an append-only log of entries, one per key and write, under a hash
//! index from each key to its newest entry (`index.rs`): a point lookup is one hash probe
//! (a key the memtable lacks is ruled out there, usually without comparing a key), then a
//! walk down the key's entries, newest first, until every column asked for is resolved or
//! a tombstone is met. Writers take turns (a mutex; the log orders writes anyway) and
//! publish each entry with one release store; readers never take a lock. Ordered
//! iteration (flush, scan) sorts the keys' newest entries once, by a 16-byte key prefix
//! and then the whole key, and keeps that order until the next write.
//!
//! Values are not converted on write: the written Arrow batch is kept whole behind an
//! `Arc`, and each entry points to (write, row); keys are not copied either (an entry's
//! key is read from its batch's key column). Reads return such cell references;
//! [`assemble`] gathers them into Arrow arrays with `arrow_select`'s `interleave`, across
//! any number of source batches.
//!
//! ## Visibility
//!
//! A write becomes visible entry by entry while [`Memtable::insert`] runs. The engine makes
//! a sequence number readable (hands it out as a snapshot) only once the write that carries
//! it, and every write before it, has returned: then a read at snapshot `S` sees exactly
//! the writes with sequence numbers `<= S`.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use murr_core::memtable::{Cell, KeyState, Memtable};
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("id", DataType::Int64, false),
//!     Field::new("score", DataType::Float32, true),
//!     Field::new("name", DataType::Utf8, true),
//! ]));
//! let mem = Memtable::new("users", schema, "id")?;
//!
//! // seq 1: both columns; seq 2: only "score" (a partial upsert).
//! let full = Arc::new(Schema::new(vec![
//!     Field::new("id", DataType::Int64, false),
//!     Field::new("score", DataType::Float32, true),
//!     Field::new("name", DataType::Utf8, true),
//! ]));
//! mem.insert(1, &RecordBatch::try_new(full, vec![
//!     Arc::new(Int64Array::from(vec![7, -3])) as ArrayRef,
//!     Arc::new(Float32Array::from(vec![1.0, 2.0])),
//!     Arc::new(StringArray::from(vec!["seven", "minus three"])),
//! ])?)?;
//! let partial = Arc::new(Schema::new(vec![
//!     Field::new("score", DataType::Float32, true),
//!     Field::new("id", DataType::Int64, false),
//! ]));
//! mem.insert(2, &RecordBatch::try_new(partial, vec![
//!     Arc::new(Float32Array::from(vec![9.5])) as ArrayRef,
//!     Arc::new(Int64Array::from(vec![7])),
//! ])?)?;
//! mem.delete(3, &Int64Array::from(vec![-3]))?;
//!
//! let keys = Int64Array::from(vec![7, -3, 100]);
//! let found = mem.get(&keys, &[1, 2], 3)?;
//! assert_eq!(found.state(0), KeyState::Live);
//! assert_eq!(found.state(1), KeyState::Deleted);
//! assert_eq!(found.state(2), KeyState::Absent);
//! assert!(matches!(found.cell(2, 0), Cell::Unresolved));
//! let batch = found.to_batch()?; // unresolved and deleted cells are null
//! let score = batch.column(0).as_any().downcast_ref::<Float32Array>().unwrap();
//! assert_eq!(score.iter().collect::<Vec<_>>(), vec![Some(9.5), None, None]);
//!
//! // At snapshot 1 the partial write and the delete are not yet visible.
//! let old = mem.get(&keys, &[1], 1)?.to_batch()?;
//! let score = old.column(0).as_any().downcast_ref::<Float32Array>().unwrap();
//! assert_eq!(score.iter().collect::<Vec<_>>(), vec![Some(1.0), Some(2.0), None]);
//! # Ok::<(), murr_core::Error>(())
//! ```

mod assemble;
mod entry;
mod flushing;
mod index;
mod lookup;
mod sorted;
mod write;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use arrow_schema::SchemaRef;

pub use crate::keys::Key;
pub use assemble::assemble;
pub use flushing::{MergedChunk, MergedChunks};
pub use lookup::{Cell, CellRef, KeyState, Lookup};
#[cfg(feature = "engine")]
#[cfg(feature = "engine")]
pub(crate) use lookup::{FixedCell, FixedCells, key_hashes};
#[cfg(feature = "engine")]
pub(crate) use sorted::Sorted;
pub use write::Prepared;

use crate::keys::KeyKind;
use index::Index;

use crate::types::ColumnType;
use crate::{Error, Result};

/// Bytes counted per index entry: its three words (the table's slots are counted apart).
const ENTRY_OVERHEAD: usize = 24;

/// The in-memory table of recent writes of one table. `Sync`: any number of threads may
/// read and write it through `&Memtable` at once, and readers never block.
#[derive(Debug)]
pub struct Memtable {
    /// The table's name, for messages.
    table: String,
    /// The table's schema: the key column and every other column.
    schema: SchemaRef,
    /// The key column's index in `schema`.
    key: usize,
    /// The key column's type.
    kind: KeyKind,
    /// Writes, their entries and the hash index over them.
    index: Index,
    /// The keys in order with their newest entries, once the memtable takes no more
    /// writes and someone asked (a flush, a scan).
    sorted: arc_swap::ArcSwapOption<sorted::Sorted>,
    /// Estimated bytes held.
    bytes: AtomicUsize,
    /// The largest sequence number written.
    max_seq: AtomicU64,
    /// The smallest sequence number written (`u64::MAX` while empty).
    min_seq: AtomicU64,
}

impl Memtable {
    /// An empty memtable for table `table` (the name is used in messages) with `schema`,
    /// keyed by column `key` (utf8, int64 or uint64). Every column must have a type libmurr
    /// stores, and names must be distinct.
    pub fn new(table: &str, schema: SchemaRef, key: &str) -> Result<Self> {
        let mut names = HashSet::new();
        for field in schema.fields() {
            ColumnType::from_arrow(field.name(), field.data_type())?;
            if !names.insert(field.name().as_str()) {
                return Err(Error::SchemaMismatch(format!(
                    "table '{table}' has two columns named '{}'",
                    field.name()
                )));
            }
        }
        let (index, field) = schema
            .column_with_name(key)
            .ok_or_else(|| Error::UnknownColumn {
                column: key.to_owned(),
                container: format!("table '{table}'"),
            })?;
        let kind =
            KeyKind::of(&ColumnType::from_arrow(key, field.data_type())?).ok_or_else(|| {
                Error::UnsupportedKeyType {
                    column: key.to_owned(),
                    data_type: field.data_type().clone(),
                }
            })?;
        Ok(Memtable {
            table: table.to_owned(),
            schema,
            key: index,
            kind,
            index: Index::new(),
            sorted: arc_swap::ArcSwapOption::empty(),
            bytes: AtomicUsize::new(0),
            max_seq: AtomicU64::new(0),
            min_seq: AtomicU64::new(u64::MAX),
        })
    }

    /// The table's schema, whose column indices [`Memtable::get`] takes.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The index of the key column in [`Memtable::schema`].
    pub fn key_column(&self) -> usize {
        self.key
    }

    /// The number of index entries: one per (key, write) pair, tombstones included.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// Estimated bytes held: the written batches (whole, as Arrow reports them) plus a fixed
    /// estimate per entry and the hash table's slots. For deciding when to flush; not exact.
    /// Zero while nothing is written: the first slots of an empty table are not data to
    /// flush (and would make every table count against `memtable_bytes` from its creation).
    pub fn approx_bytes(&self) -> usize {
        if self.is_empty() {
            return 0;
        }
        self.bytes.load(Ordering::Relaxed) + self.index.table_bytes()
    }

    /// The largest sequence number written (insert or delete), or 0 if none.
    pub fn max_seq(&self) -> u64 {
        self.max_seq.load(Ordering::Acquire)
    }

    /// The smallest sequence number written (insert or delete), or `u64::MAX` if none.
    pub fn min_seq(&self) -> u64 {
        self.min_seq.load(Ordering::Acquire)
    }

    /// Counts `bytes` and `seq` after a write.
    fn account(&self, seq: u64, bytes: usize) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.max_seq.fetch_max(seq, Ordering::AcqRel);
        self.min_seq.fetch_min(seq, Ordering::AcqRel);
    }
}
