//! Records written to a write-ahead log come back exactly, in order, with the offsets
//! `append` returned: empty records, records that fill a block to the byte, leave a block
//! trailer, or span three and more blocks, and random mixes (proptest).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use murr_core::Error;
use murr_core::wal::{
    BLOCK_SIZE, HEADER_LEN, MAX_RECORD_LEN, RecoveryMode, WalReader, WalWriter, file_name,
};
use proptest::prelude::*;
use wal_util::{build, fragments, read, records};

/// The file header record: 7-byte header + 28-byte payload.
const FIRST_RECORD_AT: usize = 35;

fn assert_round_trip(recs: &[Vec<u8>]) {
    let (bytes, offsets) = build(recs);
    let got = read(&bytes, RecoveryMode::Strict);
    assert!(got.error.is_none(), "{:?}", got.error);
    assert_eq!(got.torn_tail, None);
    assert!(got.skipped.is_empty());
    assert_eq!(got.records.len(), recs.len());
    for (i, ((offset, r), want)) in got.records.iter().zip(recs).enumerate() {
        assert_eq!(r, want, "record {i}");
        assert_eq!(*offset, offsets[i], "offset of record {i}");
    }
}

#[test]
fn records_of_many_sizes() {
    let block = BLOCK_SIZE;
    let lens = [
        0,
        1,
        block - FIRST_RECORD_AT - 2 * HEADER_LEN - 1, // fills block 0 to the byte
        0,
        6,
        block,         // two blocks
        3 * block + 5, // four blocks: FIRST, MIDDLE, MIDDLE, LAST
        block - HEADER_LEN,
        100,
        0,
    ];
    assert_round_trip(&records(&lens));
}

#[test]
fn block_edges() {
    let block = BLOCK_SIZE;
    let after_header = block - FIRST_RECORD_AT;
    // A record that fills block 0 exactly: the next starts at block 1 with no trailer.
    let (bytes, offsets) = build(&records(&[after_header - HEADER_LEN, 10]));
    assert_eq!(offsets, [FIRST_RECORD_AT as u64, block as u64]);
    assert_eq!(bytes.len(), block + HEADER_LEN + 10);

    // Three bytes left: they are a zero trailer and the next record starts at block 1.
    let (bytes, offsets) = build(&records(&[after_header - HEADER_LEN - 3, 10]));
    assert_eq!(offsets[1], block as u64);
    assert_eq!(&bytes[block - 3..block], &[0, 0, 0]);

    // Exactly a header's worth left: a non-empty record starts there with an empty FIRST
    // fragment; an empty record is a FULL there.
    for (len, kinds) in [(10, vec![2, 4]), (0, vec![1])] {
        let recs = records(&[after_header - 2 * HEADER_LEN, len, 1]);
        let (bytes, offsets) = build(&recs);
        assert_eq!(offsets[1], (block - HEADER_LEN) as u64);
        let frags = fragments(&bytes);
        let of_second: Vec<u8> = frags
            .iter()
            .filter(|f| f.offset >= offsets[1] && f.offset < offsets[2])
            .map(|f| f.kind)
            .collect();
        assert_eq!(of_second, kinds);
        assert_round_trip(&recs);
    }
}

#[test]
fn reads_from_a_file_as_an_iterator() {
    let dir = tempfile::tempdir().unwrap();
    let recs = records(&[5, 70_000, 0, 12]);
    let mut wal = WalWriter::create(dir.path(), 0x1234, 77).unwrap();
    for r in &recs {
        wal.append(r).unwrap();
    }
    wal.close().unwrap();
    let path = dir.path().join(file_name(0x1234));
    let reader = WalReader::open(&path, RecoveryMode::Strict).unwrap();
    assert_eq!((reader.log_number(), reader.first_seq()), (0x1234, 77));
    let got: Vec<Vec<u8>> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(got, recs);
}

#[test]
fn a_record_over_1_gib_is_refused_and_the_writer_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut wal = WalWriter::create(dir.path(), 1, 0).unwrap();
    let len = wal.len();
    // Zeroed allocation: the pages are never touched.
    let huge = vec![0u8; MAX_RECORD_LEN + 1];
    match wal.append(&huge) {
        Err(Error::LimitExceeded(msg)) => assert!(msg.contains("1073741825"), "{msg}"),
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
    drop(huge);
    assert_eq!(wal.len(), len);
    wal.append(b"after").unwrap();
    wal.sync().unwrap();
    let got = wal_util::read_from(WalReader::open(wal.path(), RecoveryMode::Strict).unwrap());
    assert_eq!(got.records.len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_mixes_round_trip(
        lens in prop::collection::vec(
            prop_oneof![0usize..20, 0usize..2_000, 30_000usize..100_000],
            0..12,
        )
    ) {
        assert_round_trip(&records(&lens));
    }
}
