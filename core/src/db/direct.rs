//! The direct read path: the common case of a flushed or compacted table, answered with no
//! per-cell bookkeeping. No memtable holds a write of the keys (none at all, or
//! [`super::mixed`] sorted them out), and each key's answer is its newest segment's row,
//! which holds every asked cell. Every level-0 segment is asked every key,
//! the run the keys routed to each of its segments ([`super::route`]); a key's newest hit
//! is written straight into the output columns ([`crate::segment::scatter`]).
//!
//! A run of a hundred segments (a table of 100M rows) gets about ten keys of a 1000-key
//! read per segment, so the per-segment work is kept to a few slice ranges: the segments
//! share one set of lookup buffers ([`Probes`]), one list of hits, one set of outputs, and
//! the asked columns are resolved by name once per layout (the segments of a compaction
//! describe their columns alike; [`Asked::fits`] checks it, column by column).

use std::ops::Range;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema};

use super::version::{SegmentRef, TableVersion};
use crate::segment::lookup::Probes;
use crate::segment::scatter::{Asked, Scattered};
use crate::{Error, Result};

/// One segment's part of a read.
struct Job<'t> {
    segment: &'t SegmentRef,
    /// Index of its layout (the asked columns as it describes them) in the read's layouts.
    layout: usize,
    /// Its keys: a range of the routed key indices, or every key (`None`).
    which: Option<Range<usize>>,
    /// Its keys' entries in the lookup buffers.
    at: Range<usize>,
    /// Its hits in the read's list of hits.
    hits: Range<usize>,
}

/// Reads `columns` of `table`'s segments for `keys` the direct way, ignoring its
/// memtables (the caller knows they hold none of the keys); `None` when a segment is not
/// the whole answer for its keys (a tombstone, a partial row, a row of a deletion vector
/// that no newer segment shadows, a column it lacks): the general path answers.
pub(crate) fn direct(
    table: &TableVersion,
    keys: &dyn Array,
    columns: &[&str],
) -> Result<Option<(RecordBatch, Vec<bool>)>> {
    direct_with(table, keys, columns, None, None, &mut |_, _| true)
}

/// A patch of the outputs of [`direct_with`]: writes the cells of the keys the segments
/// were not asked (into the outputs and `found`); false if it cannot (the read then
/// declines).
pub(crate) type Patch<'p> = dyn FnMut(&mut Scattered<'_>, &mut [bool]) -> bool + 'p;

