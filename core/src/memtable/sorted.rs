//! The keys of a memtable in order: its keys' newest entries sorted once by key (and
//! kept until the next write), walked a bounded number at a time by scans and whole by
//! flushes.

use std::cmp::Ordering;
use std::sync::Arc;

use super::Memtable;
use super::index::Entry;
use crate::keys::{Key, KeyKind};
use crate::keys::{decode_index, order_prefix};
use crate::segment::SortKey;
use crate::segment::lookup::same_key;
use crate::{Error, Result};

/// Every key of a memtable with its newest entry, in key order (bytewise for utf8,
/// numeric for integers: the order of [`SortKey`]), as of `appended` entries.
#[derive(Debug)]
pub(crate) struct Sorted {
    appended: usize,
    /// The newest entry of each key, in key order.
    pub(crate) heads: Vec<u32>,
}

impl Memtable {
    /// Whether entry `e` is of the key whose index bytes are `key`.
    #[inline]
    pub(crate) fn key_is(&self, e: Entry, key: &[u8]) -> bool {
        let mut buf = [0u8; 8];
        self.index
            .source(e.source)
            .is_some_and(|s| same_key(s.keys.bytes(e.row as usize, &mut buf), key))
    }

    /// The index bytes of entry `i`'s key (empty if the entry is unknown).
    pub(crate) fn entry_key<'a>(&'a self, i: u32, buf: &'a mut [u8; 8]) -> &'a [u8] {
        match self
            .index
            .entry(i)
            .and_then(|e| Some((self.index.source(e.source)?, e.row)))
        {
            Some((s, row)) => s.keys.bytes(row as usize, buf),
            None => &[],
        }
    }

    /// The keys in order (see [`Sorted`]): sorted on the first call after a write, then
    /// shared until the next write.
    pub(crate) fn sorted(&self) -> Arc<Sorted> {
        let appended = self.index.appended();
        if let Some(s) = self.sorted.load_full()
            && s.appended == appended
        {
            return s;
        }
        // Every entry appended so far (each complete), read in the order written (so
        // the keys stream from their batches), sorted by key; then each key's newest
        // entry (greatest sequence number, the later entry of a write on ties: the head
        // its chain starts from).
        let mut buf = [0u8; 8];
        let mut keyed: Vec<(u128, u32)> = (0..appended)
            .filter_map(|i| {
                let i = u32::try_from(i).ok()?;
                Some((order_prefix(self.kind, self.entry_key(i, &mut buf)), i))
            })
            .collect();
        let utf8 = self.kind == KeyKind::Utf8;
        let full_key = |a: u32, b: u32| {
            let (mut x, mut y) = ([0u8; 8], [0u8; 8]);
            self.entry_key(a, &mut x).cmp(self.entry_key(b, &mut y))
        };
        keyed.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                if utf8 {
                    full_key(a.1, b.1)
                } else {
                    Ordering::Equal
                }
            })
        });
        let seq_of = |i: u32| {
            self.index
                .entry(i)
                .and_then(|e| self.index.source(e.source))
                .map_or(0, |s| s.seq)
        };
        let mut heads: Vec<u32> = Vec::with_capacity(keyed.len());
        let mut last: Option<(u128, u32, u64)> = None;
        for &(prefix, i) in &keyed {
            let same = last.is_some_and(|(p, h, _)| {
                p == prefix && (!utf8 || full_key(h, i) == Ordering::Equal)
            });
            let seq = seq_of(i);
            if same {
                if let (Some(l), Some(head)) = (last.as_mut(), heads.last_mut())
                    && (seq, i) > (l.2, l.1)
                {
                    *l = (prefix, i, seq);
                    *head = i;
                }
            } else {
                last = Some((prefix, i, seq));
                heads.push(i);
            }
        }
        let sorted = Arc::new(Sorted { appended, heads });
        if self.index.appended() == appended {
            self.sorted.store(Some(Arc::clone(&sorted)));
        }
        sorted
    }

    /// Whether the key whose newest entry is `head` has a write at or below `snapshot`.
    pub(crate) fn visible(&self, head: u32, snapshot: u64) -> bool {
        let mut at = Some(head);
        while let Some(a) = at {
            if self
                .index
                .entry(a)
                .and_then(|e| self.index.source(e.source))
                .is_some_and(|s| s.seq <= snapshot)
            {
                return true;
            }
            at = self.index.older(a);
        }
        false
    }

    /// Up to `limit` keys of `sorted` from position `*pos` on, each with a write (row or
    /// tombstone) at or below `snapshot`; `*pos` moves past them. Fewer than `limit` keys
    /// means there are no more.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by `Db::scan`
    pub(crate) fn keys_from(
        &self,
        sorted: &Sorted,
        pos: &mut usize,
        snapshot: u64,
        limit: usize,
    ) -> Result<Vec<SortKey>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 8];
        while out.len() < limit {
            let Some(&head) = sorted.heads.get(*pos) else {
                break;
            };
            *pos += 1;
            if self.visible(head, snapshot) {
                out.push(self.sort_key(self.entry_key(head, &mut buf))?);
            }
        }
        Ok(out)
    }

    /// A key given by its index bytes as a [`SortKey`].
    #[cfg_attr(not(feature = "engine"), allow(dead_code))]
    fn sort_key(&self, bytes: &[u8]) -> Result<SortKey> {
        Ok(match decode_index(self.kind, bytes) {
            Some(Key::Utf8(s)) => SortKey::Utf8(s.as_bytes().into()),
            Some(Key::Int64(v)) => SortKey::Int64(v),
            Some(Key::UInt64(v)) => SortKey::UInt64(v),
            None => {
                return Err(Error::corrupt(
                    "memtable",
                    "key",
                    "a key is not valid for its type",
                ));
            }
        })
    }
}
