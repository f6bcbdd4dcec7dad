//! The merged rows of a memtable as columns, for a flush: every key with a visible write,
//! in key order, a chunk at a time, with no allocation per row (each cell is a source
//! number and a row, gathered per column with one `interleave`).

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder, UInt64Builder};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};

use super::Memtable;
use super::sorted::Sorted;
use crate::keys::{Key, KeyKind, decode_index};
use crate::{Error, Result};

/// No value: the cell stays null.
const NONE: u32 = u32::MAX;

/// A memtable's keys in order, merged a chunk at a time ([`Memtable::merged_chunks`]).
#[derive(Debug)]
pub struct MergedChunks<'a> {
    memtable: &'a Memtable,
    sorted: Arc<Sorted>,
    pos: usize,
    snapshot: u64,
}

/// One chunk of merged rows: every table column (the key column filled for every row,
/// the others nullable: values where a row has them, null elsewhere), and per row whether
/// a tombstone lies under its values and whether it has any value.
#[derive(Debug)]
pub struct MergedChunk {
    /// The rows.
    pub batch: RecordBatch,
    /// Per row: a tombstone was met before every column had a value: older memtables and
    /// segments hold nothing of this key that is still visible, and columns without a cell
    /// are null. A row with a tombstone and no value is a deleted key. (When every column
    /// has a value, older data is shadowed anyway and the walk stops before any
    /// tombstone.)
    pub tombstone: Vec<bool>,
    /// Per row: whether a write of a row (not a delete) is visible above any tombstone:
    /// the key exists (even with no cell but its key).
    pub has_values: Vec<bool>,
    /// Per table column and row: whether the cell has a value (the key column's: all
    /// true).
    pub present: Vec<Vec<bool>>,
}

impl Memtable {
    /// Every key with a write at or below `snapshot`, in ascending key order (bytewise for
    /// utf8, numeric for integers), each with its newest visible value per column and
    /// whether a tombstone lies under them, as chunks of columns (see [`MergedChunk`]).
    /// For flushing; runs alongside writers, seeing writes above `snapshot` only to skip
    /// them.
    pub fn merged_chunks(&self, snapshot: u64) -> MergedChunks<'_> {
        MergedChunks {
            memtable: self,
            sorted: self.sorted(),
            pos: 0,
            snapshot,
        }
    }

    /// The schema of [`MergedChunk::batch`]: every table column, the key column
    /// non-nullable and the others nullable.
    pub fn merged_schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .schema
            .fields()
            .iter()
            .enumerate()
            .map(|(c, f)| Field::new(f.name(), f.data_type().clone(), c != self.key))
            .collect();
        Arc::new(Schema::new(fields))
    }
}

