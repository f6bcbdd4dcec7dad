//! The engine's metrics: counters and a read latency histogram kept as reads, writes,
//! flushes and compactions happen, and gauges of the memtables and segments, returned by
//! [`crate::Db::metrics`] as a [`Metrics`] snapshot and printed in the Prometheus text
//! format by [`Metrics::to_prometheus`].
//!
//! Counters only grow while a database is open (there is no reset: take the difference of
//! two snapshots for a rate) and start at zero at each open. Recording costs a few relaxed
//! atomic adds on a cache line of the calling thread's own stripe and, for reads, two
//! clock reads; `Options::metrics` turns it off. `docs/ENGINE.md` ("Metrics") lists every
//! metric.

mod histogram;
mod prometheus;
pub(crate) mod recorder;

pub use histogram::{BUCKETS, Histogram};

/// A snapshot of a database's metrics, from [`crate::Db::metrics`]. Counters count since
/// the database was opened; gauges are the state at the call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Whether the database records its counters (`Options::metrics`); when false every
    /// counter stays zero and only the gauges move.
    pub enabled: bool,
    /// Reads that succeeded: `Db::read` and `Db::read_f32` calls, and those of snapshots.
    pub reads: u64,
    /// Keys those reads asked for.
    pub read_keys: u64,
    /// Keys those reads did not find (never written, or deleted).
    pub read_misses: u64,
    /// Bytes those reads returned: the Arrow memory of the result batches (for
    /// `read_f32`, the floats written).
    pub read_bytes: u64,
    /// The latency of those reads, from the call to its answer.
    pub read_latency: Histogram,
    /// Writes that succeeded (`Db::write` calls, one per batch of `Db::write_stream`).
    pub writes: u64,
    /// Rows those writes carried.
    pub write_rows: u64,
    /// Deletes that succeeded (`Db::delete` calls).
    pub deletes: u64,
    /// Keys those deletes carried.
    pub delete_keys: u64,
    /// Fsyncs of the write-ahead log (one per group commit that held a synced write, plus
    /// the timer's, a flush's and close's).
    pub log_syncs: u64,
    /// Bytes of the log records writes and deletes appended (before the log's framing).
    pub log_bytes: u64,
    /// Flushes that wrote at least one memtable to segments.
    pub flushes: u64,
    /// Rows those flushes wrote (one per key and memtable).
    pub flush_rows: u64,
    /// Bytes of the segment files those flushes wrote.
    pub flush_bytes: u64,
    /// Time spent in those flushes, in nanoseconds.
    pub flush_nanos: u64,
    /// Compactions installed (one per table merged).
    pub compactions: u64,
    /// Bytes of the segment files those compactions read.
    pub compaction_bytes_read: u64,
    /// Bytes of the segment files those compactions wrote.
    pub compaction_bytes_written: u64,
    /// Time spent in those compactions, in nanoseconds.
    pub compaction_nanos: u64,
    /// Writes and deletes held back by back-pressure (slowed or stopped while flushes or
    /// compactions fall behind).
    pub write_stalls: u64,
    /// Time those writes were held back, in nanoseconds.
    pub write_stall_nanos: u64,
    /// Gauge: estimated bytes in the memtables of every table.
    pub memtable_bytes: u64,
    /// Gauge: entries in the memtables of every table (one per key and write).
    pub memtable_rows: u64,
    /// Gauge: segment files of every table.
    pub segments: u64,
    /// Gauge: level-0 segments of every table.
    pub level0_segments: u64,
    /// Gauge: bytes of every segment file.
    pub segment_bytes: u64,
    /// Gauge: rows of every segment (overwritten rows included).
    pub segment_rows: u64,
    /// The gauges per table, in creation order.
    pub tables: Vec<TableMetrics>,
}

/// The gauges of one table, in [`Metrics::tables`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableMetrics {
    /// The table's name.
    pub name: String,
    /// Estimated bytes in the table's memtables.
    pub memtable_bytes: u64,
    /// Entries in the table's memtables (one per key and write).
    pub memtable_rows: u64,
    /// Segment files of the table (level 0 and the run).
    pub segments: u64,
    /// Level-0 segments of the table.
    pub level0_segments: u64,
    /// Bytes of the table's segment files.
    pub segment_bytes: u64,
    /// Rows of the table's segments (overwritten rows included).
    pub segment_rows: u64,
    /// Rows of the table's segments that deletion vectors mark deleted or superseded.
    pub deleted_rows: u64,
}

impl Metrics {
    /// The estimated `q` quantile (0.0 to 1.0) of read latency in nanoseconds (see
    /// [`Histogram::percentile`]).
    pub fn read_latency_percentile(&self, q: f64) -> u64 {
        self.read_latency.percentile(q)
    }
}
