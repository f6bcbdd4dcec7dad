//! The read path: keys x columns of one table at a sequence number, resolved per cell
//! from the newest source down (memtables, then segments), assembled into one batch.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array, new_null_array};
use arrow_schema::{DataType, Field, Schema};

use super::version::{SegmentRef, TableVersion};
use crate::keys::KeyKind;
use crate::memtable::{Cell, KeyState, Memtable};
use crate::{Error, Result};

/// "No source": the cell reads null.
const NULL: u32 = u32::MAX;

/// Reads `columns` of `table` for `keys` at sequence number `seq`: one row per key in key
/// order, nulls for absent or deleted keys and for cells never written; `found[i]` says
/// whether key `i` exists.
pub(crate) fn read(
    table: &TableVersion,
    seq: u64,
    keys: &dyn Array,
    columns: &[&str],
) -> Result<(RecordBatch, Vec<bool>)> {
    check_key_type(table, keys)?;
    let memtables = !table.active.is_empty() || table.frozen.iter().any(|m| !m.is_empty());
    let answer = if memtables {
        super::mixed::read(table, seq, keys, columns)?
    } else {
        super::direct::direct(table, keys, columns)?
    };
    if let Some(answer) = answer {
        return Ok(answer);
    }
    general(table, seq, keys, columns)
}

/// The general path: cells resolved from the newest source down.
pub(crate) fn general(
    table: &TableVersion,
    seq: u64,
    keys: &dyn Array,
    columns: &[&str],
) -> Result<(RecordBatch, Vec<bool>)> {
    let mut plan = Plan::new(table, keys, columns)?;
    let keys_ref: ArrayRef = arrow_array::make_array(keys.to_data());
    for memtable in std::iter::once(&table.active).chain(&table.frozen) {
        if plan.open.is_empty() {
            break;
        }
        if !memtable.is_empty() {
            plan.memtable(memtable, &keys_ref, seq)?;
        }
    }
    for segment in &table.segments {
        if plan.open.is_empty() {
            break;
        }
        plan.segment(segment, &keys_ref)?;
    }
    if !plan.open.is_empty() && !table.run.is_empty() {
        plan.run(&table.run, &keys_ref)?;
    }
    plan.finish(table, &keys_ref)
}

/// Fails unless `keys` can look up `table`'s key column.
fn check_key_type(table: &TableVersion, keys: &dyn Array) -> Result<()> {
    let Some(key) = table.schema.fields().get(table.key) else {
        return Ok(());
    };
    match KeyKind::of_arrow(key.data_type()) {
        Some(kind) => kind.check_lookup(keys, key.name()),
        None => Err(Error::UnsupportedKeyType {
            column: key.name().clone(),
            data_type: key.data_type().clone(),
        }),
    }
}

/// The state of a read: which cells are resolved, from which array and row.
struct Plan {
    n: usize,
    /// The table's key column.
    key: usize,
    /// Table column index of each asked column (the key column may be among them).
    columns: Vec<usize>,
    names: Vec<String>,
    types: Vec<DataType>,
    /// Per asked column, the arrays that cells point into.
    arrays: Vec<Vec<ArrayRef>>,
    /// Per key and asked column (key-major): (array, row) or (`NULL`, 0).
    cells: Vec<(u32, u32)>,
    /// Per key and asked column: resolved (a value or a null that hides older sources).
    resolved: Vec<bool>,
    /// Per key: unresolved cells left.
    left: Vec<usize>,
    /// Per key: whether its existence is decided, and whether it exists.
    decided: Vec<bool>,
    found: Vec<bool>,
    /// Keys with cells left or existence undecided, ascending.
    open: Vec<u32>,
}

impl Plan {
    fn new(table: &TableVersion, keys: &dyn Array, columns: &[&str]) -> Result<Plan> {
        let n = keys.len();
        if u32::try_from(n).is_err() {
            return Err(Error::LimitExceeded(format!(
                "a read of {n} keys (at most {})",
                u32::MAX
            )));
        }
        let mut idx = Vec::with_capacity(columns.len());
        let mut types = Vec::with_capacity(columns.len());
        for name in columns {
            let (i, f) = table.column(name)?;
            idx.push(i);
            types.push(f.data_type().clone());
        }
        let m = idx.len();
        // Every key's key column is resolved from the keys themselves.
        let key_cols = idx.iter().filter(|&&c| c == table.key).count();
        let mut resolved = vec![false; n * m];
        for k in 0..n {
            for (j, &c) in idx.iter().enumerate() {
                if c == table.key {
                    resolved[k * m + j] = true;
                }
            }
        }
        let left = m - key_cols;
        Ok(Plan {
            n,
            key: table.key,
            columns: idx,
            names: columns.iter().map(|c| (*c).to_owned()).collect(),
            types,
            arrays: vec![Vec::new(); m],
            cells: vec![(NULL, 0); n * m],
            resolved,
            left: vec![left; n],
            decided: vec![false; n],
            found: vec![false; n],
            open: (0..n as u32).collect(),
        })
    }

