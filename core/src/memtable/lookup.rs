//! Point reads: keys x columns at a snapshot, as references to cells of written batches.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};

use super::Memtable;
use super::assemble::assemble;
use super::entry::Written;
use crate::keys::{QueryKeys, hash_key};
use crate::{Error, Result};

/// What the memtable knows of one key at a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Nothing visible: no write of the key at or below the snapshot (or the key is null).
    /// Every cell is [`Cell::Unresolved`].
    Absent,
    /// The newest visible write of the key is an upsert: the key exists.
    Live,
    /// The newest visible write of the key is a delete: the key does not exist, and older
    /// memtables and segments must not be consulted. Every cell is [`Cell::Deleted`].
    Deleted,
}

/// A reference to one value of a written batch.
#[derive(Debug, Clone, Copy)]
pub struct CellRef<'a> {
    /// The written batch.
    pub batch: &'a Arc<RecordBatch>,
    /// The column of `batch` holding the value.
    pub column_in_batch: usize,
    /// The row of `batch` holding the value.
    pub row: usize,
}

impl<'a> CellRef<'a> {
    /// The array holding the value (at [`CellRef::row`]); `None` only if the reference
    /// does not match its batch, which the memtable never produces.
    pub fn array(&self) -> Option<&'a ArrayRef> {
        self.batch.columns().get(self.column_in_batch)
    }
}

/// The value of one key and column at a snapshot.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// The newest visible value (which may be null) is in a written batch.
    Resolved(CellRef<'a>),
    /// A tombstone hides every older value: the value is null, and older memtables and
    /// segments must not be consulted.
    Deleted,
    /// The memtable has no visible value: look in older memtables and segments.
    Unresolved,
}

/// A cell as stored in a [`Lookup`]: a source batch by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RawCell {
    Unresolved,
    Deleted,
    Resolved { source: u32, row: u32 },
}

/// The result of [`Memtable::get`]: a state per key and a cell per key and column asked.
/// Owns (shares) the batches its cells point into, so it outlives later writes.
#[derive(Debug)]
pub struct Lookup {
    /// The table's schema.
    schema: SchemaRef,
    /// The table columns asked for.
    columns: Vec<usize>,
    /// Per key.
    states: Vec<KeyState>,
    /// Per key: its row of cells in `cells`, or `u32::MAX` (no cells: absent).
    rows: Vec<u32>,
    /// Per key the memtable holds, per column (key-major): the keys it lacks take no room.
    cells: Vec<RawCell>,
    /// The written batches that cells refer to.
    sources: Vec<Arc<Written>>,
}

impl Lookup {
    /// The number of keys.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether no key was asked for.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The table columns asked for, in the order of the cells.
    pub fn columns(&self) -> &[usize] {
        &self.columns
    }

    /// Key `key`'s state ([`KeyState::Absent`] past the end).
    pub fn state(&self, key: usize) -> KeyState {
        self.states.get(key).copied().unwrap_or(KeyState::Absent)
    }

    /// The cell of key `key` and the `column`-th column asked for ([`Cell::Unresolved`]
    /// past the end).
    pub fn cell(&self, key: usize, column: usize) -> Cell<'_> {
        if column >= self.columns.len() {
            return Cell::Unresolved;
        }
        let raw = self
            .rows
            .get(key)
            .filter(|&&r| r != u32::MAX)
            .and_then(|&r| (r as usize).checked_mul(self.columns.len()))
            .and_then(|i| self.cells.get(i + column));
        match raw {
            Some(RawCell::Deleted) => Cell::Deleted,
            Some(&RawCell::Resolved { source, row }) => self.resolve(source, column, row),
            Some(RawCell::Unresolved) | None => Cell::Unresolved,
        }
    }

    fn resolve(&self, source: u32, column: usize, row: u32) -> Cell<'_> {
        let Some(written) = self.sources.get(source as usize) else {
            return Cell::Unresolved;
        };
        let Some(c) = self.columns.get(column).and_then(|&c| written.column(c)) else {
            return Cell::Unresolved;
        };
        Cell::Resolved(CellRef {
            batch: &written.batch,
            column_in_batch: c,
            row: row as usize,
        })
    }

    /// The `column`-th column asked for as an array, one row per key: resolved values,
    /// and null where a cell is deleted or unresolved.
    pub fn column(&self, column: usize) -> Result<ArrayRef> {
        let table_column = *self
            .columns
            .get(column)
            .ok_or_else(|| Error::UnknownColumn {
                column: format!("#{column}"),
                container: "the columns of a memtable lookup".into(),
            })?;
        let field = self.schema.fields().get(table_column).ok_or_else(|| {
            Error::SchemaMismatch(format!("column #{table_column} is not in the table"))
        })?;
        let cells = (0..self.len()).map(|k| match self.cell(k, column) {
            Cell::Resolved(c) => c.array().map(|a| (a.as_ref(), c.row)),
            Cell::Deleted | Cell::Unresolved => None,
        });
        assemble(field.data_type(), cells)
    }

    /// Every column asked for (every field nullable, named as in the table), one row per
    /// key: complete for a read served by this memtable alone.
    pub fn to_batch(&self) -> Result<RecordBatch> {
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays = Vec::with_capacity(self.columns.len());
        for (j, &c) in self.columns.iter().enumerate() {
            let field =
                self.schema.fields().get(c).ok_or_else(|| {
                    Error::SchemaMismatch(format!("column #{c} is not in the table"))
                })?;
            fields.push(Field::new(field.name(), field.data_type().clone(), true));
            arrays.push(self.column(j)?);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(self.len()));
        Ok(RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            arrays,
            &options,
        )?)
    }
}

