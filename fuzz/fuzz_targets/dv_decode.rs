//! The fuzz input is the bytes of a `.dv` deletion-vector file, or of a bare Iceberg
//! `deletion-vector-v1` blob: decoding must return an error, never panic, hang or allocate
//! without bound, and whatever decodes must round-trip (`murr_fuzz::exercise_dv`). Each
//! input is tried as found and resealed, so that mutations get past the checksums.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    murr_fuzz::exercise_dv(data);
});