    /// The keys still open, as an array (the keys themselves when all are open).
    fn open_keys(&self, keys: &ArrayRef) -> Result<ArrayRef> {
        self.subset_keys(keys, &self.open)
    }

    /// Keys `subset` (ascending indices) as an array (the keys themselves when all).
    fn subset_keys(&self, keys: &ArrayRef, subset: &[u32]) -> Result<ArrayRef> {
        if subset.len() == self.n {
            return Ok(Arc::clone(keys));
        }
        let indices = UInt32Array::from(subset.to_vec());
        Ok(arrow_select::take::take(keys.as_ref(), &indices, None)?)
    }

    /// Decides key `k`'s existence if no newer source did.
    fn decide(&mut self, k: usize, exists: bool) {
        if let (Some(d), Some(f)) = (self.decided.get_mut(k), self.found.get_mut(k))
            && !*d
        {
            *d = true;
            *f = exists;
        }
    }

    /// A tombstone: every open cell of `k` reads null, and the key is done.
    fn delete(&mut self, k: usize) {
        self.decide(k, false);
        let m = self.columns.len();
        for r in self.resolved.iter_mut().skip(k * m).take(m) {
            *r = true;
        }
        if let Some(l) = self.left.get_mut(k) {
            *l = 0;
        }
    }

    /// Resolves cell (`k`, `j`) to `row` of array `array` of column `j`.
    fn set(&mut self, k: usize, j: usize, array: u32, row: u32) {
        let m = self.columns.len();
        if let Some(r) = self.resolved.get_mut(k * m + j)
            && !*r
        {
            *r = true;
            if let Some(c) = self.cells.get_mut(k * m + j) {
                *c = (array, row);
            }
            if let Some(l) = self.left.get_mut(k) {
                *l -= 1;
            }
        }
    }

    fn is_resolved(&self, k: usize, j: usize) -> bool {
        self.resolved
            .get(k * self.columns.len() + j)
            .copied()
            .unwrap_or(true)
    }

    /// Index of `array` among column `j`'s arrays, adding it if new.
    fn array_id(&mut self, j: usize, array: &ArrayRef) -> u32 {
        let Some(list) = self.arrays.get_mut(j) else {
            return NULL;
        };
        if let Some(i) = list.iter().position(|a| Arc::ptr_eq(a, array)) {
            return i as u32;
        }
        list.push(Arc::clone(array));
        (list.len() - 1) as u32
    }

    /// Closes the keys that are done: every asked cell resolved and existence decided
    /// (a read of the key column alone has no cell to resolve, but must still find out
    /// whether each key exists).
    fn close_done(&mut self) {
        let (left, decided) = (&self.left, &self.decided);
        self.open.retain(|&k| {
            let k = k as usize;
            left.get(k).copied().unwrap_or(0) > 0 || !decided.get(k).copied().unwrap_or(true)
        });
    }

