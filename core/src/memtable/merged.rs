//! The merged view of a memtable for flushing: every key in ascending order with its
//! newest value per column.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, Int64Array, RecordBatch, RecordBatchOptions, StringArray, UInt64Array,
};
use arrow_schema::{Field, Schema};

use super::Memtable;
use super::assemble::assemble;
use super::entry::Written;
use super::key::{Key, KeyKind, decode, order_bytes};
use super::keys::Sorted;
use super::lookup::CellRef;
use crate::{Error, Result};

/// One key of [`Memtable::iter_merged`], merged at the snapshot.
#[derive(Debug, Clone)]
pub struct MergedRow {
    key: Box<[u8]>,
    kind: KeyKind,
    tombstone: bool,
    /// Per table column: the newest visible value (batch, row), if any above the newest
    /// visible tombstone.
    cells: Vec<Option<(Arc<Written>, u32)>>,
}

impl MergedRow {
    /// The key.
    pub fn key(&self) -> Result<Key<'_>> {
        decode(self.kind, &self.key)
            .ok_or_else(|| Error::corrupt("memtable", "key", "a key is not valid for its type"))
    }

    /// The key in the memtable's order-preserving encoding: comparing these bytes compares
    /// keys (numerically for integer keys).
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// Whether a tombstone was met before every column had a value: older memtables and
    /// segments hold nothing of this key that is still visible, and columns without a cell
    /// are null. A row with a tombstone and no cell is a deleted key. (When every column has
    /// a value, older data is shadowed anyway and the walk stops before any tombstone.)
    pub fn tombstone(&self) -> bool {
        self.tombstone
    }

    /// Whether any column has a value (the key exists, if so).
    pub fn has_values(&self) -> bool {
        self.cells.iter().any(Option::is_some)
    }

    /// The newest value of table column `column`, or `None` if the memtable holds none
    /// visible (absent, or hidden by the tombstone).
    pub fn cell(&self, column: usize) -> Option<CellRef<'_>> {
        let (written, row) = self.cells.get(column)?.as_ref()?;
        Some(CellRef {
            batch: &written.batch,
            column_in_batch: written.column(column)?,
            row: *row as usize,
        })
    }
}

/// The iterator of [`Memtable::iter_merged`].
pub struct MergedIter<'a> {
    memtable: &'a Memtable,
    sorted: Arc<Sorted>,
    pos: usize,
    snapshot: u64,
}

impl std::fmt::Debug for MergedIter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergedIter")
            .field("snapshot", &self.snapshot)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl Iterator for MergedIter<'_> {
    type Item = MergedRow;

    fn next(&mut self) -> Option<MergedRow> {
        let m = self.memtable;
        let index = &m.index;
        let columns = m.schema.fields().len();
        loop {
            let head = *self.sorted.heads.get(self.pos)?;
            self.pos += 1;
            let mut row = MergedRow {
                key: Box::default(),
                kind: m.kind,
                tombstone: false,
                cells: vec![None; columns],
            };
            let mut visible = false;
            let mut at = Some(head);
            while let Some(a) = at {
                at = index.older(a);
                let Some((e, source)) = index
                    .entry(a)
                    .and_then(|e| Some((e, index.source(e.source)?)))
                else {
                    break;
                };
                if source.seq > self.snapshot {
                    continue;
                }
                visible = true;
                match &source.written {
                    None => {
                        row.tombstone = true;
                        break;
                    }
                    Some(written) => {
                        let mut left = 0;
                        for (c, cell) in row.cells.iter_mut().enumerate() {
                            if cell.is_none() {
                                if written.column(c).is_some() {
                                    *cell = Some((Arc::clone(written), e.row));
                                } else {
                                    left += 1;
                                }
                            }
                        }
                        if left == 0 {
                            break;
                        }
                    }
                }
            }
            if visible {
                let mut buf = [0u8; 8];
                row.key = order_bytes(m.kind, m.entry_key(head, &mut buf));
                return Some(row);
            }
        }
    }
}

impl Memtable {
    /// Every key with a write at or below `snapshot`, in ascending key order (bytewise for
    /// utf8, numeric for integers), each with its newest visible value per column and
    /// whether a tombstone lies under them. For flushing; runs alongside writers, seeing
    /// writes above `snapshot` only to skip them.
    pub fn iter_merged(&self, snapshot: u64) -> MergedIter<'_> {
        MergedIter {
            memtable: self,
            sorted: self.sorted(),
            pos: 0,
            snapshot,
        }
    }

    /// The rows of [`Memtable::iter_merged`] as one batch with every table column (all
    /// nullable, the key column filled for every row, tombstoned or not): values where a
    /// row has them, null elsewhere. Whether each row is a tombstone is
    /// [`MergedRow::tombstone`].
    pub fn merged_batch(&self, rows: &[MergedRow]) -> Result<RecordBatch> {
        let mut fields = Vec::with_capacity(self.schema.fields().len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for (c, field) in self.schema.fields().iter().enumerate() {
            fields.push(Field::new(
                field.name(),
                field.data_type().clone(),
                c != self.key,
            ));
            if c == self.key {
                arrays.push(self.key_array(rows)?);
                continue;
            }
            let cells = rows.iter().map(|r| {
                r.cell(c)
                    .and_then(|cell| cell.array().map(|a| (a.as_ref(), cell.row)))
            });
            arrays.push(assemble(field.data_type(), cells)?);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
        Ok(RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            arrays,
            &options,
        )?)
    }

    fn key_array(&self, rows: &[MergedRow]) -> Result<ArrayRef> {
        let keys = rows.iter().map(MergedRow::key);
        Ok(match self.kind {
            KeyKind::Utf8 => Arc::new(
                keys.map(|k| match k? {
                    Key::Utf8(s) => Ok(Some(s)),
                    _ => Err(Error::SchemaMismatch(
                        "a non-utf8 key in a utf8 table".into(),
                    )),
                })
                .collect::<Result<StringArray>>()?,
            ),
            KeyKind::Int64 => Arc::new(
                keys.map(|k| match k? {
                    Key::Int64(v) => Ok(v),
                    _ => Err(Error::SchemaMismatch(
                        "a non-int64 key in an int64 table".into(),
                    )),
                })
                .collect::<Result<Int64Array>>()?,
            ),
            KeyKind::UInt64 => Arc::new(
                keys.map(|k| match k? {
                    Key::UInt64(v) => Ok(v),
                    _ => Err(Error::SchemaMismatch(
                        "a non-uint64 key in a uint64 table".into(),
                    )),
                })
                .collect::<Result<UInt64Array>>()?,
            ),
        })
    }
}
