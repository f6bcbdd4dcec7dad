//! Reading a contiguous range of rows with their tombstones and presence: how compaction
//! walks a segment in key order, one chunk at a time.

use std::ops::Range;

use arrow_array::ArrayRef;
use arrow_buffer::BooleanBuffer;

use super::layout::{ColumnDesc, NONE};
use super::reader::Segment;
use crate::{Error, Result};

/// Rows `start..end` of a segment: the keys, the asked columns, and which rows are
/// tombstones and which cells the rows hold.
#[derive(Debug, Clone)]
pub(crate) struct Scan {
    /// The key of each row (tombstones included), in the segment's (sorted) order.
    pub(crate) keys: ArrayRef,
    /// Per asked column, its values as stored (a cell that is not held has no meaning).
    pub(crate) columns: Vec<ArrayRef>,
    /// Per asked column: `None` = every row that is not a tombstone holds it, else one bit
    /// per row, `true` = held (when the row is not a tombstone).
    pub(crate) present: Vec<Option<BooleanBuffer>>,
    /// One bit per row, `true` = a tombstone; `None` = no row is one.
    pub(crate) tombstones: Option<BooleanBuffer>,
}

impl Scan {
    /// Whether row `row` of the scan is a tombstone.
    #[inline]
    pub(crate) fn is_tombstone(&self, row: usize) -> bool {
        self.tombstones
            .as_ref()
            .is_some_and(|t| row < t.len() && t.value(row))
    }

    /// Whether row `row` (not a tombstone) holds asked column `column`.
    #[inline]
    pub(crate) fn is_present(&self, column: usize, row: usize) -> bool {
        match self.present.get(column) {
            Some(Some(bits)) => row < bits.len() && bits.value(row),
            Some(None) => true,
            None => false,
        }
    }
}

impl Segment {
    /// Reads rows `rows` of the key column and of `columns`, with their tombstones and
    /// presence. The bitmaps are views of the segment's bytes (after their pages are
    /// checked); values are copied out of the row-major groups. A range past the end or an
    /// unknown column is an error.
    pub(crate) fn scan(&self, rows: Range<u32>, columns: &[&str]) -> Result<Scan> {
        if rows.start > rows.end || u64::from(rows.end) > self.row_count() {
            return Err(Error::LimitExceeded(format!(
                "rows {}..{} of segment {} which has {} rows",
                rows.start,
                rows.end,
                self.name,
                self.row_count()
            )));
        }
        let mut descs: Vec<&ColumnDesc> = vec![&self.footer.key];
        for c in columns {
            descs.push(self.column(c)?);
        }
        let numbers: Vec<u32> = rows.clone().collect();
        let mut arrays = self.gather(&descs, &numbers)?.into_iter();
        let keys = arrays
            .next()
            .ok_or_else(|| Error::corrupt(&self.name, "footer", "no key column"))?;
        let present = descs
            .iter()
            .skip(1)
            .map(|c| self.bit_range(c.presence, rows.clone()))
            .collect::<Result<Vec<_>>>()?;
        Ok(Scan {
            keys,
            columns: arrays.collect(),
            present,
            tombstones: self.bit_range(self.footer.tombstones, rows)?,
        })
    }

    /// Bits `rows` of bitmap section `section`, without copying; `None` when it is [`NONE`].
    fn bit_range(&self, section: u32, rows: Range<u32>) -> Result<Option<BooleanBuffer>> {
        if section == NONE {
            return Ok(None);
        }
        let view = self.view(section)?;
        let first = rows.start as usize / 8;
        let len = (rows.end as usize).div_ceil(8).saturating_sub(first);
        view.get(first, len)?;
        let span = self
            .spans
            .get(section as usize)
            .ok_or_else(|| self.out_of_range(section, first, len))?;
        // `view.get` checked that these bytes lie in the section, hence in the file.
        let bytes = self.data.slice_with_length(span.start + first, len);
        let bits = (rows.end - rows.start) as usize;
        Ok(Some(BooleanBuffer::new(
            bytes,
            rows.start as usize % 8,
            bits,
        )))
    }
}
