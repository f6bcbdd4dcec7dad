//! Helpers for the deletion-vector tests: framing hand-made vectors as blobs and files.
#![allow(dead_code)]

/// An Iceberg blob around `vector` (the portable 64-bit Roaring bytes): big-endian
/// length, magic, vector, big-endian CRC-32, all computed correctly.
pub fn seal_blob(vector: &[u8]) -> Vec<u8> {
    let mut blob = ((vector.len() + 4) as u32).to_be_bytes().to_vec();
    blob.extend_from_slice(&[0xD1, 0xD3, 0x39, 0x64]);
    blob.extend_from_slice(vector);
    let crc = crc32fast::hash(&blob[4..]);
    blob.extend_from_slice(&crc.to_be_bytes());
    blob
}

/// A `.dv` file around `blob` with a correct header and CRC32.
pub fn seal_file(blob: &[u8], segment: u64, rows: u64, cardinality: u64) -> Vec<u8> {
    let mut out = b"MURRDV\0\0".to_vec();
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&segment.to_le_bytes());
    out.extend_from_slice(&rows.to_le_bytes());
    out.extend_from_slice(&cardinality.to_le_bytes());
    out.extend_from_slice(blob);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The portable 64-bit vector of `(key, 32-bit Roaring bytes)` pairs, in the given order.
pub fn vector(bitmaps: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = (bitmaps.len() as u64).to_le_bytes().to_vec();
    for (key, bytes) in bitmaps {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// The standard 32-bit Roaring serialization of `rows`.
pub fn roaring32(rows: impl IntoIterator<Item = u32>) -> Vec<u8> {
    let bitmap: roaring::RoaringBitmap = rows.into_iter().collect();
    let mut out = Vec::new();
    bitmap.serialize_into(&mut out).unwrap();
    out
}
