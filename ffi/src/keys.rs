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
    // costs a few microseconds per 1000 keys, where a `&str` per key cost ~15), then, unless
    // every byte is ASCII, one UTF-8 check of the whole buffer plus a check that no key
    // starts inside a character (so that each key alone is valid UTF-8).
    let mut offsets: Vec<i32> = Vec::with_capacity(n + 1);
    offsets.push(0);
    let mut values: Vec<u8> = Vec::with_capacity(n * 16);
    for (i, &p) in ptrs.iter().enumerate() {
        if p.is_null() {
            return Err(Failure::null(&format!("keys[{i}]")));
        }
        // SAFETY: not NULL, NUL-terminated by the caller's contract.
        append(&mut values, unsafe { CStr::from_ptr(p) }.to_bytes());
        // Wraps only past 2 GiB, refused below before any offset is used.
        offsets.push(values.len() as i32);
    }
    if i32::try_from(values.len()).is_err() {
        return Err(Failure::invalid("the keys hold more than 2 GiB of bytes"));
    }
    if values.iter().fold(0u8, |acc, &b| acc | b) < 0x80 {
        return Ok(utf8_array(offsets, values));
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
    Ok(utf8_array(offsets, values))
}

/// A utf8 array of `offsets` into `values`, which the caller has checked: offsets start at
/// 0 and ascend to the values' length, the values are valid UTF-8 and every offset is at a
/// character boundary.
fn utf8_array(offsets: Vec<i32>, values: Vec<u8>) -> StringArray {
    let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
    // SAFETY: as the caller checked.
    unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(values), None) }
}

/// Appends `bytes` to `values`. Keys are short: 8 to 16 bytes are copied as two
/// overlapping unaligned words instead of through a `memcpy` call (measured: 1000 keys of
/// 10 bytes, 5.0 -> 2.7 us with their `strlen`s).
#[inline]
fn append(values: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    let at = values.len();
    if !(8..=16).contains(&n) || values.capacity() - at < n {
        values.extend_from_slice(bytes);
        return;
    }
    // SAFETY: 8 <= n <= 16, so both words are inside `bytes` and inside the `n` spare bytes
    // after `at` (checked above); together they cover all `n`, so `set_len` exposes only
    // written bytes.
    unsafe {
        let src = bytes.as_ptr();
        let dst = values.as_mut_ptr().add(at);
        let head = src.cast::<u64>().read_unaligned();
        let tail = src.add(n - 8).cast::<u64>().read_unaligned();
        dst.cast::<u64>().write_unaligned(head);
        dst.add(n - 8).cast::<u64>().write_unaligned(tail);
        values.set_len(at + n);
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::ffi::CString;

    use arrow_array::Array;

    use super::*;

    /// Keys of every length from 0 to 40 bytes (the word copy's edges 8 and 16 included),
    /// ASCII and not, come back byte for byte; a key alone invalid is refused.
    #[test]
    fn keys_of_every_length_round_trip() {
        let keys: Vec<String> = (0..=40)
            .flat_map(|n| {
                let ascii: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
                let wide: String = "é".repeat(n / 2) + &"z".repeat(n % 2);
                [ascii, wide]
            })
            .collect();
        let owned: Vec<CString> = keys
            .iter()
            .map(|k| CString::new(k.as_str()).unwrap())
            .collect();
        let ptrs: Vec<*const c_char> = owned.iter().map(|k| k.as_ptr()).collect();
        // SAFETY: valid strings.
        let array = unsafe { str_keys(ptrs.as_ptr(), ptrs.len()) }.unwrap();
        assert_eq!(array.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(array.value(i), k);
        }
        // "é" split across two keys: each alone is invalid.
        let halves = [
            CString::new(vec![b'x', 0xC3]).unwrap(),
            CString::new(vec![0xA9]).unwrap(),
        ];
        let ptrs: Vec<*const c_char> = halves.iter().map(|k| k.as_ptr()).collect();
        // SAFETY: valid strings.
        let err = unsafe { str_keys(ptrs.as_ptr(), 2) }.unwrap_err();
        assert!(
            err.message.contains("keys[0] is not valid UTF-8"),
            "{}",
            err.message
        );
    }
}
