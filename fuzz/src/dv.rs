//! Driving the deletion-vector decoders (`murr_core::dv`) with untrusted bytes: the
//! `dv_decode` fuzz target and `core/tests/fuzz_regressions.rs` both call [`exercise_dv`].
//!
//! Decoding may fail; it must never panic, hang or allocate without bound, and whatever
//! decodes must keep the promises of the format: rows below the segment's row count, the
//! cardinality the header states, and a re-encoding that decodes to the same rows and
//! re-encodes to itself.

use murr_core::dv::{DeletionVector, FILE_HEADER_LEN};

/// Tries `data` as a `.dv` file and as a bare Iceberg blob, each as found and resealed
/// (lengths and checksums recomputed, the cardinality set to the blob's), so that
/// mutations reach the vector parser and the row checks instead of stopping at a CRC.
pub fn exercise_dv(data: &[u8]) {
    check_blob(data);
    check_file(data);
    let mut blob = data.to_vec();
    reseal_blob(&mut blob);
    check_blob(&blob);
    let mut file = data.to_vec();
    reseal_file(&mut file);
    check_file(&file);
}

/// Decodes `bytes` as a blob; if that works, the vector must survive a round trip.
fn check_blob(bytes: &[u8]) {
    if let Ok(dv) = DeletionVector::from_iceberg_blob(bytes) {
        let again = dv.to_iceberg_blob();
        let back = DeletionVector::from_iceberg_blob(&again).expect("a re-encoded blob decodes");
        assert_eq!(back, dv);
        assert_eq!(
            back.to_iceberg_blob(),
            again,
            "the canonical encoding is stable"
        );
        assert!(dv.bitmap().iter().all(|row| dv.contains(row)));
    }
}

/// Decodes `bytes` as a `.dv` file for the segment its header names; if that works, the
/// vector must fit the segment, match the cardinality and survive a round trip.
fn check_file(bytes: &[u8]) {
    let number = u64_at(bytes, 16).unwrap_or(0);
    let rows = u64_at(bytes, 24).unwrap_or(0);
    let cardinality = u64_at(bytes, 32).unwrap_or(0);
    if let Ok(dv) = DeletionVector::decode_file(bytes, "fuzz", number, rows) {
        assert_eq!(dv.len(), cardinality);
        assert!(dv.bitmap().max().is_none_or(|m| u64::from(m) < rows));
        let again = dv.encode_file(number, rows);
        let back = DeletionVector::decode_file(&again, "fuzz", number, rows)
            .expect("a re-encoded file decodes");
        assert_eq!(back, dv);
        assert_eq!(back.encode_file(number, rows), again);
        assert!(DeletionVector::decode_file(bytes, "fuzz", number.wrapping_add(1), rows).is_err());
    }
}

/// Recomputes a blob's big-endian length (bytes 0..4) and CRC-32 (the last 4 bytes).
fn reseal_blob(b: &mut [u8]) {
    let n = b.len();
    if n < 12 {
        return;
    }
    b[..4].copy_from_slice(&((n - 8) as u32).to_be_bytes());
    let crc = crc32fast::hash(&b[4..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_be_bytes());
}

/// Reseals the blob inside a `.dv` file, sets the header's cardinality to the blob's if
/// it decodes, and recomputes the file's CRC32.
fn reseal_file(b: &mut [u8]) {
    let n = b.len();
    if n < FILE_HEADER_LEN + 4 {
        return;
    }
    let blob = &mut b[FILE_HEADER_LEN..n - 4];
    reseal_blob(blob);
    if let Ok(dv) = DeletionVector::from_iceberg_blob(blob) {
        b[32..40].copy_from_slice(&dv.len().to_le_bytes());
    }
    let crc = crc32fast::hash(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}
