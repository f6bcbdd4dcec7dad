//! Engine metrics: a caller-allocated struct that carries its size (as
//! `murr_table_stats_t` does), and the same metrics as Prometheus text in a string libmurr
//! allocates and `murr_string_free` frees.

use std::ffi::{CString, c_char};
use std::mem::{offset_of, size_of};

use murr_core::Metrics;

use crate::args::out_arg;
use crate::error::murr_error_t;
use crate::guard::{guard, guard_void};
use crate::handles::{db_arg, murr_db_t};
use crate::sized;
use crate::status::murr_status_t;

/// Buckets of `murr_metrics_t::read_latency_buckets`.
pub const MURR_LATENCY_BUCKETS: usize = 40;
const _: () = assert!(MURR_LATENCY_BUCKETS == murr_core::metrics::BUCKETS);

/// The engine's metrics, filled by `murr_db_metrics`. Caller-allocated; set `size` to
/// `sizeof(murr_metrics_t)` before the call (`murr_metrics_t m = MURR_METRICS_INIT;`).
/// The struct only grows: fields are appended, never moved; libmurr fills those that fit
/// in `size` bytes and sets `size` to how many bytes it filled.
///
/// Counters (`*` below) count since the database was opened and only grow: take the
/// difference of two calls for a rate. Gauges are the state at the call. With metrics
/// switched off in the core (`Options::metrics`), `enabled` is 0 and the counters stay 0.
/// Times are nanoseconds. The meaning of each metric: docs/ENGINE.md, "Metrics".
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct murr_metrics {
    /// In: the bytes the caller's struct holds (`sizeof(murr_metrics_t)`). Out: the bytes
    /// libmurr filled.
    pub size: usize,
    /// 1 if the database records its counters, 0 if they are switched off.
    pub enabled: u64,
    /// Reads that succeeded (`murr_db_read*` and snapshot reads).
    pub reads: u64,
    /// Keys those reads asked for.
    pub read_keys: u64,
    /// Keys those reads did not find.
    pub read_misses: u64,
    /// Bytes those reads returned (Arrow memory of the batches; floats of dense reads).
    pub read_bytes: u64,
    /// Estimated median read latency (ns), from the histogram.
    pub read_latency_p50_ns: u64,
    /// Estimated 99th percentile read latency (ns).
    pub read_latency_p99_ns: u64,
    /// Estimated 99.9th percentile read latency (ns).
    pub read_latency_p999_ns: u64,
    /// Sum of the latencies of all reads (ns); with `reads`, the mean.
    pub read_latency_sum_ns: u64,
    /// Writes that succeeded (batches).
    pub writes: u64,
    /// Rows those writes carried.
    pub write_rows: u64,
    /// Deletes that succeeded (calls).
    pub deletes: u64,
    /// Keys those deletes carried.
    pub delete_keys: u64,
    /// Fsyncs of the write-ahead log.
    pub log_syncs: u64,
    /// Bytes of records appended to the write-ahead log.
    pub log_bytes: u64,
    /// Flushes of memtables to segments.
    pub flushes: u64,
    /// Rows those flushes wrote.
    pub flush_rows: u64,
    /// Bytes of segment files those flushes wrote.
    pub flush_bytes: u64,
    /// Time spent flushing (ns).
    pub flush_ns: u64,
    /// Compactions installed.
    pub compactions: u64,
    /// Bytes of segment files compactions read.
    pub compaction_bytes_read: u64,
    /// Bytes of segment files compactions wrote.
    pub compaction_bytes_written: u64,
    /// Time spent compacting (ns).
    pub compaction_ns: u64,
    /// Writes and deletes held back by back-pressure.
    pub write_stalls: u64,
    /// Time they were held back (ns).
    pub write_stall_ns: u64,
    /// Gauge: estimated bytes in memtables (all tables).
    pub memtable_bytes: u64,
    /// Gauge: entries in memtables (one per key and write).
    pub memtable_rows: u64,
    /// Gauge: segment files.
    pub segments: u64,
    /// Gauge: level-0 segments.
    pub level0_segments: u64,
    /// Gauge: bytes of segment files.
    pub segment_bytes: u64,
    /// Gauge: rows of segments (overwritten rows included).
    pub segment_rows: u64,
    /// The read latency histogram: bucket `i` counts reads that took more than `2^(i-1)`
    /// and at most `2^i` ns (bucket 0: at most 1 ns; the last bucket: everything above
    /// `2^(MURR_LATENCY_BUCKETS-2)` ns). Not cumulative; the sum is `reads`.
    pub read_latency_buckets: [u64; MURR_LATENCY_BUCKETS],
}

