//! Error detail: the caller-provided `murr_error_t` (ADBC's `AdbcError` shape) and the
//! failure every entry point reports through it.

use std::ffi::{CString, c_char, c_void};

use crate::status::{MURR_ARROW, MURR_CLOSED, MURR_INVALID_ARGUMENT, murr_status_t, status_of};

/// Error detail, allocated by the caller (on the stack: `murr_error_t e = MURR_ERROR_INIT;`)
/// and filled by libmurr on failure. The caller must initialize it with `MURR_ERROR_INIT`
/// (or zero it all, e.g. with `memset`) before its first use: libmurr reads `release`. Every function taking a `murr_error_t *` accepts NULL
/// there (no detail then). On failure libmurr first releases a message already in it (calls
/// its `release`), then fills it; on success it is left untouched. The caller frees the
/// message with `murr_error_release(&e)` (or `e.release(&e)`); releasing twice is safe.
/// Not thread-safe: one error struct per thread.
///
/// The struct has room to grow: fields after `release` are libmurr's, and a later version
/// gives them meaning without changing the struct's size (libmurr 0.2 added them).
#[repr(C)]
#[derive(Debug)]
pub struct murr_error {
    /// The status of the failure.
    pub status: murr_status_t,
    /// The message, NUL-terminated UTF-8, owned by libmurr (freed by `release`); NULL when
    /// none.
    pub message: *mut c_char,
    /// Frees `message` and sets `message` and `release` to NULL; NULL when there is
    /// nothing to free.
    pub release: Option<unsafe extern "C" fn(error: *mut murr_error)>,
    /// libmurr's own data for `release`; NULL until a version uses it. Callers never read
    /// or write it (beyond initializing it to NULL).
    pub private_data: *mut c_void,
    /// Zero; reserved for fields that later versions define. Callers never write it
    /// (beyond initializing it to zero).
    pub reserved: [u64; 4],
}

impl Default for murr_error {
    /// `MURR_ERROR_INIT`: no status, no message, nothing to release.
    fn default() -> murr_error {
        murr_error {
            status: 0,
            message: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
            reserved: [0; 4],
        }
    }
}

/// The error struct (`struct murr_error`).
#[allow(non_camel_case_types)]
pub type murr_error_t = murr_error;

/// The `release` callback libmurr installs: frees the message and clears the struct's
/// `message` and `release`. NULL-safe and idempotent.
///
/// # Safety
/// `error` is NULL or points to a `murr_error_t` whose `message` is NULL or was set by
/// libmurr.
unsafe extern "C" fn release_message(error: *mut murr_error) {
    // SAFETY: the caller passes NULL or a valid error struct.
    let Some(error) = (unsafe { error.as_mut() }) else {
        return;
    };
    if !error.message.is_null() {
        // SAFETY: libmurr set `message` with CString::into_raw and nothing freed it since
        // (release clears it).
        drop(unsafe { CString::from_raw(error.message) });
    }
    error.message = std::ptr::null_mut();
    error.release = None;
}

/// Releases the message in `*error` (calls `error->release` when set). NULL-safe; safe to
/// call twice, and on a struct initialized with `MURR_ERROR_INIT` that no call filled.
/// Leaves `status` as it is. Not thread-safe on one error struct.
///
/// # Safety
/// `error` is NULL or points to a valid `murr_error_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn murr_error_release(error: *mut murr_error_t) {
    crate::guard::guard_void(|| {
        // SAFETY: the caller passes NULL or a valid error struct.
        let Some(e) = (unsafe { error.as_mut() }) else {
            return;
        };
        if let Some(release) = e.release {
            // SAFETY: `release` belongs to the struct it is called on.
            unsafe { release(error) };
        }
    });
}

/// A failed call: its status and message, reported into the caller's `murr_error_t`.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The status code returned.
    pub(crate) status: murr_status_t,
    /// The message given to the caller.
    pub(crate) message: String,
}

/// A `Result` whose error is a [`Failure`].
pub(crate) type Result<T, E = Failure> = std::result::Result<T, E>;

impl Failure {
    /// A failure of `status` with `message`.
    pub(crate) fn new(status: murr_status_t, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// An invalid argument.
    pub(crate) fn invalid(message: impl Into<String>) -> Failure {
        Failure::new(MURR_INVALID_ARGUMENT, message)
    }

    /// A NULL pointer given for argument `name`.
    pub(crate) fn null(name: &str) -> Failure {
        Failure::invalid(format!("{name} is NULL"))
    }

    /// A closed handle.
    pub(crate) fn closed(what: &str) -> Failure {
        Failure::new(MURR_CLOSED, format!("{what} is closed"))
    }

    /// Writes the failure into `*error` (when not NULL), releasing what it held first.
    ///
    /// # Safety
    /// `error` is NULL or points to a valid `murr_error_t`.
    pub(crate) unsafe fn report(&self, error: *mut murr_error_t) {
        if error.is_null() {
            return;
        }
        // SAFETY: the caller passes a valid error struct.
        unsafe { murr_error_release(error) };
        // SAFETY: as above.
        let e = unsafe { &mut *error };
        let message = CString::new(self.message.replace('\0', "\\0")).unwrap_or_default();
        e.status = self.status;
        e.message = message.into_raw();
        e.release = Some(release_message);
    }
}

impl From<murr_core::Error> for Failure {
    fn from(error: murr_core::Error) -> Failure {
        Failure::new(status_of(&error), error.to_string())
    }
}

impl From<arrow_schema::ArrowError> for Failure {
    fn from(error: arrow_schema::ArrowError) -> Failure {
        Failure::new(MURR_ARROW, format!("arrow: {error}"))
    }
}
