//! The reads of one pass of a remote plan over the verified pages: probing the index,
//! stored keys and values. A read whose pages are not all here returns `None` and records
//! them.

use std::borrow::Cow;

use super::Meta;
use super::cache::PageCache;
use super::plan::{Step, Wants};
use crate::segment::hash::tag;
use crate::segment::layout::{ColumnDesc, EMPTY_SLOT, NONE, SectionDesc, Storage, inline_key};
use crate::segment::lookup::{NOT_FOUND, same_key};
use crate::{Error, Result};

/// Reads of one pass over the cached pages.
pub(super) struct Reader<'r> {
    pub(super) seg: &'r Meta,
    pub(super) cache: &'r PageCache,
    /// The asked columns, whose pages are wanted speculatively with a candidate's key.
    pub(super) descs: &'r [ColumnDesc],
}

impl<'r> Reader<'r> {
    /// The section `i`, which the validated footer says exists.
    pub(super) fn section(&self, i: u32) -> Result<&'r SectionDesc> {
        self.seg
            .footer
            .sections
            .get(i as usize)
            .ok_or_else(|| self.corrupt("footer", format!("no section {i}")))
    }

    pub(super) fn corrupt(&self, section: &str, detail: String) -> Error {
        Error::corrupt(&self.seg.name, section, detail)
    }

    /// `len` bytes at `rel` in section `i`, or `None` (recorded in `wants`) if not here.
    pub(super) fn get(
        &self,
        i: u32,
        rel: u64,
        len: u64,
        wants: &mut Wants,
    ) -> Result<Option<Cow<'r, [u8]>>> {
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
    pub(super) fn advance(&self, step: &mut Step, key: &[u8], wants: &mut Wants) -> Result<()> {
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
    pub(super) fn value(
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
                if !c.is_inline() {
                    return Ok(v.map(Some));
                }
                // An inline utf8 key (format version 3): its length byte, then its bytes.
                let bad = || self.corrupt("key", format!("row {row}'s inline key is too long"));
                Ok(match v {
                    None => None,
                    Some(Cow::Borrowed(b)) => {
                        Some(Some(Cow::Borrowed(inline_key(b).ok_or_else(bad)?)))
                    }
                    Some(Cow::Owned(b)) => {
                        Some(Some(Cow::Owned(inline_key(&b).ok_or_else(bad)?.to_vec())))
                    }
                })
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

    /// Records the pages that reading the asked columns of `row` will need (its tombstone
    /// and presence bits, its fixed rows, the validity and offsets of its variable-width
    /// values, and their bytes once the offsets are here); reads nothing. Errors are left
    /// to the reads themselves.
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
                    // Once those are here (a utf8 key's bytes are still missing), the
                    // value bytes they locate.
                    let _ = self.value(c, row, wants);
                }
            }
        }
    }

    /// The section and stride of row group `group`.
    pub(super) fn group(&self, group: u32) -> Result<(u32, u64)> {
        self.seg
            .footer
            .groups
            .get(group as usize)
            .map(|g| (g.section, u64::from(g.stride)))
            .ok_or_else(|| self.corrupt("footer", format!("no row group {group}")))
    }

    /// Bit `row` of bitmap section `section`, or `None` if its page is missing.
    pub(super) fn bit(&self, section: u32, row: u32, wants: &mut Wants) -> Result<Option<bool>> {
        let b = self.get(section, u64::from(row / 8), 1, wants)?;
        Ok(b.map(|b| b.first().is_some_and(|b| b & (1 << (row % 8)) != 0)))
    }

    /// Bit `row` of `section` for each row (false for [`NOT_FOUND`] and for [`NONE`]), or
    /// `None` if a page is missing.
    pub(super) fn bits(
        &self,
        section: u32,
        rows: &[u32],
        wants: &mut Wants,
    ) -> Result<Option<Vec<bool>>> {
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
}

pub(super) fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

pub(super) fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}
