//! The embedded database: tables of a key plus typed columns, written through a
//! write-ahead log into memtables, flushed into segments, read as Arrow batches.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Array, Float32Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use murr_core::db::{Db, Options};
//!
//! let dir = tempfile::tempdir()?;
//! let db = Db::open(dir.path(), Options::default())?;
//! let schema = Schema::new(vec![
//!     Field::new("user", DataType::Utf8, false),
//!     Field::new("ctr", DataType::Float32, true),
//!     Field::new("clicks", DataType::Float32, true),
//! ]);
//! db.create_table("users", &schema, "user")?;
//!
//! // A partial upsert: columns a batch leaves out keep their values.
//! let full = RecordBatch::try_new(Arc::new(schema.clone()), vec![
//!     Arc::new(StringArray::from(vec!["ann", "bob"])),
//!     Arc::new(Float32Array::from(vec![0.5, 0.25])),
//!     Arc::new(Float32Array::from(vec![3.0, 4.0])),
//! ])?;
//! db.write("users", &full)?;
//! db.flush()?;
//! let ctr_only = RecordBatch::try_new(
//!     Arc::new(Schema::new(vec![schema.field(0).clone(), schema.field(1).clone()])),
//!     vec![Arc::new(StringArray::from(vec!["bob"])), Arc::new(Float32Array::from(vec![0.75]))],
//! )?;
//! db.write("users", &ctr_only)?;
//!
//! let (batch, found) = db.read("users", &StringArray::from(vec!["bob", "eve"]), &["ctr", "clicks"])?;
//! assert_eq!(found, vec![true, false]);
//! let ctr = batch.column(0).as_any().downcast_ref::<Float32Array>().unwrap();
//! let clicks = batch.column(1).as_any().downcast_ref::<Float32Array>().unwrap();
//! assert_eq!((ctr.value(0), clicks.value(0)), (0.75, 4.0));
//! assert!(ctr.is_null(1));
//! db.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The design (versions, write and flush paths, recovery) is in `docs/ENGINE.md`.

mod changes;
mod compact;
mod ddl;
mod deletes;
mod dense;
mod direct;
mod flush;
mod gc;
mod ingest;
mod keymerge;
mod lock;
mod logs;
mod metrics;
mod mixed;
mod open;
mod options;
mod read;
mod record;
mod route;
mod scan;
mod segref;
mod seq;
mod snapshot;
mod version;
mod worker;
mod write;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;

use arc_swap::ArcSwap;
use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;

pub use changes::{CHANGES_BATCH_ROWS, CHANGES_END_SEQ_METADATA, Changes};
pub use lock::LOCK_FILE;
pub use open::RecoveryReport;
pub use options::{MAX_BACKGROUND_THREADS, Options, Recovery, SyncPolicy};
pub use scan::{SCAN_BATCH_ROWS, Scan};
pub use snapshot::Snapshot;
pub use version::KEY_METADATA;

use crate::manifest::Manifest;
use crate::wal::GroupCommit;
use crate::{Error, Result};
use lock::DirLock;
use seq::Publisher;
use version::Version;

/// An open database. `Send + Sync`: share it (`Arc<Db>`) among any number of reader and
/// writer threads. Reads never wait for writes, flushes or schema changes.
///
/// Dropping a `Db` closes it as [`Db::close`] does, ignoring errors; call `close` to see
/// them.
#[derive(Debug)]
pub struct Db {
    inner: Arc<Inner>,
    /// The background syncer of [`SyncPolicy::EveryMillis`].
    syncer: Mutex<Option<JoinHandle<()>>>,
    /// The flush and compaction threads.
    workers: Mutex<Vec<JoinHandle<()>>>,
}

