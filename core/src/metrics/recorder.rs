//! The engine's counters as it keeps them: relaxed atomics in cache-line-aligned stripes,
//! one stripe per thread (threads are dealt stripes round-robin), so that concurrent
//! readers and writers add to different cache lines. No lock and no allocation on any
//! path that records; a snapshot sums the stripes.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use super::histogram::{BUCKETS, Histogram, bucket_of};

/// Stripes of the hot counters: more than the threads that usually read at once.
const STRIPES: usize = 16;

/// The counters reads and writes add to, one cache-line-aligned set per stripe (128
/// bytes: the adjacent-line prefetcher pairs 64-byte lines).
#[derive(Debug)]
#[repr(align(128))]
struct Stripe {
    reads: AtomicU64,
    read_keys: AtomicU64,
    read_misses: AtomicU64,
    read_bytes: AtomicU64,
    read_nanos: AtomicU64,
    latency: [AtomicU64; BUCKETS],
    writes: AtomicU64,
    write_rows: AtomicU64,
    deletes: AtomicU64,
    delete_keys: AtomicU64,
    log_bytes: AtomicU64,
}

impl Default for Stripe {
    fn default() -> Self {
        Stripe {
            reads: AtomicU64::new(0),
            read_keys: AtomicU64::new(0),
            read_misses: AtomicU64::new(0),
            read_bytes: AtomicU64::new(0),
            read_nanos: AtomicU64::new(0),
            latency: std::array::from_fn(|_| AtomicU64::new(0)),
            writes: AtomicU64::new(0),
            write_rows: AtomicU64::new(0),
            deletes: AtomicU64::new(0),
            delete_keys: AtomicU64::new(0),
            log_bytes: AtomicU64::new(0),
        }
    }
}

/// The counters of rare events (flushes, compactions, stalls): one set.
#[derive(Debug, Default)]
struct Rare {
    flushes: AtomicU64,
    flush_rows: AtomicU64,
    flush_bytes: AtomicU64,
    flush_nanos: AtomicU64,
    compactions: AtomicU64,
    compaction_bytes_read: AtomicU64,
    compaction_bytes_written: AtomicU64,
    compaction_nanos: AtomicU64,
    write_stalls: AtomicU64,
    write_stall_nanos: AtomicU64,
    /// Fsyncs of logs the engine has rotated away from (the current log counts its own).
    retired_log_syncs: AtomicU64,
}

/// The engine's counters. With `enabled` false every method returns at once and the
/// counters stay zero.
#[derive(Debug)]
pub(crate) struct Recorder {
    enabled: bool,
    stripes: Box<[Stripe]>,
    rare: Rare,
}