/// The metrics struct (`struct murr_metrics`).
#[allow(non_camel_case_types)]
pub type murr_metrics_t = murr_metrics;

impl murr_metrics {
    fn from_core(m: &Metrics, size: usize) -> murr_metrics {
        let h = &m.read_latency;
        murr_metrics {
            size,
            enabled: u64::from(m.enabled),
            reads: m.reads,
            read_keys: m.read_keys,
            read_misses: m.read_misses,
            read_bytes: m.read_bytes,
            read_latency_p50_ns: h.percentile(0.5),
            read_latency_p99_ns: h.percentile(0.99),
            read_latency_p999_ns: h.percentile(0.999),
            read_latency_sum_ns: h.sum_nanos,
            writes: m.writes,
            write_rows: m.write_rows,
            deletes: m.deletes,
            delete_keys: m.delete_keys,
            log_syncs: m.log_syncs,
            log_bytes: m.log_bytes,
            flushes: m.flushes,
            flush_rows: m.flush_rows,
            flush_bytes: m.flush_bytes,
            flush_ns: m.flush_nanos,
            compactions: m.compactions,
            compaction_bytes_read: m.compaction_bytes_read,
            compaction_bytes_written: m.compaction_bytes_written,
            compaction_ns: m.compaction_nanos,
            write_stalls: m.write_stalls,
            write_stall_ns: m.write_stall_nanos,
            memtable_bytes: m.memtable_bytes,
            memtable_rows: m.memtable_rows,
            segments: m.segments,
            level0_segments: m.level0_segments,
            segment_bytes: m.segment_bytes,
            segment_rows: m.segment_rows,
            read_latency_buckets: h.buckets,
        }
    }
}

/// Fills the caller's `*out` with the database's metrics. `out->size` must be set by the
/// caller (see `murr_metrics_t`): smaller than `sizeof(size_t) + sizeof(uint64_t)` is
/// `MURR_INVALID_ARGUMENT`. On success libmurr writes the fields that fit in `out->size`
/// bytes, zeroes the bytes past its own fields up to `out->size`, and sets `out->size` to
/// the bytes it filled; on failure `*out` is left as it was. Thread-safe; cheap enough to
/// call every second.
///
/// # Safety
/// Pointers are NULL or valid as described (`out` writable for `out->size` bytes); `db` a
/// handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_metrics(
    db: *const murr_db_t,
    out: *mut murr_metrics_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            let first = offset_of!(murr_metrics, enabled);
            let given = sized::given_size(
                out,
                first + size_of::<u64>(),
                "murr_metrics_t",
                "MURR_METRICS_INIT",
            )?;
            let db = db_arg(db)?;
            let m = db.metrics()?;
            let filled = sized::filled::<murr_metrics>(given, first);
            sized::write_prefix(out, &murr_metrics::from_core(&m, filled), filled, given);
            Ok(())
        })
    }
}

/// Sets `*out` to the database's metrics in the Prometheus text exposition format
/// (version 0.0.4; names prefixed `murr_`, per-table gauges labelled `table`), for a
/// scrape endpoint.
/// - `out`: set to NULL on entry; on success a NUL-terminated UTF-8 string allocated by
///   libmurr and owned by the caller, who frees it with `murr_string_free` (not `free`).
///
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described; `db` a handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_metrics_prometheus(
    db: *const murr_db_t,
    out: *mut *mut c_char,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            out.write(std::ptr::null_mut());
            let db = db_arg(db)?;
            let text = db.metrics()?.to_prometheus();
            // A table name holding NUL is the only way to one; it prints escaped.
            let text = CString::new(text.replace('\0', "\\0")).unwrap_or_default();
            out.write(text.into_raw());
            Ok(())
        })
    }
}

/// Frees a string libmurr allocated and handed to the caller (such as
/// `murr_db_metrics_prometheus`'s). NULL-safe.
///
/// # Safety
/// `s` is NULL or a string from libmurr that names `murr_string_free` as its release, not
/// freed since.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_string_free(s: *mut c_char) {
    guard_void(|| {
        if !s.is_null() {
            // SAFETY: made by CString::into_raw, by the caller's contract.
            drop(unsafe { CString::from_raw(s) });
        }
    });
}
