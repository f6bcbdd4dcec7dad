//! The keys of one table at a view, in key order and without repeats: a k-way merge of
//! the sorted key streams of its sources (memtables, level-0 segments, the run), each
//! walked a bounded chunk at a time. Which keys exist, and their values, the read path
//! decides; a key may come out here that reads as absent (a tombstone, a row a deletion
//! vector marks, a key only written above the view), never the other way round.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int64Builder, StringBuilder, UInt64Builder};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use super::version::{SegmentRef, TableVersion};
use crate::keys::order::{KeyColumn, KeyRef};
use crate::memtable::Memtable;
use crate::segment::SortKey;
use crate::{Error, Result};

/// The merged key streams of one table at one sequence number.
pub(crate) struct KeyMerge {
    sources: Vec<Source>,
    /// Scratch: which sources hold the key being emitted.
    same: Vec<bool>,
    key_type: DataType,
}

impl KeyMerge {
    /// The key streams of `table` at `seq`. Nothing is read yet.
    pub(crate) fn new(table: &TableVersion, seq: u64) -> Result<Self> {
        let mut sources = Vec::new();
        for m in std::iter::once(&table.active).chain(&table.frozen) {
            if !m.is_empty() {
                sources.push(Source::Memtable(MemtableKeys::new(Arc::clone(m), seq)));
            }
        }
        for s in &table.segments {
            sources.push(Source::Segments(SegmentKeys::new(vec![Arc::clone(s)])));
        }
        if !table.run.is_empty() {
            // Disjoint ascending ranges: one stream walks them one after the other.
            sources.push(Source::Segments(SegmentKeys::new(table.run.clone())));
        }
        let key_type = table
            .schema
            .fields()
            .get(table.key)
            .map(|f| f.data_type().clone())
            .ok_or_else(|| Error::SchemaMismatch(format!("table '{}' has no key", table.name)))?;
        Ok(KeyMerge {
            same: vec![false; sources.len()],
            sources,
            key_type,
        })
    }

    /// The next (up to) `limit` distinct keys in ascending order, as an array of the key
    /// column's type; an empty array once every stream is used up. Streams refill `chunk`
    /// keys at a time.
    pub(crate) fn next_keys(&mut self, limit: usize, chunk: usize) -> Result<ArrayRef> {
        let mut out = KeyBuilder::new(&self.key_type, limit)?;
        for s in &mut self.sources {
            s.fill(chunk)?;
        }
        while out.len() < limit {
            let mut best: Option<KeyRef<'_>> = None;
            for s in &self.sources {
                if let Some(k) = s.peek()
                    && best.is_none_or(|b| k < b)
                {
                    best = Some(k);
                }
            }
            let Some(best) = best else { break };
            out.push(best)?;
            for (flag, s) in self.same.iter_mut().zip(&self.sources) {
                *flag = s.peek() == Some(best);
            }
            for (flag, s) in self.same.iter().zip(&mut self.sources) {
                if *flag {
                    s.advance();
                    s.fill(chunk)?;
                }
            }
        }
        Ok(out.finish())
    }
}

/// One sorted key stream.
enum Source {
    Memtable(MemtableKeys),
    Segments(SegmentKeys),
}

impl Source {
    fn peek(&self) -> Option<KeyRef<'_>> {
        match self {
            Source::Memtable(m) => m.keys.get(m.pos).map(SortKey::as_ref),
            Source::Segments(s) => s.peek(),
        }
    }

    fn advance(&mut self) {
        match self {
            Source::Memtable(m) => m.pos += 1,
            Source::Segments(s) => s.advance(),
        }
    }

    /// Loads the next chunk if the current one is used up.
    fn fill(&mut self, chunk: usize) -> Result<()> {
        match self {
            Source::Memtable(m) => m.fill(chunk),
            Source::Segments(s) => s.fill(chunk),
        }
    }
}

/// A memtable's keys with a write at or below the view's number, walked in the order
/// sorted when the scan first asked (writes above the view's number, which come later,
/// are skipped anyway).
struct MemtableKeys {
    memtable: Arc<Memtable>,
    seq: u64,
    sorted: Option<Arc<crate::memtable::Sorted>>,
    next: usize,
    keys: Vec<SortKey>,
    pos: usize,
    done: bool,
}

impl MemtableKeys {
    fn new(memtable: Arc<Memtable>, seq: u64) -> Self {
        MemtableKeys {
            memtable,
            seq,
            sorted: None,
            next: 0,
            keys: Vec::new(),
            pos: 0,
            done: false,
        }
    }

    fn fill(&mut self, chunk: usize) -> Result<()> {
        if self.pos < self.keys.len() || self.done {
            return Ok(());
        }
        let chunk = chunk.max(1);
        let sorted = self
            .sorted
            .get_or_insert_with(|| self.memtable.sorted())
            .clone();
        let keys = self
            .memtable
            .keys_from(&sorted, &mut self.next, self.seq, chunk)?;
        self.done = keys.len() < chunk;
        self.keys = keys;
        self.pos = 0;
        Ok(())
    }
}

/// The keys of a list of segments with disjoint ascending key ranges (one level-0
/// segment, or the run), a chunk of rows at a time, skipping rows their deletion vectors
/// mark and checking that keys ascend.
struct SegmentKeys {
    segments: Vec<Arc<SegmentRef>>,
    /// The segment being walked.
    current: usize,
    /// Its first row not loaded yet.
    next: u32,
    /// The loaded rows: the segment row of the first, and their keys.
    chunk: Option<(u32, KeyColumn)>,
    pos: usize,
    /// The last key loaded, for the order check.
    last: Option<SortKey>,
}

