//! The Iceberg `deletion-vector-v1` blob of small sets, byte for byte, written out by hand
//! from the Puffin spec (apache/iceberg `format/puffin-spec.md`) and the RoaringFormatSpec,
//! not by calling the encoder.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use murr_core::dv::DeletionVector;

#[rustfmt::skip]
const ROWS_1_5: [u8; 44] = [
    0x00, 0x00, 0x00, 0x24,             // length of magic + vector = 4 + 32 = 36, big-endian
    0xD1, 0xD3, 0x39, 0x64,             // magic
    0x01, 0, 0, 0, 0, 0, 0, 0,          // one 32-bit bitmap (u64 little-endian)
    0x00, 0x00, 0x00, 0x00,             // its key: 0 (u32 little-endian)
    0x3A, 0x30, 0x00, 0x00,             // Roaring cookie 12346: no run containers
    0x01, 0x00, 0x00, 0x00,             // one container
    0x00, 0x00, 0x01, 0x00,             // container key 0, cardinality - 1 = 1
    0x10, 0x00, 0x00, 0x00,             // its offset: 16 bytes of header before it
    0x01, 0x00, 0x05, 0x00,             // array container: 1, 5
    0x3E, 0x6E, 0x30, 0x2F,             // CRC-32 of magic + vector, big-endian
];

#[rustfmt::skip]
const EMPTY: [u8; 20] = [
    0x00, 0x00, 0x00, 0x0C,             // length: magic 4 + count 8
    0xD1, 0xD3, 0x39, 0x64,             // magic
    0x00, 0, 0, 0, 0, 0, 0, 0,          // no bitmaps
    0xBF, 0x18, 0x48, 0x0C,             // CRC-32, big-endian
];

#[test]
fn rows_1_and_5() {
    let dv = DeletionVector::from_rows([5, 1]);
    assert_eq!(dv.to_iceberg_blob(), ROWS_1_5);
    assert_eq!(DeletionVector::from_iceberg_blob(&ROWS_1_5).unwrap(), dv);
}

#[test]
fn empty_vector_has_no_bitmaps() {
    assert_eq!(DeletionVector::new().to_iceberg_blob(), EMPTY);
    assert!(
        DeletionVector::from_iceberg_blob(&EMPTY)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_crc_is_java_util_zip_crc32() {
    // CRC-32/ISO-HDLC check value, as java.util.zip.CRC32 computes it.
    assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32fast::hash(&ROWS_1_5[4..40]), 0x3E6E_302F);
}

#[test]
fn an_empty_bitmap_under_key_0_is_accepted() {
    // Iceberg's Java writer keeps an empty bitmap for every key below the largest one.
    let mut blob = vec![
        0, 0, 0, 0x18, // magic 4 + count 8 + key 4 + bitmap 8
        0xD1, 0xD3, 0x39, 0x64,
    ];
    blob.extend_from_slice(&1u64.to_le_bytes());
    blob.extend_from_slice(&0u32.to_le_bytes());
    blob.extend_from_slice(&[0x3A, 0x30, 0, 0, 0, 0, 0, 0]);
    let crc = crc32fast::hash(&blob[4..]);
    blob.extend_from_slice(&crc.to_be_bytes());
    assert!(DeletionVector::from_iceberg_blob(&blob).unwrap().is_empty());
}
