//! Every truncation and every single-bit flip of an encoded `.dv` file is refused by
//! `decode_file` — `Corrupt` naming the file, or `UnsupportedVersion` for a flip in the
//! version field — never a (wrong) vector and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use murr_core::Error;
use murr_core::dv::DeletionVector;

const NAME: &str = "00000000000000ab.dv";

/// Files with an array container, and with array, bitmap and run containers.
fn samples() -> Vec<Vec<u8>> {
    let small = DeletionVector::from_rows([1, 5, 70_000]);
    let mixed = DeletionVector::from_rows(
        (0..100u32)
            .chain((1 << 16..(1 << 16) + 20_000).step_by(2))
            .chain(3 << 16..(3 << 16) + 9_000),
    );
    let mixed_file = mixed.encode_file(0xAB, 1 << 20);
    assert!(
        mixed_file.len() > 8192,
        "the mixed sample holds a bitmap container"
    );
    vec![
        DeletionVector::new().encode_file(0xAB, 1 << 20),
        small.encode_file(0xAB, 1 << 20),
        mixed_file,
    ]
}

fn check(result: Result<DeletionVector, Error>, what: &str, version_field: bool) {
    match result {
        Err(Error::Corrupt { file, .. }) => assert_eq!(file, NAME, "{what}"),
        Err(Error::UnsupportedVersion { .. }) if version_field => {}
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn every_truncation() {
    for bytes in samples() {
        for len in 0..bytes.len() {
            let result = DeletionVector::decode_file(&bytes[..len], NAME, 0xAB, 1 << 20);
            check(result, &format!("{len} of {} bytes", bytes.len()), false);
        }
    }
}

#[test]
fn every_bit_flip() {
    for bytes in samples() {
        // The bitmap-container sample is ~8 KiB: flips there cost a CRC each.
        for at in 0..bytes.len() {
            for bit in 0..8 {
                let mut damaged = bytes.clone();
                damaged[at] ^= 1 << bit;
                let result = DeletionVector::decode_file(&damaged, NAME, 0xAB, 1 << 20);
                check(
                    result,
                    &format!("byte {at} bit {bit}"),
                    (8..12).contains(&at),
                );
            }
        }
    }
}
