//! libmurr's segment reader for browsers and Node. For now it exposes the version; the
//! reader follows. All logic stays in `murr-core`; this crate only translates.
#![deny(missing_docs)]

use wasm_bindgen::prelude::wasm_bindgen;

/// libmurr's version ("major.minor.patch").
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
