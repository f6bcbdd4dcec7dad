//! `murr_options_t`: how a database is opened, as a C struct that carries its size.

use std::mem::{offset_of, size_of};
use std::time::Duration;

use murr_core::db::{Options, Recovery, SyncPolicy};

use crate::error::{Failure, Result};

/// Every write is fsynced before it returns (the default).
pub const MURR_SYNC_ALWAYS: i32 = 0;
/// The log is fsynced only at flushes and close.
pub const MURR_SYNC_NEVER: i32 = 1;
/// A background thread fsyncs the log every `sync_millis` milliseconds.
pub const MURR_SYNC_EVERY_MILLIS: i32 = 2;

/// Options for `murr_db_open`. Fill it with `murr_options_default`, then change fields.
/// Caller-allocated; libmurr only reads it during `murr_db_open`. The struct may grow in
/// later versions (fields only appended): `size` says which fields the caller knows, and
/// fields past it take their defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct murr_options {
    /// `sizeof(murr_options_t)` as the caller compiled it; set by `murr_options_default`.
    pub size: usize,
    /// `MURR_SYNC_ALWAYS` (default), `MURR_SYNC_NEVER` or `MURR_SYNC_EVERY_MILLIS`.
    pub sync: i32,
    /// The period of `MURR_SYNC_EVERY_MILLIS`, in milliseconds.
    pub sync_millis: u32,
    /// Threads running flushes and compactions; 0 is manual mode. Default 1.
    pub background_threads: u32,
    /// Flush the memtables once they hold about this many bytes. Default 256 MiB.
    pub memtable_bytes: u64,
    /// Create the database if the directory does not exist. Default true.
    pub create_if_missing: bool,
    /// Skip damaged log records at open instead of failing. Default false.
    pub skip_corrupt: bool,
    /// Compact a table at this many level-0 segments. Default 4.
    pub l0_compaction_trigger: u32,
    /// Slow writes to a table with this many level-0 segments. Default 8.
    pub l0_slowdown_writes: u32,
    /// Stop writes to a table with this many level-0 segments. Default 12.
    pub l0_stop_writes: u32,
    /// The size of segments a compaction writes, in bytes. Default 64 MiB.
    pub target_segment_bytes: u64,
    /// Compact a table once no write came for this many milliseconds; < 0: off.
    /// Default 1000.
    pub idle_compaction_millis: i64,
    /// Bytes of flushed write-ahead logs kept for `murr_db_changes` (the newest logs whose
    /// sizes add up to at most this); `UINT64_MAX` keeps every log. Default 0: only the
    /// logs recovery needs, so the feed covers the writes since the last flush. (Appended
    /// with the change feed: a caller whose `size` ends before it gets the default.)
    pub change_retention_bytes: u64,
}

/// Options for `murr_db_open` (`struct murr_options`).
#[allow(non_camel_case_types)]
pub type murr_options_t = murr_options;

/// Fills `*out` with the default options (`size` included). NULL-safe (does nothing).
/// Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `murr_options_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_options_default(out: *mut murr_options_t) {
    crate::guard::guard_void(|| {
        if !out.is_null() {
            // SAFETY: not NULL, writable by the caller's contract.
            unsafe { out.write(defaults()) };
        }
    });
}

