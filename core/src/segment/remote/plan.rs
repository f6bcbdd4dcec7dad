//! One remote read as a state machine: find each key's row through the index, confirm it
//! against the stored key, then read the asked columns of the found rows. Each pass runs as
//! far as the verified pages allow and records the pages it lacks.

use std::borrow::Cow;
use std::collections::BTreeSet;

use arrow_array::{Array, ArrayRef, RecordBatch};

use super::RemoteSegment;
use super::cache::PageCache;
use super::{ByteRange, Error, Result};
use crate::segment::gather::{VarBuilder, group_arrays};
use crate::segment::hash::{hash_key, home_slot, tag};
use crate::segment::keys::QueryKeys;
use crate::segment::layout::{ColumnDesc, EMPTY_SLOT, HEADER_LEN, NONE, SectionDesc, Storage};
use crate::segment::lookup::{NOT_FOUND, same_key};
use crate::segment::masks::mask_nulls;
use crate::segment::reader::check_header_bytes;

/// Where one key's search stands.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Probing slot `pos`, with `left` probes allowed.
    Probe { hash: u64, pos: u64, left: u64 },
    /// The key's row, or [`NOT_FOUND`].
    Done(u32),
}

/// A read of keys x columns of a [`RemoteSegment`] in progress. See the module docs.
pub struct GetPlan<'a> {
    seg: &'a RemoteSegment,
    descs: Vec<&'a ColumnDesc>,
    keys: Vec<Option<Vec<u8>>>,
    steps: Vec<Step>,
    cache: PageCache<'a>,
    header_ok: bool,
    result: Option<(RecordBatch, Vec<bool>)>,
}

impl std::fmt::Debug for GetPlan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetPlan")
            .field("segment", &self.seg.name)
            .field("keys", &self.keys.len())
            .field("done", &self.result.is_some())
            .finish_non_exhaustive()
    }
}

type Wants = BTreeSet<u64>;

