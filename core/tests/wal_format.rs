//! The bytes `WalWriter` writes are exactly those `docs/WAL.md` specifies: the file header
//! record, the test vectors of §3, the masked CRC, fragment types and block trailers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use murr_core::wal::{BLOCK_SIZE, WalWriter};
use wal_util::fragments;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

#[test]
fn test_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let mut wal = WalWriter::create(dir.path(), 1, 0).unwrap();
    wal.append(b"hello").unwrap();
    wal.append(b"").unwrap();
    wal.sync().unwrap();
    let bytes = std::fs::read(wal.path()).unwrap();
    let expected = [
        // File header record: FULL, 28 bytes: "MURRWAL\0", version 1, log 1, first seq 0.
        "aa b0 52 44 1c 00 01 4d 55 52 52 57 41 4c 00 01 00 00 00",
        "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
        // FULL "hello": CRC32(01 'hello') = 0x8aac239d, masked 0x282ec945.
        "45 c9 2e 28 05 00 01 68 65 6c 6c 6f",
        // FULL, empty.
        "c3 35 87 07 00 00 01",
    ]
    .map(hex)
    .concat();
    assert_eq!(bytes, expected);
}

#[test]
fn fragments_and_trailers() {
    let dir = tempfile::tempdir().unwrap();
    let mut wal = WalWriter::create(dir.path(), 2, 0).unwrap();
    // 35 (header) + 7 + 32 700 = 32 742: 26 bytes left in block 0.
    wal.append(&[1; 32_700]).unwrap();
    // 26 - 7 = 19 bytes go in a FIRST, 32 761 in a MIDDLE filling block 1, the rest in a LAST.
    wal.append(&[2; 19 + 32_761 + 100]).unwrap();
    // Block 2 has 32 768 - 107 = 32 661 left: a record of 32 651 leaves 3, a trailer.
    wal.append(&[3; 32_651]).unwrap();
    wal.append(&[4; 1]).unwrap();
    wal.sync().unwrap();
    let bytes = std::fs::read(wal.path()).unwrap();
    let block = BLOCK_SIZE as u64;
    let got: Vec<(u64, u8, usize)> = fragments(&bytes)
        .iter()
        .map(|f| (f.offset, f.kind, f.len))
        .collect();
    assert_eq!(
        got,
        [
            (0, 1, 28),
            (35, 1, 32_700),
            (32_742, 2, 19),
            (block, 3, 32_761),
            (2 * block, 4, 100),
            (2 * block + 107, 1, 32_651),
            (3 * block, 1, 1),
        ]
    );
    assert_eq!(&bytes[3 * BLOCK_SIZE - 3..3 * BLOCK_SIZE], &[0, 0, 0]);
}
