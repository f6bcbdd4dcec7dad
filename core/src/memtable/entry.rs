//! What the memtable's entries point to: the writes (sources), each a written batch or a
//! set of deleted keys, and the key column of each, read as the bytes the index hashes.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use arrow_buffer::ScalarBuffer;
use arrow_schema::DataType;

use crate::keys::{index_bytes_i64, index_bytes_u64};

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

/// The keys of one write, read as the bytes the index hashes: the UTF-8 bytes of a utf8
/// key, the 8 little-endian bytes of an integer key (as segments hash them).
#[derive(Debug, Clone)]
pub(crate) enum KeyColumn {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    Int64(ScalarBuffer<i64>),
    UInt64(ScalarBuffer<u64>),
}

impl KeyColumn {
    /// The keys of `array` (utf8, large utf8, utf8 view, int64 or uint64; `None` for
    /// another type). Nulls are not expected: writes refuse null keys.
    pub(crate) fn of(array: &dyn Array) -> Option<KeyColumn> {
        Some(match array.data_type() {
            DataType::Utf8 => KeyColumn::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => KeyColumn::LargeUtf8(array.as_string::<i64>().clone()),
            DataType::Utf8View => KeyColumn::Utf8View(array.as_string_view().clone()),
            DataType::Int64 => KeyColumn::Int64(array.as_primitive::<Int64Type>().values().clone()),
            DataType::UInt64 => {
                KeyColumn::UInt64(array.as_primitive::<UInt64Type>().values().clone())
            }
            _ => return None,
        })
    }

    /// The number of keys.
    pub(crate) fn len(&self) -> usize {
        match self {
            KeyColumn::Utf8(a) => a.len(),
            KeyColumn::LargeUtf8(a) => a.len(),
            KeyColumn::Utf8View(a) => a.len(),
            KeyColumn::Int64(v) => v.len(),
            KeyColumn::UInt64(v) => v.len(),
        }
    }

    /// Prefetches where key `row` starts (a utf8 key's offsets; an integer key itself).
    #[inline]
    pub(crate) fn prefetch_offsets(&self, row: usize) {
        match self {
            KeyColumn::Utf8(a) => {
                if let Some(o) = a.value_offsets().get(row) {
                    crate::prefetch::prefetch_ref(o);
                }
            }
            KeyColumn::Int64(v) => {
                if let Some(k) = v.get(row) {
                    crate::prefetch::prefetch_ref(k);
                }
            }
            KeyColumn::UInt64(v) => {
                if let Some(k) = v.get(row) {
                    crate::prefetch::prefetch_ref(k);
                }
            }
            KeyColumn::LargeUtf8(_) | KeyColumn::Utf8View(_) => {}
        }
    }

    /// Prefetches a utf8 key's bytes (its offsets should be in cache).
    #[inline]
    pub(crate) fn prefetch_bytes(&self, row: usize) {
        if let KeyColumn::Utf8(a) = self
            && let Some(&start) = a.value_offsets().get(row)
            && let Some(b) = a.value_data().get(start as usize)
        {
            crate::prefetch::prefetch_ref(b);
        }
    }

    /// Key `row`'s bytes (integers written into `buf`); empty past the end.
    #[inline]
    pub(crate) fn bytes<'a>(&'a self, row: usize, buf: &'a mut [u8; 8]) -> &'a [u8] {
        match self {
            KeyColumn::Utf8(a) if row < a.len() => a.value(row).as_bytes(),
            KeyColumn::LargeUtf8(a) if row < a.len() => a.value(row).as_bytes(),
            KeyColumn::Utf8View(a) if row < a.len() => a.value(row).as_bytes(),
            KeyColumn::Int64(v) => match v.get(row) {
                Some(&k) => {
                    *buf = index_bytes_i64(k);
                    &buf[..]
                }
                None => &[],
            },
            KeyColumn::UInt64(v) => match v.get(row) {
                Some(&k) => {
                    *buf = index_bytes_u64(k);
                    &buf[..]
                }
                None => &[],
            },
            _ => &[],
        }
    }
}

/// One write in the memtable.
#[derive(Debug)]
pub(crate) struct Source {
    /// Its sequence number.
    pub(crate) seq: u64,
    /// Its keys, one per row.
    pub(crate) keys: KeyColumn,
    /// The written batch; `None` for a delete (every row a tombstone).
    pub(crate) written: Option<Arc<Written>>,
}
