//! In `RecoveryMode::SkipCorrupt` a reader goes on past corruption in the middle of a log:
//! it returns every record outside the damage, exactly, and reports the skipped bytes, so
//! that the engine can tell which records were lost. Checked for a damaged payload (only
//! that record is lost), a damaged length field (resynchronised at the next block that
//! starts with a valid record), a zeroed block, and a flipped bit at every byte.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use murr_core::Error;
use murr_core::wal::{BLOCK_SIZE, HEADER_LEN, RecoveryMode};
use wal_util::{fragments, read, small_log};

/// Checks that `got` returned exactly the records of `recs` that start outside the skipped
/// ranges and before the torn tail, with their offsets; returns the indices lost.
fn check_outside_damage(
    recs: &[Vec<u8>],
    offsets: &[u64],
    got: &wal_util::Read,
    what: &str,
) -> Vec<usize> {
    assert!(got.error.is_none(), "{what}: {:?}", got.error);
    let lost = |o: u64| {
        got.skipped.iter().any(|&(s, n)| s <= o && o < s + n)
            || got.torn_tail.is_some_and(|t| o >= t)
    };
    let kept: Vec<usize> = (0..recs.len()).filter(|&i| !lost(offsets[i])).collect();
    let returned: Vec<u64> = got.records.iter().map(|(o, _)| *o).collect();
    let expected: Vec<u64> = kept.iter().map(|&i| offsets[i]).collect();
    assert_eq!(
        returned, expected,
        "{what}: offsets of the records returned"
    );
    for ((_, r), &i) in got.records.iter().zip(&kept) {
        assert!(*r == recs[i], "{what}: record {i} came back wrong");
    }
    (0..recs.len()).filter(|i| !kept.contains(i)).collect()
}

#[test]
fn a_damaged_payload_loses_only_its_record() {
    let (recs, mut bytes, offsets) = small_log();
    bytes[offsets[2] as usize + HEADER_LEN + 10] ^= 0x40;
    let got = read(&bytes, RecoveryMode::SkipCorrupt);
    assert_eq!(got.skipped, [(offsets[2], offsets[3] - offsets[2])]);
    assert_eq!(check_outside_damage(&recs, &offsets, &got, "payload"), [2]);

    let strict = read(&bytes, RecoveryMode::Strict);
    assert_eq!(strict.records.len(), 2);
    match strict.error {
        Some(Error::Corrupt {
            section, detail, ..
        }) => {
            assert_eq!(section, format!("WAL record at byte {}", offsets[2]));
            assert!(detail.contains("checksum mismatch"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn a_damaged_length_resynchronises_at_a_block_boundary() {
    let (recs, mut bytes, offsets) = small_log();
    // Record 3 (20 000 bytes, in block 0): its length now runs past the block. Record 5
    // (48 000 bytes) is cut FIRST (block 0), MIDDLE (block 1), LAST (block 2): its MIDDLE
    // and LAST are orphans and are skipped too, up to record 6 in block 2.
    bytes[offsets[3] as usize + 5] = 0xFF;
    let got = read(&bytes, RecoveryMode::SkipCorrupt);
    assert!(offsets[5] < BLOCK_SIZE as u64 && offsets[6] > 2 * BLOCK_SIZE as u64);
    assert_eq!(got.skipped, [(offsets[3], offsets[6] - offsets[3])]);
    assert_eq!(
        check_outside_damage(&recs, &offsets, &got, "length"),
        [3, 4, 5]
    );
}

#[test]
fn a_zeroed_block_is_skipped() {
    let (recs, mut bytes, offsets) = small_log();
    bytes[BLOCK_SIZE..2 * BLOCK_SIZE].fill(0);
    let got = read(&bytes, RecoveryMode::SkipCorrupt);
    // Record 5 lost its MIDDLE; its FIRST (block 0) and LAST (block 2) go with it.
    assert_eq!(got.skipped, [(offsets[5], offsets[6] - offsets[5])]);
    assert_eq!(
        check_outside_damage(&recs, &offsets, &got, "zeroed block"),
        [5]
    );
}

#[test]
fn every_byte() {
    let (recs, bytes, offsets) = small_log();
    let header_end = offsets[0] as usize;
    let frags = fragments(&bytes);
    let check = |at: usize| {
        let mut damaged = bytes.clone();
        damaged[at] ^= 1 << (at % 8);
        let got = read(&damaged, RecoveryMode::SkipCorrupt);
        let lost = check_outside_damage(&recs, &offsets, &got, &format!("byte {at}"));
        // One report (a skipped range or the torn tail), starting at the record holding the
        // flipped byte; nothing for a block trailer, which holds no record.
        let reports: Vec<u64> = got
            .skipped
            .iter()
            .map(|&(s, _)| s)
            .chain(got.torn_tail)
            .collect();
        match frags
            .iter()
            .find(|f| f.offset as usize <= at && at < f.offset as usize + HEADER_LEN + f.len)
        {
            None => assert!(reports.is_empty() && lost.is_empty(), "byte {at}: trailer"),
            Some(f) => {
                let k = offsets.iter().rposition(|&o| o <= f.offset).unwrap();
                assert_eq!(reports, [offsets[k]], "byte {at}");
                assert!(lost.contains(&k), "byte {at}");
            }
        }
    };
    std::thread::scope(|s| {
        let check = &check;
        let mid = bytes.len() / 2 + bytes.len() / 8;
        s.spawn(move || (header_end..mid).for_each(check));
        (mid..bytes.len()).for_each(check);
    });
}
