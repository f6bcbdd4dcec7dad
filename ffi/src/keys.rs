//! Keys given as plain C arrays (NUL-terminated strings, int64 values), as Arrow arrays.

use std::ffi::{CStr, c_char};

use arrow_array::{Int64Array, StringArray};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};

use crate::args::slice_arg;
use crate::error::{Failure, Result};

/// The `n` C strings at `keys` (argument "keys") as a utf8 array.
///
/// # Safety
/// `keys` is NULL or points to `n` NULL-or-valid strings.
pub(crate) unsafe fn str_keys(keys: *const *const c_char, n: usize) -> Result<StringArray> {
    // SAFETY: forwarded.
    let ptrs = unsafe { slice_arg(keys, n, "keys") }?;
    // One pass copies the bytes into one values buffer (a read's keys are in cache: this
    // costs a few microseconds per 1000 keys, where a `&str` per key cost ~15), then one
    // UTF-8 check of the whole buffer plus a check that no key starts inside a character
    // (so that each key alone is valid UTF-8).
    let mut offsets: Vec<i32> = Vec::with_capacity(n + 1);
    offsets.push(0);
    let mut values: Vec<u8> = Vec::with_capacity(n * 16);
    for (i, &p) in ptrs.iter().enumerate() {
        if p.is_null() {
            return Err(Failure::null(&format!("keys[{i}]")));
        }
        // SAFETY: not NULL, NUL-terminated by the caller's contract.
        values.extend_from_slice(unsafe { CStr::from_ptr(p) }.to_bytes());
        let end = i32::try_from(values.len())
            .map_err(|_| Failure::invalid("the keys hold more than 2 GiB of bytes"))?;
        offsets.push(end);
    }
    let bad = |i: usize| {
        // SAFETY: re-reading key `i`, valid as above.
        let key = unsafe { CStr::from_ptr(ptrs[i]) };
        match key.to_str() {
            Err(e) => Failure::invalid(format!("keys[{i}] is not valid UTF-8: {e}")),
            Ok(_) => Failure::invalid(format!("keys[{i}] is not valid UTF-8")),
        }
    };
    if let Err(e) = std::str::from_utf8(&values) {
        let at = e.valid_up_to();
        let i = offsets
            .partition_point(|&o| (o as usize) <= at)
            .saturating_sub(1);
        return Err(bad(i.min(n.saturating_sub(1))));
    }
    for (i, &o) in offsets.iter().enumerate().take(n).skip(1) {
        if values
            .get(o as usize)
            .is_some_and(|&b| (0x80..0xC0).contains(&b))
        {
            // Key i starts with a continuation byte: key i - 1 or key i is invalid alone.
            let prev = bad(i - 1);
            // SAFETY: re-reading key `i - 1`, valid as above.
            return Err(match unsafe { CStr::from_ptr(ptrs[i - 1]) }.to_str() {
                Err(_) => prev,
                Ok(_) => bad(i),
            });
        }
    }
    let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
    // SAFETY: offsets start at 0 and ascend to the values' length; the values are valid
    // UTF-8 and every offset is at a character boundary, checked above.
    Ok(unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(values), None) })
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
