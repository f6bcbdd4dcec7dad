//! Group commit: many threads committing through one `GroupCommit` all land in the log,
//! each exactly once, in one total order (the offsets `commit` returned) that keeps every
//! thread's own order; under contention, synced commits share fsyncs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use std::sync::{Arc, Barrier};

use murr_core::wal::{GroupCommit, RecoveryMode, WalReader, WalWriter};
use wal_util::read_from;

const THREADS: usize = 8;
const PER_THREAD: usize = 60;

/// Record `i` of thread `t`: its identity, then filler of a size that varies (some records
/// span blocks).
fn record(t: usize, i: usize) -> Vec<u8> {
    let len = 8 + (t * 7919 + i * 104_729) % if i.is_multiple_of(10) { 70_000 } else { 600 };
    let mut r = vec![(t * 31 + i) as u8; len];
    r[..4].copy_from_slice(&(t as u32).to_le_bytes());
    r[4..8].copy_from_slice(&(i as u32).to_le_bytes());
    r
}

#[test]
fn threads_commit_in_one_total_order_with_shared_fsyncs() {
    let dir = tempfile::tempdir().unwrap();
    let wal = Arc::new(GroupCommit::new(
        WalWriter::create(dir.path(), 5, 0).unwrap(),
    ));
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (wal, start) = (wal.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                (0..PER_THREAD)
                    .map(|i| {
                        // Every third commit does not ask for sync.
                        let offset = wal.commit(record(t, i), !i.is_multiple_of(3)).unwrap();
                        (offset, t, i)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut committed: Vec<(u64, usize, usize)> = threads
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();

    let synced =
        THREADS * PER_THREAD - (0..PER_THREAD).filter(|i| i.is_multiple_of(3)).count() * THREADS;
    let (groups, syncs) = (wal.group_count(), wal.sync_count());
    eprintln!(
        "{} commits ({synced} synced) in {groups} groups, {syncs} fsyncs",
        committed.len()
    );
    assert!(syncs >= 1 && (syncs as usize) < synced, "{syncs} fsyncs");
    assert!(groups as usize <= committed.len());

    // Each thread's commits are in its own order.
    for t in 0..THREADS {
        let mine: Vec<u64> = committed.iter().filter(|c| c.1 == t).map(|c| c.0).collect();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "thread {t}");
    }
    // The log holds every record once, in offset order.
    committed.sort_unstable();
    let writer = Arc::into_inner(wal).unwrap().into_inner().unwrap();
    let path = writer.path().to_owned();
    writer.close().unwrap();
    let got = read_from(WalReader::open(&path, RecoveryMode::Strict).unwrap());
    assert!(got.error.is_none() && got.torn_tail.is_none());
    assert_eq!(got.records.len(), THREADS * PER_THREAD);
    for ((offset, r), &(want_offset, t, i)) in got.records.iter().zip(&committed) {
        assert_eq!(*offset, want_offset);
        assert!(*r == record(t, i), "record {i} of thread {t}");
    }
}

#[test]
fn an_oversized_record_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let wal = GroupCommit::new(WalWriter::create(dir.path(), 5, 0).unwrap());
    let huge = vec![0u8; murr_core::wal::MAX_RECORD_LEN + 1];
    assert!(matches!(
        wal.commit(huge, true),
        Err(murr_core::Error::LimitExceeded(_))
    ));
    assert_eq!(wal.group_count(), 0);
    wal.commit(b"fine".to_vec(), true).unwrap();
    assert_eq!((wal.group_count(), wal.sync_count()), (1, 1));
}
