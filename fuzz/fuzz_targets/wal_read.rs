//! The fuzz input is the bytes of a write-ahead log file: opening and reading it in both
//! recovery modes must return records or an error, never panic, hang or allocate without
//! bound (`murr_fuzz::exercise_wal`). Each input is tried as found and resealed (every
//! physical record's CRC recomputed), so that mutations get past the checksums.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    murr_fuzz::exercise_wal(data);
});
