//! The fuzz input is the bytes of a manifest file: decoding must return an error, never
//! panic, hang or allocate without bound, and whatever decodes must encode and decode back
//! to itself. The input is tried as found and again resealed (payload length and CRC32
//! recomputed), so that mutations reach the payload reader and the validator instead of
//! stopping at the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use murr_core::manifest::{HEADER_LEN, Manifest};

fn check(bytes: &[u8]) {
    if let Ok(m) = Manifest::decode(bytes, "fuzz") {
        let again = m.encode().expect("a decoded manifest encodes");
        let back = Manifest::decode(&again, "fuzz").expect("a re-encoded manifest decodes");
        assert_eq!(back, m);
        assert_eq!(again, bytes, "a manifest has one encoding");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= HEADER_LEN + 4 {
        let mut sealed = data.to_vec();
        let payload = (sealed.len() - HEADER_LEN - 4) as u64;
        sealed[16..24].copy_from_slice(&payload.to_le_bytes());
        let at = sealed.len() - 4;
        let crc = crc32fast::hash(&sealed[..at]);
        sealed[at..].copy_from_slice(&crc.to_le_bytes());
        check(&sealed);
    }
});