/// The state shared with the background syncer.
#[derive(Debug)]
pub(crate) struct Inner {
    dir: PathBuf,
    options: Options,
    /// The directory lock; `None` once closed.
    lock: Mutex<Option<DirLock>>,
    /// The current version; readers load it without locking.
    current: ArcSwap<Version>,
    /// Writers hold it shared from checking a batch to inserting it; freezing a memtable,
    /// changing a schema and closing hold it exclusively, so they see no write half done.
    gate: RwLock<()>,
    /// The log taking writes.
    wal: ArcSwap<GroupCommit>,
    /// The manifest and file numbering; held by flushes and schema changes (one at a time).
    meta: Mutex<Meta>,
    /// Which writes readers may see.
    publisher: Publisher,
    /// Set by close; shared with snapshots.
    closed: Arc<AtomicBool>,
    /// Why writes are refused, after a log failure.
    stopped: OnceLock<String>,
    /// Whether a write committed without sync since the last sync (for the syncer).
    dirty: AtomicBool,
    /// Whether a writer is running an automatic flush.
    flushing: AtomicBool,
    /// What recovery found at open.
    report: RecoveryReport,
    /// Obsolete segment files waiting to be deleted.
    graveyard: Arc<gc::Graveyard>,
    /// Flushes and compactions for the background threads.
    jobs: worker::Jobs,
    /// The counters of [`Db::metrics`]; shared with snapshots.
    metrics: Arc<crate::metrics::recorder::Recorder>,
    /// The logs on disk, their retention and the change feeds' pins.
    logs: Arc<logs::Logs>,
}

/// What flushes and schema changes work on.
#[derive(Debug)]
struct Meta {
    /// The newest committed manifest.
    manifest: Manifest,
    /// The next unused file number (segments, logs and table ids share it).
    next_file: u64,
    /// The number of the log taking writes.
    log_number: u64,
}

impl Db {
    /// Opens the database in `dir`, creating it if it does not exist (unless
    /// [`Options::create_if_missing`] is false), and recovers the writes its logs hold
    /// beyond the last flush (see [`Recovery`]). Takes the directory's `LOCK` file: a second
    /// open of the same directory, here or in another process, fails with
    /// [`Error::AlreadyOpen`] until this one is closed or dropped.
    pub fn open(dir: impl Into<PathBuf>, options: Options) -> Result<Db> {
        open::open(dir.into(), options)
    }

    /// The database directory.
    pub fn path(&self) -> &std::path::Path {
        &self.inner.dir
    }

    /// What recovery did at open: records replayed, torn tails dropped, corrupt ranges
    /// skipped (with [`Recovery::SkipCorrupt`]).
    pub fn recovery_report(&self) -> &RecoveryReport {
        &self.inner.report
    }

    /// The names of the tables, in creation order.
    pub fn tables(&self) -> Result<Vec<String>> {
        self.inner.check_open()?;
        Ok(self.inner.current.load().names())
    }

    /// The schema of table `table`: its key column (not nullable) and the other columns;
    /// the metadata entry [`KEY_METADATA`] names the key column.
    pub fn schema(&self, table: &str) -> Result<SchemaRef> {
        self.inner.check_open()?;
        Ok(Arc::clone(&self.inner.current.load().table(table)?.schema))
    }

    /// Reads `columns` of `table` for `keys`: one row per key, in the keys' order, each
    /// column holding the newest value written for that key (across memtables and
    /// segments), null for keys that do not exist (never written, or deleted) and for
    /// values never written. `found[i]` says whether key `i` exists.
    ///
    /// `keys` is an array of the key column's type (utf8, also as large utf8 or utf8 view;
    /// int64; uint64); null keys are not found. The key column may be among `columns`.
    /// Every column of the result is nullable. A returned [`Db::write`] is visible.
    pub fn read(
        &self,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
    ) -> Result<(RecordBatch, Vec<bool>)> {
        self.inner.check_open()?;
        let (version, seq) = self.inner.view();
        metrics::batch_read(&self.inner.metrics, keys, || {
            read::read(version.table(table)?, seq, keys, columns)
        })
    }

