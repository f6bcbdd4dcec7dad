//! Deletion vectors in the engine: a flush marks the rows of the run that its segment's
//! rows hide, so reads skip them and the next compaction drops them (`docs/ENGINE.md`,
//! "Deletion vectors").
//!
//! A row of a newly flushed segment **hides** every older value of its key when it is a
//! tombstone or writes every column (a full upsert). For each such key that the run
//! holds, the run segment's row is marked in that segment's deletion vector. Each changed
//! vector is written as a new file (the vector so far plus the new rows) and committed in
//! the same manifest as the flushed segment, so a version's marks always come from
//! level-0 segments that version lists: a read that skips a marked row finds the key's
//! newer state in a newer segment, which it consults first anyway.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, UInt32Array};

use super::segref::SegmentRef;
use super::{Inner, Meta};
use crate::Result;
use crate::dir::{self, FileKind};
use crate::manifest::DeletesMeta;

/// Marks the rows of `run` that `hiding` (keys of newer rows that hide every older value,
/// in key order) supersede. Returns the run with the changed segments replaced (new
/// deletion vector files written, their numbers pushed to `written`) or `None` when no
/// row changes. The caller commits the result and retires the replaced vectors.
pub(crate) fn mark(
    inner: &Inner,
    meta: &mut Meta,
    run: &[Arc<SegmentRef>],
    hiding: &ArrayRef,
    written: &mut Vec<u64>,
) -> Result<Option<Vec<Arc<SegmentRef>>>> {
    // Group the keys by the run segment whose range holds them.
    let mut by_segment: Vec<Vec<u32>> = vec![Vec::new(); run.len()];
    for (i, k) in super::route::route(run, hiding.as_ref(), 0..hiding.len() as u32)? {
        if let Some(keys) = by_segment.get_mut(i) {
            keys.push(k);
        }
    }
    let mut changed = false;
    let mut next_run = Vec::with_capacity(run.len());
    for (s, keys) in run.iter().zip(by_segment) {
        if keys.is_empty() {
            next_run.push(Arc::clone(s));
            continue;
        }
        let subset = arrow_select::take::take(hiding.as_ref(), &UInt32Array::from(keys), None)?;
        let rows = s.segment.find(subset.as_ref())?;
        let mut dv = s
            .deletes
            .as_ref()
            .map(|d| d.rows.clone())
            .unwrap_or_default();
        let before = dv.len();
        for row in rows.into_iter().flatten() {
            dv.insert(row);
        }
        if dv.len() == before {
            next_run.push(Arc::clone(s));
            continue;
        }
        let number = meta.next_file;
        meta.next_file += 1;
        written.push(number);
        let path = inner.dir.join(dir::name(FileKind::Deletes, number));
        let bytes = dv.write_file(&path, s.meta.file_number, s.segment.row_count())?;
        let entry = DeletesMeta {
            file_number: number,
            rows: dv.len(),
            bytes,
        };
        next_run.push(Arc::new(s.with_deletes(entry, dv, path)));
        changed = true;
    }
    Ok(changed.then_some(next_run))
}
