//! Group commit: many threads append to one log and share its fsyncs.
//!
//! A committing thread queues its record. If no thread is writing, it becomes the
//! **leader**: it takes every queued record (its own and those of the threads waiting
//! behind it), appends them in queue order, writes them to the file, fsyncs once if any of
//! them asked for it, and publishes one result per record. Records queued while a leader
//! writes form the next group, led by one of their threads once the leader is done. The
//! lock is not held during I/O.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::WalWriter;
use super::format::MAX_RECORD_LEN;
use crate::{Error, Result};

/// A [`WalWriter`] shared by threads that commit records through it. See the module docs
/// and `docs/WAL.md` §6.
///
/// ```no_run
/// use std::sync::Arc;
/// use murr_core::wal::{GroupCommit, WalWriter};
/// let wal = Arc::new(GroupCommit::new(WalWriter::create("db", 7, 1000)?));
/// let handles: Vec<_> = (0..4u8)
///     .map(|t| {
///         let wal = wal.clone();
///         std::thread::spawn(move || wal.commit(vec![t; 100], true))
///     })
///     .collect();
/// for h in handles {
///     let offset = h.join().expect("thread")?; // durable once this returns
/// }
/// # Ok::<(), murr_core::Error>(())
/// ```
#[derive(Debug)]
pub struct GroupCommit {
    state: Mutex<State>,
    done: Condvar,
    path: PathBuf,
}

#[derive(Debug)]
struct State {
    /// `None` while a leader writes with it.
    writer: Option<WalWriter>,
    leading: bool,
    next_ticket: u64,
    queue: Vec<Pending>,
    /// Results of finished groups not yet picked up, by ticket.
    results: HashMap<u64, Outcome>,
    groups: u64,
    syncs: u64,
}

#[derive(Debug)]
struct Pending {
    ticket: u64,
    record: Vec<u8>,
    sync: bool,
}

/// A record's result, shareable among the members of a failed group.
#[derive(Debug, Clone)]
enum Outcome {
    Offset(u64),
    Failed(std::io::ErrorKind, String),
}

impl GroupCommit {
    /// Shares `writer` among committing threads.
    pub fn new(writer: WalWriter) -> GroupCommit {
        GroupCommit {
            path: writer.path().to_owned(),
            state: Mutex::new(State {
                writer: Some(writer),
                leading: false,
                next_ticket: 0,
                queue: Vec::new(),
                results: HashMap::new(),
                groups: 0,
                syncs: 0,
            }),
            done: Condvar::new(),
        }
    }