impl SegmentKeys {
    fn new(segments: Vec<Arc<SegmentRef>>) -> Self {
        SegmentKeys {
            segments,
            current: 0,
            next: 0,
            chunk: None,
            pos: 0,
            last: None,
        }
    }

    fn peek(&self) -> Option<KeyRef<'_>> {
        self.chunk
            .as_ref()
            .filter(|(_, keys)| self.pos < keys.len())
            .map(|(_, keys)| keys.get(self.pos))
    }

    fn advance(&mut self) {
        self.pos += 1;
        self.skip_deleted();
    }

    fn skip_deleted(&mut self) {
        let (Some((start, keys)), Some(segment)) = (&self.chunk, self.segments.get(self.current))
        else {
            return;
        };
        let Some(deletes) = &segment.deletes else {
            return;
        };
        while self.pos < keys.len() && deletes.rows.contains(start + self.pos as u32) {
            self.pos += 1;
        }
    }

    /// Loads chunks until one has a row not deleted, or every segment is used up.
    fn fill(&mut self, chunk: usize) -> Result<()> {
        if self.peek().is_some() {
            return Ok(());
        }
        self.chunk = None;
        self.pos = 0;
        let chunk = u32::try_from(chunk.max(1)).unwrap_or(u32::MAX);
        while let Some(segment) = self.segments.get(self.current) {
            let rows = u32::try_from(segment.segment.row_count()).map_err(|_| {
                Error::corrupt(
                    segment.segment.name(),
                    "footer",
                    "more rows than a segment holds",
                )
            })?;
            if self.next >= rows {
                self.current += 1;
                self.next = 0;
                continue;
            }
            let start = self.next;
            let end = start.saturating_add(chunk).min(rows);
            self.next = end;
            if let Some(d) = &segment.deletes
                && d.rows.bitmap().range_cardinality(start..end) == u64::from(end - start)
            {
                continue;
            }
            let scan = segment.segment.scan(start..end, &[])?;
            let keys = checked(segment, scan.keys.as_ref(), &mut self.last)?;
            self.chunk = Some((start, keys));
            self.skip_deleted();
            if self.peek().is_some() {
                return Ok(());
            }
        }
        self.chunk = None;
        Ok(())
    }
}

/// The keys of a chunk of `segment`, after checking that none is null and that they
/// ascend strictly from `last` (the previous chunk's last key) on; `last` becomes theirs.
fn checked(
    segment: &SegmentRef,
    keys: &dyn Array,
    last: &mut Option<SortKey>,
) -> Result<KeyColumn> {
    let bad = |detail: &str| Error::corrupt(segment.segment.name(), "key column", detail);
    if keys.null_count() > 0 {
        return Err(bad("a key is null"));
    }
    let keys = KeyColumn::of(keys)?;
    let n = keys.len();
    if n == 0 {
        return Ok(keys);
    }
    let ascending = (1..n).all(|i| keys.cmp(i - 1, i).is_lt())
        && last.as_ref().is_none_or(|l| l.as_ref() < keys.get(0));
    if !ascending {
        return Err(bad("keys are not in ascending order"));
    }
    *last = Some(keys.get(n - 1).to_owned());
    Ok(keys)
}

/// Builds an array of keys of the key column's type.
enum KeyBuilder {
    Utf8(StringBuilder),
    Int64(Int64Builder),
    UInt64(UInt64Builder),
}

impl KeyBuilder {
    fn new(key_type: &DataType, capacity: usize) -> Result<Self> {
        let capacity = capacity.min(1 << 16);
        Ok(match key_type {
            DataType::Utf8 => KeyBuilder::Utf8(StringBuilder::with_capacity(capacity, 0)),
            DataType::Int64 => KeyBuilder::Int64(Int64Builder::with_capacity(capacity)),
            DataType::UInt64 => KeyBuilder::UInt64(UInt64Builder::with_capacity(capacity)),
            other => {
                return Err(Error::UnsupportedKeyType {
                    column: "<key>".to_owned(),
                    data_type: other.clone(),
                });
            }
        })
    }

    fn len(&self) -> usize {
        match self {
            KeyBuilder::Utf8(b) => b.len(),
            KeyBuilder::Int64(b) => b.len(),
            KeyBuilder::UInt64(b) => b.len(),
        }
    }

    /// Appends `key`; a key of another type than the builder's (one table has one key
    /// type, so this does not happen) or utf8 bytes that are not UTF-8 are an error.
    fn push(&mut self, key: KeyRef<'_>) -> Result<()> {
        match (self, key) {
            (KeyBuilder::Utf8(b), KeyRef::Utf8(k)) => {
                let s = std::str::from_utf8(k).map_err(|_| {
                    Error::corrupt("table", "key column", "a utf8 key is not valid UTF-8")
                })?;
                b.append_value(s);
            }
            (KeyBuilder::Int64(b), KeyRef::Int64(k)) => b.append_value(k),
            (KeyBuilder::UInt64(b), KeyRef::UInt64(k)) => b.append_value(k),
            (_, key) => {
                return Err(Error::SchemaMismatch(format!(
                    "a key {key:?} in a table of another key type"
                )));
            }
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            KeyBuilder::Utf8(mut b) => Arc::new(b.finish()),
            KeyBuilder::Int64(mut b) => Arc::new(b.finish()),
            KeyBuilder::UInt64(mut b) => Arc::new(b.finish()),
        }
    }
}
