//! Finding the rows of a batch of keys in the persisted hash index.
//!
//! The batch goes through the index in stages so that cache misses overlap: first every
//! key's home slot is computed and prefetched; then every slot is probed for a matching tag
//! and the candidate's stored key and value rows are prefetched; then the stored key bytes are
//! located and prefetched; last, each candidate's key is compared. A tag match whose key
//! differs (about one in four billion) continues probing on a slow path.

use super::hash::{hash_key, home_slot, tag};
use super::keys::QueryKeys;
use zerocopy::FromBytes;

use super::layout::{EMPTY_SLOT, OffsetPair, Slot, Storage};
use super::reader::Segment;
use crate::prefetch::prefetch;
use crate::{Error, Result};

/// The row of a key that is not in the segment.
pub(crate) const NOT_FOUND: u32 = u32::MAX;

/// Where a segment's stored keys are.
#[derive(Clone, Copy)]
enum KeyAt {
    Var {
        offsets: u32,
        data: u32,
    },
    Fixed {
        section: u32,
        stride: usize,
        offset: usize,
    },
}

impl Segment {
    fn key_at(&self) -> Result<KeyAt> {
        match self.footer.key.storage {
            Storage::Variable { offsets, data, .. } => Ok(KeyAt::Var { offsets, data }),
            Storage::Fixed { group, offset, .. } => {
                let g = self.footer.groups.get(group as usize).ok_or_else(|| {
                    Error::corrupt(&self.name, "footer", "key column in a missing row group")
                })?;
                Ok(KeyAt::Fixed {
                    section: g.section,
                    stride: g.stride as usize,
                    offset: offset as usize,
                })
            }
        }
    }

    /// The byte range of row `row`'s value in a variable-width column.
    #[inline]
    pub(crate) fn var_range(&self, offsets: u32, data: u32, row: u32) -> Result<(usize, usize)> {
        let pair = OffsetPair::read_from_bytes(self.read(offsets, row as usize * 8, 16)?)
            .map_err(|_| Error::corrupt(&self.name, self.section_name(offsets), "short offsets"))?;
        let (start, end) = (pair.start.get(), pair.end.get());
        let data_len = self.spans.get(data as usize).map_or(0, |s| s.len) as u64;
        if start > end || end > data_len {
            return Err(Error::corrupt(
                &self.name,
                self.section_name(offsets),
                format!("offsets {start}..{end} of row {row} are out of order or beyond the data"),
            ));
        }
        Ok((start as usize, end as usize))
    }

    /// The stored key of `row`.
    #[inline]
    fn stored_key(&self, at: KeyAt, row: u32) -> Result<&[u8]> {
        match at {
            KeyAt::Var { offsets, data } => {
                let (s, e) = self.var_range(offsets, data, row)?;
                self.read(data, s, e - s)
            }
            KeyAt::Fixed {
                section,
                stride,
                offset,
            } => self.read(section, row as usize * stride + offset, 8),
        }
    }

    /// Probes from slot `pos` for the first slot whose tag is `tag`: its position and row,
    /// or `None` at an empty slot. `budget` bounds the probes over a whole search, so that a
    /// crafted index without empty slots ends in an error, not a loop.
    #[inline]
    fn probe(&self, tag: u32, mut pos: u64, budget: &mut u64) -> Result<Option<(u64, u32)>> {
        let slots = self.footer.slot_count;
        let section = self.footer.index_section;
        loop {
            if *budget == 0 {
                return Err(Error::corrupt(&self.name, "key index", "no empty slot"));
            }
            *budget -= 1;
            let slot = Slot::read_from_bytes(self.read(section, pos as usize * 8, 8)?)
                .map_err(|_| Error::corrupt(&self.name, "key index", "short slot"))?;
            let (t, row) = (slot.tag.get(), slot.row.get());
            if row == EMPTY_SLOT {
                return Ok(None);
            }
            if t == tag {
                if u64::from(row) >= self.footer.row_count {
                    return Err(Error::corrupt(
                        &self.name,
                        "key index",
                        format!(
                            "slot {pos} points at row {row} of {}",
                            self.footer.row_count
                        ),
                    ));
                }
                return Ok(Some((pos, row)));
            }
            pos = if pos + 1 == slots { 0 } else { pos + 1 };
        }
    }

