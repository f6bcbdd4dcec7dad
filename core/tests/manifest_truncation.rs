//! Every truncation of an encoded manifest (every proper prefix, the empty file
//! included) and any trailing extra byte is a `Corrupt` error naming the file, never a
//! manifest and never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod manifest_util;

use manifest_util::{NAME, sample};
use murr_core::Error;
use murr_core::manifest::Manifest;

fn assert_corrupt(bytes: &[u8], what: &str) {
    match Manifest::decode(bytes, NAME) {
        Err(Error::Corrupt { file, section, .. }) => {
            assert_eq!(
                (file.as_str(), section.as_str()),
                (NAME, "manifest"),
                "{what}"
            );
        }
        other => panic!("{what}: {other:?}"),
    }
}

#[test]
fn every_prefix_is_an_error() {
    let bytes = sample(3).encode().unwrap();
    for len in 0..bytes.len() {
        assert_corrupt(&bytes[..len], &format!("prefix of {len} bytes"));
    }
}

#[test]
fn extra_bytes_are_an_error() {
    let bytes = sample(3).encode().unwrap();
    for extra in [&[0u8][..], &[0; 4], &bytes[..]] {
        let mut longer = bytes.clone();
        longer.extend_from_slice(extra);
        assert_corrupt(&longer, &format!("{} extra bytes", extra.len()));
    }
}