    fn memtable(&mut self, memtable: &Memtable, keys: &ArrayRef, seq: u64) -> Result<()> {
        let query = self.open_keys(keys)?;
        // A memtable frozen before a column was added lacks it: those cells stay open.
        let width = memtable.schema().fields().len();
        let asked: Vec<(usize, usize)> = self
            .columns
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c < width && c != self.key)
            .map(|(j, &c)| (j, c))
            .collect();
        let table_columns: Vec<usize> = asked.iter().map(|&(_, c)| c).collect();
        let lookup = memtable.get(query.as_ref(), &table_columns, seq)?;
        let open = std::mem::take(&mut self.open);
        for (q, &k) in open.iter().enumerate() {
            let k = k as usize;
            match lookup.state(q) {
                KeyState::Absent => {}
                KeyState::Deleted => self.delete(k),
                KeyState::Live => {
                    self.decide(k, true);
                    for (a, &(j, _)) in asked.iter().enumerate() {
                        if self.is_resolved(k, j) {
                            continue;
                        }
                        match lookup.cell(q, a) {
                            Cell::Resolved(r) => {
                                if let Some(array) = r.array() {
                                    let id = self.array_id(j, array);
                                    self.set(k, j, id, r.row as u32);
                                }
                            }
                            Cell::Deleted => self.set(k, j, NULL, 0),
                            Cell::Unresolved => {}
                        }
                    }
                }
            }
        }
        self.open = open;
        self.close_done();
        Ok(())
    }

    fn segment(&mut self, segment: &SegmentRef, keys: &ArrayRef) -> Result<()> {
        let open = self.open.clone();
        self.segment_subset(segment, keys, &open)
    }

    /// The run: each open key is looked up in the one segment whose key range holds it.
    fn run(&mut self, run: &[Arc<SegmentRef>], keys: &ArrayRef) -> Result<()> {
        if let [only] = run {
            // One segment: its hash index answers for keys outside its range too.
            return self.segment(only, keys);
        }
        let by_segment = super::route::route(run, keys.as_ref(), self.open.iter().copied())?;
        for group in by_segment.chunk_by(|a, b| a.0 == b.0) {
            let Some(&(i, _)) = group.first() else {
                continue;
            };
            let Some(segment) = run.get(i) else {
                continue;
            };
            let subset: Vec<u32> = group.iter().map(|&(_, k)| k).collect();
            self.segment_subset(segment, keys, &subset)?;
        }
        Ok(())
    }

    /// Looks up keys `subset` (ascending, all open) in `segment`.
    fn segment_subset(
        &mut self,
        segment: &SegmentRef,
        keys: &ArrayRef,
        subset: &[u32],
    ) -> Result<()> {
        let query = self.subset_keys(keys, subset)?;
        // The asked columns this segment has (it lacks columns added after it was written).
        let mut asked: Vec<(usize, &str)> = Vec::with_capacity(self.columns.len());
        let all_names = std::mem::take(&mut self.names);
        for (j, name) in all_names.iter().enumerate() {
            if self.columns.get(j) != Some(&self.key) && segment.columns.contains_key(name) {
                asked.push((j, name.as_str()));
            }
        }
        let names: Vec<&str> = asked.iter().map(|&(_, n)| n).collect();
        let result = self.segment_cells(segment, &asked, &names, &query, subset);
        self.names = all_names;
        result
    }

    fn segment_cells(
        &mut self,
        segment: &SegmentRef,
        asked: &[(usize, &str)],
        names: &[&str],
        query: &ArrayRef,
        subset: &[u32],
    ) -> Result<()> {
        // Rows a deletion vector marks are hidden by a newer segment: read as absent.
        let hits = match &segment.deletes {
            Some(d) if !d.rows.is_empty() => {
                segment
                    .segment
                    .get_partial_except(query.as_ref(), names, d.rows.bitmap())?
            }
            _ => segment.segment.get_partial(query.as_ref(), names)?,
        };
        let batch = hits.batch();
        let ids: Vec<u32> = asked
            .iter()
            .enumerate()
            .map(|(a, &(j, _))| match batch.columns().get(a) {
                Some(array) => self.array_id(j, array),
                None => NULL,
            })
            .collect();
        for (q, &k) in subset.iter().enumerate() {
            let k = k as usize;
            if !hits.found(q) {
                continue;
            }
            if hits.tombstone(q) {
                self.delete(k);
                continue;
            }
            self.decide(k, true);
            for (a, &(j, _)) in asked.iter().enumerate() {
                if hits.present(a, q)
                    && let Some(&id) = ids.get(a)
                {
                    self.set(k, j, id, q as u32);
                }
            }
        }
        self.close_done();
        Ok(())
    }

    fn finish(self, table: &TableVersion, keys: &ArrayRef) -> Result<(RecordBatch, Vec<bool>)> {
        let m = self.columns.len();
        let mut fields = Vec::with_capacity(m);
        let mut out = Vec::with_capacity(m);
        for (j, (&c, data_type)) in self.columns.iter().zip(&self.types).enumerate() {
            let name = self.names.get(j).map_or("", String::as_str);
            if c == table.key {
                let mask = arrow_array::BooleanArray::from(
                    self.found.iter().map(|&f| !f).collect::<Vec<_>>(),
                );
                let keys = arrow_select::nullif::nullif(keys.as_ref(), &mask)?;
                fields.push(Field::new(name, keys.data_type().clone(), true));
                out.push(keys);
                continue;
            }
            fields.push(Field::new(name, data_type.clone(), true));
            out.push(self.column(j, data_type)?);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(self.n));
        let batch =
            RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), out, &options)?;
        Ok((batch, self.found))
    }

    /// Column `j` as one array: a source's array as it is when that source gave every
    /// value (the common case of one segment), else interleaved.
    fn column(&self, j: usize, data_type: &DataType) -> Result<ArrayRef> {
        let m = self.columns.len();
        let cells = (0..self.n).map(|k| self.cells.get(k * m + j).copied().unwrap_or((NULL, 0)));
        let arrays = self.arrays.get(j).map_or(&[][..], Vec::as_slice);
        if let [only] = arrays
            && only.len() == self.n
            && cells.clone().enumerate().all(|(k, (a, r))| {
                if a == NULL {
                    only.is_null(k)
                } else {
                    r as usize == k
                }
            })
        {
            return Ok(Arc::clone(only));
        }
        if arrays.is_empty() {
            return Ok(new_null_array(data_type, self.n));
        }
        let null = new_null_array(data_type, 1);
        let mut sources: Vec<&dyn Array> = arrays.iter().map(|a| a.as_ref()).collect();
        let null_id = sources.len();
        sources.push(null.as_ref());
        let indices: Vec<(usize, usize)> = cells
            .map(|(a, r)| {
                if a == NULL {
                    (null_id, 0)
                } else {
                    (a as usize, r as usize)
                }
            })
            .collect();
        Ok(arrow_select::interleave::interleave(&sources, &indices)?)
    }
}
