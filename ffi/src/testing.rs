//! A hidden entry point for the tests of the panic guard. Not part of the ABI: not in
//! `murr.h`, may change or go at any time.

use crate::error::murr_error_t;
use crate::guard::guard;
use crate::status::murr_status_t;

/// Panics inside the boundary guard, which returns `MURR_INTERNAL`. For tests only; not part
/// of the ABI (not declared in `murr.h`).
///
/// # Safety
/// `error` is NULL or points to a valid `murr_error_t`.
#[doc(hidden)]
#[unsafe(no_mangle)]
#[allow(clippy::panic)]
pub unsafe extern "C" fn murr_test_panic(error: *mut murr_error_t) -> murr_status_t {
    // SAFETY: forwarded.
    unsafe { guard(error, || panic!("murr_test_panic was called")) }
}
