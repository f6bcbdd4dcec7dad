//! The compaction planner: which segments a compaction merges, from metadata alone.
//!
//! [`plan`] is a pure function of a table's segments as the version lists them (each
//! level-0 segment's key range and size; each run segment's key range, rows, size, deleted
//! rows and whether it holds partial rows) and of [`PlanOptions`]. Every level-0 segment is
//! merged; of the run, only these segments are rewritten with them:
//!
//! - **overlapped**: its key range meets a level-0 segment's key range (a level-0 key may
//!   land in it, so it cannot stay as is and keep the run's ranges disjoint);
//! - **garbage**: its deletion vector marks at least [`PlanOptions::garbage_ratio`] of its
//!   rows (with [`PlanOptions::full`]: any row, or it holds partial rows or tombstones);
//! - **empty**: it holds no key;
//! - **small neighbour**: it is smaller than half of [`PlanOptions::target_bytes`] and next
//!   to a rewritten segment or to a gap of the run that level-0 keys fall in (so that
//!   repeated compactions of new keys past the end, or of a narrow range, do not leave a
//!   trail of small files).
//!
//! With a [`PlanOptions::run_rewrite_ratio`] (tiered level 0), when the run segments so
//! chosen weigh more than the ratio times level 0, the run stays as it is and the level-0
//! segments are merged into one sorted group of level-0 segments instead — if that makes
//! fewer of them, else nothing is done — until level 0 reaches
//! [`PlanOptions::level0_limit`] segments.
//!
//! Every other run segment keeps its file and deletion vector. The merge cuts its output
//! files before the first key of each kept segment ([`Plan::split_before`]), so the new run
//! — kept segments and outputs — is again in key order with disjoint ranges. Keys of the
//! merge never fall inside a kept segment's range: each one comes from a level-0 segment
//! (whose range meets no kept segment) or from a rewritten run segment.

/// What the planner knows of a level-0 segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Level0Info<K> {
    /// Its first and last key (`None`: it holds no row).
    pub(crate) range: Option<(K, K)>,
    /// Its size in bytes.
    pub(crate) bytes: u64,
}

/// What the planner knows of a run segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunInfo<K> {
    /// Its first and last key (`None`: it holds no row).
    pub(crate) range: Option<(K, K)>,
    /// Its rows.
    pub(crate) rows: u64,
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// The rows its deletion vector marks.
    pub(crate) deleted_rows: u64,
    /// Whether it holds partial rows or tombstones (an ingest can put such rows in the
    /// run; a compaction's outputs never hold any).
    pub(crate) partial: bool,
}

/// How [`plan`] chooses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlanOptions {
    /// A full compaction (`Db::compact`): every run segment with a deleted row, a partial
    /// row or a tombstone is rewritten too, so that none is left.
    pub(crate) full: bool,
    /// The fraction of deleted rows from which a run segment is rewritten anyway.
    pub(crate) garbage_ratio: f64,
    /// The size of an output file ([`super::MergeOptions::target_segment_bytes`]).
    pub(crate) target_bytes: u64,
    /// Tiered level 0 (`Options::run_rewrite_ratio`): the most run bytes rewritten per
    /// level-0 byte; above it, level 0 is merged into itself.
    pub(crate) run_rewrite_ratio: Option<u32>,
    /// From this many level-0 segments on, level 0 goes into the run whatever it costs
    /// (`Options::l0_slowdown_writes`).
    pub(crate) level0_limit: usize,
}

/// A compaction to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan<K> {
    /// The level-0 segments to merge: the first `level0` of the table's (all of them).
    pub(crate) level0: usize,
    /// Whether the merge goes into the run (`false`: tiered, its outputs are level-0
    /// segments and [`Plan::rewrite`] is empty).
    pub(crate) into_run: bool,
    /// The run segments to rewrite (indices into the run, ascending).
    pub(crate) rewrite: Vec<usize>,
    /// The run segments that stay as they are (indices, ascending).
    pub(crate) keep: Vec<usize>,
    /// The first key of every kept segment that holds one, ascending: the merge finishes
    /// its output file before any of them.
    pub(crate) split_before: Vec<K>,
}

/// The default of [`PlanOptions::garbage_ratio`]: a run segment of which a fifth of the
/// rows is deleted is rewritten at the next compaction of its table.
pub(crate) const GARBAGE_RATIO: f64 = 0.2;

