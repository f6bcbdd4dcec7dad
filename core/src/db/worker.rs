//! Background work: flushes and compactions on [`Options::background_threads`] threads,
//! and the back-pressure that holds writers back when that work falls behind.
//!
//! Writers ask for a flush ([`Jobs::request_flush`]) when the memtables fill up and go on;
//! a worker freezes and writes them. After each flush a worker compacts every table whose
//! level 0 reached the trigger, one compaction per table at a time; once no write has come
//! for [`Options::idle_compaction_after`], it also compacts tables with any level-0
//! segment, so that reads of a table that stopped changing probe one segment per key. Writers to a table
//! with [`Options::l0_slowdown_writes`] level-0 segments sleep 1 ms per write; at
//! [`Options::l0_stop_writes`], or while the memtables hold twice their limit and a flush
//! is under way, they wait until a worker makes progress; if the last background job
//! failed, the write fails instead ([`crate::Error::BackgroundFailed`]) rather than wait
//! for work that may never succeed.
//!
//! [`Options::background_threads`]: super::Options::background_threads
//! [`Options::l0_slowdown_writes`]: super::Options::l0_slowdown_writes
//! [`Options::l0_stop_writes`]: super::Options::l0_stop_writes
//! [`Options::idle_compaction_after`]: super::Options::idle_compaction_after

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::compact::{self, Reason};
use super::{Inner, flush};
use crate::{Error, Result};

/// How often an idle worker wakes to sweep the graveyard.
const TICK: Duration = Duration::from_millis(100);

/// The work queue shared by writers and workers.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    state: Mutex<State>,
    /// Workers wait here for work.
    work: Condvar,
    /// Held-back writers wait here for progress.
    progress: Condvar,
}

#[derive(Debug, Default)]
struct State {
    flush_requested: bool,
    flushing: bool,
    /// Tables being compacted.
    compacting: HashSet<u64>,
    shutdown: bool,
    /// The last background error, reported to held-back writers.
    error: Option<String>,
}

impl Jobs {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks a worker to flush.
    pub(crate) fn request_flush(&self) {
        self.lock().flush_requested = true;
        self.work.notify_one();
    }

    /// Wakes the workers to look for compactions.
    pub(crate) fn nudge(&self) {
        self.work.notify_all();
    }

    /// Whether a flush is asked for or under way.
    pub(crate) fn flush_pending(&self) -> bool {
        let s = self.lock();
        s.flush_requested || s.flushing
    }

    /// Stops the workers (they finish the job in hand).
    pub(crate) fn shutdown(&self) {
        self.lock().shutdown = true;
        self.work.notify_all();
        self.progress.notify_all();
    }

    /// Claims table `id` for a compaction; `false` if one is running.
    pub(crate) fn claim(&self, id: u64) -> bool {
        self.lock().compacting.insert(id)
    }

    /// Releases a claim of [`Jobs::claim`].
    pub(crate) fn release(&self, id: u64) {
        self.lock().compacting.remove(&id);
        self.progress.notify_all();
    }
}

/// Starts `n` worker threads.
/// If one cannot be started, the ones started are stopped and joined before the error
/// returns, so that none keeps the database (and its directory lock) alive.
pub(crate) fn spawn(inner: &Arc<Inner>, n: usize) -> Result<Vec<JoinHandle<()>>> {
    let mut started = Vec::with_capacity(n);
    for i in 0..n {
        let worker = Arc::clone(inner);
        match std::thread::Builder::new()
            .name(format!("murr-worker-{i}"))
            .spawn(move || run(&worker))
        {
            Ok(handle) => started.push(handle),
            Err(e) => {
                inner.jobs.shutdown();
                for handle in started {
                    let _ = handle.join();
                }
                return Err(Error::io(&inner.dir, e));
            }
        }
    }
    Ok(started)
}

/// When writes were last seen: the published sequence number and when it last moved.
struct Quiet {
    seq: u64,
    since: Instant,
}

