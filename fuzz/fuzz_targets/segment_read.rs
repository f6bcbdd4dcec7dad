//! The fuzz input is the bytes of a segment, as found: opening and reading it must return
//! errors, never panic, hang or touch memory out of bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    murr_fuzz::exercise(data.to_vec());
});