/// The stripe of the calling thread.
#[inline]
fn stripe_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: usize = NEXT.fetch_add(1, Relaxed) % STRIPES;
    }
    STRIPE.with(|s| *s)
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The counters [`Recorder::snapshot`] sums (the database adds the log's fsyncs and the
/// gauges).
#[derive(Debug, Clone, Default)]
pub(crate) struct Counted {
    pub reads: u64,
    pub read_keys: u64,
    pub read_misses: u64,
    pub read_bytes: u64,
    pub read_latency: Histogram,
    pub writes: u64,
    pub write_rows: u64,
    pub deletes: u64,
    pub delete_keys: u64,
    pub log_bytes: u64,
    pub flushes: u64,
    pub flush_rows: u64,
    pub flush_bytes: u64,
    pub flush_nanos: u64,
    pub compactions: u64,
    pub compaction_bytes_read: u64,
    pub compaction_bytes_written: u64,
    pub compaction_nanos: u64,
    pub write_stalls: u64,
    pub write_stall_nanos: u64,
    pub retired_log_syncs: u64,
}

impl Recorder {
    /// Counters that record when `enabled`.
    pub(crate) fn new(enabled: bool) -> Recorder {
        let stripes = if enabled { STRIPES } else { 0 };
        Recorder {
            enabled,
            stripes: (0..stripes).map(|_| Stripe::default()).collect(),
            rare: Rare::default(),
        }
    }

    /// Whether the counters record.
    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// The start of a timed operation: `None` when the counters are off (no clock read).
    #[inline]
    pub(crate) fn start(&self) -> Option<Instant> {
        self.enabled.then(Instant::now)
    }

    #[inline]
    fn stripe(&self) -> Option<&Stripe> {
        self.stripes.get(stripe_index())
    }

    /// A read of `keys` keys, `misses` of them absent, that returned `bytes` bytes, begun
    /// at `start`.
    #[inline]
    pub(crate) fn read(&self, start: Option<Instant>, keys: usize, misses: usize, bytes: usize) {
        let (Some(start), Some(s)) = (start, self.stripe()) else {
            return;
        };
        let ns = nanos(start.elapsed());
        s.reads.fetch_add(1, Relaxed);
        s.read_keys.fetch_add(keys as u64, Relaxed);
        s.read_misses.fetch_add(misses as u64, Relaxed);
        s.read_bytes.fetch_add(bytes as u64, Relaxed);
        s.read_nanos.fetch_add(ns, Relaxed);
        if let Some(b) = s.latency.get(bucket_of(ns)) {
            b.fetch_add(1, Relaxed);
        }
    }

    /// A write of `rows` rows.
    #[inline]
    pub(crate) fn write(&self, rows: usize) {
        if let Some(s) = self.stripe() {
            s.writes.fetch_add(1, Relaxed);
            s.write_rows.fetch_add(rows as u64, Relaxed);
        }
    }

    /// A delete of `keys` keys.
    #[inline]
    pub(crate) fn delete(&self, keys: usize) {
        if let Some(s) = self.stripe() {
            s.deletes.fetch_add(1, Relaxed);
            s.delete_keys.fetch_add(keys as u64, Relaxed);
        }
    }

    /// A log record of `bytes` bytes appended.
    #[inline]
    pub(crate) fn log(&self, bytes: usize) {
        if let Some(s) = self.stripe() {
            s.log_bytes.fetch_add(bytes as u64, Relaxed);
        }
    }

    /// A flush of `rows` rows into segments of `bytes` bytes, begun at `start`.
    pub(crate) fn flush(&self, start: Option<Instant>, rows: u64, bytes: u64) {
        let (true, Some(start)) = (self.enabled, start) else {
            return;
        };
        let r = &self.rare;
        r.flushes.fetch_add(1, Relaxed);
        r.flush_rows.fetch_add(rows, Relaxed);
        r.flush_bytes.fetch_add(bytes, Relaxed);
        r.flush_nanos.fetch_add(nanos(start.elapsed()), Relaxed);
    }

    /// A compaction that read segments of `read` bytes and wrote `written`, begun at
    /// `start`.
    pub(crate) fn compaction(&self, start: Option<Instant>, read: u64, written: u64) {
        let (true, Some(start)) = (self.enabled, start) else {
            return;
        };
        let r = &self.rare;
        r.compactions.fetch_add(1, Relaxed);
        r.compaction_bytes_read.fetch_add(read, Relaxed);
        r.compaction_bytes_written.fetch_add(written, Relaxed);
        r.compaction_nanos
            .fetch_add(nanos(start.elapsed()), Relaxed);
    }

    /// A write held back by back-pressure for `held`.
    pub(crate) fn stall(&self, held: Duration) {
        if self.enabled {
            self.rare.write_stalls.fetch_add(1, Relaxed);
            self.rare.write_stall_nanos.fetch_add(nanos(held), Relaxed);
        }
    }

    /// `syncs` fsyncs of a log the engine stopped writing to.
    pub(crate) fn retire_log(&self, syncs: u64) {
        if self.enabled {
            self.rare.retired_log_syncs.fetch_add(syncs, Relaxed);
        }
    }

    /// The sums of every stripe and the rare counters.
    pub(crate) fn snapshot(&self) -> Counted {
        let mut c = Counted::default();
        for s in self.stripes.iter() {
            c.reads += s.reads.load(Relaxed);
            c.read_keys += s.read_keys.load(Relaxed);
            c.read_misses += s.read_misses.load(Relaxed);
            c.read_bytes += s.read_bytes.load(Relaxed);
            c.read_latency.sum_nanos += s.read_nanos.load(Relaxed);
            for (total, b) in c.read_latency.buckets.iter_mut().zip(&s.latency) {
                *total += b.load(Relaxed);
            }
            c.writes += s.writes.load(Relaxed);
            c.write_rows += s.write_rows.load(Relaxed);
            c.deletes += s.deletes.load(Relaxed);
            c.delete_keys += s.delete_keys.load(Relaxed);
            c.log_bytes += s.log_bytes.load(Relaxed);
        }
        c.read_latency.count = c.read_latency.buckets.iter().sum();
        let r = &self.rare;
        c.flushes = r.flushes.load(Relaxed);
        c.flush_rows = r.flush_rows.load(Relaxed);
        c.flush_bytes = r.flush_bytes.load(Relaxed);
        c.flush_nanos = r.flush_nanos.load(Relaxed);
        c.compactions = r.compactions.load(Relaxed);
        c.compaction_bytes_read = r.compaction_bytes_read.load(Relaxed);
        c.compaction_bytes_written = r.compaction_bytes_written.load(Relaxed);
        c.compaction_nanos = r.compaction_nanos.load(Relaxed);
        c.write_stalls = r.write_stalls.load(Relaxed);
        c.write_stall_nanos = r.write_stall_nanos.load(Relaxed);
        c.retired_log_syncs = r.retired_log_syncs.load(Relaxed);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_add_up() {
        let r = Recorder::new(true);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        r.read(Some(Instant::now()), 10, 1, 40);
                        r.write(3);
                        r.log(100);
                    }
                });
            }
        });
        let c = r.snapshot();
        assert_eq!(c.reads, 8000);
        assert_eq!(c.read_keys, 80_000);
        assert_eq!(c.read_misses, 8000);
        assert_eq!(c.read_bytes, 320_000);
        assert_eq!(c.read_latency.count, 8000);
        assert_eq!(c.writes, 8000);
        assert_eq!(c.write_rows, 24_000);
        assert_eq!(c.log_bytes, 800_000);
    }

    #[test]
    fn disabled_counts_nothing() {
        let r = Recorder::new(false);
        assert!(r.start().is_none());
        r.read(Some(Instant::now()), 10, 1, 40);
        r.write(3);
        r.log(100);
        r.stall(Duration::from_millis(1));
        r.flush(Some(Instant::now()), 1, 1);
        r.compaction(Some(Instant::now()), 1, 1);
        let c = r.snapshot();
        assert_eq!((c.reads, c.writes, c.write_stalls), (0, 0, 0));
        assert_eq!((c.flushes, c.compactions), (0, 0));
    }
}
