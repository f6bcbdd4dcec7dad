//! Segments: immutable files holding one batch of rows of one table — the key column, any
//! subset of the table's columns and a persisted hash index of the keys.
//!
//! The byte layout is in `docs/FORMAT.md`. In short: fixed-width columns are packed
//! row-major in row groups (one row of a 10 x float32 table is 40 contiguous bytes, so a
//! point read touches one or two cache lines); utf8 and binary columns are offsets plus
//! data; every page of the file has a CRC32 that reads check lazily; a fixed-size trailer at
//! the end locates the footer, which locates everything else.
//!
//! Since format version 2 a segment may hold **partial rows**: a row may leave columns
//! unwritten (their values are in older segments) and may be a **tombstone** (its key was
//! deleted). Two optional bitmaps record this, per column and per segment; a segment of full
//! rows has neither and reads exactly as before. [`SegmentWriter::push_partial`] writes such
//! rows; [`Segment::get_partial`], [`Segment::is_tombstone`] and [`Segment::is_present`] read
//! them back.
//!
//! [`SegmentWriter`] writes one; [`Segment`] reads one, from a memory map or from bytes;
//! [`remote::RemoteSegment`] reads one over range requests, fetching only the pages a read
//! needs (sans-IO: the caller does the fetching).

#[cfg(feature = "mmap")]
mod backing;
mod chunked;
mod encode;
#[cfg(feature = "engine")]
pub(crate) mod filter;
mod footer;
pub(crate) mod gather;
pub(crate) mod hash;
pub mod layout;
pub(crate) mod lookup;
pub(crate) mod masks;
mod pages;
mod partial;
mod plan;
#[cfg(feature = "engine")]
mod put;
pub(crate) mod reader;
pub mod remote;
#[cfg(feature = "engine")]
pub(crate) mod scan;
#[cfg(feature = "engine")]
pub(crate) mod scatter;
mod sink;
mod tail;
mod writer;

use std::path::Path;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

pub use crate::keys::SortKey;
pub use partial::PartialBatch;
pub use reader::Segment;
pub use writer::{SegmentInfo, SegmentWriter};

use crate::keys::QueryKeys;
use layout::{ColumnDesc, Storage};
use lookup::NOT_FOUND;

use crate::{Error, Result};

impl Segment {
    /// Reads `columns` for `keys`: one row per key, in the order of `keys`, null where a key
    /// is absent (or null), plus whether each key was found. Keys are an Arrow array of the
    /// key column's type (utf8 also accepts large utf8 and utf8 view). Every output column is
    /// nullable. The key column itself may be asked for.
    ///
    /// In a segment with partial rows ([`Segment::has_partial_rows`]), a tombstone reads as
    /// an absent key (not found, every column null, the key column included) and a cell that
    /// its row does not write reads as null; [`Segment::get_partial`] tells those apart.
    pub fn get(&self, keys: &dyn Array, columns: &[&str]) -> Result<(RecordBatch, Vec<bool>)> {
        let (descs, rows) = self.locate(keys, columns)?;
        if self.partial {
            return Ok(self.read_partial(&descs, rows)?.into_get());
        }
        let batch = self.batch(&descs, &rows)?;
        Ok((batch, rows.iter().map(|&r| r != NOT_FOUND).collect()))
    }

    /// The descriptors of `columns` and the row of each key ([`NOT_FOUND`] where absent),
    /// with the rows of the asked row groups prefetched.
    #[inline]
    fn locate(&self, keys: &dyn Array, columns: &[&str]) -> Result<(Vec<&ColumnDesc>, Vec<u32>)> {
        let descs = columns
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        let query = QueryKeys::new(keys, &self.footer.key.name, &self.footer.key.column_type)?;
        let mut prefetch: Vec<(u32, usize)> = Vec::new();
        for c in &descs {
            if let Storage::Fixed { group, .. } = c.storage {
                let g = self.group(group)?;
                if !prefetch.contains(&g) {
                    prefetch.push(g);
                }
            }
        }
        let rows = self.lookup(&query, &prefetch)?;
        Ok((descs, rows))
    }

