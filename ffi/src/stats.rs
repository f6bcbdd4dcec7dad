//! Table statistics: a caller-allocated struct that carries its size, so that later
//! versions can add fields.

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

use crate::args::{out_arg, str_arg};
use crate::error::murr_error_t;
use crate::guard::guard;
use crate::handles::{db_arg, murr_db_t};
use crate::sized;
use crate::status::murr_status_t;

/// The statistics of one table, filled by `murr_db_table_stats`. Caller-allocated; set
/// `size` to `sizeof(murr_table_stats_t)` before the call (`murr_table_stats_t s =
/// MURR_TABLE_STATS_INIT;`). The struct only grows: fields are appended, never moved, and
/// libmurr fills those that fit in `size` bytes, then sets `size` to how many bytes it
/// filled (a program built against a newer header, run with an older libmurr, finds its
/// newer fields zero and `size` smaller than its `sizeof`).
///
/// A snapshot of counters that move with flushes and compactions; for monitoring and
/// tests, not for decisions that need them exact.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct murr_table_stats {
    /// In: the bytes the caller's struct holds (`sizeof(murr_table_stats_t)`). Out: the
    /// bytes libmurr filled.
    pub size: usize,
    /// Segment files of the table, at level 0 and in the sorted run.
    pub segments: u64,
    /// Segments at level 0 (flushed, key ranges overlapping; compaction merges them into
    /// the sorted run).
    pub level0_segments: u64,
    /// Rows in all segments (a key written again since its last compaction counts twice;
    /// rows still in memtables are not counted).
    pub segment_rows: u64,
    /// Bytes of all segment files.
    pub segment_bytes: u64,
    /// Rows of segments marked deleted or superseded by deletion vectors (reads skip them;
    /// the next compaction drops them).
    pub deleted_rows: u64,
    /// Estimated bytes held in memtables (not yet flushed).
    pub memtable_bytes: u64,
}

/// The statistics struct (`struct murr_table_stats`).
#[allow(non_camel_case_types)]
pub type murr_table_stats_t = murr_table_stats;

/// Fills the caller's `*out` with the statistics of table `table` (borrowed NUL-terminated
/// UTF-8). `out->size` must be set by the caller (see `murr_table_stats_t`): smaller than
/// `sizeof(size_t) + sizeof(uint64_t)` is `MURR_INVALID_ARGUMENT`. On success libmurr writes
/// the fields that fit in `out->size` bytes, zeroes the bytes past its own fields up to
/// `out->size`, and sets `out->size` to the bytes it filled; on failure `*out` is left as
/// it was. `MURR_UNKNOWN_TABLE` if there is no such table. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid as described (`out` writable for `out->size` bytes); `db` a
/// handle not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_db_table_stats(
    db: *const murr_db_t,
    table: *const c_char,
    out: *mut murr_table_stats_t,
    error: *mut murr_error_t,
) -> murr_status_t {
    // SAFETY: every pointer is NULL or valid, by the caller's contract.
    unsafe {
        guard(error, || {
            out_arg(out, "out")?;
            let first = offset_of!(murr_table_stats, segments);
            let given = sized::given_size(
                out,
                first + size_of::<u64>(),
                "murr_table_stats_t",
                "MURR_TABLE_STATS_INIT",
            )?;
            let db = db_arg(db)?;
            let table = str_arg(table, "table")?;
            let s = db.table_stats(table)?;
            let filled = sized::filled::<murr_table_stats>(given, first);
            let stats = murr_table_stats {
                size: filled,
                segments: (s.level0_segments + s.run_segments) as u64,
                level0_segments: s.level0_segments as u64,
                segment_rows: s.segment_rows,
                segment_bytes: s.segment_bytes,
                deleted_rows: s.deleted_rows,
                memtable_bytes: s.memtable_bytes as u64,
            };
            sized::write_prefix(out, &stats, filled, given);
            Ok(())
        })
    }
}
