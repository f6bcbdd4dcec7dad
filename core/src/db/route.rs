//! Routing keys to the run: each key goes to the one run segment whose key range holds it
//! (binary search on the ranges, which are disjoint and ascending).

use std::sync::Arc;

use arrow_array::Array;

use super::segref::SegmentRef;
use crate::Result;
use crate::segment::SortKey;
use crate::segment::order::{KeyColumn, KeyRef};

/// For each key index of `which` (into `keys`), the index in `run` of the segment whose
/// range holds the key, as `(segment, key)` pairs sorted by segment then key. Null keys and
/// keys outside every range are left out. Compares borrowed keys (no copy) for utf8, int64
/// and uint64 arrays; other utf8 layouts go through owned [`SortKey`]s.
pub(crate) fn route(
    run: &[Arc<SegmentRef>],
    keys: &dyn Array,
    which: impl Iterator<Item = u32>,
) -> Result<Vec<(usize, u32)>> {
    let mut out: Vec<(usize, u32)> = Vec::new();
    match KeyColumn::of(keys) {
        Ok(column) => {
            for k in which {
                if keys.is_null(k as usize) {
                    continue;
                }
                if let Some(i) = find(run, column.get(k as usize)) {
                    out.push((i, k));
                }
            }
        }
        Err(_) => {
            for k in which {
                if let Some(key) = SortKey::of(keys, k as usize)?
                    && let Some(i) = find(run, key.as_ref())
                {
                    out.push((i, k));
                }
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The index of the run segment whose range holds `key`.
fn find(run: &[Arc<SegmentRef>], key: KeyRef<'_>) -> Option<usize> {
    let after = run.partition_point(|s| {
        s.range
            .as_ref()
            .is_some_and(|(first, _)| first.as_ref() <= key)
    });
    let i = after.checked_sub(1)?;
    let s = run.get(i)?;
    s.range
        .as_ref()
        .is_some_and(|(_, last)| key <= last.as_ref())
        .then_some(i)
}