    /// Appends `record` to the log and returns its byte offset there (offsets give the
    /// order of all committed records). With `sync`, returns once the record is durable;
    /// without, once it is written to the operating system. A record longer than 1 GiB is
    /// [`Error::LimitExceeded`] and queues nothing. If the group holding the record fails,
    /// every member gets the error, and so does every later commit (the writer refuses work
    /// after a failure: the engine must start a new log).
    pub fn commit(&self, record: Vec<u8>, sync: bool) -> Result<u64> {
        if record.len() > MAX_RECORD_LEN {
            return Err(Error::LimitExceeded(format!(
                "a write-ahead log record of {} bytes; records hold at most {MAX_RECORD_LEN}",
                record.len()
            )));
        }
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push(Pending {
            ticket,
            record,
            sync,
        });
        loop {
            if let Some(outcome) = state.results.remove(&ticket) {
                return match outcome {
                    Outcome::Offset(offset) => Ok(offset),
                    Outcome::Failed(kind, message) => {
                        Err(Error::io(&self.path, std::io::Error::new(kind, message)))
                    }
                };
            }
            if state.leading {
                state = self
                    .done
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            state.leading = true;
            let group = std::mem::take(&mut state.queue);
            let writer = state.writer.take();
            drop(state);
            let mut guard = Leading {
                owner: self,
                tickets: group.iter().map(|p| p.ticket).collect(),
                writer,
                outcomes: None,
                synced: false,
            };
            guard.write(group);
            drop(guard);
            state = self.lock();
        }
    }

    /// Fsyncs done so far: one per group that held a synced record.
    pub fn sync_count(&self) -> u64 {
        self.lock().syncs
    }

    /// Groups written so far.
    pub fn group_count(&self) -> u64 {
        self.lock().groups
    }

    /// The writer back, once no thread is committing (e.g. to close the log).
    pub fn into_inner(self) -> Result<WalWriter> {
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        state.writer.ok_or_else(|| lost(&self.path))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A leader's group in flight. Dropping it publishes the results and hands leadership on,
/// also if writing panicked (the group then fails and the writer refuses further work, as
/// after an I/O error), so that no follower waits forever.
struct Leading<'a> {
    owner: &'a GroupCommit,
    tickets: Vec<u64>,
    writer: Option<WalWriter>,
    outcomes: Option<Vec<Outcome>>,
    synced: bool,
}

impl Leading<'_> {
    /// Appends the group, writes it out, fsyncs once if anyone asked.
    fn write(&mut self, group: Vec<Pending>) {
        let Some(writer) = self.writer.as_mut() else {
            let e = lost(&self.owner.path);
            self.outcomes = Some(vec![failed(&e); group.len()]);
            return;
        };
        let wants_sync = group.iter().any(|p| p.sync);
        let mut offsets = Vec::with_capacity(group.len());
        let mut result = Ok(());
        for p in &group {
            match writer.append(&p.record) {
                Ok(offset) => offsets.push(Outcome::Offset(offset)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        let result = result.and_then(|()| {
            if wants_sync {
                self.synced = true;
                writer.sync()
            } else {
                writer.flush()
            }
        });
        self.outcomes = Some(match result {
            Ok(()) => offsets,
            Err(e) => vec![failed(&e); group.len()],
        });
    }
}

impl Drop for Leading<'_> {
    fn drop(&mut self) {
        let outcomes = self.outcomes.take().unwrap_or_else(|| {
            if let Some(writer) = self.writer.as_mut() {
                writer.poison();
            }
            let e = Error::io(
                &self.owner.path,
                std::io::Error::other("the thread writing this group panicked"),
            );
            vec![failed(&e); self.tickets.len()]
        });
        let mut state = self.owner.lock();
        state.writer = self.writer.take();
        state.leading = false;
        state.groups += 1;
        state.syncs += u64::from(self.synced);
        state
            .results
            .extend(self.tickets.iter().copied().zip(outcomes));
        drop(state);
        self.owner.done.notify_all();
    }
}

/// The outcome every member of a failed group gets.
fn failed(e: &Error) -> Outcome {
    match e {
        Error::Io { source, .. } => Outcome::Failed(source.kind(), source.to_string()),
        other => Outcome::Failed(std::io::ErrorKind::Other, other.to_string()),
    }
}

/// The error if the writer is not there (never expected: a leader always puts it back).
fn lost(path: &std::path::Path) -> Error {
    Error::io(
        path,
        std::io::Error::other("the log's writer is missing; start a new log"),
    )
}

#[cfg(test)]
mod tests {
    //! Groups formed deterministically: the test holds leadership while followers queue.
    use super::*;
    use std::sync::Arc;

    /// Starts `n` commits that queue behind a pretend leader, then lets them go as one group.
    fn one_group(wal: &Arc<GroupCommit>, n: usize) -> Vec<Result<u64>> {
        wal.lock().leading = true;
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let wal = wal.clone();
                std::thread::spawn(move || wal.commit(vec![i as u8; 100 + i], true))
            })
            .collect();
        while wal.lock().queue.len() < n {
            std::thread::yield_now();
        }
        wal.lock().leading = false;
        wal.done.notify_all();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    #[test]
    fn a_group_shares_one_fsync() {
        let dir = tempfile::tempdir().unwrap();
        let wal = Arc::new(GroupCommit::new(
            WalWriter::create(dir.path(), 1, 0).unwrap(),
        ));
        let offsets: Vec<u64> = one_group(&wal, 6).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!((wal.group_count(), wal.sync_count()), (1, 1));
        let mut sorted = offsets.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 6, "distinct offsets {offsets:?}");
    }

    #[test]
    fn a_failed_group_fails_every_member_and_later_commits() {
        let dir = tempfile::tempdir().unwrap();
        let wal = Arc::new(GroupCommit::new(
            WalWriter::create(dir.path(), 1, 0).unwrap(),
        ));
        // A read-only handle makes every write fail.
        {
            let mut state = wal.lock();
            let writer = state.writer.as_mut().unwrap();
            let read_only = std::fs::File::open(writer.path()).unwrap();
            writer.replace_file(read_only);
        }
        for r in one_group(&wal, 5) {
            match r {
                Err(Error::Io { path, .. }) => assert!(path.ends_with(".log"), "{path}"),
                other => panic!("expected an I/O error, got {other:?}"),
            }
        }
        assert_eq!(wal.group_count(), 1);
        let later = wal
            .commit(b"later".to_vec(), false)
            .unwrap_err()
            .to_string();
        assert!(later.contains("earlier write or sync"), "{later}");
    }
}
