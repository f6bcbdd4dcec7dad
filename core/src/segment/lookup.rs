//! Finding the rows of a batch of keys in the persisted hash index.
//!
//! The batch goes through the index in stages so that cache misses overlap: first every
//! key's home slot is computed and prefetched; then every slot is probed for a matching tag
//! and the candidate's stored key and value rows are prefetched; then the stored key bytes are
//! located and prefetched; last, each candidate's key is compared. A tag match whose key
//! differs (about one in four billion) continues probing on a slow path.

use std::ops::Range;

use super::hash::{home_slot, tag};
use crate::keys::{QueryKeys, hash_key};
use zerocopy::FromBytes;

use super::layout::{EMPTY_SLOT, OffsetPair, Slot, Storage, inline_key};
use super::reader::{Segment, View};
use crate::prefetch::prefetch;
use crate::{Error, Result};

/// The row of a key that is not in the segment.
pub(crate) const NOT_FOUND: u32 = u32::MAX;

/// Where a segment's stored keys are.
#[derive(Clone, Copy)]
enum KeyAt<'a> {
    Var {
        offsets: View<'a>,
        data: View<'a>,
    },
    /// An integer key's 8 bytes in a row group.
    Fixed {
        rows: View<'a>,
        stride: usize,
        offset: usize,
    },
    /// A utf8 key inline in a row group (format version 3): `width` bytes, read by
    /// [`inline_key`].
    Inline {
        rows: View<'a>,
        stride: usize,
        offset: usize,
        width: usize,
    },
}

impl KeyAt<'_> {
    /// The section of the row group holding the keys, if they are in one.
    fn group_section(&self) -> Option<u32> {
        match self {
            KeyAt::Var { .. } => None,
            KeyAt::Fixed { rows, .. } | KeyAt::Inline { rows, .. } => Some(rows.section),
        }
    }

    /// Prefetches the start of row `row`'s stored key (its offsets for a utf8 key in
    /// offsets and data).
    #[inline(always)]
    fn prefetch(&self, row: usize) {
        match *self {
            KeyAt::Var { offsets, .. } => prefetch(offsets.bytes, row * 8),
            KeyAt::Fixed {
                rows,
                stride,
                offset,
            }
            | KeyAt::Inline {
                rows,
                stride,
                offset,
                ..
            } => prefetch(rows.bytes, row * stride + offset),
        }
    }
}

