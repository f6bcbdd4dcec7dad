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
    /// The sequence number [`GroupCommit::commit_numbered`] gives next.
    next_seq: u64,
    queue: Vec<Pending>,
    /// Results of finished groups not yet picked up, by ticket.
    results: HashMap<u64, Outcome>,
    groups: u64,
    syncs: u64,
}

#[derive(Debug)]
struct Pending {
    ticket: u64,
    /// `None` for [`GroupCommit::sync`]: nothing to append.
    record: Option<Vec<u8>>,
    sync: bool,
}

/// The result of [`GroupCommit::commit_numbered`]: the sequence number the record was
/// given, and whether it reached the log.
#[derive(Debug)]
pub struct Numbered {
    /// The record's sequence number. It is used up even if the commit failed.
    pub seq: u64,
    /// The record's byte offset in the log, or why the group holding it failed.
    pub result: Result<u64>,
}

/// A record's result, shareable among the members of a failed group.
#[derive(Debug, Clone)]
enum Outcome {
    Offset(u64),
    Failed(std::io::ErrorKind, String),
}

impl GroupCommit {
    /// Shares `writer` among committing threads. [`GroupCommit::commit_numbered`] numbers
    /// records from the log's first sequence number ([`WalWriter::first_seq`]).
    pub fn new(writer: WalWriter) -> GroupCommit {
        GroupCommit {
            path: writer.path().to_owned(),
            state: Mutex::new(State {
                next_seq: writer.first_seq(),
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
        check_len(&record)?;
        let mut state = self.lock();
        let ticket = state.push(Some(record), sync);
        self.wait(state, ticket)
    }

    /// Like [`GroupCommit::commit`], and numbers the record: under the queue's lock it
    /// takes the next sequence number and writes it, little-endian, over the record's
    /// first 8 bytes. Numbers follow log order: a record with a greater number is at a
    /// greater offset. A record shorter than 8 bytes or longer than 1 GiB is an error
    /// that uses no number and queues nothing.
    pub fn commit_numbered(&self, mut record: Vec<u8>, sync: bool) -> Result<Numbered> {
        check_len(&record)?;
        let Some(head) = record.get_mut(..8) else {
            return Err(Error::LimitExceeded(format!(
                "a numbered record of {} bytes; it needs at least 8 for its sequence number",
                record.len()
            )));
        };
        let mut state = self.lock();
        let seq = state.next_seq;
        state.next_seq += 1;
        head.copy_from_slice(&seq.to_le_bytes());
        let ticket = state.push(Some(record), sync);
        Ok(Numbered {
            seq,
            result: self.wait(state, ticket),
        })
    }

    /// Makes every record committed so far durable (one fsync, shared with a group that
    /// syncs anyway), for a policy that syncs on a timer rather than on every commit.
    pub fn sync(&self) -> Result<()> {
        let mut state = self.lock();
        let ticket = state.push(None, true);
        self.wait(state, ticket).map(|_| ())
    }

    /// The sequence number the next [`GroupCommit::commit_numbered`] takes.
    pub fn next_seq(&self) -> u64 {
        self.lock().next_seq
    }

    /// Waits for `ticket`'s result, leading a group when no one else is.
    fn wait<'a>(&'a self, mut state: MutexGuard<'a, State>, ticket: u64) -> Result<u64> {
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
            let appended = match &p.record {
                Some(record) => writer.append(record),
                None => Ok(writer.len()),
            };
            match appended {
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

impl State {
    /// Queues a record (or a sync, for `None`) and returns its ticket.
    fn push(&mut self, record: Option<Vec<u8>>, sync: bool) -> u64 {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        self.queue.push(Pending {
            ticket,
            record,
            sync,
        });
        ticket
    }
}

/// Refuses a record longer than a log holds.
fn check_len(record: &[u8]) -> Result<()> {
    if record.len() > MAX_RECORD_LEN {
        return Err(Error::LimitExceeded(format!(
            "a write-ahead log record of {} bytes; records hold at most {MAX_RECORD_LEN}",
            record.len()
        )));
    }
    Ok(())
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

    #[test]
    fn numbered_records_follow_log_order() {
        let dir = tempfile::tempdir().unwrap();
        let wal = Arc::new(GroupCommit::new(
            WalWriter::create(dir.path(), 1, 100).unwrap(),
        ));
        let threads: Vec<_> = (0..8u8)
            .map(|t| {
                let wal = wal.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|_| {
                            let n = wal.commit_numbered(vec![t; 16], t % 2 == 0).unwrap();
                            (n.seq, n.result.unwrap())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(u64, u64)> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        all.sort_unstable();
        let seqs: Vec<u64> = all.iter().map(|p| p.0).collect();
        assert_eq!(seqs, (100..500).collect::<Vec<_>>());
        assert!(
            all.windows(2).all(|w| w[0].1 < w[1].1),
            "offsets follow seqs"
        );
        assert_eq!(wal.next_seq(), 500);
        wal.sync().unwrap();

        // Each record carries its number in its first 8 bytes.
        let path = dir.path().join(crate::wal::file_name(1));
        let mut reader =
            crate::wal::WalReader::open(&path, crate::wal::RecoveryMode::Strict).unwrap();
        let mut expect = 100u64;
        while let Some(r) = reader.next_record().unwrap() {
            assert_eq!(u64::from_le_bytes(r[..8].try_into().unwrap()), expect);
            expect += 1;
        }
        assert_eq!(expect, 500);
    }

    #[test]
    fn a_short_numbered_record_uses_no_number() {
        let dir = tempfile::tempdir().unwrap();
        let wal = GroupCommit::new(WalWriter::create(dir.path(), 1, 7).unwrap());
        assert!(wal.commit_numbered(vec![0; 7], false).is_err());
        assert_eq!(wal.commit_numbered(vec![0; 8], false).unwrap().seq, 7);
    }
}
