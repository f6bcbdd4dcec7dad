//! A manifest encodes and decodes back to itself, exactly: a sample using every column
//! type and an empty one, then random valid manifests (proptest); the header carries the
//! magic, the format version, no flags and the payload length, and a CRC32 of all before it ends
//! the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod manifest_util;

use manifest_util::{NAME, manifest, sample};
use murr_core::manifest::{FORMAT_VERSION, HEADER_LEN, MAGIC, Manifest};
use proptest::prelude::*;

#[test]
fn sample_round_trips_and_has_the_documented_frame() {
    let m = sample(7);
    let bytes = m.encode().unwrap();
    assert_eq!(Manifest::decode(&bytes, NAME).unwrap(), m);
    assert_eq!(bytes[..8], MAGIC);
    assert_eq!(bytes[8..12], FORMAT_VERSION.to_le_bytes());
    assert_eq!(bytes[12..16], [0; 4]);
    let payload = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
    assert_eq!(payload as usize, bytes.len() - HEADER_LEN - 4);
    let crc = crc32fast::hash(&bytes[..bytes.len() - 4]);
    assert_eq!(bytes[bytes.len() - 4..], crc.to_le_bytes());
    // The payload starts with the three counters.
    assert_eq!(bytes[24..32], 7u64.to_le_bytes());
    assert_eq!(bytes[32..40], 5000u64.to_le_bytes());
    assert_eq!(bytes[40..48], 40u64.to_le_bytes());
    assert_eq!(bytes[48..52], 3u32.to_le_bytes());
    // Encoding is deterministic.
    assert_eq!(m.encode().unwrap(), bytes);
}

#[test]
fn empty_manifest_round_trips() {
    let m = Manifest::default();
    let bytes = m.encode().unwrap();
    assert_eq!(bytes.len(), HEADER_LEN + 28 + 4);
    assert_eq!(Manifest::decode(&bytes, NAME).unwrap(), m);
}

#[test]
fn the_test_vector_of_the_format_doc() {
    let m = Manifest {
        number: 1,
        last_flushed_seq: 0,
        next_file_number: 2,
        tables: vec![],
    };
    let hex: String = m
        .encode()
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        hex,
        [
            "4d5552524d414e00", // magic
            "02000000",         // version 2
            "00000000",         // flags
            "1c00000000000000", // payload_len 28
            "0100000000000000", // number 1
            "0000000000000000", // last_flushed_seq 0
            "0200000000000000", // next_file_number 2
            "00000000",         // no tables
            "6f1f525e",         // crc 0x5e521f6f
        ]
        .concat()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_manifests_round_trip(m in manifest()) {
        m.validate().unwrap();
        let bytes = m.encode().unwrap();
        prop_assert_eq!(Manifest::decode(&bytes, NAME).unwrap(), m);
    }
}

/// A version 1 file (no deletion vectors: a segment entry ends at `max_seq`) still reads,
/// its segments without deletion vectors.
#[test]
fn version_1_files_still_read() {
    let mut p = Vec::new();
    for v in [1u64, 9, 8] {
        p.extend_from_slice(&v.to_le_bytes()); // number, last_flushed_seq, next_file_number
    }
    p.extend_from_slice(&1u32.to_le_bytes()); // one table
    p.extend_from_slice(&3u64.to_le_bytes()); // id
    for s in ["t", "k"] {
        p.extend_from_slice(&(s.len() as u16).to_le_bytes());
        p.extend_from_slice(s.as_bytes());
    }
    p.extend_from_slice(&1u32.to_le_bytes()); // one column: k utf8 not null
    p.extend_from_slice(&1u16.to_le_bytes());
    p.extend_from_slice(b"k");
    p.push(13); // type: utf8
    p.push(0); // not nullable
    p.extend_from_slice(&1u32.to_le_bytes()); // one segment
    p.extend_from_slice(&5u64.to_le_bytes());
    p.push(0);
    for v in [10u64, 4096, 1, 9] {
        p.extend_from_slice(&v.to_le_bytes());
    }
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&1u32.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&(p.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&p);
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    let m = Manifest::decode(&bytes, NAME).unwrap();
    let s = m.tables[0].segments[0];
    assert_eq!(
        (s.file_number, s.rows, s.max_seq, s.deletes),
        (5, 10, 9, None)
    );
    // Written back, it is a version 2 file that reads as the same manifest.
    let again = m.encode().unwrap();
    assert_eq!(again[8..12], 2u32.to_le_bytes());
    assert_eq!(Manifest::decode(&again, NAME).unwrap(), m);
}
