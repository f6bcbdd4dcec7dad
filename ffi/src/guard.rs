//! The boundary guard every entry point runs in: a panic becomes `MURR_INTERNAL` (never an
//! unwind into C, never an abort), a failure is reported into the caller's error struct.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{Failure, Result, murr_error_t};
use crate::status::{MURR_INTERNAL, MURR_OK, murr_status_t};

/// Runs `body`; returns `MURR_OK`, or the failure's status after writing it into `*error`.
/// A panic in `body` is caught and reported as `MURR_INTERNAL` with its message.
///
/// # Safety
/// `error` is NULL or points to a valid `murr_error_t`.
pub(crate) unsafe fn guard(
    error: *mut murr_error_t,
    body: impl FnOnce() -> Result<()>,
) -> murr_status_t {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return MURR_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => panicked(payload.as_ref()),
    };
    // Reporting only allocates; should it panic all the same, the status still goes back.
    // SAFETY: the caller passes NULL or a valid error struct.
    let _ = catch_unwind(AssertUnwindSafe(|| unsafe { failure.report(error) }));
    failure.status
}

/// Runs `body`, which returns nothing and reports nothing (frees, defaults); a panic is
/// caught and dropped, so that it never unwinds into C.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// The failure a caught panic becomes.
fn panicked(payload: &(dyn Any + Send)) -> Failure {
    let detail = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    };
    Failure::new(
        MURR_INTERNAL,
        format!("internal error (a bug in libmurr, please report it): {detail}"),
    )
}
