//! Every single-bit flip anywhere in an encoded manifest gives an error — `Corrupt` with
//! section "manifest" naming the file, or `UnsupportedVersion` for a flip in the version
//! field — never a (wrong) manifest and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod manifest_util;

use manifest_util::{NAME, sample};
use murr_core::Error;
use murr_core::manifest::Manifest;

#[test]
fn every_bit_of_every_byte() {
    let bytes = sample(0x0102_0304_0506_0708).encode().unwrap();
    for at in 0..bytes.len() {
        for bit in 0..8 {
            let mut damaged = bytes.clone();
            damaged[at] ^= 1 << bit;
            match Manifest::decode(&damaged, NAME) {
                Err(Error::Corrupt { file, section, .. }) => {
                    assert_eq!((file.as_str(), section.as_str()), (NAME, "manifest"));
                }
                Err(Error::UnsupportedVersion { found, .. }) => {
                    assert!(
                        (8..12).contains(&at),
                        "byte {at} bit {bit}: version {found}"
                    );
                }
                other => panic!("byte {at} bit {bit}: {other:?}"),
            }
        }
    }
}
