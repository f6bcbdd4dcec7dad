//! The merged rows not yet handed to the segment writer: per cell, where its value is (an
//! input's current chunk, or null) and whether the row holds it. Assembled into one record
//! batch before any input loads its next chunk, run by run with `MutableArrayData` (on the
//! merge bench, two 1M-row 10 x float32 inputs, about 9% faster end to end than Arrow's
//! `interleave`, which copies value by value: a merge takes long runs from one input).

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_buffer::{BooleanBuffer, BooleanBufferBuilder};
use arrow_data::transform::MutableArrayData;
use arrow_schema::SchemaRef;

use super::cursor::Cursor;
use super::output::Output;
use crate::Result;

/// Where a cell's value is: (0, 0) is the null of the column, (1 + i, row) is row `row` of
/// input `i`'s current chunk.
pub(super) type Source = (usize, usize);

/// The null source.
pub(super) const NULL: Source = (0, 0);

/// Merged rows waiting to be written.
pub(super) struct Pending {
    schema: SchemaRef,
    key: usize,
    /// Per schema column, a one-row null array of its type.
    nulls: Vec<ArrayRef>,
    /// Per schema column, per row: the value's source.
    sources: Vec<Vec<Source>>,
    /// Per schema column, per row: whether the row holds the cell.
    present: Vec<BooleanBufferBuilder>,
    tombstones: BooleanBufferBuilder,
    any_tombstone: bool,
    rows: usize,
}

impl Pending {
    /// No rows yet, for the output schema `schema` keyed by column `key`.
    pub(super) fn new(schema: SchemaRef, key: usize) -> Self {
        let nulls = schema
            .fields()
            .iter()
            .map(|f| arrow_array::new_null_array(f.data_type(), 1))
            .collect();
        let n = schema.fields().len();
        Pending {
            schema,
            key,
            nulls,
            sources: vec![Vec::new(); n],
            present: (0..n).map(|_| BooleanBufferBuilder::new(0)).collect(),
            tombstones: BooleanBufferBuilder::new(0),
            any_tombstone: false,
            rows: 0,
        }
    }

    /// Rows waiting.
    pub(super) fn rows(&self) -> usize {
        self.rows
    }

    /// Adds a row keyed by the key at `key`, with per schema column the source of its
    /// value, if any; a cell without one is null, and held if `fill`.
    pub(super) fn push_row(&mut self, key: Source, cells: &[Option<Source>], fill: bool) {
        for (c, (sources, present)) in self.sources.iter_mut().zip(&mut self.present).enumerate() {
            let cell = cells.get(c).copied().flatten();
            if c == self.key {
                sources.push(key);
            } else {
                sources.push(cell.unwrap_or(NULL));
            }
            present.append(cell.is_some() || fill);
        }
        self.tombstones.append(false);
        self.rows += 1;
    }

    /// Adds a tombstone of the key at `key`.
    pub(super) fn push_tombstone(&mut self, key: Source) {
        for (c, (sources, present)) in self.sources.iter_mut().zip(&mut self.present).enumerate() {
            sources.push(if c == self.key { key } else { NULL });
            present.append(false);
        }
        self.tombstones.append(true);
        self.any_tombstone = true;
        self.rows += 1;
    }

    /// Assembles the waiting rows from the cursors' current chunks and hands them to
    /// `output`; afterwards no row refers to a chunk.
    pub(super) fn flush<F>(&mut self, cursors: &[Cursor<'_>], output: &mut Output<F>) -> Result<()>
    where
        F: FnMut() -> Result<std::path::PathBuf>,
    {
        if self.rows == 0 {
            return Ok(());
        }
        let mut columns = Vec::with_capacity(self.sources.len());
        for (c, (sources, null)) in self.sources.iter_mut().zip(&self.nulls).enumerate() {
            let null = null.as_ref();
            let arrays: Vec<&dyn Array> = std::iter::once(null)
                .chain(cursors.iter().map(|cur| cur.array(c).unwrap_or(null)))
                .collect();
            columns.push(assemble(&arrays, sources)?);
            sources.clear();
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns)?;
        let present: Vec<Option<BooleanBuffer>> = self
            .present
            .iter_mut()
            .enumerate()
            .filter(|&(c, _)| c != self.key)
            .map(|(_, p)| Some(p.finish()))
            .collect();
        if let Some(p) = self.present.get_mut(self.key) {
            p.finish();
        }
        let tombstones = self.tombstones.finish();
        let tombstones = self.any_tombstone.then_some(tombstones);
        self.any_tombstone = false;
        self.rows = 0;
        output.push(&batch, &present, tombstones.as_ref())
    }
}

/// The values at `sources` of `arrays` (array 0 is a one-row null array) as one array,
/// copied run by run: a merge takes long runs of consecutive rows from one input, which
/// `MutableArrayData` copies as whole ranges.
fn assemble(arrays: &[&dyn Array], sources: &[Source]) -> Result<ArrayRef> {
    let data: Vec<arrow_data::ArrayData> = arrays.iter().map(|a| a.to_data()).collect();
    let mut out = MutableArrayData::new(data.iter().collect(), true, sources.len());
    let mut i = 0;
    while let Some(&(array, start)) = sources.get(i) {
        let mut end = start + 1;
        i += 1;
        while sources.get(i) == Some(&(array, end)) && array != 0 {
            end += 1;
            i += 1;
        }
        if array == 0 {
            let mut n = 1;
            while sources.get(i).is_some_and(|s| s.0 == 0) {
                n += 1;
                i += 1;
            }
            out.try_extend_nulls(n)?;
        } else {
            out.try_extend(array, start, end)?;
        }
    }
    Ok(arrow_array::make_array(out.freeze()))
}
