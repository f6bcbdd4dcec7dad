//! The fetched pages of one remote read: body pages and page-table pages, each kept only
//! after its CRC32 matched (`docs/FORMAT.md` §10.2), plus the pages the last pass over the
//! read found missing.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::{ByteRange, Meta};
use crate::{Error, Result};

/// Verified pages of one file, and the body pages wanted next.
pub(crate) struct PageCache {
    /// The segment's footer, name and length.
    seg: Arc<Meta>,
    table_len: u64,
    /// Verified body pages, by page number.
    body: BTreeMap<u64, Arc<[u8]>>,
    /// Verified page-table pages, by table page number.
    table: BTreeMap<u64, Arc<[u8]>>,
    /// Body pages supplied before the table page holding their CRC.
    pending: BTreeMap<u64, Vec<u8>>,
    /// Body pages the last pass needed and did not have ([`PageCache::set_wants`]).
    wants: BTreeSet<u64>,
    /// How many of `wants` are not verified yet.
    missing: usize,
}

impl PageCache {
    /// A cache for the open segment `seg` (its footer validated), holding the verified
    /// pages `kept` from earlier reads.
    pub(crate) fn new(seg: Arc<Meta>, kept: &Pages) -> Self {
        PageCache {
            table_len: seg.footer.page_count().saturating_mul(4),
            seg,
            body: kept.body.clone(),
            table: kept.table.clone(),
            pending: BTreeMap::new(),
            wants: BTreeSet::new(),
            missing: 0,
        }
    }

    /// Records the body pages a pass found missing (replacing the last pass's).
    pub(crate) fn set_wants(&mut self, wants: BTreeSet<u64>) {
        self.missing = wants.iter().filter(|p| !self.body.contains_key(p)).count();
        self.wants = wants;
    }

    /// Adds verified body page `p`.
    fn insert_body(&mut self, p: u64, page: Vec<u8>) {
        if self.body.insert(p, page.into()).is_none() && self.wants.contains(&p) {
            self.missing = self.missing.saturating_sub(1);
        }
    }

    /// The CRC of body page `p` from its (verified) table page, if that is here.
    fn crc_of(&self, p: u64) -> Option<u32> {
        let t = self.table_of(p);
        let at = usize::try_from(p * 4 - (t << self.log2())).ok()?;
        self.table
            .get(&t)
            .and_then(|page| page.get(at..at.checked_add(4)?))
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }

    fn log2(&self) -> u8 {
        self.seg.footer.page_size_log2
    }

    /// File bytes `[start, end)` of body page `p`.
    fn body_page(&self, p: u64) -> (u64, u64) {
        let start = p << self.log2();
        (
            start,
            (start + (1 << self.log2())).min(self.seg.footer.body_len),
        )
    }

    /// File bytes `[start, end)` of page-table page `t`.
    fn table_page(&self, t: u64) -> (u64, u64) {
        let start = self.seg.footer.body_len + (t << self.log2());
        let end = (start + (1 << self.log2())).min(self.seg.footer.body_len + self.table_len);
        (start, end)
    }

    /// The table page holding the CRC of body page `p`.
    fn table_of(&self, p: u64) -> u64 {
        (p * 4) >> self.log2()
    }

