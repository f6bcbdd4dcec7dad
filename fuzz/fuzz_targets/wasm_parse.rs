//! The fuzz input is text for the WASM reader's own parsers (`murr_fuzz::exercise_wasm`,
//! `src/wasm.rs`): as the JSON array of utf8 keys a `get` receives from JS it must parse or
//! give an error, never panic or hang, and agree with serde_json wherever serde_json reads
//! it; cut into keys and written as JSON it must parse back; cut into column names, the
//! schema JSON written from them must read back to the same names.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| murr_fuzz::exercise_wasm(data));