impl MergedChunks<'_> {
    /// The next chunk of at most `rows` rows (at least 1), or `None` at the end.
    pub fn next_chunk(&mut self, rows: usize) -> Result<Option<MergedChunk>> {
        let m = self.memtable;
        let index = &m.index;
        let width = m.schema.fields().len();
        let rows = rows.max(1);
        // Per row and column (row-major): (source, row) or NONE.
        let mut cells: Vec<(u32, u32)> = Vec::with_capacity(rows * width);
        let mut heads: Vec<u32> = Vec::with_capacity(rows);
        let mut tombstone = Vec::with_capacity(rows);
        let mut has_values = Vec::with_capacity(rows);
        while heads.len() < rows {
            let Some(&head) = self.sorted.heads.get(self.pos) else {
                break;
            };
            self.pos += 1;
            let start = cells.len();
            cells.resize(start + width, (NONE, 0));
            let row_cells = cells.get_mut(start..).unwrap_or_default();
            let mut visible = false;
            let mut dead = false;
            let mut any = false;
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
                let Some(written) = &source.written else {
                    dead = true;
                    break;
                };
                // A row (even one carrying the key alone) makes the key exist.
                any = true;
                let mut left = 0;
                for (c, cell) in row_cells.iter_mut().enumerate() {
                    if cell.0 == NONE {
                        if written.column(c).is_some() {
                            *cell = (e.source, e.row);
                        } else {
                            left += 1;
                        }
                    }
                }
                if left == 0 {
                    break;
                }
            }
            if visible {
                heads.push(head);
                tombstone.push(dead);
                has_values.push(any);
            } else {
                cells.truncate(start);
            }
        }
        if heads.is_empty() {
            return Ok(None);
        }
        let n = heads.len();
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(width);
        let mut present = Vec::with_capacity(width);
        // Interleave source of each memtable source, per column.
        let mut slot_of: Vec<u32> = Vec::new();
        for (c, field) in m.schema.fields().iter().enumerate() {
            if c == m.key {
                arrays.push(self.keys(&heads)?);
                present.push(vec![true; n]);
                continue;
            }
            let null = arrow_array::new_null_array(field.data_type(), 1);
            let mut sources: Vec<&dyn Array> = vec![null.as_ref()];
            let mut used: Vec<u32> = Vec::new();
            let mut indices = Vec::with_capacity(n);
            let mut here = Vec::with_capacity(n);
            for r in 0..n {
                let (s, row) = cells.get(r * width + c).copied().unwrap_or((NONE, 0));
                if s == NONE {
                    indices.push((0, 0));
                    here.push(false);
                    continue;
                }
                here.push(true);
                let s_us = s as usize;
                if slot_of.len() <= s_us {
                    slot_of.resize(s_us + 1, 0);
                }
                let slot = slot_of.get_mut(s_us).map_or(0, |v| *v);
                let id = if slot != 0 {
                    slot as usize
                } else {
                    let array = index
                        .source(s)
                        .and_then(|src| src.written.as_ref())
                        .and_then(|w| w.batch.columns().get(w.column(c)?))
                        .ok_or_else(|| {
                            Error::corrupt("memtable", "entry", "a cell without its column")
                        })?;
                    sources.push(array.as_ref());
                    used.push(s);
                    if let Some(v) = slot_of.get_mut(s_us) {
                        *v = (sources.len() - 1) as u32;
                    }
                    sources.len() - 1
                };
                indices.push((id, row as usize));
            }
            for s in used {
                if let Some(v) = slot_of.get_mut(s as usize) {
                    *v = 0;
                }
            }
            arrays.push(arrow_select::interleave::interleave(&sources, &indices)?);
            present.push(here);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(n));
        let batch = RecordBatch::try_new_with_options(m.merged_schema(), arrays, &options)?;
        Ok(Some(MergedChunk {
            batch,
            tombstone,
            has_values,
            present,
        }))
    }

    /// The key column of the rows whose newest entries are `heads`.
    fn keys(&self, heads: &[u32]) -> Result<ArrayRef> {
        let m = self.memtable;
        let mut buf = [0u8; 8];
        let bad = || Error::corrupt("memtable", "key", "a key is not valid for its type");
        Ok(match m.kind {
            KeyKind::Utf8 => {
                let mut b = StringBuilder::with_capacity(heads.len(), heads.len() * 16);
                for &h in heads {
                    let bytes = m.entry_key(h, &mut buf);
                    b.append_value(std::str::from_utf8(bytes).map_err(|_| bad())?);
                }
                Arc::new(b.finish())
            }
            KeyKind::Int64 => {
                let mut b = Int64Builder::with_capacity(heads.len());
                for &h in heads {
                    match decode_index(m.kind, m.entry_key(h, &mut buf)) {
                        Some(Key::Int64(v)) => b.append_value(v),
                        _ => return Err(bad()),
                    }
                }
                Arc::new(b.finish())
            }
            KeyKind::UInt64 => {
                let mut b = UInt64Builder::with_capacity(heads.len());
                for &h in heads {
                    match decode_index(m.kind, m.entry_key(h, &mut buf)) {
                        Some(Key::UInt64(v)) => b.append_value(v),
                        _ => return Err(bad()),
                    }
                }
                Arc::new(b.finish())
            }
        })
    }
}
