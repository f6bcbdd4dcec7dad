//! Routing keys to the run: each key goes to the one run segment whose key range holds it
//! (binary search on the ranges, which are disjoint and ascending).

use std::sync::Arc;

use arrow_array::Array;

use super::segref::SegmentRef;
use crate::Result;
use crate::keys::order::{KeyColumn, KeyRef};
use crate::segment::SortKey;

/// For each key index of `which` (into `keys`), the index in `run` of the segment whose
/// range holds the key, as `(segment, key)` pairs grouped by segment (ascending), the keys
/// of a segment in the order of `which` (ascending when `which` is). Null keys and
/// keys outside every range are left out. Compares borrowed keys (no copy) for utf8, int64
/// and uint64 arrays; other utf8 layouts go through owned [`SortKey`]s.
pub(crate) fn route(
    run: &[Arc<SegmentRef>],
    keys: &dyn Array,
    which: impl Iterator<Item = u32>,
) -> Result<Vec<(usize, u32)>> {
    // Each key's segment, in the order of `which`; then a counting sort by segment, which
    // keeps the keys of a segment in that order.
    let mut assigned: Vec<(usize, u32)> = Vec::new();
    let ranges = Ranges::of(run);
    match KeyColumn::of(keys) {
        Ok(column) => {
            for k in which {
                if keys.is_null(k as usize) {
                    continue;
                }
                if let Some(i) = ranges.find(Probe::new(column.get(k as usize))) {
                    assigned.push((i, k));
                }
            }
        }
        Err(_) => {
            for k in which {
                if let Some(key) = SortKey::of(keys, k as usize)?
                    && let Some(i) = ranges.find(Probe::new(key.as_ref()))
                {
                    assigned.push((i, k));
                }
            }
        }
    }
    let mut starts = vec![0usize; run.len()];
    for &(i, _) in &assigned {
        if let Some(s) = starts.get_mut(i) {
            *s += 1;
        }
    }
    let mut sum = 0;
    for s in &mut starts {
        let count = *s;
        *s = sum;
        sum += count;
    }
    let mut out = vec![(0usize, 0u32); assigned.len()];
    for (i, k) in assigned {
        if let Some(s) = starts.get_mut(i)
            && let Some(o) = out.get_mut(*s)
        {
            *o = (i, k);
            *s += 1;
        }
    }
    Ok(out)
}

/// A key with its first 8 bytes as a big-endian number (zero-padded; 0 for integer keys),
/// which orders most pairs of utf8 keys without a call to `memcmp`.
#[derive(Clone, Copy)]
struct Probe<'a> {
    prefix: u64,
    key: KeyRef<'a>,
}

impl<'a> Probe<'a> {
    #[inline]
    fn new(key: KeyRef<'a>) -> Self {
        let prefix = match key {
            KeyRef::Utf8(b) => {
                let mut word = [0u8; 8];
                let n = b.len().min(8);
                if let (Some(w), Some(src)) = (word.get_mut(..n), b.get(..n)) {
                    w.copy_from_slice(src);
                }
                u64::from_be_bytes(word)
            }
            KeyRef::Int64(_) | KeyRef::UInt64(_) => 0,
        };
        Probe { prefix, key }
    }

    /// Whether `self <= other` as keys: a smaller prefix means a smaller key (the first
    /// differing byte is among the first 8, or `self` is a prefix of `other`); equal prefixes
    /// compare the whole keys.
    #[inline]
    fn le(&self, other: &Probe<'_>) -> bool {
        // `|` rather than `||`: no branch on the (random) order of the prefixes; the equal
        // case is rare, so its branch predicts well.
        (self.prefix < other.prefix) | (self.prefix == other.prefix && self.key <= other.key)
    }
}

/// The key ranges of a run, gathered once per read: (segment index, first, last).
struct Ranges<'r> {
    ranges: Vec<(usize, Probe<'r>, Probe<'r>)>,
}

impl<'r> Ranges<'r> {
    fn of(run: &'r [Arc<SegmentRef>]) -> Self {
        let ranges = run
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let (first, last) = s.range.as_ref()?;
                Some((i, Probe::new(first.as_ref()), Probe::new(last.as_ref())))
            })
            .collect();
        Ranges { ranges }
    }

    /// The index of the run segment whose range holds `key`.
    #[inline]
    fn find(&self, key: Probe<'_>) -> Option<usize> {
        // A short run (the usual: tens of segments) is counted without branches, which a
        // binary search over random keys would mispredict at every step.
        let after = if self.ranges.len() <= 64 {
            self.ranges
                .iter()
                .map(|(_, first, _)| usize::from(first.le(&key)))
                .sum()
        } else {
            self.ranges.partition_point(|(_, first, _)| first.le(&key))
        };
        let (i, _, last) = self.ranges.get(after.checked_sub(1)?)?;
        key.le(last).then_some(*i)
    }
}
