//! The engine's metrics (`Db::metrics`) as `murr stats` prints them: text lines and JSON.

use std::io::Write;

use murr_core::Metrics;
use serde_json::{Value, json};

use crate::error::{Failure, Result};

/// Every counter and gauge, times in nanoseconds, with latency percentiles estimated from
/// the histogram (and its non-empty buckets by upper bound).
pub fn to_json(m: &Metrics) -> Value {
    let h = &m.read_latency;
    let buckets: Vec<Value> = h
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| json!({ "le_ns": murr_core::Histogram::upper_bound(i), "count": n }))
        .collect();
    json!({
        "enabled": m.enabled,
        "reads": m.reads,
        "read_keys": m.read_keys,
        "read_misses": m.read_misses,
        "read_bytes": m.read_bytes,
        "read_latency_p50_ns": h.percentile(0.5),
        "read_latency_p99_ns": h.percentile(0.99),
        "read_latency_p999_ns": h.percentile(0.999),
        "read_latency_sum_ns": h.sum_nanos,
        "read_latency_buckets": buckets,
        "writes": m.writes,
        "write_rows": m.write_rows,
        "deletes": m.deletes,
        "delete_keys": m.delete_keys,
        "log_syncs": m.log_syncs,
        "log_bytes": m.log_bytes,
        "flushes": m.flushes,
        "flush_rows": m.flush_rows,
        "flush_bytes": m.flush_bytes,
        "flush_ns": m.flush_nanos,
        "compactions": m.compactions,
        "compaction_bytes_read": m.compaction_bytes_read,
        "compaction_bytes_written": m.compaction_bytes_written,
        "compaction_ns": m.compaction_nanos,
        "write_stalls": m.write_stalls,
        "write_stall_ns": m.write_stall_nanos,
        "memtable_bytes": m.memtable_bytes,
        "memtable_rows": m.memtable_rows,
        "segments": m.segments,
        "level0_segments": m.level0_segments,
        "segment_bytes": m.segment_bytes,
        "segment_rows": m.segment_rows,
    })
}

/// A few lines: gauges first, then the counters of this process's open.
pub fn write_text(out: &mut impl Write, m: &Metrics) -> Result {
    let secs = |ns: u64| ns as f64 / 1e9;
    let lines = [
        "engine (counters count since this command opened the database)".to_owned(),
        format!(
            "  memtables: {} bytes, {} entries",
            m.memtable_bytes, m.memtable_rows
        ),
        format!(
            "  segments:  {} ({} at level 0), {} bytes, {} rows",
            m.segments, m.level0_segments, m.segment_bytes, m.segment_rows
        ),
        format!(
            "  reads:     {} ({} keys, {} missed, {} bytes)",
            m.reads, m.read_keys, m.read_misses, m.read_bytes
        ),
        format!(
            "  writes:    {} ({} rows), deletes {} ({} keys), log {} bytes in {} fsyncs",
            m.writes, m.write_rows, m.deletes, m.delete_keys, m.log_bytes, m.log_syncs
        ),
        format!(
            "  flushes:   {} ({} rows, {} bytes, {:.3} s)",
            m.flushes,
            m.flush_rows,
            m.flush_bytes,
            secs(m.flush_nanos)
        ),
        format!(
            "  compactions: {} ({} bytes read, {} written, {:.3} s); write stalls {} ({:.3} s)",
            m.compactions,
            m.compaction_bytes_read,
            m.compaction_bytes_written,
            secs(m.compaction_nanos),
            m.write_stalls,
            secs(m.write_stall_nanos)
        ),
    ];
    for line in lines {
        writeln!(out, "{line}").map_err(Failure::output)?;
    }
    Ok(())
}
