//! Compaction: merging a table's segments into one sorted run.
//!
//! The policy (`docs/ENGINE.md`, "Compaction"): two levels. Level 0 holds the segments
//! flushes write (key ranges overlap, newest first); level 1 is one sorted run of
//! segments with disjoint key ranges. When a table has
//! [`Options::l0_compaction_trigger`](super::Options::l0_compaction_trigger) level-0
//! segments, the planner ([`crate::compact::plan`]) chooses from the segments' metadata
//! which run segments to rewrite with every level-0 segment (those the level-0 key ranges
//! meet, garbage, small neighbours); the others keep their files (tombstones dropped:
//! nothing older holds the merged keys). With
//! [`Options::run_rewrite_ratio`](super::Options::run_rewrite_ratio) it may instead merge
//! level 0 into itself (tiered). The merge streams (bounded memory) without
//! holding any lock; the result is installed with a manifest commit under the meta lock,
//! keeping the level-0 segments that flushes added meanwhile (they are newer than every
//! input). The replaced segments are retired: their files go when no snapshot reads them.

use std::path::PathBuf;
use std::sync::Arc;

use super::version::{SegmentRef, TableVersion, Version};
use super::{Inner, Meta};
use crate::compact::plan::{GARBAGE_RATIO, Level0Info, Plan, PlanOptions, RunInfo, plan};
use crate::compact::{MergeInput, MergeOptions, MergeOutput, merge};
use crate::dir::{self, FileKind};
use crate::manifest::{self, Manifest, SegmentMeta};
use crate::segment::SortKey;
use crate::{Error, Result};

/// Why a compaction is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A worker's regular check: level 0 at the trigger.
    Trigger,
    /// Writes have been quiet for [`Options::idle_compaction_after`](super::Options):
    /// any level-0 segment, so that reads come back to one probe per key.
    Idle,
    /// [`super::Db::compact`]: anything not in the run, or a run segment with deleted rows
    /// or tombstones.
    Full,
}

/// Whether table `t` wants a compaction for `reason`.
pub(crate) fn wanted(inner: &Inner, t: &TableVersion, reason: Reason) -> bool {
    match reason {
        Reason::Trigger => t.segments.len() >= inner.options.l0_compaction_trigger.max(1),
        Reason::Idle => !t.segments.is_empty(),
        Reason::Full => {
            !t.segments.is_empty()
                || t.run
                    .iter()
                    .any(|s| s.has_deletes() || s.segment.has_partial_rows())
        }
    }
}

