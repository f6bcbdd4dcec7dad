//! The fuzz input is the bytes of a segment, read through the sans-IO remote reader as found
//! and again resealed (every checksum recomputed, so that mutations reach the footer
//! validator and the plan's reads): errors, never panics, hangs or huge allocations.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    murr_fuzz::exercise_remote(data);
    let mut sealed = data.to_vec();
    murr_fuzz::reseal(&mut sealed);
    murr_fuzz::exercise_remote(&sealed);
});