/// Whether the closed ranges `a` and `b` share a key.
fn overlaps<K: Ord>(a: &(K, K), b: &(K, K)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// Chooses a compaction of a table whose level 0 is `level0` (newest first) and whose run
/// is `run` (in key order, disjoint ranges); `None` when nothing is worth merging. See the
/// module docs.
pub(crate) fn plan<K: Ord + Clone>(
    level0: &[Level0Info<K>],
    run: &[RunInfo<K>],
    options: &PlanOptions,
) -> Option<Plan<K>> {
    let ranges: Vec<&(K, K)> = level0.iter().filter_map(|s| s.range.as_ref()).collect();
    let mut rewrite: Vec<bool> = run
        .iter()
        .map(|s| {
            let Some(range) = &s.range else {
                return true;
            };
            let garbage = if options.full {
                s.deleted_rows > 0 || s.partial
            } else {
                s.rows > 0 && s.deleted_rows as f64 >= options.garbage_ratio * s.rows as f64
            };
            garbage || ranges.iter().any(|r| overlaps(r, range))
        })
        .collect();
    // Small neighbours: next to a rewritten segment, or to a gap that level-0 keys fall
    // in. One pass over the choice above (no cascade).
    let small = options.target_bytes / 2;
    let chosen = rewrite.clone();
    for (i, s) in run.iter().enumerate() {
        let Some(range) = &s.range else {
            continue;
        };
        if chosen.get(i).copied().unwrap_or(true) || s.bytes >= small {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| run.get(j));
        let after = run.get(i + 1);
        let next_to_rewritten = (i > 0 && chosen.get(i - 1).copied().unwrap_or(false))
            || chosen.get(i + 1).copied().unwrap_or(false);
        // The gap before: keys above the previous segment's last and below this first.
        let gap_before = ranges.iter().any(|r| {
            r.0 < range.0
                && before
                    .and_then(|b| b.range.as_ref())
                    .is_none_or(|(_, last)| r.1 > *last)
        });
        let gap_after = ranges.iter().any(|r| {
            r.1 > range.1
                && after
                    .and_then(|a| a.range.as_ref())
                    .is_none_or(|(first, _)| r.0 < *first)
        });
        if (next_to_rewritten || gap_before || gap_after)
            && let Some(slot) = rewrite.get_mut(i)
        {
            *slot = true;
        }
    }
    let (rewrite, keep): (Vec<usize>, Vec<usize>) =
        (0..run.len()).partition(|&i| rewrite.get(i).copied().unwrap_or(true));
    if level0.is_empty() && rewrite.is_empty() {
        return None;
    }
    if let Some(ratio) = options.run_rewrite_ratio
        && !level0.is_empty()
        && level0.len() < options.level0_limit
    {
        let level0_bytes: u64 = level0.iter().map(|s| s.bytes).sum();
        let rewrite_bytes: u64 = rewrite
            .iter()
            .filter_map(|&i| run.get(i))
            .map(|s| s.bytes)
            .sum();
        if rewrite_bytes > level0_bytes.saturating_mul(u64::from(ratio)) {
            // Tiered: merge level 0 into itself if that leaves fewer segments.
            let files = level0_bytes.div_ceil(options.target_bytes.max(1)).max(1);
            if files >= level0.len() as u64 {
                return None;
            }
            return Some(Plan {
                level0: level0.len(),
                into_run: false,
                rewrite: Vec::new(),
                keep: (0..run.len()).collect(),
                split_before: Vec::new(),
            });
        }
    }
    let split_before = keep
        .iter()
        .filter_map(|&i| run.get(i).and_then(|s| s.range.as_ref()))
        .map(|(first, _)| first.clone())
        .collect();
    Some(Plan {
        level0: level0.len(),
        into_run: true,
        rewrite,
        keep,
        split_before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    fn options(full: bool) -> PlanOptions {
        PlanOptions {
            full,
            garbage_ratio: GARBAGE_RATIO,
            target_bytes: 64 * MB,
            run_rewrite_ratio: None,
            level0_limit: 8,
        }
    }

    fn l0(lo: u64, hi: u64) -> Level0Info<u64> {
        Level0Info {
            range: Some((lo, hi)),
            bytes: MB,
        }
    }

    /// A run segment of 100 rows, 64 MiB, holding keys `lo..=hi`.
    fn seg(lo: u64, hi: u64) -> RunInfo<u64> {
        RunInfo {
            range: Some((lo, hi)),
            rows: 100,
            bytes: 64 * MB,
            deleted_rows: 0,
            partial: false,
        }
    }

    /// Ten run segments: keys 0..=99, 100..=199, ..., 900..=999.
    fn run10() -> Vec<RunInfo<u64>> {
        (0..10).map(|i| seg(i * 100, i * 100 + 99)).collect()
    }

    #[test]
    fn nothing_to_do() {
        assert_eq!(plan::<u64>(&[], &[], &options(true)), None);
        assert_eq!(plan(&[], &run10(), &options(true)), None);
        assert_eq!(plan(&[], &run10(), &options(false)), None);
    }

    #[test]
    fn empty_run_merges_level0() {
        let p = plan(&[l0(5, 50), l0(0, 10)], &[], &options(false)).unwrap();
        assert_eq!(p.level0, 2);
        assert!(p.into_run);
        assert!(p.rewrite.is_empty() && p.keep.is_empty() && p.split_before.is_empty());
    }

    #[test]
    fn disjoint_new_data_rewrites_only_the_overlapped() {
        let p = plan(&[l0(150, 160), l0(420, 510)], &run10(), &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![1, 4, 5]);
        assert_eq!(p.keep, vec![0, 2, 3, 6, 7, 8, 9]);
        assert_eq!(p.split_before, vec![0, 200, 300, 600, 700, 800, 900]);
    }

    #[test]
    fn range_ends_touch() {
        // A level-0 range ending on a run segment's first key overlaps it.
        let p = plan(&[l0(99, 100)], &run10(), &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![0, 1]);
    }

    #[test]
    fn new_keys_past_the_end() {
        // The last segment is full-sized: it stays, the new keys make a file of their own.
        let p = plan(&[l0(1000, 2000)], &run10(), &options(false)).unwrap();
        assert!(p.rewrite.is_empty());
        assert_eq!(p.keep.len(), 10);
        assert_eq!(p.split_before.last(), Some(&900));
        // A small last segment is merged with them.
        let mut run = run10();
        run[9].bytes = MB;
        let p = plan(&[l0(1000, 2000)], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![9]);
        // New keys in a gap between two segments.
        let mut run = run10();
        run[3] = seg(300, 349);
        run[3].bytes = MB;
        let p = plan(&[l0(360, 370)], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![3]);
    }

    #[test]
    fn everything_overlapping_rewrites_the_whole_run() {
        // W2: every tenth key upserted: one level-0 segment spanning the key space.
        let p = plan(&[l0(3, 993)], &run10(), &options(false)).unwrap();
        assert_eq!(p.rewrite, (0..10).collect::<Vec<_>>());
        assert!(p.keep.is_empty() && p.split_before.is_empty());
    }

    #[test]
    fn garbage_threshold() {
        let mut run = run10();
        run[2].deleted_rows = 19;
        run[7].deleted_rows = 20;
        run[8].partial = true;
        let p = plan(&[l0(150, 160)], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![1, 7]);
        // Without new data too.
        let p = plan(&[], &run, &options(false)).unwrap();
        assert_eq!((p.level0, p.rewrite.clone()), (0, vec![7]));
        // A full compaction leaves no deleted row, partial row or tombstone.
        let p = plan(&[], &run, &options(true)).unwrap();
        assert_eq!(p.rewrite, vec![2, 7, 8]);
    }

    #[test]
    fn empty_run_segments_are_dropped() {
        let mut run = run10();
        run[4].range = None;
        let p = plan(&[], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![4]);
        assert_eq!(p.split_before.len(), 9);
    }

    #[test]
    fn small_neighbours_of_a_rewrite_join_it() {
        let mut run = run10();
        run[2].bytes = 31 * MB;
        run[6].bytes = 32 * MB; // Half the target: not small.
        let p = plan(&[l0(150, 160), l0(520, 530)], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![1, 2, 5]);
        // No cascade: segment 3, small too, is next to 2 only.
        run[3].bytes = MB;
        let p = plan(&[l0(150, 160)], &run, &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![1, 2]);
    }

    #[test]
    fn output_target_is_respected_by_splits() {
        // Every kept segment's first key is a split, so no output spans a kept segment.
        let p = plan(&[l0(50, 60), l0(950, 960)], &run10(), &options(false)).unwrap();
        assert_eq!(p.rewrite, vec![0, 9]);
        assert_eq!(
            p.split_before,
            (2..10).map(|i| i * 100 - 100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn tiered_level0_leaves_the_run_when_it_would_cost_more_than_the_ratio() {
        let tiered = |ratio| PlanOptions {
            run_rewrite_ratio: Some(ratio),
            ..options(true)
        };
        // W2: one level-0 segment of 64 MiB over a run of ten times that: nothing to do
        // at ratio 8 (one segment cannot become fewer), the whole run at ratio 10.
        let mut w2 = l0(3, 993);
        w2.bytes = 64 * MB;
        assert_eq!(plan(&[w2.clone()], &run10(), &tiered(8)), None);
        let p = plan(&[w2.clone()], &run10(), &tiered(10)).unwrap();
        assert!(p.into_run && p.rewrite.len() == 10);
        // Three small level-0 segments: merged into one level-0 segment, the run kept.
        let small = [l0(3, 993), l0(5, 995), l0(7, 997)];
        let p = plan(&small, &run10(), &tiered(8)).unwrap();
        assert!(!p.into_run && p.rewrite.is_empty() && p.keep.len() == 10);
        assert_eq!(p.level0, 3);
        // A narrow range is cheap to merge into the run: it goes there.
        let mut narrow = l0(150, 160);
        assert_eq!(plan(&[narrow.clone()], &run10(), &tiered(8)), None);
        narrow.bytes = 8 * MB;
        let p = plan(&[narrow], &run10(), &tiered(8)).unwrap();
        assert!(p.into_run);
        assert_eq!(p.rewrite, vec![1]);
        // At the level-0 limit, into the run whatever it costs.
        let many: Vec<_> = (0..8).map(|i| l0(i, 990 + i)).collect();
        let p = plan(&many, &run10(), &tiered(8)).unwrap();
        assert!(p.into_run && p.rewrite.len() == 10);
        // Garbage alone (no level 0) is rewritten whatever the ratio.
        let mut run = run10();
        run[4].deleted_rows = 50;
        let p = plan(&[], &run, &tiered(1)).unwrap();
        assert_eq!((p.into_run, p.rewrite.clone()), (true, vec![4]));
    }
}