impl<'a> GetPlan<'a> {
    pub(super) fn new(seg: &'a RemoteSegment, keys: &dyn Array, columns: &[&str]) -> Result<Self> {
        let footer = &seg.footer;
        let descs = columns
            .iter()
            .map(|&c| {
                std::iter::once(&footer.key)
                    .chain(&footer.columns)
                    .find(|d| d.name == c)
                    .ok_or_else(|| Error::UnknownColumn {
                        column: c.to_owned(),
                        container: format!("segment {}", seg.name),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let query = QueryKeys::new(keys, &footer.key.name, &footer.key.column_type)?;
        let keys: Vec<Option<Vec<u8>>> = (0..query.len())
            .map(|i| query.get(i).map(<[u8]>::to_vec))
            .collect();
        let steps = keys
            .iter()
            .map(|k| match k {
                Some(k) => {
                    let hash = hash_key(k);
                    Step::Probe {
                        hash,
                        pos: home_slot(hash, footer.slot_count),
                        left: footer.slot_count,
                    }
                }
                None => Step::Done(NOT_FOUND),
            })
            .collect();
        let mut plan = GetPlan {
            seg,
            descs,
            keys,
            steps,
            cache: PageCache::new(footer, &seg.name, seg.file_len),
            header_ok: false,
            result: None,
        };
        plan.resolve()?;
        Ok(plan)
    }

    /// The ranges to fetch next: whole pages (body pages and the page-table pages holding
    /// their CRCs), sorted, merged where less than the segment's gap apart. Empty when the
    /// read is done.
    pub fn needed(&self) -> Vec<ByteRange> {
        if self.result.is_some() {
            return Vec::new();
        }
        self.cache.needed(self.seg.gap)
    }

    /// Hands over `bytes`, fetched at file offset `offset`: any range, of which the whole
    /// pages that [`GetPlan::needed`] lists are taken, each checked against its CRC before
    /// use. An error if a page does not match, if the range passes the file's end, or if
    /// it holds no needed page (a short or misplaced response).
    pub fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<()> {
        if self.result.is_some() {
            return Ok(());
        }
        if !self.cache.supply(offset, bytes)? {
            return Err(Error::corrupt(
                &self.seg.name,
                "fetch",
                format!(
                    "{} bytes at {offset} hold no page the read needs",
                    bytes.len()
                ),
            ));
        }
        if self.cache.satisfied() {
            self.resolve()?;
        }
        Ok(())
    }

    /// Whether the read is done ([`GetPlan::needed`] is empty).
    pub fn is_done(&self) -> bool {
        self.result.is_some()
    }

    /// The values and per key whether it was found: what
    /// [`crate::segment::Segment::get`] returns. An error before the read is done.
    pub fn finish(self) -> Result<(RecordBatch, Vec<bool>)> {
        self.result.ok_or_else(|| {
            Error::corrupt(
                &self.seg.name,
                "fetch",
                "finish called before every needed range was supplied",
            )
        })
    }

    /// Runs the read as far as the cached pages allow, taking pages from the tail fetched
    /// at open first; records the missing pages.
    fn resolve(&mut self) -> Result<()> {
        loop {
            let mut wants = Wants::new();
            if !self.header_ok
                && let Some(h) = self.cache.read(0, HEADER_LEN as u64, &mut wants)?
            {
                check_header_bytes(&h, self.seg.version, &self.seg.name)?;
                self.header_ok = true;
            }
            let reader = Reader {
                seg: self.seg,
                cache: &self.cache,
                descs: &self.descs,
            };
            for (step, key) in self.steps.iter_mut().zip(&self.keys) {
                if let (Step::Probe { .. }, Some(key)) = (&step, key) {
                    reader.advance(step, key, &mut wants)?;
                }
            }
            let searched = self.steps.iter().all(|s| matches!(s, Step::Done(_)));
            if wants.is_empty() && searched {
                let rows: Vec<u32> = self
                    .steps
                    .iter()
                    .map(|s| match s {
                        Step::Done(r) => *r,
                        Step::Probe { .. } => NOT_FOUND,
                    })
                    .collect();
                if let Some(result) = reader.assemble(&self.descs, rows, &mut wants)? {
                    self.result = Some(result);
                    return Ok(());
                }
            }
            self.cache.wants = wants;
            let (at, seed) = (self.seg.seed_offset, &self.seg.seed);
            if seed.is_empty() || !self.cache.supply(at, seed)? {
                return Ok(());
            }
        }
    }
}

/// Reads of one pass over the cached pages.
struct Reader<'r> {
    seg: &'r RemoteSegment,
    cache: &'r PageCache<'r>,
    /// The asked columns, whose pages are wanted speculatively with a candidate's key.
    descs: &'r [&'r ColumnDesc],
}

impl<'r> Reader<'r> {
    /// The section `i`, which the validated footer says exists.
    fn section(&self, i: u32) -> Result<&'r SectionDesc> {
        self.seg
            .footer
            .sections
            .get(i as usize)
            .ok_or_else(|| self.corrupt("footer", format!("no section {i}")))
    }

    fn corrupt(&self, section: &str, detail: String) -> Error {
        Error::corrupt(&self.seg.name, section, detail)
    }

    /// `len` bytes at `rel` in section `i`, or `None` (recorded in `wants`) if not here.
    fn get(&self, i: u32, rel: u64, len: u64, wants: &mut Wants) -> Result<Option<Cow<'r, [u8]>>> {
        let s = self.section(i)?;
        match rel.checked_add(len) {
            Some(end) if end <= s.len => self.cache.read(s.offset + rel, len, wants),
            _ => Err(self.corrupt(
                &format!("section {i}"),
                format!("a reference to {len} bytes at {rel} lies beyond the section"),
            )),
        }
    }

    /// Probes for `key` until it is resolved or a page is missing.
    fn advance(&self, step: &mut Step, key: &[u8], wants: &mut Wants) -> Result<()> {
        let footer = &self.seg.footer;
        while let Step::Probe { hash, pos, left } = *step {
            if left == 0 {
                return Err(self.corrupt("key index", "no empty slot".into()));
            }
            let Some(slot) = self.get(footer.index_section, pos * 8, 8, wants)? else {
                return Ok(());
            };
            let (t, row) = (u32_at(&slot, 0), u32_at(&slot, 4));
            if row == EMPTY_SLOT {
                *step = Step::Done(NOT_FOUND);
                return Ok(());
            }
            if t == tag(hash) {
                if u64::from(row) >= footer.row_count {
                    return Err(self.corrupt(
                        "key index",
                        format!("slot {pos} points at row {row} of {}", footer.row_count),
                    ));
                }
                let stored = self.value(&footer.key, row, wants)?;
                // The tag matched: the row is almost surely the key's, so its pages are
                // wanted in the same round as the stored key's.
                self.speculate(row, wants);
                let Some(stored) = stored else {
                    return Ok(());
                };
                if same_key(&stored.unwrap_or_default(), key) {
                    *step = Step::Done(row);
                    return Ok(());
                }
            }
            let pos = if pos + 1 == footer.slot_count {
                0
            } else {
                pos + 1
            };
            *step = Step::Probe {
                hash,
                pos,
                left: left - 1,
            };
        }
        Ok(())
    }