/// [`direct`] of the keys at indices `subset` (ascending) of `keys` only (every key when
/// `None`), into outputs of one row per key of `keys`; `patch` fills the rows of the other
/// keys before the arrays are built (their `found` is false until it sets it). `hashes`:
/// every key's hash, when the caller has them.
pub(crate) fn direct_with<'t>(
    table: &'t TableVersion,
    keys: &dyn Array,
    columns: &[&str],
    subset: Option<&[u32]>,
    hashes: Option<&[u64]>,
    patch: &mut Patch<'_>,
) -> Result<Option<(RecordBatch, Vec<bool>)>> {
    let mut names = Vec::with_capacity(columns.len());
    let mut types = Vec::with_capacity(columns.len());
    for &name in columns {
        let (i, field) = table.column(name)?;
        if i != table.key {
            names.push(name);
            types.push(field.data_type().clone());
        }
    }
    let Some(first) = table.segments.first().or(table.run.first()) else {
        return Ok(None);
    };
    let query = first.segment.query(keys)?;
    let n = keys.len();
    let mut out = Scattered::new(n, types);
    let mut found = vec![false; n];

    // The jobs: every level-0 segment (newest first) with every key, then the run the
    // keys routed to each of its segments (one run segment alone: every key, its hash
    // index answers for keys outside its range too).
    // With a subset, `order` starts with it, and the segments asked every key are asked
    // that range of it.
    let mut order: Vec<u32> = subset.map(<[u32]>::to_vec).unwrap_or_default();
    let every = subset.map(|s| 0..s.len());
    let mut segments: Vec<(&'t SegmentRef, Option<Range<usize>>)> = table
        .segments
        .iter()
        .map(|s| (&**s, every.clone()))
        .collect();
    if let [only] = table.run.as_slice() {
        segments.push((only, every.clone()));
    } else if !table.run.is_empty() {
        let n32 = u32::try_from(n).map_err(|_| {
            Error::LimitExceeded(format!("a read of {n} keys (at most {})", u32::MAX))
        })?;
        let routed = match subset {
            Some(s) => super::route::route(&table.run, keys, s.iter().copied())?,
            None => super::route::route(&table.run, keys, 0..n32)?,
        };
        let mut start = order.len();
        order.extend(routed.iter().map(|&(_, k)| k));
        for group in routed.chunk_by(|a, b| a.0 == b.0) {
            let range = start..start + group.len();
            start = range.end;
            if let Some(segment) = group.first().and_then(|&(i, _)| table.run.get(i)) {
                segments.push((segment, Some(range)));
            }
        }
    }
    let mut layouts: Vec<Asked<'t>> = Vec::new();
    let mut jobs = Vec::with_capacity(segments.len());
    for (segment, which) in segments {
        let layout = match layouts.last() {
            Some(last) if last.fits(&segment.segment) => layouts.len() - 1,
            _ => {
                let Some(asked) = segment.segment.asked(&names)? else {
                    return Ok(None);
                };
                if !out.accept(&asked) {
                    return Ok(None);
                }
                layouts.push(asked);
                layouts.len() - 1
            }
        };
        jobs.push(Job {
            segment,
            layout,
            which,
            at: 0..0,
            hits: 0..0,
        });
    }
    let which = |job: &Job<'_>| job.which.clone().and_then(|r| order.get(r));
    let asked = |job: &Job<'_>| layouts.get(job.layout);

    // The lookups, each stage over every segment before the next, so that the cache
    // misses of all the keys overlap as in one segment's lookup.
    let mut probes = Probes::with_capacity(n * (table.segments.len() + 1));
    for job in &mut jobs {
        job.at = job
            .segment
            .segment
            .probe_start(&query, which(job), hashes, &mut probes);
    }
    for job in &jobs {
        let groups = asked(job).map_or(&[][..], |a| &a.groups);
        job.segment
            .segment
            .probe_slots(&mut probes, job.at.clone(), groups)?;
    }
    for job in &jobs {
        job.segment
            .segment
            .probe_keys(&mut probes, job.at.clone())?;
    }
    for job in &jobs {
        job.segment
            .segment
            .probe_finish(&query, which(job), &mut probes, job.at.clone())?;
    }
    // Newest first: a key's first hit is its answer (older rows of it are shadowed).
    let mut hits = Vec::with_capacity(n);
    for job in &mut jobs {
        let (Some(rows), Some(layout)) = (probes.rows.get(job.at.clone()), asked(job)) else {
            return Ok(None);
        };
        let start = hits.len();
        if !job.segment.segment.hits(
            layout,
            rows,
            which(job),
            deleted(job.segment),
            &mut found,
            &mut hits,
        )? {
            return Ok(None);
        }
        job.hits = start..hits.len();
    }
    for job in &jobs {
        if let (Some(layout), Some(h)) = (asked(job), hits.get(job.hits.clone())) {
            job.segment.segment.prefetch_hits(layout, h);
        }
    }
    // Per layout: its segments' hit rows staged, then written column by column in key
    // order (a key has one hit, so the layouts do not overlap).
    for (l, layout) in layouts.iter().enumerate() {
        for job in jobs.iter().filter(|j| j.layout == l) {
            let Some(h) = hits.get(job.hits.clone()) else {
                return Ok(None);
            };
            if !job.segment.segment.stage(layout, h, &mut out)? {
                return Ok(None);
            }
        }
        if !out.put_fixed(layout) {
            return Ok(None);
        }
    }

    if !patch(&mut out, &mut found) {
        return Ok(None);
    }
    let mut arrays = out.finish()?.into_iter();
    let mut fields = Vec::with_capacity(columns.len());
    let mut outputs = Vec::with_capacity(columns.len());
    for &name in columns {
        let array = if table.key_name() == name {
            let absent =
                arrow_array::BooleanArray::from(found.iter().map(|&f| !f).collect::<Vec<_>>());
            arrow_select::nullif::nullif(keys, &absent)?
        } else {
            match arrays.next() {
                Some(array) => array,
                None => return Ok(None),
            }
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        outputs.push(array);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(n));
    let batch =
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), outputs, &options)?;
    Ok(Some((batch, found)))
}

/// The rows `segment`'s deletion vector marks, if any.
fn deleted(segment: &SegmentRef) -> Option<&roaring::RoaringBitmap> {
    segment
        .deletes
        .as_ref()
        .filter(|d| !d.rows.is_empty())
        .map(|d| d.rows.bitmap())
}
