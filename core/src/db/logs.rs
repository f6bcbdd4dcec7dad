//! The write-ahead logs of a database directory, for the change feed: which logs exist and
//! the first sequence number each may hold, which flushed logs are kept
//! ([`crate::db::Options::change_retention_bytes`]), and which a feed is reading (pinned:
//! not deleted until the feed lets go).
//!
//! Every log is listed from its creation (the open's, or a freeze's, under the exclusive
//! gate, before any record reaches it) until retention deletes it. After a flush, the logs
//! numbered below the active one hold only flushed writes: [`Logs::trim`] keeps the
//! newest of them while their sizes add up to at most the retention, and deletes the rest
//! (a pinned one once its last feed is dropped). So the listed logs always cover every
//! sequence number from the oldest listed log's `first_seq` on, without a gap.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::dir::{self, FileKind};
use crate::{Error, Result};

/// See the module docs.
#[derive(Debug)]
pub(crate) struct Logs {
    dir: PathBuf,
    retention_bytes: u64,
    /// The database's closed flag: once set, an unpinned log is left for the next open.
    closed: Arc<AtomicBool>,
    state: Mutex<State>,
    /// Held while a sweep deletes files, so that sweeps delete in order.
    sweeping: Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    /// Listed logs: number -> first sequence number.
    logs: BTreeMap<u64, u64>,
    /// Feeds reading each log.
    pins: HashMap<u64, usize>,
    /// Logs retention dropped from the list while a feed read them: deleted at unpin.
    doomed: BTreeSet<u64>,
}

/// A log a feed reads: its number, path and first sequence number.
#[derive(Debug, Clone)]
pub(crate) struct PinnedLog {
    pub(crate) number: u64,
    pub(crate) path: PathBuf,
    pub(crate) first_seq: u64,
}

/// Logs pinned for one feed, in order; unpinned when dropped.
#[derive(Debug)]
pub(crate) struct Pinned {
    logs: Arc<Logs>,
    pub(crate) list: Vec<PinnedLog>,
}

impl Drop for Pinned {
    fn drop(&mut self) {
        let numbers: Vec<u64> = self.list.iter().map(|l| l.number).collect();
        self.logs.unpin(&numbers);
    }
}

impl Logs {
    /// The logs of `dir`, `logs` mapping each number to its first sequence number.
    pub(crate) fn new(
        dir: &Path,
        retention_bytes: u64,
        closed: Arc<AtomicBool>,
        logs: BTreeMap<u64, u64>,
    ) -> Logs {
        Logs {
            dir: dir.to_path_buf(),
            retention_bytes,
            closed,
            state: Mutex::new(State {
                logs,
                ..State::default()
            }),
            sweeping: Mutex::new(()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lists a log just created.
    pub(crate) fn add(&self, number: u64, first_seq: u64) {
        self.lock().logs.insert(number, first_seq);
    }

    /// The smallest `since_seq` a feed accepts: one below the oldest listed log's first
    /// sequence number.
    pub(crate) fn oldest_since(&self) -> u64 {
        self.lock()
            .logs
            .values()
            .next()
            .map_or(0, |f| f.saturating_sub(1))
    }

    /// Applies the retention to the logs numbered below `active` (which recovery no longer
    /// needs): keeps the newest while their sizes add up to at most the retention, unlists
    /// the others and deletes them oldest first (see [`Logs::sweep`]). The sizes are read
    /// and the files deleted without the list's lock, which `changes()` takes.
    pub(crate) fn trim(&self, active: u64) {
        let candidates: Vec<u64> = self
            .lock()
            .logs
            .range(..active)
            .rev()
            .map(|(&n, _)| n)
            .collect();
        let mut kept = 0u64;
        let mut doomed = Vec::new();
        for n in candidates {
            if doomed.is_empty() {
                let path = self.dir.join(dir::name(FileKind::Log, n));
                kept = kept.saturating_add(std::fs::metadata(&path).map_or(0, |m| m.len()));
                if kept <= self.retention_bytes {
                    continue;
                }
            }
            doomed.push(n);
        }
        {
            let mut state = self.lock();
            for n in doomed {
                if state.logs.remove(&n).is_some() {
                    state.doomed.insert(n);
                }
            }
        }
        self.sweep();
    }

    /// Deletes unlisted logs oldest first, stopping at one a feed reads (it goes when the
    /// feed lets go) or one that cannot be deleted (the next open trims it again), and
    /// doing nothing once the database is closed (the next open trims them). One sweep at
    /// a time. So the logs on disk are always a run without a gap, whatever moment a crash
    /// comes at: a log deleted before an older one would leave the next open a hole in the
    /// feed that sequence numbers cannot reveal. An unlisted log cannot be pinned again, so
    /// the files are deleted without the list's lock.
    fn sweep(&self) {
        let _one = self.sweeping.lock().unwrap_or_else(PoisonError::into_inner);
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let batch: Vec<u64> = {
            let mut state = self.lock();
            let mut batch = Vec::new();
            while let Some(&n) = state.doomed.first() {
                if state.pins.contains_key(&n) {
                    break;
                }
                state.doomed.pop_first();
                batch.push(n);
            }
            batch
        };
        for (i, &n) in batch.iter().enumerate() {
            match std::fs::remove_file(self.dir.join(dir::name(FileKind::Log, n))) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    let rest = batch.get(i..).unwrap_or_default();
                    self.lock().doomed.extend(rest.iter().copied());
                    return;
                }
                _ => {}
            }
        }
    }

    /// Pins the logs holding the sequence numbers `since + 1 ..= end`, or fails with
    /// [`Error::ChangesNotRetained`] when the oldest listed log starts above `since + 1`.
    pub(crate) fn pin(self: &Arc<Self>, since: u64, end: u64) -> Result<Pinned> {
        let mut state = self.lock();
        let oldest = state.logs.values().next().copied().unwrap_or(1);
        if since.saturating_add(1) < oldest {
            return Err(Error::ChangesNotRetained {
                since,
                oldest,
                oldest_since: oldest.saturating_sub(1),
                retention_bytes: self.retention_bytes,
            });
        }
        let mut list = Vec::new();
        if since < end {
            let logs: Vec<(u64, u64)> = state.logs.iter().map(|(&n, &f)| (n, f)).collect();
            for (i, &(number, first_seq)) in logs.iter().enumerate() {
                // Log i holds sequence numbers first_seq ..= (the next log's first) - 1.
                let after = logs.get(i + 1).map(|&(_, f)| f);
                if after.is_some_and(|f| f <= since.saturating_add(1)) || first_seq > end {
                    continue;
                }
                list.push(PinnedLog {
                    number,
                    path: self.dir.join(dir::name(FileKind::Log, number)),
                    first_seq,
                });
            }
            for l in &list {
                *state.pins.entry(l.number).or_insert(0) += 1;
            }
        }
        Ok(Pinned {
            logs: Arc::clone(self),
            list,
        })
    }

    /// Lets go of `numbers`, then deletes the unlisted logs no feed reads any more.
    fn unpin(&self, numbers: &[u64]) {
        let mut state = self.lock();
        for &n in numbers {
            if let Some(count) = state.pins.get_mut(&n) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    state.pins.remove(&n);
                }
            }
        }
        drop(state);
        self.sweep();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn log(dir: &Path, n: u64, bytes: usize) {
        std::fs::write(dir.join(dir::name(FileKind::Log, n)), vec![0u8; bytes]).unwrap();
    }

