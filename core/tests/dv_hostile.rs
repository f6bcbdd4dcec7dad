//! Crafted blobs with valid framing (length, magic and CRC all correct) but a hostile
//! vector are refused with `Corrupt`, quickly and without large allocations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dv_util;

use dv_util::{roaring32, seal_blob, seal_file, vector};
use murr_core::Error;
use murr_core::dv::DeletionVector;

/// Asserts `blob` is refused as corrupt with a detail containing `needle`.
fn refused(blob: &[u8], needle: &str) {
    match DeletionVector::from_iceberg_blob(blob) {
        Err(Error::Corrupt { detail, .. }) => {
            assert!(detail.contains(needle), "{detail:?} lacks {needle:?}")
        }
        other => panic!("expected Corrupt containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn huge_bitmap_counts() {
    for count in [2u64, 1 << 20, u32::MAX as u64, u64::MAX] {
        let mut v = count.to_le_bytes().to_vec();
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&roaring32([1]));
        refused(&seal_blob(&v), "claims");
    }
}

#[test]
fn huge_container_counts() {
    // Cookie 12346 then a u32 container count, with no descriptions behind it.
    for containers in [1u32, 65_536, 65_537, u32::MAX] {
        let mut bitmap = 12346u32.to_le_bytes().to_vec();
        bitmap.extend_from_slice(&containers.to_le_bytes());
        bitmap.extend_from_slice(&[0; 8]);
        refused(&seal_blob(&vector(&[(0, bitmap)])), "bitmap 0");
    }
    // Cookie 12347 (run containers) claiming 65536 containers in a few bytes.
    let mut bitmap = (12347u32 | (0xFFFF << 16)).to_le_bytes().to_vec();
    bitmap.extend_from_slice(&[0; 8]);
    refused(&seal_blob(&vector(&[(0, bitmap)])), "header needs");
    // An unknown cookie.
    refused(
        &seal_blob(&vector(&[(0, vec![1, 2, 3, 4, 0, 0, 0, 0])])),
        "cookie",
    );
}

#[test]
fn keys_other_than_zero() {
    for key in [1u32, 2, u32::MAX] {
        refused(&seal_blob(&vector(&[(key, roaring32([0]))])), "below 2^32");
        // Even an empty bitmap under such a key.
        refused(&seal_blob(&vector(&[(key, roaring32([]))])), "below 2^32");
    }
    refused(
        &seal_blob(&vector(&[(0, roaring32([3])), (1, roaring32([4]))])),
        "below 2^32",
    );
}

#[test]
fn unsorted_or_repeated_keys() {
    refused(
        &seal_blob(&vector(&[(0, roaring32([3])), (0, roaring32([4]))])),
        "ascend",
    );
    refused(
        &seal_blob(&vector(&[(1, roaring32([3])), (0, roaring32([4]))])),
        "below 2^32",
    );
}

#[test]
fn malformed_bitmaps() {
    // Array container values out of order: [5, 1].
    let mut bitmap = roaring32([1, 5]);
    let n = bitmap.len();
    bitmap[n - 4..].copy_from_slice(&[5, 0, 1, 0]);
    refused(&seal_blob(&vector(&[(0, bitmap)])), "not a valid Roaring");
    // A bitmap cut short.
    let bitmap = roaring32([1, 5]);
    refused(
        &seal_blob(&vector(&[(0, bitmap[..bitmap.len() - 1].to_vec())])),
        "not a valid Roaring",
    );
}

#[test]
fn trailing_bytes() {
    let mut v = vector(&[(0, roaring32([1, 5]))]);
    v.push(0);
    refused(&seal_blob(&v), "trail");
    let mut v = vector(&[]);
    v.extend_from_slice(&[0; 3]);
    refused(&seal_blob(&v), "trail");
}

#[test]
fn framing() {
    let good = DeletionVector::from_rows([1, 5]).to_iceberg_blob();
    let mut bad = good.clone();
    bad[3] += 1;
    refused(&bad, "length field");
    let mut bad = good.clone();
    bad[4] = 0xD2;
    refused(&bad, "magic");
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 1;
    refused(&bad, "checksum");
    refused(&[], "fewer than");
    refused(&good[..11], "fewer than");
}

#[test]
fn rows_at_or_past_the_segment_end() {
    let blob = seal_blob(&vector(&[(0, roaring32([0, 9]))]));
    let file = seal_file(&blob, 3, 9, 2);
    match DeletionVector::decode_file(&file, "3.dv", 3, 9) {
        Err(Error::Corrupt { detail, .. }) => assert!(detail.contains("row 9"), "{detail}"),
        other => panic!("{other:?}"),
    }
    let file = seal_file(&blob, 3, 10, 2);
    assert_eq!(
        DeletionVector::decode_file(&file, "3.dv", 3, 10).unwrap(),
        DeletionVector::from_rows([0, 9])
    );
    // A cardinality that is not the bitmap's.
    let file = seal_file(&blob, 3, 10, 3);
    match DeletionVector::decode_file(&file, "3.dv", 3, 10) {
        Err(Error::Corrupt { detail, .. }) => assert!(detail.contains("header says 3"), "{detail}"),
        other => panic!("{other:?}"),
    }
}