    /// The value bytes of `row` in column `c` (`Some(None)` if null), or `None` if a page
    /// is missing. A fixed column's value is its `width` bytes in the row.
    fn value(
        &self,
        c: &ColumnDesc,
        row: u32,
        wants: &mut Wants,
    ) -> Result<Option<Option<Cow<'r, [u8]>>>> {
        let r = u64::from(row);
        match c.storage {
            Storage::Fixed {
                group,
                offset,
                width,
                ..
            } => {
                let (section, stride) = self.group(group)?;
                let v = self.get(
                    section,
                    r * stride + u64::from(offset),
                    u64::from(width),
                    wants,
                )?;
                Ok(v.map(Some))
            }
            Storage::Variable {
                offsets,
                data,
                validity,
            } => {
                if validity != NONE {
                    let Some(bit) = self.bit(validity, row, wants)? else {
                        return Ok(None);
                    };
                    if !bit {
                        return Ok(Some(None));
                    }
                }
                let Some(pair) = self.get(offsets, r * 8, 16, wants)? else {
                    return Ok(None);
                };
                let (start, end) = (u64_at(&pair, 0), u64_at(&pair, 8));
                let data_len = self.section(data)?.len;
                if start > end || end > data_len {
                    return Err(self.corrupt(
                        &format!("column '{}' offsets", c.name),
                        format!("offsets {start}..{end} of row {row} are out of order or beyond the data"),
                    ));
                }
                Ok(self.get(data, start, end - start, wants)?.map(Some))
            }
        }
    }

    /// Records the pages that reading the asked columns of `row` will need first (its
    /// tombstone and presence bits, its fixed rows, the validity and offsets of its
    /// variable-width values); reads nothing. Errors are left to the reads themselves.
    fn speculate(&self, row: u32, wants: &mut Wants) {
        let footer = &self.seg.footer;
        let r = u64::from(row);
        if footer.tombstones != NONE {
            let _ = self.get(footer.tombstones, r / 8, 1, wants);
        }
        for c in self.descs {
            if c.presence != NONE {
                let _ = self.get(c.presence, r / 8, 1, wants);
            }
            match c.storage {
                Storage::Fixed { group, .. } => {
                    if let Ok((section, stride)) = self.group(group) {
                        let _ = self.get(section, r * stride, stride, wants);
                    }
                }
                Storage::Variable {
                    offsets, validity, ..
                } => {
                    if validity != NONE {
                        let _ = self.get(validity, r / 8, 1, wants);
                    }
                    let _ = self.get(offsets, r * 8, 16, wants);
                }
            }
        }
    }

    /// The section and stride of row group `group`.
    fn group(&self, group: u32) -> Result<(u32, u64)> {
        self.seg
            .footer
            .groups
            .get(group as usize)
            .map(|g| (g.section, u64::from(g.stride)))
            .ok_or_else(|| self.corrupt("footer", format!("no row group {group}")))
    }

    /// Bit `row` of bitmap section `section`, or `None` if its page is missing.
    fn bit(&self, section: u32, row: u32, wants: &mut Wants) -> Result<Option<bool>> {
        let b = self.get(section, u64::from(row / 8), 1, wants)?;
        Ok(b.map(|b| b.first().is_some_and(|b| b & (1 << (row % 8)) != 0)))
    }

    /// Bit `row` of `section` for each row (false for [`NOT_FOUND`] and for [`NONE`]), or
    /// `None` if a page is missing.
    fn bits(&self, section: u32, rows: &[u32], wants: &mut Wants) -> Result<Option<Vec<bool>>> {
        let mut out = Vec::with_capacity(rows.len());
        let mut complete = true;
        for &r in rows {
            if section == NONE || r == NOT_FOUND {
                out.push(false);
                continue;
            }
            match self.bit(section, r, wants)? {
                Some(b) => out.push(b),
                None => complete = false,
            }
        }
        Ok(complete.then_some(out))
    }

    /// The result of the read for the found `rows`, as `Segment::get` builds it, or `None`
    /// if a page is missing (recorded in `wants`).
    fn assemble(
        &self,
        descs: &[&ColumnDesc],
        mut rows: Vec<u32>,
        wants: &mut Wants,
    ) -> Result<Option<(RecordBatch, Vec<bool>)>> {
        let footer = &self.seg.footer;
        // Tombstones read as absent keys.
        let Some(tombstones) = self.bits(footer.tombstones, &rows, wants)? else {
            return Ok(None);
        };
        for (row, t) in rows.iter_mut().zip(tombstones) {
            if t {
                *row = NOT_FOUND;
            }
        }
        let n = rows.len();
        let mut complete = true;
        let mut out: Vec<Option<ArrayRef>> = vec![None; descs.len()];
        // Fixed columns: one `stride`-byte read per found row per group.
        let mut groups: Vec<u32> = descs
            .iter()
            .filter_map(|c| match c.storage {
                Storage::Fixed { group, .. } => Some(group),
                Storage::Variable { .. } => None,
            })
            .collect();
        groups.sort_unstable();
        groups.dedup();
        for group in groups {
            let (section, stride) = self.group(group)?;
            let mut srcs: Vec<Cow<'r, [u8]>> = Vec::with_capacity(n);
            let mut found = vec![0u8; n.div_ceil(8)];
            let mut absent = 0;
            for (i, &row) in rows.iter().enumerate() {
                if row == NOT_FOUND {
                    srcs.push(Cow::Borrowed(&[]));
                    absent += 1;
                    continue;
                }
                match self.get(section, u64::from(row) * stride, stride, wants)? {
                    Some(s) => srcs.push(s),
                    None => {
                        complete = false;
                        srcs.push(Cow::Borrowed(&[]));
                    }
                }
                if let Some(b) = found.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
            if !complete {
                continue;
            }
            let members: Vec<(usize, &ColumnDesc)> = descs
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.storage, Storage::Fixed { group: g, .. } if g == group))
                .map(|(i, c)| (i, *c))
                .collect();
            let refs: Vec<&[u8]> = srcs.iter().map(|s| s.as_ref()).collect();
            for (i, array) in group_arrays(&self.seg.name, &members, &refs, &found, absent)? {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(array);
                }
            }
        }
        for (i, c) in descs.iter().enumerate() {
            if !matches!(c.storage, Storage::Variable { .. }) {
                continue;
            }
            let mut builder = VarBuilder::new(n);
            for &row in &rows {
                if row == NOT_FOUND {
                    builder.push(None, c)?;
                    continue;
                }
                match self.value(c, row, wants)? {
                    Some(v) => builder.push(v.as_deref(), c)?,
                    None => {
                        complete = false;
                        builder.push(None, c)?;
                    }
                }
            }
            if complete && let Some(slot) = out.get_mut(i) {
                *slot = Some(builder.finish(c, &self.seg.name)?);
            }
        }
        // Cells a row does not write read as null.
        let mut held = Vec::new();
        for c in descs {
            let bits = self.bits(c.presence, &rows, wants)?;
            complete &= bits.is_some();
            held.push(bits);
        }
        if !complete {
            return Ok(None);
        }
        let mut arrays = Vec::with_capacity(descs.len());
        for ((c, array), bits) in descs.iter().zip(out).zip(held) {
            let array =
                array.ok_or_else(|| self.corrupt("footer", "column without storage".into()))?;
            match bits {
                Some(bits) if c.presence != NONE => {
                    let held = arrow_buffer::BooleanBuffer::from(bits.as_slice());
                    arrays.push(mask_nulls(&array, &held)?);
                }
                _ => arrays.push(array),
            }
        }
        let batch = crate::segment::batch_of(descs, arrays, n)?;
        Ok(Some((
            batch,
            rows.iter().map(|&r| r != NOT_FOUND).collect(),
        )))
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}