/// The fixed-width values a [`Lookup`] resolves to, resolved per written batch and asked
/// column once (not per cell): a cell is then a slice of its batch's value buffer.
#[cfg(feature = "engine")]
pub(crate) struct FixedCells<'l> {
    lookup: &'l Lookup,
    /// Per source and asked column (source-major): the column's data and value width, or
    /// `None` when the source lacks the column or it is not a fixed-width primitive.
    columns: Vec<Option<(arrow_data::ArrayData, usize)>>,
}

/// One cell as [`FixedCells::cell`] reads it.
#[cfg(feature = "engine")]
pub(crate) enum FixedCell<'a> {
    /// The value's bytes.
    Value(&'a [u8]),
    /// Null: a null value, a tombstone, or no visible write.
    Null,
    /// A value that is not fixed-width (or a reference that does not fit): read it
    /// another way.
    Other,
}

#[cfg(feature = "engine")]
impl Lookup {
    /// The view of this lookup's fixed-width cells.
    pub(crate) fn fixed_cells(&self) -> FixedCells<'_> {
        let m = self.columns.len();
        let mut columns = Vec::with_capacity(self.sources.len() * m);
        for written in &self.sources {
            for &c in &self.columns {
                let data = written
                    .column(c)
                    .and_then(|i| written.batch.columns().get(i))
                    .map(|a| a.to_data())
                    .and_then(|d| {
                        let w = d.data_type().primitive_width()?;
                        (*d.data_type() != arrow_schema::DataType::Boolean).then_some((d, w))
                    });
                columns.push(data);
            }
        }
        FixedCells {
            lookup: self,
            columns,
        }
    }
}

#[cfg(feature = "engine")]
impl FixedCells<'_> {
    /// The raw cell of key `key` and asked column `column`.
    #[inline]
    fn raw(&self, key: usize, column: usize) -> Option<RawCell> {
        let m = self.lookup.columns.len();
        let r = *self.lookup.rows.get(key)?;
        if r == u32::MAX || column >= m {
            return None;
        }
        self.lookup.cells.get(r as usize * m + column).copied()
    }

    /// The data, width and row of a resolved cell.
    #[inline]
    fn place(&self, key: usize, column: usize) -> Option<(&arrow_data::ArrayData, usize, usize)> {
        let Some(RawCell::Resolved { source, row }) = self.raw(key, column) else {
            return None;
        };
        let m = self.lookup.columns.len();
        let (data, width) = self.columns.get(source as usize * m + column)?.as_ref()?;
        Some((data, *width, row as usize))
    }

    /// Cell (`key`, `column`).
    #[inline]
    pub(crate) fn cell(&self, key: usize, column: usize) -> FixedCell<'_> {
        match self.raw(key, column) {
            None | Some(RawCell::Unresolved | RawCell::Deleted) => return FixedCell::Null,
            Some(RawCell::Resolved { .. }) => {}
        }
        let Some((data, width, row)) = self.place(key, column) else {
            return FixedCell::Other;
        };
        if data.is_null(row) {
            return FixedCell::Null;
        }
        let at = (data.offset() + row) * width;
        match data
            .buffers()
            .first()
            .and_then(|b| b.as_slice().get(at..at + width))
        {
            Some(bytes) => FixedCell::Value(bytes),
            None => FixedCell::Other,
        }
    }

    /// Hints the CPU to load the value of cell (`key`, `column`).
    #[inline]
    pub(crate) fn prefetch(&self, key: usize, column: usize) {
        if let Some((data, width, row)) = self.place(key, column)
            && let Some(b) = data.buffers().first()
        {
            crate::prefetch::prefetch(b.as_slice(), (data.offset() + row) * width);
        }
    }
}

impl Memtable {
    /// Reads `columns` (indices into [`Memtable::schema`]; the key column may be among them)
    /// for `keys` (an array of the key column's type; utf8 also as large utf8 or utf8 view)
    /// at sequence number `snapshot`.
    ///
    /// Each key is one hash probe (a key the memtable lacks is ruled out there); for a key
    /// it holds, the walk goes from the newest version at or below `snapshot` down, and
    /// stops once every column is resolved or a tombstone is met. Never blocks: the index
    /// is lock-free.
    pub fn get(&self, keys: &dyn Array, columns: &[usize], snapshot: u64) -> Result<Lookup> {
        let query = QueryKeys::of_kind(keys, self.key_name(), self.kind)?;
        let keys = query.all();
        let hashes = key_hashes(&keys);
        self.get_hashed(&keys, &hashes, columns, snapshot)
    }

