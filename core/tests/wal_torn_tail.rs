//! A log cut at any length (a write torn by a crash) reads as exactly the records that
//! were complete before the cut, ends without error in both recovery modes, and reports
//! where valid data ends: the start of the first incomplete record, or nothing when the cut
//! falls on a record boundary. Truncating there and reading again gives a clean log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use std::io::Cursor;

use murr_core::Error;
use murr_core::wal::{HEADER_LEN, RecoveryMode, WalReader, WalWriter};
use wal_util::{NAME, fragments, read, read_from, small_log};

#[test]
fn every_truncation_length() {
    let (recs, bytes, offsets) = small_log();
    // Where each record's last fragment ends.
    let frags = fragments(&bytes);
    let ends: Vec<u64> = offsets
        .iter()
        .map(|&start| {
            let last = frags
                .iter()
                .filter(|f| f.offset >= start && (f.kind == 1 || f.kind == 4))
                .find(|f| f.offset >= start)
                .unwrap();
            last.offset + (HEADER_LEN + last.len) as u64
        })
        .collect();
    assert!(
        bytes.len() > 2 * murr_core::wal::BLOCK_SIZE,
        "spans three blocks"
    );
    let header_end = offsets[0] as usize;

    let check = |cut: usize| {
        let prefix = &bytes[..cut];
        if cut < header_end {
            match WalReader::from_reader(Cursor::new(prefix), NAME, RecoveryMode::Strict) {
                Err(Error::Corrupt { section, .. }) => assert_eq!(section, "WAL file header"),
                other => panic!("cut {cut}: expected a corrupt header, got {other:?}"),
            }
            return;
        }
        let complete = ends.iter().filter(|&&e| e <= cut as u64).count();
        let torn = offsets
            .get(complete)
            .copied()
            .filter(|&next| next < cut as u64);
        for mode in [RecoveryMode::Strict, RecoveryMode::SkipCorrupt] {
            let got = read(prefix, mode);
            assert!(got.error.is_none(), "cut {cut} {mode:?}: {:?}", got.error);
            assert!(got.skipped.is_empty(), "cut {cut} {mode:?}");
            assert_eq!(got.records.len(), complete, "cut {cut} {mode:?}");
            for ((offset, r), (want, want_offset)) in
                got.records.iter().zip(recs.iter().zip(&offsets))
            {
                assert_eq!((r, offset), (want, want_offset), "cut {cut}");
            }
            assert_eq!(got.torn_tail, torn, "cut {cut} {mode:?}");
        }
    };
    // Two threads: the cuts are independent.
    std::thread::scope(|s| {
        let check = &check;
        let len = bytes.len();
        let mid = len / 2 + len / 8; // later cuts read more: balance the work
        s.spawn(move || (0..mid).for_each(check));
        (mid..=len).for_each(check);
    });
}

#[test]
fn truncating_at_the_torn_tail_gives_a_clean_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut wal = WalWriter::create(dir.path(), 3, 0).unwrap();
    wal.append(&[1; 100]).unwrap();
    let second = wal.append(&[2; 50_000]).unwrap();
    wal.sync().unwrap();
    let path = wal.path().to_owned();
    drop(wal);
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(second + 40_000).unwrap();

    let got = read_from(WalReader::open(&path, RecoveryMode::Strict).unwrap());
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.torn_tail, Some(second));
    file.set_len(second).unwrap();
    let again = read_from(WalReader::open(&path, RecoveryMode::Strict).unwrap());
    assert_eq!((again.records.len(), again.torn_tail), (1, None));
}
