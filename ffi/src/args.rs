//! Checking the caller's arguments: pointers, NUL-terminated UTF-8 strings, `(ptr, len)`
//! arrays. Every check names the argument in its message.

use std::ffi::{CStr, c_char};

use crate::error::{Failure, Result};

/// The string at `ptr` (argument `name`): not NULL, valid UTF-8. Borrowed for the call.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: not NULL, NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str()
        .map_err(|e| Failure::invalid(format!("{name} is not valid UTF-8: {e}")))
}

/// The `n` strings at `ptr` (argument `name`), each checked as [`str_arg`] does. `ptr` may
/// be NULL when `n` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `n` pointers, each NULL or a NUL-terminated string valid for
/// `'a`.
pub(crate) unsafe fn str_list<'a>(
    ptr: *const *const c_char,
    n: usize,
    name: &str,
) -> Result<Vec<&'a str>> {
    // SAFETY: forwarded.
    let items = unsafe { slice_arg(ptr, n, name) }?;
    let mut out = Vec::with_capacity(items.len());
    for (i, &p) in items.iter().enumerate() {
        // The item's name is formatted only for an error: this runs once per key of a read.
        if p.is_null() {
            return Err(Failure::null(&format!("{name}[{i}]")));
        }
        // SAFETY: not NULL, NUL-terminated by the caller's contract.
        let s = unsafe { CStr::from_ptr(p) };
        out.push(
            s.to_str()
                .map_err(|e| Failure::invalid(format!("{name}[{i}] is not valid UTF-8: {e}")))?,
        );
    }
    Ok(out)
}

/// The `n` values at `ptr` (argument `name`), borrowed. `ptr` may be NULL when `n` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `n` initialized values valid for `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(ptr: *const T, n: usize, name: &str) -> Result<&'a [T]> {
    if n == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: not NULL, `n` values by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, n) })
}

/// The caller's buffer of `n` values at `ptr` (argument `name`), to be written. `ptr` may be
/// NULL when `n` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `n` values writable for `'a`, aliased by nothing else.
pub(crate) unsafe fn out_slice<'a, T>(ptr: *mut T, n: usize, name: &str) -> Result<&'a mut [T]> {
    if n == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: not NULL, `n` writable values by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, n) })
}

/// The value at `ptr` (argument `name`), borrowed: not NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid `T` for `'a`.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    // SAFETY: NULL or valid, by the caller's contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// Checks that output pointer `ptr` (argument `name`) is not NULL.
pub(crate) fn out_arg<T>(ptr: *mut T, name: &str) -> Result<()> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    Ok(())
}