/// Compacts table `id` if it wants it (see [`wanted`]); returns whether it did. Runs on
/// the calling thread; one compaction per table at a time (the caller sees to it).
pub(crate) fn compact_table(inner: &Inner, id: u64, reason: Reason) -> Result<bool> {
    let version = inner.current.load_full();
    let Some(t) = version.tables.iter().find(|t| t.id == id) else {
        return Ok(false);
    };
    if !wanted(inner, t, reason) {
        return Ok(false);
    }
    let Some(plan) = plan_for(inner, t, reason) else {
        return Ok(false);
    };
    let start = inner.metrics.start();
    // Newest first: the level-0 segments, then the run segments rewritten (their ranges
    // are disjoint, so their order among themselves does not matter).
    let inputs: Vec<Arc<SegmentRef>> = t
        .segments
        .iter()
        .take(plan.level0)
        .chain(plan.rewrite.iter().filter_map(|&i| t.run.get(i)))
        .cloned()
        .collect();
    // Rows the deletion vectors mark are hidden by level-0 rows among the inputs: dropped.
    let segments: Vec<MergeInput<'_>> = inputs
        .iter()
        .map(|s| MergeInput {
            segment: &s.segment,
            deleted: s.deletes.as_ref().map(|d| d.rows.bitmap()),
        })
        .collect();
    let options = MergeOptions {
        target_segment_bytes: inner.options.target_segment_bytes.max(1),
        chunk_rows: inner.options.compaction_chunk_rows.max(1),
        // Into the run: no key of the merge lies in a kept run segment's range (see
        // `compact::plan`), so nothing older than the inputs holds any of their keys. Into
        // level 0: the run is older, so tombstones and partial rows stay.
        drop_tombstones: plan.into_run,
        split_before: plan.split_before,
    };
    let mut numbers: Vec<u64> = Vec::new();
    let next_path = || -> Result<PathBuf> {
        let mut meta = inner.meta();
        let n = meta.next_file;
        meta.next_file += 1;
        drop(meta);
        numbers.push(n);
        Ok(inner.dir.join(dir::name(FileKind::Segment, n)))
    };
    let outputs = match merge(
        &segments,
        Arc::clone(&t.schema),
        t.key_name(),
        &options,
        next_path,
    ) {
        Ok(outputs) => outputs,
        Err(e) => {
            dir::remove_numbered(&inner.dir, FileKind::Segment, &numbers);
            return Err(e);
        }
    };
    let min_seq = inputs.iter().map(|s| s.meta.min_seq).min().unwrap_or(0);
    let max_seq = inputs.iter().map(|s| s.meta.max_seq).max().unwrap_or(0);
    let level = u8::from(plan.into_run);
    let run = match open_outputs(inner, &outputs, &numbers, level, min_seq, max_seq) {
        Ok(run) => run,
        Err(e) => {
            dir::remove_numbered(&inner.dir, FileKind::Segment, &numbers);
            return Err(e);
        }
    };
    let mut meta = inner.meta();
    let installed = if plan.into_run {
        install(inner, &mut meta, id, &inputs, run)
    } else {
        install_into(inner, &mut meta, id, &inputs, run, false)
    };
    drop(meta);
    match installed {
        Ok(Some(replaced)) => {
            for s in &replaced {
                s.retire();
            }
            inner.metrics.compaction(
                start,
                inputs.iter().map(|s| s.meta.bytes).sum(),
                outputs.iter().map(|o| o.info.bytes).sum(),
            );
            Ok(true)
        }
        Ok(None) => {
            dir::remove_numbered(&inner.dir, FileKind::Segment, &numbers);
            Ok(false)
        }
        Err(e) => {
            dir::remove_numbered(&inner.dir, FileKind::Segment, &numbers);
            Err(e)
        }
    }
}

/// The compaction table `t` wants for `reason`, from its segments' metadata (see
/// [`crate::compact::plan`]).
fn plan_for(inner: &Inner, t: &TableVersion, reason: Reason) -> Option<Plan<SortKey>> {
    let level0: Vec<Level0Info<SortKey>> = t
        .segments
        .iter()
        .map(|s| Level0Info {
            range: s.range.clone(),
            bytes: s.meta.bytes,
        })
        .collect();
    let run: Vec<RunInfo<SortKey>> = t
        .run
        .iter()
        .map(|s| RunInfo {
            range: s.range.clone(),
            rows: s.meta.rows,
            bytes: s.meta.bytes,
            deleted_rows: s.deletes.as_ref().map_or(0, |d| d.rows.len()),
            partial: s.segment.has_partial_rows(),
        })
        .collect();
    let options = PlanOptions {
        full: reason == Reason::Full,
        garbage_ratio: GARBAGE_RATIO,
        target_bytes: inner.options.target_segment_bytes.max(1) as u64,
        run_rewrite_ratio: inner.options.run_rewrite_ratio,
        level0_limit: inner.options.l0_slowdown_writes.max(2),
    };
    plan(&level0, &run, &options)
}

/// Opens the files of a merge (`outputs`, numbered `numbers`) as the segments of a run
/// holding writes numbered `min_seq` to `max_seq`. The caller removes the files on error.
pub(crate) fn open_run(
    inner: &Inner,
    outputs: &[MergeOutput],
    numbers: &[u64],
    min_seq: u64,
    max_seq: u64,
) -> Result<Vec<Arc<SegmentRef>>> {
    open_outputs(inner, outputs, numbers, 1, min_seq, max_seq)
}