impl Quiet {
    /// Whether no write has been published for `after` (`None`: never quiet).
    fn for_at_least(&mut self, inner: &Inner, after: Option<Duration>) -> bool {
        let seq = inner.publisher.visible();
        if seq != self.seq {
            self.seq = seq;
            self.since = Instant::now();
            return false;
        }
        after.is_some_and(|after| self.since.elapsed() >= after)
    }
}

/// A worker's loop.
fn run(inner: &Inner) {
    let mut quiet = Quiet {
        seq: inner.publisher.visible(),
        since: Instant::now(),
    };
    loop {
        let flush_now = {
            let mut s = inner.jobs.lock();
            if s.shutdown {
                return;
            }
            if s.flush_requested && !s.flushing {
                s.flush_requested = false;
                s.flushing = true;
                true
            } else {
                false
            }
        };
        if flush_now {
            let result = {
                let mut meta = inner.meta();
                if inner.closed.load(Ordering::Acquire) {
                    Ok(())
                } else {
                    flush::flush(inner, &mut meta)
                }
            };
            let mut s = inner.jobs.lock();
            s.flushing = false;
            s.error = result.err().map(|e| e.to_string());
            drop(s);
            inner.jobs.progress.notify_all();
        }
        let mut compacted = compact_due(inner, Reason::Trigger);
        if !compacted && quiet.for_at_least(inner, inner.options.idle_compaction_after) {
            compacted = compact_due(inner, Reason::Idle);
        }
        inner.graveyard.sweep();
        if !flush_now && !compacted {
            let s = inner.jobs.lock();
            if s.shutdown || s.flush_requested {
                continue;
            }
            let _ = inner
                .jobs
                .work
                .wait_timeout(s, TICK)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Compacts each table that wants it for `reason` and that no other worker is compacting;
/// returns whether any was.
fn compact_due(inner: &Inner, reason: Reason) -> bool {
    let version = inner.current.load_full();
    let mut any = false;
    for t in &version.tables {
        if !compact::wanted(inner, t, reason) || !inner.jobs.claim(t.id) {
            continue;
        }
        let result = compact::compact_table(inner, t.id, reason);
        inner.jobs.release(t.id);
        match result {
            Ok(done) => {
                any |= done;
                if done {
                    inner.jobs.lock().error = None;
                }
            }
            Err(e) => inner.jobs.lock().error = Some(e.to_string()),
        }
    }
    any
}

/// Holds a writer to `table` back while background work falls behind (see the module
/// docs). Without background threads nothing would catch up, so it never waits.
pub(crate) fn throttle(inner: &Inner, table: &str) -> Result<()> {
    if inner.options.background_threads == 0 {
        return Ok(());
    }
    let start = inner.metrics.start();
    let mut held = false;
    let result = hold(inner, table, &mut held);
    if held && let Some(start) = start {
        inner.metrics.stall(start.elapsed());
    }
    result
}

/// [`throttle`]'s loop; sets `held` once it slows or stops the writer.
fn hold(inner: &Inner, table: &str, held: &mut bool) -> Result<()> {
    let mut slowed = false;
    loop {
        inner.check_open()?;
        let version = inner.current.load();
        let Ok(t) = version.table(table) else {
            return Ok(()); // the write reports the unknown table
        };
        let l0 = t.segments.len();
        let memory = version.active_bytes();
        drop(version);
        let flush_pending = inner.jobs.flush_pending();
        let stop = l0 >= inner.options.l0_stop_writes.max(1)
            || (flush_pending && memory >= inner.options.memtable_bytes.saturating_mul(2));
        if stop {
            *held = true;
            if l0 >= inner.options.l0_compaction_trigger {
                inner.jobs.nudge();
            }
            let s = inner.jobs.lock();
            if s.shutdown {
                return Ok(());
            }
            if let Some(e) = &s.error {
                return Err(Error::BackgroundFailed(e.clone()));
            }
            let _ = inner
                .jobs
                .progress
                .wait_timeout(s, TICK)
                .unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        if !slowed && l0 >= inner.options.l0_slowdown_writes.max(1) {
            slowed = true;
            *held = true;
            inner.jobs.nudge();
            std::thread::sleep(Duration::from_millis(1));
            continue;
        }
        return Ok(());
    }
}
