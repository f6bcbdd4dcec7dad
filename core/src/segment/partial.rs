//! Partial rows on the reading side (format version 2): which rows are tombstones and which
//! cells a row holds, read from the presence and tombstone bitmaps.
//!
//! A cell is held when its row is not a tombstone and its column has no presence bitmap or
//! the row's bit is set. The bitmaps are authoritative: a cell that is not held reads as
//! null whatever its validity and value bytes say, and the presence bits of a tombstone row
//! are ignored (writers write them as 0).

use arrow_array::{Array, RecordBatch};

use super::layout::{ColumnDesc, NONE};
use super::lookup::NOT_FOUND;
use super::masks::mask_nulls;
use super::reader::Segment;
use crate::{Error, Result};

/// The result of [`Segment::get_partial`]: one row per asked key, and per key whether the
/// segment has a row for it, whether that row is a tombstone and which asked columns it
/// holds.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialBatch {
    batch: RecordBatch,
    found: Vec<bool>,
    tombstones: Vec<bool>,
    /// Per asked column, per key: whether the cell is held; `None` when the column has no
    /// presence bitmap (then it is held exactly by the found keys that are not tombstones).
    present: Vec<Option<Vec<bool>>>,
    complete: bool,
}

impl PartialBatch {
    /// The values: one row per key, one column per asked column (all nullable). Cells the
    /// segment does not hold are null: those of absent keys, of tombstones (the key column
    /// included) and of columns a row does not write.
    pub fn batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The values, as [`PartialBatch::batch`].
    pub fn into_batch(self) -> RecordBatch {
        self.batch
    }

    /// The number of keys asked.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// Whether no key was asked.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// Whether the segment has a row for key `key` (the key's index in the asked keys), be it
    /// a tombstone or not. False for an index past the end.
    pub fn found(&self, key: usize) -> bool {
        self.found.get(key).copied().unwrap_or(false)
    }

    /// Whether key `key`'s row is a tombstone: the key was deleted here, it holds no values
    /// and older sources must not be asked for it.
    pub fn tombstone(&self, key: usize) -> bool {
        self.tombstones.get(key).copied().unwrap_or(false)
    }

    /// Whether the segment holds the value (possibly null) of asked column `column` (its index
    /// in the asked columns) for key `key`: the key is found, is not a tombstone, and its
    /// row writes the column. When false and the key is neither absent nor a tombstone, the
    /// value is in an older source.
    pub fn present(&self, column: usize, key: usize) -> bool {
        match self.present.get(column) {
            Some(Some(bits)) => bits.get(key).copied().unwrap_or(false),
            Some(None) => self.found(key) && !self.tombstone(key),
            None => false,
        }
    }

    /// Whether this is the whole answer for the found keys: no found key is a tombstone and
    /// every found key holds every asked column. Then [`PartialBatch::batch`] and
    /// [`PartialBatch::found_mask`] say everything this source knows, as [`Segment::get`]
    /// would; always true for a segment without partial rows.
    pub fn complete(&self) -> bool {
        self.complete
    }

    /// Per key, [`PartialBatch::found`].
    pub fn found_mask(&self) -> &[bool] {
        &self.found
    }

    /// Per key, [`PartialBatch::tombstone`].
    pub fn tombstone_mask(&self) -> &[bool] {
        &self.tombstones
    }

    /// The values and, per key, whether it was found and is not a tombstone: what
    /// [`Segment::get`] returns.
    pub(crate) fn into_get(self) -> (RecordBatch, Vec<bool>) {
        let live = self
            .found
            .iter()
            .zip(&self.tombstones)
            .map(|(&f, &t)| f && !t)
            .collect();
        (self.batch, live)
    }
}

impl Segment {
    /// Whether any row of the segment is a tombstone or leaves a column unwritten (the file
    /// has a presence or a tombstone section). False for every version-1 file and for
    /// segments written with [`crate::segment::SegmentWriter::push`] only; then
    /// [`Segment::get`] is the whole answer and [`Segment::get_partial`] is always complete.
    pub fn has_partial_rows(&self) -> bool {
        self.partial
    }

    /// Like [`Segment::get`], but says per key whether it was found, whether it is a
    /// tombstone, and per asked column whether the segment holds its value: what an engine
    /// needs to decide which cells to ask older sources for. See [`PartialBatch`].
    pub fn get_partial(&self, keys: &dyn Array, columns: &[&str]) -> Result<PartialBatch> {
        let (descs, rows) = self.locate(keys, columns)?;
        self.read_partial(&descs, rows)
    }

