//! The write-ahead log reader on untrusted bytes (`wal_read`): a log whose bytes are damaged
//! anyhow must open or fail with an error, and reading it record by record must end (with
//! `None` or an error) without a panic, a hang or an allocation beyond the input's size.

use std::io::Cursor;

use murr_core::wal::{BLOCK_SIZE, CRC_MASK, HEADER_LEN, RecoveryMode, WalReader};

/// Reads `data` as a log in both recovery modes, as found and with every physical record's
/// checksum recomputed ([`reseal`]), so that mutations reach the fragment assembly and the
/// file header's decoder instead of stopping at a CRC mismatch.
pub fn exercise_wal(data: &[u8]) {
    for bytes in [data.to_vec(), reseal(data)] {
        for mode in [RecoveryMode::Strict, RecoveryMode::SkipCorrupt] {
            read_all(&bytes, mode);
        }
    }
}

/// Opens and drains one log; every record returned lies within the input.
fn read_all(bytes: &[u8], mode: RecoveryMode) {
    let Ok(mut reader) = WalReader::from_reader(Cursor::new(bytes), "fuzz.log", mode) else {
        return;
    };
    let mut total = 0usize;
    // A log of n bytes holds fewer than n records: more reads than that would be a hang.
    for _ in 0..=bytes.len() {
        match reader.next_record() {
            Ok(Some(record)) => {
                total += record.len();
                assert!(total <= bytes.len(), "records hold more bytes than the log");
            }
            Ok(None) | Err(_) => {
                if mode == RecoveryMode::SkipCorrupt {
                    for &(offset, len) in reader.skipped() {
                        assert!(offset <= bytes.len() as u64 && len <= bytes.len() as u64);
                    }
                }
                return;
            }
        }
    }
    panic!("the reader kept returning records past the end of the log");
}

/// `data` with the CRC of every physical record recomputed: block by block, each header
/// (crc32, length u16, type u8) whose payload fits in its block gets
/// `CRC32(type ‖ payload) ⊕ CRC_MASK`.
pub fn reseal(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    for block_start in (0..out.len()).step_by(BLOCK_SIZE) {
        let block_end = (block_start + BLOCK_SIZE).min(out.len());
        let mut at = block_start;
        while at + HEADER_LEN <= block_end {
            let len = usize::from(u16::from_le_bytes([out[at + 4], out[at + 5]]));
            let end = at + HEADER_LEN + len;
            if end > block_end {
                break;
            }
            let mut h = crc32fast::Hasher::new();
            h.update(&out[at + 6..end]);
            let crc = h.finalize() ^ CRC_MASK;
            out[at..at + 4].copy_from_slice(&crc.to_le_bytes());
            at = end;
        }
    }
    out
}
