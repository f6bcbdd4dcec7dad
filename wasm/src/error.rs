//! Errors to JS: every error becomes a `JsError` (a JS `Error`) with the message of core's
//! (or Arrow's) error.

use wasm_bindgen::JsError;

/// A JS `Error` with `e`'s message.
pub(crate) fn js(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}
