//! A bit flipped anywhere in a log never yields wrong data. A flip in the file header fails
//! opening; a flip in a block trailer changes nothing; a flip in a record returns exactly
//! the records before it, then (Strict) either an `Error::Corrupt` naming the damaged
//! record's offset when any valid physical record follows, or a clean end with the torn
//! tail at that offset when none does. A flip in a length field may do either: the damage
//! hides where the next record starts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};

use murr_core::Error;
use murr_core::wal::{HEADER_LEN, RecoveryMode, WalReader};
use wal_util::{NAME, fragments, read, small_log};

#[test]
fn every_byte() {
    let (recs, bytes, offsets) = small_log();
    let frags = fragments(&bytes);
    let header_end = offsets[0] as usize;
    let (corrupt, tail) = (AtomicUsize::new(0), AtomicUsize::new(0));

    let check = |at: usize| {
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << (at % 8);
        if at < header_end {
            match WalReader::from_reader(Cursor::new(&damaged), NAME, RecoveryMode::Strict) {
                Err(Error::Corrupt { section, .. }) => assert_eq!(section, "WAL file header"),
                other => panic!("byte {at}: expected a corrupt header, got {other:?}"),
            }
            return;
        }
        let got = read(&damaged, RecoveryMode::Strict);
        let Some(frag) = frags
            .iter()
            .position(|f| f.offset as usize <= at && at < f.offset as usize + HEADER_LEN + f.len)
        else {
            // A block trailer: ignored.
            assert!(got.error.is_none() && got.torn_tail.is_none(), "byte {at}");
            assert_eq!(got.records.len(), recs.len(), "byte {at}");
            return;
        };
        // The logical record holding the flipped byte.
        let k = offsets
            .iter()
            .rposition(|&o| o <= frags[frag].offset)
            .unwrap();
        assert_eq!(got.records.len(), k, "byte {at}: records before the damage");
        for ((offset, r), (want, want_offset)) in got.records.iter().zip(recs.iter().zip(&offsets))
        {
            assert_eq!((r, offset), (want, want_offset), "byte {at}");
        }
        let in_length = (4..6).contains(&(at - frags[frag].offset as usize));
        let follows = frag + 1 < frags.len();
        match &got.error {
            Some(Error::Corrupt { file, section, .. }) => {
                assert!(follows, "byte {at}: nothing follows, yet corrupt");
                assert_eq!(file, NAME);
                assert_eq!(section, &format!("WAL record at byte {}", offsets[k]));
                corrupt.fetch_add(1, Ordering::Relaxed);
            }
            Some(e) => panic!("byte {at}: unexpected {e:?}"),
            None => {
                assert!(!follows || in_length, "byte {at}: a valid record follows");
                assert_eq!(got.torn_tail, Some(offsets[k]), "byte {at}");
                tail.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    std::thread::scope(|s| {
        let check = &check;
        let mid = bytes.len() / 2 + bytes.len() / 8;
        s.spawn(move || (0..mid).for_each(check));
        (mid..bytes.len()).for_each(check);
    });
    let (corrupt, tail) = (corrupt.into_inner(), tail.into_inner());
    eprintln!("{corrupt} flips reported corrupt, {tail} ended the log");
    assert!(
        corrupt > 60_000 && tail > 10,
        "{corrupt} corrupt, {tail} tail"
    );
}