/// `Options::default()` as the C struct.
fn defaults() -> murr_options {
    let o = Options::default();
    let (sync, sync_millis) = match o.sync {
        SyncPolicy::Never => (MURR_SYNC_NEVER, 0),
        SyncPolicy::EveryMillis(n) => (MURR_SYNC_EVERY_MILLIS, n),
        _ => (MURR_SYNC_ALWAYS, 0),
    };
    murr_options {
        size: size_of::<murr_options>(),
        sync,
        sync_millis,
        background_threads: saturate(o.background_threads),
        memtable_bytes: o.memtable_bytes as u64,
        create_if_missing: o.create_if_missing,
        skip_corrupt: o.recovery == Recovery::SkipCorrupt,
        l0_compaction_trigger: saturate(o.l0_compaction_trigger),
        l0_slowdown_writes: saturate(o.l0_slowdown_writes),
        l0_stop_writes: saturate(o.l0_stop_writes),
        target_segment_bytes: o.target_segment_bytes as u64,
        idle_compaction_millis: o
            .idle_compaction_after
            .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        change_retention_bytes: o.change_retention_bytes,
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Reads the caller's options at `ptr` (NULL: the defaults) into core [`Options`]: only the
/// first `size` bytes are read; fields past them take their defaults.
///
/// # Safety
/// `ptr` is NULL or points to at least `(*ptr).size` readable bytes (and at least the
/// `size` field).
pub(crate) unsafe fn read_options(ptr: *const murr_options) -> Result<Options> {
    let mut c = defaults();
    if !ptr.is_null() {
        // SAFETY: `size` is always there.
        let size = unsafe { ptr.cast::<usize>().read_unaligned() };
        if size < size_of::<usize>() {
            return Err(Failure::invalid(format!(
                "options->size is {size}; set it with murr_options_default"
            )));
        }
        let base = ptr.cast::<u8>();
        macro_rules! field {
            ($name:ident, $ty:ty) => {
                if offset_of!(murr_options, $name) + size_of::<$ty>() <= size {
                    // SAFETY: within the caller's `size` bytes.
                    c.$name = unsafe {
                        base.add(offset_of!(murr_options, $name))
                            .cast::<$ty>()
                            .read_unaligned()
                    };
                }
            };
        }
        field!(sync, i32);
        field!(sync_millis, u32);
        field!(background_threads, u32);
        field!(memtable_bytes, u64);
        field!(l0_compaction_trigger, u32);
        field!(l0_slowdown_writes, u32);
        field!(l0_stop_writes, u32);
        field!(target_segment_bytes, u64);
        field!(idle_compaction_millis, i64);
        field!(change_retention_bytes, u64);
        // Booleans are read as bytes: C may hold any value there, Rust's bool only 0 or 1.
        macro_rules! flag {
            ($name:ident) => {
                if offset_of!(murr_options, $name) < size {
                    // SAFETY: within the caller's `size` bytes.
                    c.$name = unsafe { base.add(offset_of!(murr_options, $name)).read() } != 0;
                }
            };
        }
        flag!(create_if_missing);
        flag!(skip_corrupt);
    }
    convert(&c)
}

/// The core options the C struct describes.
fn convert(c: &murr_options) -> Result<Options> {
    let mut o = Options::default();
    o.sync = match c.sync {
        MURR_SYNC_ALWAYS => SyncPolicy::Always,
        MURR_SYNC_NEVER => SyncPolicy::Never,
        MURR_SYNC_EVERY_MILLIS if c.sync_millis > 0 => SyncPolicy::EveryMillis(c.sync_millis),
        MURR_SYNC_EVERY_MILLIS => {
            return Err(Failure::invalid(
                "options->sync is MURR_SYNC_EVERY_MILLIS with sync_millis 0",
            ));
        }
        other => {
            return Err(Failure::invalid(format!(
                "options->sync is {other}; expected MURR_SYNC_ALWAYS (0), MURR_SYNC_NEVER (1) \
                 or MURR_SYNC_EVERY_MILLIS (2)"
            )));
        }
    };
    o.recovery = if c.skip_corrupt {
        Recovery::SkipCorrupt
    } else {
        Recovery::Strict
    };
    o.background_threads = c.background_threads as usize;
    o.memtable_bytes = to_usize(c.memtable_bytes, "memtable_bytes")?;
    o.create_if_missing = c.create_if_missing;
    o.l0_compaction_trigger = c.l0_compaction_trigger as usize;
    o.l0_slowdown_writes = c.l0_slowdown_writes as usize;
    o.l0_stop_writes = c.l0_stop_writes as usize;
    o.target_segment_bytes = to_usize(c.target_segment_bytes, "target_segment_bytes")?;
    o.idle_compaction_after = u64::try_from(c.idle_compaction_millis)
        .ok()
        .map(Duration::from_millis);
    o.change_retention_bytes = c.change_retention_bytes;
    Ok(o)
}

fn to_usize(n: u64, name: &str) -> Result<usize> {
    usize::try_from(n)
        .map_err(|_| Failure::invalid(format!("options->{name} ({n}) does not fit in size_t")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let o = convert(&defaults()).ok();
        assert_eq!(o, Some(Options::default()));
    }

    #[test]
    fn a_short_struct_takes_defaults_past_its_size() {
        let mut c = defaults();
        c.size = offset_of!(murr_options, memtable_bytes);
        c.background_threads = 0;
        c.memtable_bytes = 1;
        // SAFETY: a whole struct is readable.
        let o = unsafe { read_options(&c) }.ok();
        let o = o.map(|o| (o.background_threads, o.memtable_bytes));
        assert_eq!(o, Some((0, Options::default().memtable_bytes)));
        // A caller compiled before change_retention_bytes was appended.
        let mut c = defaults();
        c.size = offset_of!(murr_options, change_retention_bytes);
        c.change_retention_bytes = 5;
        // SAFETY: a whole struct is readable.
        let o = unsafe { read_options(&c) }.ok();
        assert_eq!(o.map(|o| o.change_retention_bytes), Some(0));
        c.size = size_of::<murr_options>();
        // SAFETY: a whole struct is readable.
        let o = unsafe { read_options(&c) }.ok();
        assert_eq!(o.map(|o| o.change_retention_bytes), Some(5));
    }
}