    /// Reads as [`Db::read`] does, into a dense row-major `f32` tensor for a model's
    /// input: `out[i * columns.len() + j]` is key `i`'s value of column `j`, cast to `f32`
    /// (bool: 0 or 1), `fill` for nulls and absent keys. `out` holds exactly
    /// `keys.len() * columns.len()` floats, else [`Error::InvalidArgument`]; every column
    /// must be numeric or bool, else [`Error::SchemaMismatch`] before anything is read.
    /// Returns the found flags. No Arrow arrays reach the caller; `out` is written only on
    /// success.
    pub fn read_f32(
        &self,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
        fill: f32,
        out: &mut [f32],
    ) -> Result<Vec<bool>> {
        self.inner.check_open()?;
        let (version, seq) = self.inner.view();
        let out_len = out.len();
        metrics::dense_read(&self.inner.metrics, keys, out_len, || {
            dense::read_f32(version.table(table)?, seq, keys, columns, fill, out)
        })
    }

    /// Every live row of `table` in key order (utf8 keys bytewise, integer keys
    /// numerically), streamed as batches of `columns` (every column, the key first and the
    /// others in schema order, when `columns` is empty; the key column may be asked).
    /// The scan reads the database as it is at this call, as [`Db::snapshot`] would: each
    /// row is what [`Db::read`] returns for its key, deleted keys are absent, and writes,
    /// flushes and compactions that come later (and go on while it runs) change nothing.
    /// Columns are named and typed as in [`Db::read`]'s batches (every column nullable).
    /// An unknown table or column is an error here; see [`Scan`].
    pub fn scan(&self, table: &str, columns: &[&str]) -> Result<Scan> {
        self.inner.check_open()?;
        let (version, seq) = self.inner.view();
        Scan::new(
            Arc::clone(version.table(table)?),
            seq,
            columns,
            Arc::clone(&self.inner.closed),
            self.inner.dir.display().to_string(),
        )
    }

    /// A consistent read view: every read through it sees the database as it was when
    /// the snapshot was taken, whatever is written, flushed or dropped since. It pins the
    /// memtables and segment files it needs until dropped.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.inner.check_open()?;
        let (version, seq) = self.inner.view();
        Ok(Snapshot::new(
            version,
            seq,
            Arc::clone(&self.inner.closed),
            self.inner.dir.display().to_string(),
            Arc::clone(&self.inner.metrics),
        ))
    }

    /// Writes every memtable to segments (fsynced, renamed, the directory fsynced), commits
    /// a manifest listing them, then deletes the logs they make unneeded. Returns once the
    /// flush is durable. Writes and reads go on meanwhile. Nothing to flush is fine.
    pub fn flush(&self) -> Result<()> {
        self.inner.check_open()?;
        let mut meta = self.inner.meta();
        flush::flush(&self.inner, &mut meta)
    }

    /// Flushes every memtable, then merges each table's segments into one sorted run
    /// (deletes and overwritten values dropped), on the calling thread: the run segments
    /// that no new key falls in and that hold no deleted row keep their files (only what
    /// changed is rewritten). With [`Options::run_rewrite_ratio`] level 0 may instead stay
    /// (merged into fewer level-0 segments) while rewriting the run would cost more than
    /// that ratio. Reads and writes go on meanwhile; segments flushed during the compaction
    /// stay beside the new run.
    pub fn compact(&self) -> Result<()> {
        let inner = &self.inner;
        inner.check_open()?;
        {
            let mut meta = inner.meta();
            flush::flush(inner, &mut meta)?;
        }
        let version = inner.current.load_full();
        for t in &version.tables {
            while !inner.jobs.claim(t.id) {
                inner.check_open()?;
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            let result = compact::compact_table(inner, t.id, compact::Reason::Full);
            inner.jobs.release(t.id);
            result?;
        }
        inner.graveyard.sweep();
        Ok(())
    }

    /// Counts for table `table`: level-0 segments, segments of the run, and their rows and
    /// bytes (rows counts every row of every segment, overwritten ones included).
    pub fn table_stats(&self, table: &str) -> Result<TableStats> {
        self.inner.check_open()?;
        let version = self.inner.current.load();
        let t = version.table(table)?;
        Ok(TableStats {
            level0_segments: t.segments.len(),
            run_segments: t.run.len(),
            segment_rows: t.all_segments().map(|s| s.meta.rows).sum(),
            segment_bytes: t.all_segments().map(|s| s.meta.bytes).sum(),
            deleted_rows: t
                .all_segments()
                .filter_map(|s| s.meta.deletes.map(|d| d.rows))
                .sum(),
            memtable_bytes: t.active.approx_bytes()
                + t.frozen.iter().map(|m| m.approx_bytes()).sum::<usize>(),
        })
    }

    /// Checks every segment of every table against its checksums (every page and every
    /// section, as [`crate::segment::Segment::verify`]) and returns the bytes checked. Reads
    /// check the pages they touch anyway, on first touch; this is for scrubbing, and for
    /// warming a database before it serves: afterwards every page is in the page cache and
    /// marked checked, so reads pay neither the fault nor the check (RocksDB's
    /// `VerifyChecksum`). Reads and writes go on meanwhile; segments flushed or compacted
    /// after the call starts are not checked.
    pub fn verify(&self) -> Result<u64> {
        self.inner.check_open()?;
        let version = self.inner.current.load();
        let mut bytes = 0;
        for table in &version.tables {
            for s in table.all_segments() {
                s.segment.verify()?;
                bytes += s.segment.file_len();
            }
        }
        Ok(bytes)
    }

    /// Flushes, syncs the log, releases the directory lock. Later calls on this `Db` and
    /// its snapshots fail with [`Error::Closed`]. If the flush fails, the log (which holds
    /// every write) is still synced and the lock released, and the flush's error is
    /// returned: the next open recovers the writes from the log.
    pub fn close(&self) -> Result<()> {
        let inner = &self.inner;
        inner.check_open()?;
        inner.jobs.shutdown();
        let workers =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(PoisonError::into_inner));
        for w in workers {
            let _ = w.join();
        }
        let mut meta = inner.meta();
        inner.check_open()?;
        let flushed = flush::flush(inner, &mut meta);
        {
            let _gate = inner.gate.write().unwrap_or_else(PoisonError::into_inner);
            inner.closed.store(true, Ordering::Release);
        }
        let synced = inner.wal.load().sync();
        if let Some(t) = self
            .syncer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            t.thread().unpark();
            let _ = t.join();
        }
        drop(
            inner
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        flushed.and(synced)
    }
}

