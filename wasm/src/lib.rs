//! libmurr's segment reader for browsers and Node: thin `wasm-bindgen` functions over
//! `murr-core`, which keeps all the logic. This crate only translates JS values to Arrow
//! arrays and results to Arrow IPC bytes or typed-array views.
//!
//! - [`SegmentReader`] opens a whole segment file held in memory (a `Uint8Array`, copied
//!   once into wasm memory) and reads it: schema, row count, point reads, key scan.
//! - [`RemoteSegmentCore`] reads a segment fetched by byte range: core's sans-IO
//!   `RemoteSegment`, stepped from JS (`remote.mjs` fetches the ranges it asks for).
//! - [`GetResult`] is the result of one point read, owned by Rust until `free()`: its columns
//!   as an Arrow IPC stream, whether each key was found, and numeric columns as typed-array
//!   views into wasm memory (no copy).
//!
//! Errors are JS exceptions (`JsError`) carrying core's message. Hostile bytes never trap:
//! core validates every byte it reads and this crate has no panicking path.
//!
//! ## Unsafe code
//!
//! One place, `view.rs`: typed-array views over a result's values in wasm memory
//! (`js_sys::*Array::view`), valid until wasm memory grows or the result is freed.
#![deny(missing_docs)]

mod error;
mod ipc;
mod json_keys;
mod keys;
mod reader;
mod remote;
mod schema;
mod view;

pub use reader::{GetResult, SegmentReader};
pub use remote::RemoteSegmentCore;

use wasm_bindgen::prelude::wasm_bindgen;

/// This crate's own code over untrusted input, for the fuzz target `wasm_parse`
/// (`fuzz/`) and the property tests (`tests/parsers.rs`); not part of the JS API.
#[doc(hidden)]
pub mod parsers {
    /// Parses the JSON text of utf8 keys (`JSON.stringify(keys)`: an array of strings and
    /// nulls) as `SegmentReader.get` and `RemoteSegmentCore.beginGet` receive it.
    pub use crate::json_keys::parse as json_keys;
    /// Writes a segment's schema (whose names come from the file) as the JSON text that
    /// `schema()` hands to `JSON.parse`.
    pub use crate::schema::to_json as schema_json;
}

/// libmurr's version ("major.minor.patch").
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