    /// The row of each key, or `None` where it is absent. A tombstone has a row
    /// ([`Segment::is_tombstone`] says so).
    pub fn find(&self, keys: &dyn Array) -> Result<Vec<Option<u32>>> {
        let query = QueryKeys::new(keys, &self.footer.key.name, &self.footer.key.column_type)?;
        let rows = self.lookup(&query, &[])?;
        Ok(rows
            .into_iter()
            .map(|r| (r != NOT_FOUND).then_some(r))
            .collect())
    }

    /// Reads `columns` for the given rows (as returned by [`Segment::find`]; `None` gives
    /// null). A row past the end is an error. As with [`Segment::get`], a tombstone row reads
    /// as null throughout and a cell its row does not write reads as null.
    pub fn take(&self, rows: &[Option<u32>], columns: &[&str]) -> Result<RecordBatch> {
        let descs = columns
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        let mut raw = Vec::with_capacity(rows.len());
        for r in rows {
            match r {
                Some(r) => {
                    self.check_row(*r)?;
                    raw.push(*r);
                }
                None => raw.push(NOT_FOUND),
            }
        }
        if self.partial {
            return Ok(self.read_partial(&descs, raw)?.into_batch());
        }
        self.batch(&descs, &raw)
    }

    /// Every key, in the segment's (sorted) order, tombstones included.
    pub fn keys(&self) -> Result<ArrayRef> {
        let rows: Vec<u32> = (0..self.row_count() as u32).collect();
        let mut arrays = self.gather(&[&self.footer.key], &rows)?;
        arrays
            .pop()
            .ok_or_else(|| Error::corrupt(&self.name, "footer", "no key column"))
    }

    /// The first (smallest) key, tombstones included; `None` when the segment is empty.
    /// Reads row 0 of the key column only.
    pub fn first_key(&self) -> Result<Option<SortKey>> {
        self.key_of_row(0)
    }

    /// The last (largest) key, tombstones included; `None` when the segment is empty.
    /// Reads the last row of the key column only.
    pub fn last_key(&self) -> Result<Option<SortKey>> {
        match self.row_count().checked_sub(1) {
            Some(row) => self.key_of_row(row),
            None => Ok(None),
        }
    }

    /// The key of row `row`, or `None` past the end.
    fn key_of_row(&self, row: u64) -> Result<Option<SortKey>> {
        if row >= self.row_count() {
            return Ok(None);
        }
        let row = u32::try_from(row)
            .map_err(|_| Error::corrupt(&self.name, "footer", "more rows than a segment holds"))?;
        let arrays = self.gather(&[&self.footer.key], &[row])?;
        let keys = arrays
            .first()
            .ok_or_else(|| Error::corrupt(&self.name, "footer", "no key column"))?;
        SortKey::of(keys.as_ref(), 0)
    }

    fn batch(&self, descs: &[&ColumnDesc], rows: &[u32]) -> Result<RecordBatch> {
        let arrays = self.gather(descs, rows)?;
        self.to_batch(descs, arrays, rows.len())
    }

    /// A batch of `rows` rows of the arrays of `descs` (every field nullable).
    pub(crate) fn to_batch(
        &self,
        descs: &[&ColumnDesc],
        arrays: Vec<ArrayRef>,
        rows: usize,
    ) -> Result<RecordBatch> {
        batch_of(descs, arrays, rows)
    }
}

/// A batch of `rows` rows of the arrays of `descs` (every field nullable).
pub(crate) fn batch_of(
    descs: &[&ColumnDesc],
    arrays: Vec<ArrayRef>,
    rows: usize,
) -> Result<RecordBatch> {
    let fields: Vec<Field> = descs
        .iter()
        .map(|c| Field::new(c.name.clone(), c.column_type.to_arrow(), true))
        .collect();
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        arrays,
        &options,
    )?)
}

/// Fsyncs the directory holding `path`, so that a rename into it is durable.
pub(crate) fn sync_dir(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