    /// [`Memtable::get`] of keys given as the bytes the index hashes (`None`: null) with
    /// their hashes ([`key_hashes`]), so that a read of several memtables and segments
    /// hashes each key once.
    pub(crate) fn get_hashed(
        &self,
        keys: &[Option<&[u8]>],
        hashes: &[u64],
        columns: &[usize],
        snapshot: u64,
    ) -> Result<Lookup> {
        let ncols = self.schema.fields().len();
        if let Some(&bad) = columns.iter().find(|&&c| c >= ncols) {
            return Err(Error::UnknownColumn {
                column: format!("#{bad}"),
                container: format!("table '{}' ({ncols} columns)", self.table),
            });
        }
        let n = keys.len();
        let m = columns.len();
        let mut states = vec![KeyState::Absent; n];
        let mut rows = vec![u32::MAX; n];
        let mut cells = Vec::new();
        let mut sources: Vec<Arc<Written>> = Vec::new();
        let mut source_ids: Vec<(*const Written, u32)> = Vec::new();

        // Prefetch every key's slot, then the candidates' entries, then probe: the misses
        // of each stage overlap.
        let table = self.index.table();
        for (k, &hash) in keys.iter().zip(hashes) {
            if k.is_some() {
                table.prefetch(hash);
            }
        }
        let index = &self.index;
        let candidates: Vec<u32> = keys
            .iter()
            .zip(hashes)
            .filter_map(|(k, &hash)| k.and_then(|_| index.prefetch_candidate(&table, hash)))
            .collect();
        // The candidates' keys, for the comparison: a utf8 key's offsets, then its bytes.
        for &i in &candidates {
            if let Some((e, s)) = index
                .entry(i)
                .and_then(|e| Some((e, index.source(e.source)?)))
            {
                s.keys.prefetch_offsets(e.row as usize);
            }
        }
        for &i in &candidates {
            if let Some((e, s)) = index
                .entry(i)
                .and_then(|e| Some((e, index.source(e.source)?)))
            {
                s.keys.prefetch_bytes(e.row as usize);
            }
        }
        for (i, (key, &hash)) in keys.iter().zip(hashes).enumerate() {
            let Some(key) = *key else {
                continue;
            };
            let Some(head) = index.find(&table, hash, |e| self.key_is(e, key)) else {
                continue;
            };
            let mut state = KeyState::Absent;
            let start = cells.len();
            if let Some(r) = rows.get_mut(i) {
                *r = u32::try_from(start / m.max(1)).unwrap_or(u32::MAX);
            }
            cells.resize(start + m, RawCell::Unresolved);
            let row_cells = cells.get_mut(start..).unwrap_or_default();
            let mut left = m;
            let mut at = Some(head);
            while let Some(a) = at {
                at = index.older(a);
                let Some(e) = index.entry(a) else { break };
                let Some(source) = index.source(e.source) else {
                    break;
                };
                if source.seq > snapshot {
                    continue;
                }
                match &source.written {
                    None => {
                        if state == KeyState::Absent {
                            state = KeyState::Deleted;
                        }
                        for cell in row_cells.iter_mut().take(m) {
                            if *cell == RawCell::Unresolved {
                                *cell = RawCell::Deleted;
                            }
                        }
                        break;
                    }
                    Some(written) => {
                        state = KeyState::Live;
                        let mut id = None;
                        for (cell, &c) in row_cells.iter_mut().zip(columns) {
                            if *cell != RawCell::Unresolved || written.column(c).is_none() {
                                continue;
                            }
                            let id = *id.get_or_insert_with(|| {
                                let ptr = Arc::as_ptr(written);
                                match source_ids.iter().find(|(p, _)| *p == ptr) {
                                    Some(&(_, id)) => id,
                                    None => {
                                        sources.push(Arc::clone(written));
                                        let id = (sources.len() - 1) as u32;
                                        source_ids.push((ptr, id));
                                        id
                                    }
                                }
                            });
                            *cell = RawCell::Resolved {
                                source: id,
                                row: e.row,
                            };
                            left -= 1;
                        }
                        if left == 0 {
                            break;
                        }
                    }
                }
            }
            if let Some(s) = states.get_mut(i) {
                *s = state;
            }
        }
        Ok(Lookup {
            schema: Arc::clone(&self.schema),
            columns: columns.to_vec(),
            states,
            rows,
            cells,
            sources,
        })
    }
}

/// The hashes of keys given as bytes (0 for a null), as the memtable's index and the
/// segments' hash them (XXH3-64).
pub(crate) fn key_hashes(keys: &[Option<&[u8]>]) -> Vec<u64> {
    keys.iter().map(|k| k.map_or(0, hash_key)).collect()
}
