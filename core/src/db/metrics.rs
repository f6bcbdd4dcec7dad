//! The database's side of its metrics: counting reads around the read paths, and
//! [`Db::metrics`], which adds the log's fsyncs and the gauges of the current version to
//! the counters.

use std::sync::PoisonError;

use arrow_array::{Array, RecordBatch};

use super::Db;
use crate::Result;
use crate::metrics::recorder::Recorder;
use crate::metrics::{Metrics, TableMetrics};

/// Runs `read` of `keys` and counts it (keys, misses, the batch's bytes, the latency) if
/// it succeeds.
#[inline]
pub(crate) fn batch_read(
    recorder: &Recorder,
    keys: &dyn Array,
    read: impl FnOnce() -> Result<(RecordBatch, Vec<bool>)>,
) -> Result<(RecordBatch, Vec<bool>)> {
    let start = recorder.start();
    let answer = read()?;
    if start.is_some() {
        let misses = answer.1.iter().filter(|&&f| !f).count();
        recorder.read(start, keys.len(), misses, answer.0.get_array_memory_size());
    }
    Ok(answer)
}

/// Runs `read` of `keys` into `out` (a dense read) and counts it if it succeeds.
#[inline]
pub(crate) fn dense_read(
    recorder: &Recorder,
    keys: &dyn Array,
    out_len: usize,
    read: impl FnOnce() -> Result<Vec<bool>>,
) -> Result<Vec<bool>> {
    let start = recorder.start();
    let found = read()?;
    if start.is_some() {
        let misses = found.iter().filter(|&&f| !f).count();
        recorder.read(start, keys.len(), misses, out_len * size_of::<f32>());
    }
    Ok(found)
}

impl Db {
    /// A snapshot of the database's metrics: counters since it was opened (reads, keys,
    /// misses, read latency, bytes read, writes, rows, deletes, log fsyncs and bytes,
    /// flushes, compactions, write stalls) and gauges of its memtables and segments, in
    /// total and per table. Cheap (it sums a few KiB of counters and walks the current
    /// version); counters only grow. [`Metrics::to_prometheus`] prints it for a scrape
    /// endpoint. With `Options::metrics` off the counters stay zero and the gauges are
    /// still filled.
    pub fn metrics(&self) -> Result<Metrics> {
        let inner = &self.inner;
        inner.check_open()?;
        let (c, log_syncs) = {
            // A flush moves the log's fsyncs into the retired count under the exclusive
            // gate: holding it shared sees them in one place or the other, never both or
            // neither.
            let _gate = inner.gate.read().unwrap_or_else(PoisonError::into_inner);
            let c = inner.metrics.snapshot();
            let syncs = if inner.metrics.enabled() {
                c.retired_log_syncs + inner.wal.load().sync_count()
            } else {
                0
            };
            (c, syncs)
        };
        let version = inner.current.load();
        let tables: Vec<TableMetrics> = version
            .tables
            .iter()
            .map(|t| {
                let memtables = std::iter::once(&t.active).chain(&t.frozen);
                TableMetrics {
                    name: t.name.clone(),
                    memtable_bytes: memtables.clone().map(|m| m.approx_bytes() as u64).sum(),
                    memtable_rows: memtables.map(|m| m.len() as u64).sum(),
                    segments: (t.segments.len() + t.run.len()) as u64,
                    level0_segments: t.segments.len() as u64,
                    segment_bytes: t.all_segments().map(|s| s.meta.bytes).sum(),
                    segment_rows: t.all_segments().map(|s| s.meta.rows).sum(),
                    deleted_rows: t
                        .all_segments()
                        .filter_map(|s| s.meta.deletes.map(|d| d.rows))
                        .sum(),
                }
            })
            .collect();
        Ok(Metrics {
            enabled: inner.metrics.enabled(),
            reads: c.reads,
            read_keys: c.read_keys,
            read_misses: c.read_misses,
            read_bytes: c.read_bytes,
            read_latency: c.read_latency,
            writes: c.writes,
            write_rows: c.write_rows,
            deletes: c.deletes,
            delete_keys: c.delete_keys,
            log_syncs,
            log_bytes: c.log_bytes,
            flushes: c.flushes,
            flush_rows: c.flush_rows,
            flush_bytes: c.flush_bytes,
            flush_nanos: c.flush_nanos,
            compactions: c.compactions,
            compaction_bytes_read: c.compaction_bytes_read,
            compaction_bytes_written: c.compaction_bytes_written,
            compaction_nanos: c.compaction_nanos,
            write_stalls: c.write_stalls,
            write_stall_nanos: c.write_stall_nanos,
            memtable_bytes: tables.iter().map(|t| t.memtable_bytes).sum(),
            memtable_rows: tables.iter().map(|t| t.memtable_rows).sum(),
            segments: tables.iter().map(|t| t.segments).sum(),
            level0_segments: tables.iter().map(|t| t.level0_segments).sum(),
            segment_bytes: tables.iter().map(|t| t.segment_bytes).sum(),
            segment_rows: tables.iter().map(|t| t.segment_rows).sum(),
            tables,
        })
    }
}