    /// The row of one key, probing from `pos` with full key comparison.
    fn find_slow(
        &self,
        at: KeyAt,
        key: &[u8],
        hash: u64,
        mut pos: u64,
        budget: &mut u64,
    ) -> Result<u32> {
        while let Some((p, row)) = self.probe(tag(hash), pos, budget)? {
            if self.stored_key(at, row)? == key {
                return Ok(row);
            }
            pos = if p + 1 == self.footer.slot_count {
                0
            } else {
                p + 1
            };
        }
        Ok(NOT_FOUND)
    }

    /// The rows of `keys` ([`NOT_FOUND`] for absent keys). `rows_to_prefetch` lists row
    /// groups (section, stride) whose rows the caller will read next.
    pub(crate) fn lookup(
        &self,
        keys: &QueryKeys<'_>,
        rows_to_prefetch: &[(u32, usize)],
    ) -> Result<Vec<u32>> {
        let n = keys.len();
        let slots = self.footer.slot_count;
        let at = self.key_at()?;
        let index = self.raw_section(self.footer.index_section);

        // Stage 1: hash, find the home slot, prefetch it.
        let mut probes: Vec<(u64, u64)> = Vec::with_capacity(n);
        for i in 0..n {
            match keys.get(i) {
                Some(k) => {
                    let h = hash_key(k);
                    let pos = home_slot(h, slots);
                    prefetch(index, pos as usize * 8);
                    probes.push((h, pos));
                }
                None => probes.push((0, u64::MAX)),
            }
        }

        // Stage 2: probe for the tag; prefetch the candidate's stored key and value rows.
        let mut rows = vec![NOT_FOUND; n];
        for (i, (h, pos)) in probes.iter_mut().enumerate() {
            if *pos == u64::MAX {
                continue;
            }
            let mut budget = slots;
            if let Some((p, row)) = self.probe(tag(*h), *pos, &mut budget)? {
                *pos = p;
                if let Some(r) = rows.get_mut(i) {
                    *r = row;
                }
                let r = row as usize;
                match at {
                    KeyAt::Var { offsets, .. } => prefetch(self.raw_section(offsets), r * 8),
                    KeyAt::Fixed {
                        section, stride, ..
                    } => prefetch(self.raw_section(section), r * stride),
                }
                for &(section, stride) in rows_to_prefetch {
                    prefetch(self.raw_section(section), r * stride);
                }
            } else {
                *pos = u64::MAX;
            }
        }

        // Stage 3: locate the stored utf8 keys and prefetch their bytes.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        if let KeyAt::Var { offsets, data } = at {
            ranges.reserve(n);
            let data_bytes = self.raw_section(data);
            for &row in &rows {
                if row == NOT_FOUND {
                    ranges.push((0, 0));
                    continue;
                }
                let (s, e) = self.var_range(offsets, data, row)?;
                prefetch(data_bytes, s);
                ranges.push((s, e));
            }
        }

        // Stage 4: compare keys; a tag collision continues on the slow path.
        for i in 0..n {
            let row = rows.get(i).copied().unwrap_or(NOT_FOUND);
            if row == NOT_FOUND {
                continue;
            }
            let key = keys.get(i).unwrap_or_default();
            let stored = match (at, ranges.get(i)) {
                (KeyAt::Var { data, .. }, Some(&(s, e))) => self.read(data, s, e - s)?,
                _ => self.stored_key(at, row)?,
            };
            if stored != key {
                let (h, p) = probes.get(i).copied().unwrap_or_default();
                let next = if p + 1 == slots { 0 } else { p + 1 };
                let mut budget = slots;
                let found = self.find_slow(at, key, h, next, &mut budget)?;
                if let Some(r) = rows.get_mut(i) {
                    *r = found;
                }
            }
        }
        Ok(rows)
    }
}