impl Segment {
    fn key_at(&self) -> Result<KeyAt<'_>> {
        match self.footer.key.storage {
            Storage::Variable { offsets, data, .. } => Ok(KeyAt::Var {
                offsets: self.view(offsets)?,
                data: self.view(data)?,
            }),
            Storage::Fixed {
                group,
                offset,
                width,
                ..
            } => {
                let (section, stride) = self.group(group)?;
                let (rows, offset) = (self.view(section)?, offset as usize);
                Ok(if self.footer.key.is_inline() {
                    KeyAt::Inline {
                        rows,
                        stride,
                        offset,
                        width: width as usize,
                    }
                } else {
                    KeyAt::Fixed {
                        rows,
                        stride,
                        offset,
                    }
                })
            }
        }
    }

    /// The byte range of row `row`'s value in a variable-width column.
    #[inline]
    pub(crate) fn var_range(
        &self,
        offsets: View<'_>,
        data: View<'_>,
        row: u32,
    ) -> Result<(usize, usize)> {
        let pair = OffsetPair::read_from_bytes(offsets.get(row as usize * 8, 16)?)
            .map_err(|_| self.bad_offsets(offsets.section, row, 0, 0))?;
        let (start, end) = (pair.start.get(), pair.end.get());
        if start > end || end > data.bytes.len() as u64 {
            return Err(self.bad_offsets(offsets.section, row, start, end));
        }
        Ok((start as usize, end as usize))
    }

    #[cold]
    fn bad_offsets(&self, section: u32, row: u32, start: u64, end: u64) -> Error {
        Error::corrupt(
            &self.name,
            self.section_name(section),
            format!("offsets {start}..{end} of row {row} are out of order or beyond the data"),
        )
    }

    /// The stored key of `row`.
    #[inline]
    fn stored_key<'a>(&self, at: KeyAt<'a>, row: u32) -> Result<&'a [u8]> {
        match at {
            KeyAt::Var { offsets, data } => {
                let (s, e) = self.var_range(offsets, data, row)?;
                data.get(s, e - s)
            }
            KeyAt::Fixed {
                rows,
                stride,
                offset,
            } => rows.get(row as usize * stride + offset, 8),
            KeyAt::Inline {
                rows,
                stride,
                offset,
                width,
            } => inline_key(rows.get(row as usize * stride + offset, width)?)
                .ok_or_else(|| self.bad_inline_key(rows.section, row)),
        }
    }

    #[cold]
    fn bad_inline_key(&self, section: u32, row: u32) -> Error {
        Error::corrupt(
            &self.name,
            self.section_name(section),
            format!("the inline key of row {row} is longer than its width"),
        )
    }

    /// Probes from slot `pos` for the first slot whose tag is `tag`: its position and row,
    /// or `None` at an empty slot. `budget` bounds the probes over a whole search, so that a
    /// crafted index without empty slots ends in an error, not a loop.
    #[inline(always)]
    fn probe(
        &self,
        index: View<'_>,
        tag: u32,
        mut pos: u64,
        budget: &mut u64,
    ) -> Result<Option<(u64, u32)>> {
        let slots = self.footer.slot_count;
        loop {
            if *budget == 0 {
                return Err(Error::corrupt(&self.name, "key index", "no empty slot"));
            }
            *budget -= 1;
            let slot = Slot::read_from_bytes(index.get(pos as usize * 8, 8)?)
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
        index: View<'_>,
        at: KeyAt<'_>,
        key: &[u8],
        hash: u64,
        mut pos: u64,
    ) -> Result<u32> {
        let mut budget = self.footer.slot_count;
        while let Some((p, row)) = self.probe(index, tag(hash), pos, &mut budget)? {
            if same_key(self.stored_key(at, row)?, key) {
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
        self.lookup_at(keys, None, rows_to_prefetch)
    }

    /// [`Segment::lookup`] of the keys at indices `which` of `keys` (all keys when `None`):
    /// row `i` of the answer is that of key `which[i]`. No copy of the keys is made.
    #[inline]
    pub(crate) fn lookup_at(
        &self,
        keys: &QueryKeys<'_>,
        which: Option<&[u32]>,
        rows_to_prefetch: &[(u32, usize)],
    ) -> Result<Vec<u32>> {
        let mut probes = Probes::default();
        let at = self.probe_start(keys, which, None, &mut probes);
        self.probe_slots(&mut probes, at.clone(), rows_to_prefetch)?;
        self.probe_keys(&mut probes, at.clone())?;
        self.probe_finish(keys, which, &mut probes, at)?;
        Ok(probes.rows)
    }

    /// Stage 1 of a lookup: hash each key, find its home slot, prefetch it; the keys'
    /// entries are appended to `probes`, at the returned range. The stages are separate so
    /// that a read of several segments can run each stage over all of them before the
    /// next, as one segment does over all its keys, in one set of buffers.
    /// `hashes`: the keys' hashes ([`hash_key`]), one per key of `keys`, when the caller
    /// has them (computed here otherwise).
    pub(crate) fn probe_start(
        &self,
        keys: &QueryKeys<'_>,
        which: Option<&[u32]>,
        hashes: Option<&[u64]>,
        probes: &mut Probes,
    ) -> Range<usize> {
        let n = which.map_or(keys.len(), <[u32]>::len);
        let slots = self.footer.slot_count;
        let index = self.raw_section(self.footer.index_section);
        let first = probes.slots.len();
        probes.slots.reserve(n);
        for i in 0..n {
            match key_of(keys, which, i) {
                Some(k) => {
                    let given = hashes.and_then(|h| {
                        let at = which.map_or(Some(i), |w| w.get(i).map(|&k| k as usize))?;
                        h.get(at).copied()
                    });
                    let h = given.unwrap_or_else(|| hash_key(k));
                    let pos = home_slot(h, slots);
                    prefetch(index, pos as usize * 8);
                    probes.slots.push((h, pos));
                }
                None => probes.slots.push((0, u64::MAX)),
            }
        }
        probes.rows.resize(first + n, NOT_FOUND);
        probes.ranges.resize(first + n, (0, 0));
        first..first + n
    }

    /// Stage 2: probe for the tag; prefetch the candidate's stored key and the rows of the
    /// groups `rows_to_prefetch` lists (section, stride). `at`: this segment's keys in
    /// `probes` (from [`Segment::probe_start`]).
    pub(crate) fn probe_slots(
        &self,
        probes: &mut Probes,
        at: Range<usize>,
        rows_to_prefetch: &[(u32, usize)],
    ) -> Result<()> {
        let slots = self.footer.slot_count;
        let key_at = self.key_at()?;
        // Keys in a row group the caller reads next come with its rows' prefetch (the
        // writer puts them at the start of the first group).
        let key_with_rows = key_at
            .group_section()
            .is_some_and(|k| rows_to_prefetch.iter().any(|&(s, _)| s == k));
        let index = self.view(self.footer.index_section)?;
        let (Some(entries), Some(rows)) =
            (probes.slots.get_mut(at.clone()), probes.rows.get_mut(at))
        else {
            return Ok(());
        };
        for ((h, pos), out) in entries.iter_mut().zip(rows.iter_mut()) {
            if *pos == u64::MAX {
                continue;
            }
            let mut budget = slots;
            if let Some((p, row)) = self.probe(index, tag(*h), *pos, &mut budget)? {
                *pos = p;
                *out = row;
                let r = row as usize;
                if !key_with_rows {
                    key_at.prefetch(r);
                }
                for &(section, stride) in rows_to_prefetch {
                    prefetch(self.raw_section(section), r * stride);
                }
            }
        }
        Ok(())
    }

    /// Stage 3: locate the stored utf8 keys and prefetch their bytes.
    pub(crate) fn probe_keys(&self, probes: &mut Probes, at: Range<usize>) -> Result<()> {
        if let KeyAt::Var { offsets, data } = self.key_at()?
            && let (Some(rows), Some(ranges)) =
                (probes.rows.get(at.clone()), probes.ranges.get_mut(at))
        {
            for (&row, range) in rows.iter().zip(ranges.iter_mut()) {
                if row == NOT_FOUND {
                    continue;
                }
                let (s, e) = self.var_range(offsets, data, row)?;
                prefetch(data.bytes, s);
                *range = (s, e);
            }
        }
        Ok(())
    }

    /// Stage 4: compare keys (a tag collision continues on the slow path); the rows are
    /// left in `probes.rows[at]` ([`NOT_FOUND`] for absent keys).
    pub(crate) fn probe_finish(
        &self,
        keys: &QueryKeys<'_>,
        which: Option<&[u32]>,
        probes: &mut Probes,
        at: Range<usize>,
    ) -> Result<()> {
        let slots = self.footer.slot_count;
        let key_at = self.key_at()?;
        let index = self.view(self.footer.index_section)?;
        let (Some(entries), Some(rows), Some(ranges)) = (
            probes.slots.get(at.clone()),
            probes.rows.get_mut(at.clone()),
            probes.ranges.get(at),
        ) else {
            return Ok(());
        };
        for (i, row) in rows.iter_mut().enumerate() {
            if *row == NOT_FOUND {
                continue;
            }
            let wanted = key_of(keys, which, i).unwrap_or_default();
            let stored = match (key_at, ranges.get(i)) {
                (KeyAt::Var { data, .. }, Some(&(s, e))) => data.get(s, e - s)?,
                _ => self.stored_key(key_at, *row)?,
            };
            if !same_key(stored, wanted) {
                let (h, p) = entries.get(i).copied().unwrap_or_default();
                let next = if p + 1 == slots { 0 } else { p + 1 };
                *row = self.find_slow(index, key_at, wanted, h, next)?;
            }
        }
        Ok(())
    }
}

/// Lookups between their stages, in buffers shared by the segments of a read (each
/// segment's keys at a range of them): per key, its hash and slot, then its candidate row
/// and the byte range of its stored utf8 key.
#[derive(Default)]
pub(crate) struct Probes {
    slots: Vec<(u64, u64)>,
    /// Each key's row once the lookup is finished ([`NOT_FOUND`]: absent).
    pub(crate) rows: Vec<u32>,
    ranges: Vec<(usize, usize)>,
}

impl Probes {
    /// Empty buffers with room for `n` keys.
    #[cfg(feature = "engine")]
    pub(crate) fn with_capacity(n: usize) -> Self {
        Probes {
            slots: Vec::with_capacity(n),
            rows: Vec::with_capacity(n),
            ranges: Vec::with_capacity(n),
        }
    }
}

/// Key `i` of a lookup of the keys at indices `which` of `keys` (all keys when `None`).
#[inline(always)]
fn key_of<'k>(keys: &'k QueryKeys<'_>, which: Option<&[u32]>, i: usize) -> Option<&'k [u8]> {
    match which {
        Some(w) => w.get(i).and_then(|&k| keys.get(k as usize)),
        None => keys.get(i),
    }
}

/// Key equality, inlined for short keys (two overlapping 8-byte loads compare 8 to 16
/// bytes) instead of a call to `memcmp`.
#[inline(always)]
pub(crate) fn same_key(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    if (8..=16).contains(&n) {
        let word = |s: &[u8], at: usize| {
            s.get(at..at + 8)
                .and_then(|w| w.first_chunk::<8>())
                .map(|w| u64::from_le_bytes(*w))
        };
        return word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8);
    }
    a == b
}