/// What [`Db::table_stats`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableStats {
    /// Segments at level 0 (flushed, overlapping key ranges).
    pub level0_segments: usize,
    /// Segments in the sorted run (compacted, disjoint key ranges).
    pub run_segments: usize,
    /// Rows in all segments (a key overwritten since its last compaction counts twice).
    pub segment_rows: u64,
    /// Bytes of all segment files.
    pub segment_bytes: u64,
    /// Rows of segments that deletion vectors mark as deleted or superseded (reads skip
    /// them; the next compaction drops them).
    pub deleted_rows: u64,
    /// Estimated bytes in memtables.
    pub memtable_bytes: usize,
}

impl Drop for Db {
    fn drop(&mut self) {
        if !self.inner.closed.load(Ordering::Acquire) {
            let _ = self.close();
        }
    }
}

impl Inner {
    /// Fails once the database is closed.
    fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed {
                path: self.dir.display().to_string(),
            });
        }
        Ok(())
    }

    fn meta(&self) -> MutexGuard<'_, Meta> {
        self.meta.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current version and the sequence number to read it at: every write at or
    /// below the number is in the version's memtables or segments, and no segment holds
    /// a newer one. Retries in the rare case a flush or schema change swaps the version
    /// between the two loads.
    fn view(&self) -> (Arc<Version>, u64) {
        loop {
            let version = self.current.load_full();
            let seq = self.publisher.visible();
            if Arc::ptr_eq(&version, &self.current.load()) {
                return (version, seq);
            }
        }
    }
}

#[cfg(test)]
impl Db {
    /// Simulates `kill -9`: releases the lock and abandons the database without flushing
    /// or syncing (what reached the operating system stays, as after a process crash).
    pub(crate) fn crash(self) {
        self.inner.closed.store(true, Ordering::Release);
        drop(
            self.inner
                .lock
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }
}

#[cfg(test)]
mod read_tests;
#[cfg(test)]
mod tests;
