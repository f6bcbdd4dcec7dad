//! Keys given as plain C arrays (NUL-terminated strings, int64 values), as Arrow arrays.

use std::ffi::c_char;

use arrow_array::{Int64Array, StringArray};

use crate::args::{slice_arg, str_list};
use crate::error::Result;

/// The `n` C strings at `keys` (argument "keys") as a utf8 array.
///
/// # Safety
/// `keys` is NULL or points to `n` NULL-or-valid strings.
pub(crate) unsafe fn str_keys(keys: *const *const c_char, n: usize) -> Result<StringArray> {
    // SAFETY: forwarded.
    Ok(StringArray::from(unsafe { str_list(keys, n, "keys") }?))
}

/// The `n` values at `keys` (argument "keys") as an int64 array.
///
/// # Safety
/// `keys` is NULL or points to `n` values.
pub(crate) unsafe fn i64_keys(keys: *const i64, n: usize) -> Result<Int64Array> {
    // SAFETY: forwarded.
    Ok(Int64Array::from(
        unsafe { slice_arg(keys, n, "keys") }?.to_vec(),
    ))
}
