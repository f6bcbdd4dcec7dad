//! How a database is opened: [`Options`], [`SyncPolicy`], [`Recovery`].

use crate::{Error, Result};

/// When the write-ahead log is made durable (fsynced). Every policy writes each record to
/// the operating system before the write returns, so a crash of the *process* (a panic,
/// `kill -9`) loses nothing under any policy; they differ on a crash of the *machine*
/// (power loss, kernel panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncPolicy {
    /// Every write is fsynced before it returns; concurrent writers share fsyncs (group
    /// commit). A returned write survives power loss. The default.
    Always,
    /// A background thread fsyncs the log every `n` milliseconds (when something was
    /// written). A power loss loses at most the last `n` ms of returned writes.
    EveryMillis(u32),
    /// The log is fsynced only when a memtable is flushed and at close. A power loss may
    /// lose every write since the last flush. Fastest; for data that can be reloaded.
    Never,
}

/// What opening a database does with a damaged write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Recovery {
    /// A torn last record (a write cut short by a crash, after which nothing valid
    /// follows) is dropped: it was never acknowledged under [`SyncPolicy::Always`].
    /// Damage followed by valid records is corruption, and opening fails with
    /// [`crate::Error::Corrupt`] naming the log and offset. The default.
    #[default]
    Strict,
    /// Damaged records are skipped and the database opens with every record that is
    /// intact; [`crate::db::Db::recovery_report`] says which byte ranges of which logs were
    /// lost. For getting a damaged database back up when losing some writes is acceptable.
    SkipCorrupt,
}

/// Options for [`crate::db::Db::open`]. `Options::default()` suits most uses; each field
/// says what it trades.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// When writes are fsynced. Default [`SyncPolicy::Always`].
    pub sync: SyncPolicy,
    /// What to do with a damaged write-ahead log at open. Default [`Recovery::Strict`].
    pub recovery: Recovery,
    /// Flush the memtables to segments once they hold about this many bytes (all tables
    /// together; Arrow's accounting of the written batches plus an estimate per key).
    /// Larger: fewer, larger segments and fewer flushes; more memory and a longer log
    /// to replay after a crash. Default 256 MiB.
    pub memtable_bytes: usize,
    /// Create the directory (and the database in it) if it does not exist. Default true;
    /// false makes opening a missing database an error: a missing directory is
    /// [`Error::Io`], a directory holding no database [`Error::InvalidArgument`] (and
    /// nothing is written to it).
    pub create_if_missing: bool,
    /// Threads that run flushes and compactions in the background. Default 1. Zero is
    /// manual mode: a write that fills the memtables flushes on the writer's thread, and
    /// only [`crate::db::Db::compact`] compacts; writes are never held back. A write whose
    /// flush fails still succeeds (it is logged and visible); the next write retries the
    /// flush, and [`crate::db::Db::flush`] and [`crate::db::Db::close`] report its error. At most
    /// [`MAX_BACKGROUND_THREADS`].
    pub background_threads: usize,
    /// Compact a table once it has this many level-0 (flushed) segments. Default 4. Each
    /// read probes up to this many segments plus one of the run.
    pub l0_compaction_trigger: usize,
    /// Writes to a table with this many level-0 segments are slowed (1 ms each), giving
    /// compaction time to catch up. Default 8. Needs background threads.
    pub l0_slowdown_writes: usize,
    /// Writes to a table with this many level-0 segments wait until a compaction brings the
    /// number down; so do writes while the memtables hold twice
    /// [`Options::memtable_bytes`] and a flush is under way. Default 12. Needs background
    /// threads.
    pub l0_stop_writes: usize,
    /// A compaction writes segments of about this many bytes of rows. It holds the segment
    /// it writes in memory until it is finished (its columns, then the file's row-major
    /// groups and hash index), plus [`Options::compaction_chunk_rows`] rows per input
    /// segment: peak memory is about three times this plus the chunks, whatever the table's
    /// size (measured at 10M rows: 231 MB at 16 MiB with 32 inputs, 251 MB at 64 MiB, 770 MB
    /// at 256 MiB). Default 64 MiB.
    pub target_segment_bytes: usize,
    /// Rows a compaction reads from each input segment at a time. Default 65,536.
    pub compaction_chunk_rows: usize,
    /// Tiered level 0: a compaction merges level 0 into the run only when the run bytes it
    /// would rewrite (the segments level 0 overlaps, and those with garbage) are at most
    /// this many times level 0's bytes. Otherwise it leaves the run as it is and merges the
    /// level-0 segments into one sorted group of level-0 segments (when that makes fewer),
    /// until level 0 has grown to that share of the run or reaches
    /// [`Options::l0_slowdown_writes`] segments. Each byte is then rewritten about once per
    /// level-0 merge instead of once per compaction of the run, at the price of one more
    /// (filtered) probe per read and of the overwritten run rows (marked in deletion
    /// vectors) kept meanwhile: `docs/ENGINE.md`, "Compaction". Default `None`: level 0
    /// always goes into the run, and reads come back to one probe per key.
    pub run_rewrite_ratio: Option<u32>,
    /// Once no write has come for this long, background threads also compact tables with
    /// fewer level-0 segments than the trigger (any at all), so that reads of a table that
    /// stopped changing come back to one probe per key. Default 1 s; `None` compacts only
    /// at the trigger. Each such compaction rewrites the run segments level 0 overlaps, at
    /// most once per flush (with [`Options::run_rewrite_ratio`], level 0 may stay).
    pub idle_compaction_after: Option<std::time::Duration>,
    /// How long a segment file that no version lists (and no snapshot reads) is kept
    /// before it is deleted, for external readers of the files. Default zero: deleted at
    /// once.
    pub file_gc_grace: std::time::Duration,
    /// Keep the counters and the read latency histogram of [`crate::db::Db::metrics`].
    /// Default true: they cost a few relaxed atomic adds per call and two clock reads per
    /// read (under 2% of a 1000-key read; `BENCHMARKS.md`, "Metrics cost"). False leaves
    /// every counter zero (the gauges still work).
    pub metrics: bool,
    /// Bytes of input rows (Arrow's accounting) a bulk ingest ([`crate::db::Db::ingest`])
    /// sorts in memory at a time; an input larger than this is sorted in parts, each
    /// written to temporary segments and merged at the end. An ingest's heap peaks at
    /// about this plus three times [`Options::target_segment_bytes`]. Default 256 MiB.
    pub ingest_memory_bytes: usize,
    /// Bytes of write-ahead logs kept after a flush has made them unnecessary for
    /// recovery, so that [`crate::db::Db::changes`] can stream the writes and deletes they
    /// hold. After each flush (and at open) the newest such logs are kept while their
    /// sizes add up to at most this many bytes; older ones are deleted (a log a feed is
    /// reading is deleted once the feed is dropped). The logs needed for recovery are
    /// always kept, so the feed always covers the writes since the last flush. Default 0:
    /// nothing beyond recovery, as a database without feed consumers needs (a retained
    /// log costs its bytes on disk: about the bytes written). `u64::MAX` keeps every log.
    pub change_retention_bytes: u64,
}

