//! Segments: immutable files holding one batch of rows of one table — the key column, any
//! subset of the table's columns and a persisted hash index of the keys.
//!
//! The byte layout is in `docs/FORMAT.md`. In short: fixed-width columns are packed
//! row-major in row groups (one row of a 10 x float32 table is 40 contiguous bytes, so a
//! point read touches one or two cache lines); utf8 and binary columns are offsets plus
//! data; every page of the file has a CRC32 that reads check lazily; a fixed-size trailer at
//! the end locates the footer, which locates everything else.
//!
//! [`SegmentWriter`] writes one; [`Segment`] reads one, from a memory map or from bytes.

#[cfg(feature = "mmap")]
mod backing;
mod encode;
mod footer;
mod gather;
mod hash;
pub(crate) mod keys;
pub mod layout;
mod lookup;
mod pages;
mod reader;
mod sink;
mod writer;

use std::path::Path;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use std::sync::Arc;

pub use reader::Segment;
pub use writer::{SegmentInfo, SegmentWriter};

use keys::QueryKeys;
use layout::{ColumnDesc, Storage};
use lookup::NOT_FOUND;

use crate::{Error, Result};

impl Segment {
    /// Reads `columns` for `keys`: one row per key, in the order of `keys`, null where a key
    /// is absent (or null), plus whether each key was found. Keys are an Arrow array of the
    /// key column's type (utf8 also accepts large utf8 and utf8 view). Every output column is
    /// nullable. The key column itself may be asked for.
    pub fn get(&self, keys: &dyn Array, columns: &[&str]) -> Result<(RecordBatch, Vec<bool>)> {
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
        let batch = self.batch(&descs, &rows)?;
        Ok((batch, rows.iter().map(|&r| r != NOT_FOUND).collect()))
    }

    /// The row of each key, or `None` where it is absent.
    pub fn find(&self, keys: &dyn Array) -> Result<Vec<Option<u32>>> {
        let query = QueryKeys::new(keys, &self.footer.key.name, &self.footer.key.column_type)?;
        let rows = self.lookup(&query, &[])?;
        Ok(rows
            .into_iter()
            .map(|r| (r != NOT_FOUND).then_some(r))
            .collect())
    }

    /// Reads `columns` for the given rows (as returned by [`Segment::find`]; `None` gives
    /// null). A row past the end is an error.
    pub fn take(&self, rows: &[Option<u32>], columns: &[&str]) -> Result<RecordBatch> {
        let descs = columns
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        let mut raw = Vec::with_capacity(rows.len());
        for r in rows {
            match r {
                Some(r) if u64::from(*r) >= self.row_count() => {
                    return Err(Error::LimitExceeded(format!(
                        "row {r} of segment {} which has {} rows",
                        self.name,
                        self.row_count()
                    )));
                }
                Some(r) => raw.push(*r),
                None => raw.push(NOT_FOUND),
            }
        }
        self.batch(&descs, &raw)
    }

    /// Every key, in the segment's (sorted) order.
    pub fn keys(&self) -> Result<ArrayRef> {
        let rows: Vec<u32> = (0..self.row_count() as u32).collect();
        let mut arrays = self.gather(&[&self.footer.key], &rows)?;
        arrays
            .pop()
            .ok_or_else(|| Error::corrupt(&self.name, "footer", "no key column"))
    }

    fn batch(&self, descs: &[&ColumnDesc], rows: &[u32]) -> Result<RecordBatch> {
        let arrays = self.gather(descs, rows)?;
        let fields: Vec<Field> = descs
            .iter()
            .map(|c| Field::new(c.name.clone(), c.column_type.to_arrow(), true))
            .collect();
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows.len()));
        Ok(RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            arrays,
            &options,
        )?)
    }
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
