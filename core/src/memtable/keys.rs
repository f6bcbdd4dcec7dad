//! The keys of a memtable in order, a bounded number at a time: how a scan walks a
//! memtable without holding an iterator (and so a borrow) between batches.

use std::ops::Bound;

use super::Key;
use super::Memtable;
use super::key::{KeyKind, KeySeq, decode, encode_i64, encode_u64};
use crate::segment::SortKey;
use crate::{Error, Result};

impl Memtable {
    /// Up to `limit` keys, ascending (bytewise for utf8, numeric for integers: the order of
    /// [`SortKey`]), each with a write (row or tombstone) at or below `snapshot`, starting
    /// after key `after` (from the first key when `None`). Fewer than `limit` keys means
    /// there are no more. Seeks afresh on every call, so nothing is borrowed between calls;
    /// writes above `snapshot` are skipped.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by `Db::scan`
    pub(crate) fn keys_after(
        &self,
        after: Option<&SortKey>,
        snapshot: u64,
        limit: usize,
    ) -> Result<Vec<SortKey>> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let mut entry = match after {
            None => self.index.front(),
            Some(after) => {
                let mut buf = [0u8; 8];
                let bytes = encode(self.kind, after, &mut buf)?;
                // (key, 0) is the key's last entry (newest first): past it is the next key.
                let start: &dyn KeySeq = &(bytes, 0);
                self.index.lower_bound(Bound::Excluded(start))
            }
        };
        // The key being walked, and whether one of its entries is visible.
        let mut current: Option<(Box<[u8]>, bool)> = None;
        while let Some(e) = entry {
            let key = &e.key().key;
            match &mut current {
                Some((k, visible)) if k == key => *visible |= e.key().seq <= snapshot,
                _ => {
                    if let Some((k, true)) = current.take() {
                        out.push(self.sort_key(&k)?);
                        if out.len() == limit {
                            return Ok(out);
                        }
                    }
                    current = Some((key.clone(), e.key().seq <= snapshot));
                }
            }
            entry = e.next();
        }
        if let Some((k, true)) = current {
            out.push(self.sort_key(&k)?);
        }
        Ok(out)
    }

    /// An encoded key of the index as a [`SortKey`].
    #[cfg_attr(not(feature = "engine"), allow(dead_code))]
    fn sort_key(&self, bytes: &[u8]) -> Result<SortKey> {
        Ok(match decode(self.kind, bytes) {
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

/// `key` in the index's encoding for keys of `kind` (integers into `buf`).
#[cfg_attr(not(feature = "engine"), allow(dead_code))]
fn encode<'a>(kind: KeyKind, key: &'a SortKey, buf: &'a mut [u8; 8]) -> Result<&'a [u8]> {
    match (kind, key) {
        (KeyKind::Utf8, SortKey::Utf8(b)) => return Ok(b),
        (KeyKind::Int64, SortKey::Int64(v)) => *buf = encode_i64(*v),
        (KeyKind::UInt64, SortKey::UInt64(v)) => *buf = encode_u64(*v),
        _ => {
            return Err(Error::SchemaMismatch(format!(
                "a key {key:?} does not suit a memtable keyed by {:?}",
                kind.column_type()
            )));
        }
    }
    Ok(&buf[..])
}