    /// The `len` body bytes at file offset `offset` if every page under them is verified;
    /// otherwise `None`, with the missing pages added to `wants`. A range beyond the body
    /// is an error.
    pub(crate) fn read(
        &self,
        offset: u64,
        len: u64,
        wants: &mut BTreeSet<u64>,
    ) -> Result<Option<Cow<'_, [u8]>>> {
        let end = offset
            .checked_add(len)
            .filter(|&e| e <= self.seg.footer.body_len)
            .ok_or_else(|| {
                Error::corrupt(
                    &self.seg.name,
                    "body",
                    format!("a reference to {len} bytes at {offset} lies beyond the body"),
                )
            })?;
        if len == 0 {
            return Ok(Some(Cow::Borrowed(&[])));
        }
        let (first, last) = (offset >> self.log2(), (end - 1) >> self.log2());
        let missing: Vec<u64> = (first..=last)
            .filter(|p| !self.body.contains_key(p))
            .collect();
        if !missing.is_empty() {
            wants.extend(missing);
            return Ok(None);
        }
        let slice = |p: u64, from: u64, to: u64| -> Option<&[u8]> {
            let start = p << self.log2();
            let page = self.body.get(&p)?;
            page.get(usize::try_from(from - start).ok()?..usize::try_from(to - start).ok()?)
        };
        let short = || Error::corrupt(&self.seg.name, "body", "a cached page is short");
        if first == last {
            return Ok(Some(Cow::Borrowed(
                slice(first, offset, end).ok_or_else(short)?,
            )));
        }
        let mut out = Vec::with_capacity(usize::try_from(len).map_err(|_| short())?);
        for p in first..=last {
            let (s, e) = self.body_page(p);
            out.extend_from_slice(slice(p, s.max(offset), e.min(end)).ok_or_else(short)?);
        }
        Ok(Some(Cow::Owned(out)))
    }

    /// Whether every wanted page (and the table page of each) is here.
    pub(crate) fn satisfied(&self) -> bool {
        self.missing == 0
    }

    /// The ranges to fetch for the wanted pages: whole body pages, and the page-table pages
    /// holding their CRCs, merged where less than `gap` bytes apart.
    pub(crate) fn needed(&self, gap: u64) -> Vec<ByteRange> {
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut tables = BTreeSet::new();
        for &p in &self.wants {
            if self.body.contains_key(&p) {
                continue;
            }
            if !self.pending.contains_key(&p) {
                ranges.push(self.body_page(p));
            }
            let t = self.table_of(p);
            if !self.table.contains_key(&t) {
                tables.insert(t);
            }
        }
        ranges.extend(tables.into_iter().map(|t| self.table_page(t)));
        ranges.sort_unstable();
        let mut out: Vec<ByteRange> = Vec::new();
        for (start, end) in ranges {
            match out.last_mut() {
                Some(last) if start <= last.end().saturating_add(gap) => {
                    last.len = end.max(last.end()) - last.offset;
                }
                _ => out.push(ByteRange {
                    offset: start,
                    len: end - start,
                }),
            }
        }
        out
    }

    /// Takes the wanted pages (and their table pages) that lie whole in `bytes`, found at
    /// file offset `offset`, checking each against its CRC. Returns whether any was new.
    /// Looks only at the wanted pages inside the range, so supplying a read's ranges one by
    /// one costs in all what the pages do, not ranges x wanted pages.
    pub(crate) fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<bool> {
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= self.seg.file_len)
            .ok_or_else(|| {
                Error::corrupt(
                    &self.seg.name,
                    "fetch",
                    "bytes supplied beyond the file's end",
                )
            })?;
        if end == offset {
            return Ok(false);
        }
        let take = |(s, e): (u64, u64)| -> Option<Vec<u8>> {
            if s < offset || e > end {
                return None;
            }
            let from = usize::try_from(s - offset).ok()?;
            let to = usize::try_from(e - offset).ok()?;
            bytes.get(from..to).map(<[u8]>::to_vec)
        };
        let log2 = self.log2();
        let body_len = self.seg.footer.body_len;
        let mut progress = false;
        // Page-table pages in the range that hold the CRC of a wanted, unverified page.
        let mut new_table = false;
        let table_end = body_len.saturating_add(self.table_len);
        if end > body_len && offset < table_end {
            let per_table = (1u64 << log2) / 4; // body pages whose CRCs one table page holds
            let first = (offset.max(body_len) - body_len) >> log2;
            let last = (end.min(table_end) - 1 - body_len) >> log2;
            for t in first..=last {
                let lo = t.saturating_mul(per_table);
                let hi = lo.saturating_add(per_table);
                let wanted = self.wants.range(lo..hi).any(|p| !self.body.contains_key(p));
                if !wanted || self.table.contains_key(&t) {
                    continue;
                }
                if let Some(page) = take(self.table_page(t)) {
                    if self.seg.footer.table_crcs.get(t as usize).copied()
                        != Some(crc32fast::hash(&page))
                    {
                        return Err(self.bad_page(self.table_page(t).0));
                    }
                    self.table.insert(t, page.into());
                    progress = true;
                    new_table = true;
                }
            }
        }
        // Wanted body pages in the range: verified now if their table page is here, else
        // held until it is.
        if offset < body_len {
            let (first, last) = (offset >> log2, (end.min(body_len) - 1) >> log2);
            let candidates: Vec<u64> = self
                .wants
                .range(first..=last)
                .copied()
                .filter(|p| !self.body.contains_key(p) && !self.pending.contains_key(p))
                .collect();
            for p in candidates {
                let Some(page) = take(self.body_page(p)) else {
                    continue;
                };
                progress = true;
                match self.crc_of(p) {
                    Some(crc) if crc == crc32fast::hash(&page) => self.insert_body(p, page),
                    Some(_) => return Err(self.bad_page(p << log2)),
                    None => {
                        self.pending.insert(p, page);
                    }
                }
            }
        }
        if new_table {
            self.verify_pending()?;
        }
        Ok(progress)
    }

    /// Verifies the pending body pages whose table page is here.
    fn verify_pending(&mut self) -> Result<()> {
        let ready: Vec<u64> = self
            .pending
            .keys()
            .copied()
            .filter(|&p| self.table.contains_key(&self.table_of(p)))
            .collect();
        for p in ready {
            let want = self.crc_of(p);
            let Some(page) = self.pending.remove(&p) else {
                continue;
            };
            if want != Some(crc32fast::hash(&page)) {
                return Err(self.bad_page(p << self.log2()));
            }
            self.insert_body(p, page);
        }
        Ok(())
    }

    /// The verified pages, to keep for later reads.
    pub(crate) fn into_pages(self) -> Pages {
        Pages {
            body: self.body,
            table: self.table,
        }
    }

    #[cold]
    fn bad_page(&self, at: u64) -> Error {
        Error::corrupt(
            &self.seg.name,
            "fetch",
            format!("checksum mismatch in the page at byte {at}"),
        )
    }
}

/// Verified pages of one file (body and page-table pages), shared between reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pages {
    body: BTreeMap<u64, Arc<[u8]>>,
    table: BTreeMap<u64, Arc<[u8]>>,
}

impl Pages {
    /// Their bytes.
    pub(crate) fn bytes(&self) -> u64 {
        self.body
            .values()
            .chain(self.table.values())
            .map(|p| p.len() as u64)
            .sum()
    }

    /// Adds `other`'s pages while the total stays within `limit` bytes.
    pub(crate) fn merge(&mut self, other: Pages, limit: u64) {
        let mut total = self.bytes();
        for (map, pages) in [(&mut self.table, other.table), (&mut self.body, other.body)] {
            for (k, page) in pages {
                if map.contains_key(&k) {
                    continue;
                }
                let len = page.len() as u64;
                if total.saturating_add(len) > limit {
                    return;
                }
                total += len;
                map.insert(k, page);
            }
        }
    }
}
