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
use crate::keys::QueryKeys;
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
    let n32 = u32::try_from(n)
        .map_err(|_| Error::LimitExceeded(format!("a read of {n} keys (at most {})", u32::MAX)))?;
    let mut out = Scattered::new(n, types);
    let mut found = vec![false; n];
    let owned_hashes;
    let hashes = match hashes {
        Some(h) => h,
        None => {
            owned_hashes = crate::memtable::key_hashes(&query.all());
            &owned_hashes
        }
    };

    // Level 0 first: each segment (newest first) is asked the keys its filter passes
    // (usually few), so that the keys it answers need not be looked up in the run. The
    // key indices each segment is asked are ranges of `order`.
    let mut order: Vec<u32> = Vec::new();
    let mut layouts: Vec<Asked<'t>> = Vec::new();
    let mut jobs: Vec<Job<'t>> = Vec::with_capacity(table.segments.len() + table.run.len());
    let mut probes = Probes::with_capacity(n + n / 4);
    let mut hits = Vec::with_capacity(n);
    if !table.segments.is_empty() {
        for segment in &table.segments {
            let start = order.len();
            // The keys asked: the subset, or every key (no copy made of either).
            let asked_keys = || -> Box<dyn Iterator<Item = u32> + '_> {
                match subset {
                    Some(s) => Box::new(s.iter().copied()),
                    None => Box::new(0..n32),
                }
            };
            let hash = |k: u32| hashes.get(k as usize).copied().unwrap_or(0);
            match &segment.filter {
                Some(filter) => {
                    for k in asked_keys() {
                        filter.prefetch(hash(k));
                    }
                    order.extend(asked_keys().filter(|&k| filter.may_contain(hash(k))));
                }
                None => order.extend(asked_keys()),
            }
            if !add_job(
                &mut jobs,
                &mut layouts,
                &mut out,
                &names,
                segment,
                Some(start..order.len()),
            )? {
                return Ok(None);
            }
        }
        let level0 = jobs.as_mut_slice();
        if !lookup(
            level0,
            &order,
            &layouts,
            &query,
            hashes,
            &mut probes,
            &mut found,
            &mut hits,
        )? {
            return Ok(None);
        }
    }

    // The run: the keys level 0 did not answer, each routed to the run segment whose
    // range holds it (one run segment alone: every key, its hash index answers for keys
    // outside its range too).
    let first_run = jobs.len();
    if !table.run.is_empty() {
        let untouched = order.is_empty() && subset.is_none();
        let rest_start = order.len();
        if !untouched {
            match subset {
                Some(s) => order.extend(
                    s.iter()
                        .copied()
                        .filter(|&k| found.get(k as usize) == Some(&false)),
                ),
                None => order.extend((0..n32).filter(|&k| found.get(k as usize) == Some(&false))),
            }
        }
        if let [only] = table.run.as_slice() {
            let which = (!untouched).then_some(rest_start..order.len());
            if !add_job(&mut jobs, &mut layouts, &mut out, &names, only, which)? {
                return Ok(None);
            }
        } else {
            let routed = if untouched {
                super::route::route(&table.run, keys, 0..n32)?
            } else {
                let rest = order.split_off(rest_start);
                super::route::route(&table.run, keys, rest.into_iter())?
            };
            let mut start = order.len();
            order.extend(routed.iter().map(|&(_, k)| k));
            for group in routed.chunk_by(|a, b| a.0 == b.0) {
                let range = start..start + group.len();
                start = range.end;
                if let Some(segment) = group.first().and_then(|&(i, _)| table.run.get(i))
                    && !add_job(
                        &mut jobs,
                        &mut layouts,
                        &mut out,
                        &names,
                        segment,
                        Some(range),
                    )?
                {
                    return Ok(None);
                }
            }
        }
        let run = jobs.get_mut(first_run..).unwrap_or_default();
        if !lookup(
            run,
            &order,
            &layouts,
            &query,
            hashes,
            &mut probes,
            &mut found,
            &mut hits,
        )? {
            return Ok(None);
        }
    }
    let asked = |job: &Job<'_>| layouts.get(job.layout);
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

/// Adds a job for `segment` asked the keys `which` (a range of the read's key order;
/// `None`: every key), resolving its layout of the asked columns (shared with the last
/// job's when it fits); false when the segment cannot answer the direct way.
fn add_job<'t>(
    jobs: &mut Vec<Job<'t>>,
    layouts: &mut Vec<Asked<'t>>,
    out: &mut Scattered<'_>,
    names: &[&str],
    segment: &'t SegmentRef,
    which: Option<Range<usize>>,
) -> Result<bool> {
    let layout = match layouts.last() {
        Some(last) if last.fits(&segment.segment) => layouts.len() - 1,
        _ => {
            let Some(asked) = segment.segment.asked(names)? else {
                return Ok(false);
            };
            if !out.accept(&asked) {
                return Ok(false);
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
    Ok(true)
}

/// The lookups of `jobs`, each stage over every job before the next (so that the cache
/// misses of all their keys overlap as in one segment's lookup), then their hits, newest
/// job first: a key's first hit is its answer (older rows of it are shadowed). False when
/// a segment is not the whole answer for its keys.
#[allow(clippy::too_many_arguments)]
fn lookup(
    jobs: &mut [Job<'_>],
    order: &[u32],
    layouts: &[Asked<'_>],
    query: &QueryKeys<'_>,
    hashes: &[u64],
    probes: &mut Probes,
    found: &mut [bool],
    hits: &mut Vec<(usize, u32)>,
) -> Result<bool> {
    let which = |job: &Job<'_>| job.which.clone().and_then(|r| order.get(r));
    for job in jobs.iter_mut() {
        job.at = job
            .segment
            .segment
            .probe_start(query, which(job), Some(hashes), probes);
    }
    for job in jobs.iter() {
        let groups = layouts.get(job.layout).map_or(&[][..], |a| &a.groups);
        job.segment
            .segment
            .probe_slots(probes, job.at.clone(), groups)?;
    }
    for job in jobs.iter() {
        job.segment.segment.probe_keys(probes, job.at.clone())?;
    }
    for job in jobs.iter() {
        job.segment
            .segment
            .probe_finish(query, which(job), probes, job.at.clone())?;
    }
    for job in jobs.iter_mut() {
        let (Some(rows), Some(layout)) = (probes.rows.get(job.at.clone()), layouts.get(job.layout))
        else {
            return Ok(false);
        };
        let start = hits.len();
        if !job
            .segment
            .segment
            .hits(layout, rows, which(job), deleted(job.segment), found, hits)?
        {
            return Ok(false);
        }
        job.hits = start..hits.len();
    }
    Ok(true)
}

/// The rows `segment`'s deletion vector marks, if any, one bit per row.
fn deleted(segment: &SegmentRef) -> Option<&[u64]> {
    segment
        .deletes
        .as_ref()
        .filter(|d| !d.rows.is_empty())
        .map(|d| &*d.bits)
}
