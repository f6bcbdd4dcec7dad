//! Like `segment_read`, but the input's checksums are recomputed first, so that mutations
//! reach the footer validator and the readers instead of stopping at a CRC mismatch.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    murr_fuzz::reseal(&mut bytes);
    murr_fuzz::exercise(bytes);
});