/// [`open_run`] at `level` (0: a tiered level-0 merge, whose segments get key filters).
fn open_outputs(
    inner: &Inner,
    outputs: &[MergeOutput],
    numbers: &[u64],
    level: u8,
    min_seq: u64,
    max_seq: u64,
) -> Result<Vec<Arc<SegmentRef>>> {
    let mut run = Vec::with_capacity(outputs.len());
    for (out, &number) in outputs.iter().zip(numbers) {
        let meta = SegmentMeta {
            file_number: number,
            level,
            rows: out.info.rows,
            bytes: out.info.bytes,
            min_seq,
            max_seq,
            deletes: None,
        };
        run.push(Arc::new(SegmentRef::open(
            meta,
            &inner.dir,
            Arc::clone(&inner.graveyard),
        )?));
    }
    Ok(run)
}

/// Replaces `inputs` of table `id` with `run` (segments of the run, beside the run segments
/// that are not inputs) in a new manifest and version; returns the replaced entries of the
/// version it replaced (to retire), or `None` if the table was dropped meanwhile. Level-0
/// segments that are not among `inputs` stay in front of the run. The caller holds `meta`
/// and no other compaction of the table runs.
pub(crate) fn install(
    inner: &Inner,
    meta: &mut Meta,
    id: u64,
    inputs: &[Arc<SegmentRef>],
    run: Vec<Arc<SegmentRef>>,
) -> Result<Option<Vec<Arc<SegmentRef>>>> {
    install_into(inner, meta, id, inputs, run, true)
}

/// [`install`], with `outputs` going into the run (`into_run`) or at the end of level 0
/// (a tiered merge of level-0 segments: flushes meanwhile put theirs in front, newer).
fn install_into(
    inner: &Inner,
    meta: &mut Meta,
    id: u64,
    inputs: &[Arc<SegmentRef>],
    outputs: Vec<Arc<SegmentRef>>,
    into_run: bool,
) -> Result<Option<Vec<Arc<SegmentRef>>>> {
    let current = inner.current.load_full();
    let Some(t) = current.tables.iter().find(|t| t.id == id) else {
        return Ok(None);
    };
    // By file number: a flush may have given an input a new deletion vector meanwhile
    // (its marks come from level-0 segments the new version keeps, so dropping them with
    // the input loses nothing a read needs).
    let replaced = |s: &Arc<SegmentRef>| {
        inputs
            .iter()
            .any(|i| i.meta.file_number == s.meta.file_number)
    };
    let gone: Vec<Arc<SegmentRef>> = t.all_segments().filter(|s| replaced(s)).cloned().collect();
    if gone.len() != inputs.len() {
        return Err(Error::InvalidManifest(format!(
            "table '{}': a compaction's inputs changed under it",
            t.name
        )));
    }
    let mut level0: Vec<Arc<SegmentRef>> = t
        .segments
        .iter()
        .filter(|s| !replaced(s))
        .cloned()
        .collect();
    let (run, level0_outputs) = if into_run {
        (outputs, Vec::new())
    } else {
        (Vec::new(), outputs)
    };
    level0.extend(level0_outputs);
    let mut table = t.with(Arc::clone(&t.active), t.frozen.clone(), level0);
    // The run segments the compaction kept (as the current version lists them: a flush
    // may have marked rows in their deletion vectors meanwhile), and its outputs, in key
    // order: their ranges are disjoint.
    let mut next_run: Vec<Arc<SegmentRef>> =
        t.run.iter().filter(|s| !replaced(s)).cloned().collect();
    next_run.extend(run);
    next_run.sort_by(|a, b| a.range.cmp(&b.range));
    table.run = next_run;
    let table = Arc::new(table);
    let tables: Vec<Arc<TableVersion>> = current
        .tables
        .iter()
        .map(|x| {
            if x.id == id {
                Arc::clone(&table)
            } else {
                Arc::clone(x)
            }
        })
        .collect();
    let next = Manifest {
        number: meta.manifest.number + 1,
        last_flushed_seq: meta.manifest.last_flushed_seq,
        next_file_number: meta.next_file,
        tables: tables.iter().map(|t| t.meta()).collect::<Result<_>>()?,
    };
    manifest::commit(&inner.dir, &next)?;
    meta.manifest = next;
    inner.current.store(Arc::new(Version { tables }));
    Ok(Some(gone))
}