/// The most [`Options::background_threads`] an open accepts: more would only contend
/// (a table is compacted by one thread at a time and flushes are serialized).
pub const MAX_BACKGROUND_THREADS: usize = 256;

impl Options {
    /// Checks the options that have bounds; an [`Error::InvalidArgument`] names the one out
    /// of them.
    pub(crate) fn check(&self) -> Result<()> {
        if self.background_threads > MAX_BACKGROUND_THREADS {
            return Err(Error::InvalidArgument(format!(
                "background_threads is {}; at most {MAX_BACKGROUND_THREADS} are allowed",
                self.background_threads
            )));
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sync: SyncPolicy::Always,
            recovery: Recovery::Strict,
            memtable_bytes: 256 << 20,
            create_if_missing: true,
            background_threads: 1,
            l0_compaction_trigger: 4,
            l0_slowdown_writes: 8,
            l0_stop_writes: 12,
            target_segment_bytes: 64 << 20,
            compaction_chunk_rows: 64 * 1024,
            run_rewrite_ratio: None,
            idle_compaction_after: Some(std::time::Duration::from_secs(1)),
            file_gc_grace: std::time::Duration::ZERO,
            metrics: true,
            ingest_memory_bytes: 256 << 20,
            change_retention_bytes: 0,
        }
    }
}

impl Options {
    /// The options with `bytes` as [`Options::ingest_memory_bytes`].
    pub fn with_ingest_memory_bytes(mut self, bytes: usize) -> Self {
        self.ingest_memory_bytes = bytes;
        self
    }

    /// The options with `bytes` as [`Options::change_retention_bytes`].
    pub fn with_change_retention_bytes(mut self, bytes: u64) -> Self {
        self.change_retention_bytes = bytes;
        self
    }

    /// The options with `sync` as the sync policy.
    pub fn with_sync(mut self, sync: SyncPolicy) -> Self {
        self.sync = sync;
        self
    }

    /// The options with `recovery` as the recovery mode.
    pub fn with_recovery(mut self, recovery: Recovery) -> Self {
        self.recovery = recovery;
        self
    }

    /// The options with `bytes` as the memtable size that triggers a flush.
    pub fn with_memtable_bytes(mut self, bytes: usize) -> Self {
        self.memtable_bytes = bytes;
        self
    }

    /// The options with `threads` background threads (0: manual mode).
    pub fn with_background_threads(mut self, threads: usize) -> Self {
        self.background_threads = threads;
        self
    }

    /// The options with `ratio` as [`Options::run_rewrite_ratio`].
    pub fn with_run_rewrite_ratio(mut self, ratio: Option<u32>) -> Self {
        self.run_rewrite_ratio = ratio;
        self
    }

    /// The options with level-0 triggers: compact at `compact`, slow writes at `slowdown`,
    /// stop them at `stop` segments.
    pub fn with_l0_triggers(mut self, compact: usize, slowdown: usize, stop: usize) -> Self {
        self.l0_compaction_trigger = compact;
        self.l0_slowdown_writes = slowdown;
        self.l0_stop_writes = stop;
        self
    }

    /// The options with `bytes` as the compaction's output segment size.
    pub fn with_target_segment_bytes(mut self, bytes: usize) -> Self {
        self.target_segment_bytes = bytes;
        self
    }

    /// The options with `after` as [`Options::idle_compaction_after`].
    pub fn with_idle_compaction_after(mut self, after: Option<std::time::Duration>) -> Self {
        self.idle_compaction_after = after;
        self
    }

    /// The options with `grace` as the file GC grace period.
    pub fn with_file_gc_grace(mut self, grace: std::time::Duration) -> Self {
        self.file_gc_grace = grace;
        self
    }

    /// The options with `on` as [`Options::metrics`].
    pub fn with_metrics(mut self, on: bool) -> Self {
        self.metrics = on;
        self
    }

    /// The options with `create` as [`Options::create_if_missing`].
    pub fn with_create_if_missing(mut self, create: bool) -> Self {
        self.create_if_missing = create;
        self
    }
}
