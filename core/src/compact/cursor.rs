//! One input of a merge, walked in key order a chunk of rows at a time, skipping the rows
//! of its deletion bitmap and checking that its keys ascend.

use arrow_array::Array;
use arrow_schema::SchemaRef;
use roaring::RoaringBitmap;

use super::MergeInput;
use crate::keys::order::{KeyColumn, KeyRef};
use crate::segment::scan::Scan;
use crate::segment::{Segment, SortKey};
use crate::{Error, Result};

/// The rows of an input loaded now.
struct Chunk {
    /// The segment row of the chunk's first row.
    start: u32,
    scan: Scan,
    keys: KeyColumn,
}

/// A position in one input of a merge.
pub(super) struct Cursor<'a> {
    segment: &'a Segment,
    deleted: Option<&'a RoaringBitmap>,
    /// The schema's columns that the segment has (the key column aside), in schema order:
    /// the columns each chunk reads.
    names: Vec<String>,
    /// Per schema column: its index in `names`, `None` for the key column and for columns
    /// the segment lacks.
    slots: Vec<Option<usize>>,
    /// The schema's key column.
    key: usize,
    chunk_rows: u32,
    rows: u32,
    /// The first row not loaded yet.
    next: u32,
    chunk: Option<Chunk>,
    /// The current row in `chunk`; past its end when the chunk is used up.
    pos: usize,
    /// The last key of the previous chunk read, for the order check.
    last: Option<SortKey>,
}

impl<'a> Cursor<'a> {
    /// A cursor before the first row of `input`, whose columns are checked against `schema`
    /// (keyed by column `key`).
    pub(super) fn new(
        input: &MergeInput<'a>,
        schema: &SchemaRef,
        key: usize,
        chunk_rows: u32,
    ) -> Result<Self> {
        let segment = input.segment;
        let own = segment.schema();
        let want = schema.field(key);
        let have = own.field(0);
        if have.name() != want.name() || have.data_type() != want.data_type() {
            return Err(Error::SchemaMismatch(format!(
                "segment {} is keyed by '{}' of type {}, the merge by '{}' of type {}",
                segment.name(),
                have.name(),
                have.data_type(),
                want.name(),
                want.data_type()
            )));
        }
        let mut names = Vec::new();
        let mut slots = Vec::with_capacity(schema.fields().len());
        for (i, field) in schema.fields().iter().enumerate() {
            let theirs = own
                .fields()
                .iter()
                .skip(1)
                .find(|f| f.name() == field.name());
            match theirs {
                Some(theirs) if i != key => {
                    if theirs.data_type() != field.data_type() {
                        return Err(Error::SchemaMismatch(format!(
                            "column '{}' has type {} in segment {} but {} in the merge's schema",
                            field.name(),
                            theirs.data_type(),
                            segment.name(),
                            field.data_type()
                        )));
                    }
                    slots.push(Some(names.len()));
                    names.push(field.name().clone());
                }
                _ => slots.push(None),
            }
        }
        let rows = u32::try_from(segment.row_count()).map_err(|_| {
            Error::corrupt(segment.name(), "footer", "more rows than a segment holds")
        })?;
        Ok(Cursor {
            segment,
            deleted: input.deleted,
            names,
            slots,
            key,
            chunk_rows,
            rows,
            next: 0,
            chunk: None,
            pos: 0,
            last: None,
        })
    }

    /// Whether the current chunk is used up and rows remain to be loaded.
    pub(super) fn needs_load(&self) -> bool {
        self.next < self.rows && self.chunk.as_ref().is_none_or(|c| self.pos >= c.keys.len())
    }

    /// Loads the next chunk that has a row not deleted, if any. Rows of earlier chunks must
    /// no longer be referenced.
    pub(super) fn load(&mut self) -> Result<()> {
        self.chunk = None;
        self.pos = 0;
        while self.next < self.rows {
            let start = self.next;
            let end = start.saturating_add(self.chunk_rows).min(self.rows);
            self.next = end;
            if let Some(d) = self.deleted
                && d.range_cardinality(start..end) == u64::from(end - start)
            {
                continue;
            }
            let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
            let scan = self.segment.scan(start..end, &names)?;
            let keys = self.checked_keys(&scan)?;
            self.chunk = Some(Chunk { start, scan, keys });
            self.skip_deleted();
            if self.current().is_some() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The keys of a new chunk, after checking that they are not null and ascend strictly
    /// from the previous chunk's last key on.
    fn checked_keys(&mut self, scan: &Scan) -> Result<KeyColumn> {
        let bad = |detail: &str| Error::corrupt(self.segment.name(), "key column", detail);
        if scan.keys.null_count() > 0 {
            return Err(bad("a key is null"));
        }
        let keys = KeyColumn::of(scan.keys.as_ref())?;
        let n = keys.len();
        if n == 0 {
            return Ok(keys);
        }
        let ascending = (1..n).all(|i| keys.cmp(i - 1, i).is_lt())
            && self.last.as_ref().is_none_or(|l| l.as_ref() < keys.get(0));
        if !ascending {
            return Err(bad("keys are not in ascending order"));
        }
        self.last = Some(keys.get(n - 1).to_owned());
        Ok(keys)
    }

    /// Moves to the next row (not deleted) of the current chunk, or past its end.
    pub(super) fn advance(&mut self) {
        self.pos += 1;
        self.skip_deleted();
    }

    fn skip_deleted(&mut self) {
        let (Some(chunk), Some(deleted)) = (&self.chunk, self.deleted) else {
            return;
        };
        while self.pos < chunk.keys.len() && deleted.contains(chunk.start + self.pos as u32) {
            self.pos += 1;
        }
    }

    /// The current chunk's scan and the current row in it, if there is a current row.
    #[inline]
    pub(super) fn current(&self) -> Option<(&Scan, usize)> {
        self.chunk
            .as_ref()
            .filter(|c| self.pos < c.keys.len())
            .map(|c| (&c.scan, self.pos))
    }

    /// The current row's key.
    #[inline]
    pub(super) fn key(&self) -> Option<KeyRef<'_>> {
        self.chunk
            .as_ref()
            .filter(|c| self.pos < c.keys.len())
            .map(|c| c.keys.get(self.pos))
    }

    /// Per schema column, its index among the columns of [`Cursor::current`]'s scan.
    pub(super) fn slots(&self) -> &[Option<usize>] {
        &self.slots
    }

    /// The loaded values of schema column `column` (the key column included), if the
    /// segment has the column and a chunk is loaded.
    pub(super) fn array(&self, column: usize) -> Option<&dyn Array> {
        let chunk = self.chunk.as_ref()?;
        if column == self.key {
            return Some(chunk.scan.keys.as_ref());
        }
        let slot = self.slots.get(column).copied().flatten()?;
        chunk.scan.columns.get(slot).map(|a| a.as_ref())
    }
}
