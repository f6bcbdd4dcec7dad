//! Helpers shared by the write-ahead log tests: building logs, reading them back, and an
//! independent walker of the physical format written from `docs/WAL.md`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;

use murr_core::Error;
use murr_core::wal::{BLOCK_SIZE, CRC_MASK, HEADER_LEN, RecoveryMode, WalReader, WalWriter};

/// The name logs read from memory are given in errors.
pub const NAME: &str = "test.wal";

/// A record of `len` bytes whose content depends on `seed`, so a wrong record never
/// passes for a right one.
pub fn record(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ seed.wrapping_mul(131)) as u8)
        .collect()
}

/// Records of the given lengths.
pub fn records(lens: &[usize]) -> Vec<Vec<u8>> {
    lens.iter()
        .enumerate()
        .map(|(i, &n)| record(i, n))
        .collect()
}

/// Writes `records` to a new log (number 9, first seq 1000) and returns the file's bytes
/// and each record's offset as `append` returned it.
pub fn build(records: &[Vec<u8>]) -> (Vec<u8>, Vec<u64>) {
    let dir = tempfile::tempdir().unwrap();
    let mut wal = WalWriter::create(dir.path(), 9, 1000).unwrap();
    let offsets = records.iter().map(|r| wal.append(r).unwrap()).collect();
    wal.sync().unwrap();
    let bytes = std::fs::read(wal.path()).unwrap();
    assert_eq!(bytes.len() as u64, wal.len());
    (bytes, offsets)
}

/// Everything a reader makes of a log.
#[derive(Debug)]
pub struct Read {
    /// The records returned, with their offsets.
    pub records: Vec<(u64, Vec<u8>)>,
    /// The error that ended reading, if any.
    pub error: Option<Error>,
    pub torn_tail: Option<u64>,
    pub skipped: Vec<(u64, u64)>,
}

/// Reads the log in `bytes` to its end or its first error. Panics if the header is bad.
pub fn read(bytes: &[u8], mode: RecoveryMode) -> Read {
    let reader = WalReader::from_reader(Cursor::new(bytes), NAME, mode).unwrap();
    read_from(reader)
}

/// Reads from an open reader to its end or its first error.
pub fn read_from<R: std::io::Read + std::io::Seek>(mut reader: WalReader<R>) -> Read {
    let mut records = Vec::new();
    let error = loop {
        match reader.next_record() {
            Ok(Some(r)) => records.push((reader.record_offset().unwrap(), r)),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    assert!(
        reader.next_record().unwrap().is_none(),
        "a finished reader returns None"
    );
    Read {
        records,
        error,
        torn_tail: reader.torn_tail(),
        skipped: reader.skipped().to_vec(),
    }
}

/// A physical record, as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fragment {
    pub offset: u64,
    pub kind: u8,
    pub len: usize,
}

/// Walks a clean log's physical records by the spec alone, checking each CRC and that block
/// trailers are zero. Panics on anything a writer must not produce.
pub fn fragments(bytes: &[u8]) -> Vec<Fragment> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < bytes.len() {
        let room = BLOCK_SIZE - pos % BLOCK_SIZE;
        if room < HEADER_LEN {
            assert!(bytes[pos..pos + room].iter().all(|&b| b == 0), "trailer");
            pos += room;
            continue;
        }
        let h = &bytes[pos..pos + HEADER_LEN];
        let crc = u32::from_le_bytes(h[0..4].try_into().unwrap());
        let len = u16::from_le_bytes(h[4..6].try_into().unwrap()) as usize;
        let kind = h[6];
        assert!((1..=4).contains(&kind), "type {kind} at {pos}");
        assert!(
            HEADER_LEN + len <= room,
            "fragment crosses a block at {pos}"
        );
        let payload = &bytes[pos + HEADER_LEN..pos + HEADER_LEN + len];
        let mut typed = vec![kind];
        typed.extend_from_slice(payload);
        assert_eq!(crc, crc32fast::hash(&typed) ^ CRC_MASK, "crc at {pos}");
        out.push(Fragment {
            offset: pos as u64,
            kind,
            len,
        });
        pos += HEADER_LEN + len;
    }
    out
}

/// A log: its records, its bytes, and each record's offset.
pub type Log = (Vec<Vec<u8>>, Vec<u8>, Vec<u64>);

/// A small log over three blocks: an empty record, small ones, one record cut FIRST/LAST,
/// one cut FIRST/MIDDLE/LAST.
pub fn small_log() -> Log {
    let recs = records(&[0, 1, 90, 20_000, 5, 48_000, 300, 0, 17]);
    let (bytes, offsets) = build(&recs);
    (recs, bytes, offsets)
}