    /// [`Segment::get_partial`] with the rows in `deleted` (a deletion vector: row
    /// numbers as [`Segment::find`] returns them) read as absent keys.
    pub fn get_partial_except(
        &self,
        keys: &dyn Array,
        columns: &[&str],
        deleted: &roaring::RoaringBitmap,
    ) -> Result<PartialBatch> {
        let (descs, mut rows) = self.locate(keys, columns)?;
        for row in &mut rows {
            if *row != NOT_FOUND && deleted.contains(*row) {
                *row = NOT_FOUND;
            }
        }
        self.read_partial(&descs, rows)
    }

    /// Whether row `row` (as returned by [`Segment::find`]) is a tombstone. For compaction,
    /// which walks rows. A row past the end is an error.
    pub fn is_tombstone(&self, row: u32) -> Result<bool> {
        self.check_row(row)?;
        self.bit(self.footer.tombstones, row)
    }

    /// Whether row `row` holds the value (possibly null) of `column`: the row is not a
    /// tombstone and writes the column. Always true for the key column of a row that is not
    /// a tombstone. An unknown column or a row past the end is an error.
    pub fn is_present(&self, column: &str, row: u32) -> Result<bool> {
        let c = self.column(column)?;
        self.check_row(row)?;
        if self.bit(self.footer.tombstones, row)? {
            return Ok(false);
        }
        if c.presence == NONE {
            return Ok(true);
        }
        self.bit(c.presence, row)
    }

    /// Reads `descs` for `rows` ([`NOT_FOUND`] for absent keys) with their tombstones and
    /// presence; cells that are not held are null.
    pub(crate) fn read_partial(
        &self,
        descs: &[&ColumnDesc],
        mut rows: Vec<u32>,
    ) -> Result<PartialBatch> {
        let found: Vec<bool> = rows.iter().map(|&r| r != NOT_FOUND).collect();
        let tombstones = self.bits(self.footer.tombstones, &rows)?;
        // Tombstones hold nothing: read them as absent.
        for (row, &t) in rows.iter_mut().zip(&tombstones) {
            if t {
                *row = NOT_FOUND;
            }
        }
        let mut arrays = self.gather(descs, &rows)?;
        let mut present = Vec::with_capacity(descs.len());
        let mut complete = !tombstones.contains(&true);
        for (c, array) in descs.iter().zip(arrays.iter_mut()) {
            if c.presence == NONE {
                present.push(None);
                continue;
            }
            let bits = self.bits(c.presence, &rows)?;
            let held = arrow_buffer::BooleanBuffer::from(bits.as_slice());
            *array = mask_nulls(array, &held)?;
            complete &= bits.iter().zip(&rows).all(|(&p, &r)| p || r == NOT_FOUND);
            present.push(Some(bits));
        }
        Ok(PartialBatch {
            batch: self.to_batch(descs, arrays, rows.len())?,
            found,
            tombstones,
            present,
            complete,
        })
    }

    /// Per row, bit `row` of bitmap section `section` (false for [`NOT_FOUND`], and for every
    /// row when `section` is [`NONE`]).
    fn bits(&self, section: u32, rows: &[u32]) -> Result<Vec<bool>> {
        if section == NONE {
            return Ok(vec![false; rows.len()]);
        }
        let view = self.view(section)?;
        rows.iter()
            .map(|&r| {
                if r == NOT_FOUND {
                    return Ok(false);
                }
                let byte = view.get(r as usize / 8, 1)?;
                Ok(byte.first().is_some_and(|b| b & (1 << (r % 8)) != 0))
            })
            .collect()
    }

    /// Bit `row` of bitmap section `section` (false when it is [`NONE`]).
    fn bit(&self, section: u32, row: u32) -> Result<bool> {
        Ok(self
            .bits(section, &[row])?
            .first()
            .copied()
            .unwrap_or(false))
    }

    /// An error unless `row` is a row of the segment.
    pub(crate) fn check_row(&self, row: u32) -> Result<()> {
        if u64::from(row) >= self.row_count() {
            return Err(Error::LimitExceeded(format!(
                "row {row} of segment {} which has {} rows",
                self.name,
                self.row_count()
            )));
        }
        Ok(())
    }
}
