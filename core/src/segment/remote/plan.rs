//! One remote read as a state machine: find each key's row through the index, confirm it
//! against the stored key, then read the asked columns of the found rows. Each pass runs as
//! far as the verified pages allow and records the pages it lacks.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch};

use super::Meta;
use super::cache::{PageCache, Pages};
use super::read::Reader;
use super::{ByteRange, Error, KeptPages, Result};
use crate::keys::{QueryKeys, hash_key};
use crate::segment::hash::home_slot;
use crate::segment::layout::{ColumnDesc, HEADER_LEN};
use crate::segment::lookup::NOT_FOUND;
use crate::segment::tail::check_header_bytes;

/// Where one key's search stands.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    /// Probing slot `pos`, with `left` probes allowed.
    Probe { hash: u64, pos: u64, left: u64 },
    /// The key's row, or [`NOT_FOUND`].
    Done(u32),
}

/// A read of keys x columns of a [`super::RemoteSegment`] in progress. See the module
/// docs. Owns what it needs (the segment's footer by `Arc`): it borrows nothing.
pub struct GetPlan {
    seg: Arc<Meta>,
    gap: u64,
    descs: Vec<ColumnDesc>,
    keys: Vec<Option<Vec<u8>>>,
    steps: Vec<Step>,
    cache: PageCache,
    header_ok: bool,
    result: Option<(RecordBatch, Vec<bool>)>,
}

impl std::fmt::Debug for GetPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetPlan")
            .field("segment", &self.seg.name)
            .field("keys", &self.keys.len())
            .field("done", &self.result.is_some())
            .finish_non_exhaustive()
    }
}

/// Body pages a pass found missing.
pub(super) type Wants = BTreeSet<u64>;

impl GetPlan {
    pub(super) fn new(
        seg: Arc<Meta>,
        gap: u64,
        kept: &Pages,
        keys: &dyn Array,
        columns: &[&str],
    ) -> Result<Self> {
        let footer = &seg.footer;
        let descs = columns
            .iter()
            .map(|&c| {
                std::iter::once(&footer.key)
                    .chain(&footer.columns)
                    .find(|d| d.name == c)
                    .cloned()
                    .ok_or_else(|| Error::UnknownColumn {
                        column: c.to_owned(),
                        container: format!("segment '{}'", seg.name),
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
        let cache = PageCache::new(Arc::clone(&seg), kept);
        let mut plan = GetPlan {
            seg,
            gap,
            descs,
            keys,
            steps,
            cache,
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
        self.cache.needed(self.gap)
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

    /// [`GetPlan::finish`], and the verified pages the read used, for
    /// [`super::RemoteSegment::keep`].
    pub fn finish_keeping(self) -> Result<((RecordBatch, Vec<bool>), KeptPages)> {
        let segment = self.seg.id;
        let pages = KeptPages {
            segment,
            pages: self.cache.into_pages(),
        };
        let name = self.seg.name.clone();
        let result = self.result.ok_or_else(|| {
            Error::corrupt(
                &name,
                "fetch",
                "finish called before every needed range was supplied",
            )
        })?;
        Ok((result, pages))
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
                seg: &self.seg,
                cache: &self.cache,
                descs: &self.descs,
            };
            for (step, key) in self.steps.iter_mut().zip(&self.keys) {
                if let (Step::Probe { .. }, Some(key)) = (&step, key) {
                    reader.advance(step, key, &mut wants)?;
                }
            }
            // Speculative wants may remain once every key is found: the values are read
            // as soon as every key is, and whatever they lack joins this round's wants.
            let searched = self.steps.iter().all(|s| matches!(s, Step::Done(_)));
            if self.header_ok && searched {
                let rows: Vec<u32> = self
                    .steps
                    .iter()
                    .map(|s| match s {
                        Step::Done(r) => *r,
                        Step::Probe { .. } => NOT_FOUND,
                    })
                    .collect();
                let descs: Vec<&ColumnDesc> = self.descs.iter().collect();
                if let Some(result) = reader.assemble(&descs, rows, &mut wants)? {
                    self.result = Some(result);
                    return Ok(());
                }
            }
            self.cache.set_wants(wants);
            let (at, seed) = (self.seg.seed_offset, &self.seg.seed);
            if seed.is_empty() || !self.cache.supply(at, seed)? {
                return Ok(());
            }
        }
    }
}