    fn exists(dir: &Path, n: u64) -> bool {
        dir.join(dir::name(FileKind::Log, n)).exists()
    }

    #[test]
    fn trim_keeps_the_newest_within_the_budget_and_spares_pinned_logs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for n in 1..=4 {
            log(d, n, 100);
        }
        let logs = Arc::new(Logs::new(
            d,
            250,
            Arc::new(AtomicBool::new(false)),
            [(1, 1), (2, 10), (3, 20), (4, 30)].into_iter().collect(),
        ));
        let pinned = logs.pin(0, 25).unwrap();
        assert_eq!(
            pinned.list.iter().map(|l| l.number).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        // Logs 1-3 are flushed; 2 and 3 fit in 250 bytes, 1 does not, but is pinned.
        logs.trim(4);
        assert!(exists(d, 1) && exists(d, 2) && exists(d, 3) && exists(d, 4));
        assert_eq!(logs.oldest_since(), 9);
        assert!(matches!(
            logs.pin(5, 30),
            Err(Error::ChangesNotRetained { oldest: 10, .. })
        ));
        let later = logs.pin(9, 30).unwrap();
        assert_eq!(
            later.list.iter().map(|l| l.number).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
        drop(pinned);
        assert!(!exists(d, 1));
        // A middle start skips the logs wholly before it.
        assert_eq!(logs.pin(25, 30).unwrap().list.len(), 2);
        assert!(logs.pin(30, 30).unwrap().list.is_empty());
        drop(later);
        // A pinned log holds back the deletion of newer unlisted ones: the logs on disk stay
        // a run without a gap.
        let pinned = logs.pin(9, 15).unwrap();
        assert_eq!(pinned.list.len(), 1);
        log(d, 5, 300);
        logs.add(5, 40);
        log(d, 6, 10);
        logs.add(6, 50);
        logs.trim(6); // 5 alone is over the budget: 2, 3, 4 and 5 go, but 2 is pinned
        assert!(exists(d, 2) && exists(d, 3) && exists(d, 4) && exists(d, 5));
        assert_eq!(logs.oldest_since(), 49);
        drop(pinned);
        assert!(!exists(d, 2) && !exists(d, 3) && !exists(d, 4) && !exists(d, 5));
        assert!(exists(d, 6));
        for n in 2..=4 {
            log(d, n, 100);
        }
        let none = Logs::new(d, 0, Arc::new(AtomicBool::new(false)), BTreeMap::new());
        none.add(2, 10);
        none.add(3, 20);
        none.add(4, 30);
        none.trim(4);
        assert!(!exists(d, 2) && !exists(d, 3) && exists(d, 4));
    }
}
