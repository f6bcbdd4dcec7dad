//! Keys given as C strings (NUL-terminated, or pointer + length), as Arrow utf8 arrays: the
//! copy and UTF-8 check every string-keyed read, dense read and delete goes through.

use std::ffi::{CStr, c_char};

use arrow_array::StringArray;
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};

use crate::args::slice_arg;
use crate::error::{Failure, Result};

/// The `n` C strings at `keys` (argument `name`) as a utf8 array.
///
/// # Safety
/// `keys` is NULL or points to `n` NULL-or-valid strings.
pub(crate) unsafe fn str_keys(
    keys: *const *const c_char,
    n: usize,
    name: &str,
) -> Result<StringArray> {
    // SAFETY: forwarded.
    let ptrs = unsafe { slice_arg(keys, n, name) }?;
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
        // Wraps only past 2 GiB, refused by `checked_utf8` before any offset is used.
        offsets.push(values.len() as i32);
    }
    checked_utf8(offsets, values)
}

/// The `ptrs.len()` strings of `lengths[i]` bytes at `ptrs[i]` (NUL bytes allowed; a NULL
/// pointer only for a length of 0) as a utf8 array.
///
/// # Safety
/// Each pointer is NULL or valid for reads of its length in bytes; `lengths` is as long as
/// `ptrs`.
pub(crate) unsafe fn utf8_keys(ptrs: &[*const u8], lengths: &[usize]) -> Result<StringArray> {
    let total = lengths
        .iter()
        .try_fold(0usize, |sum, &len| sum.checked_add(len))
        .filter(|&total| i32::try_from(total).is_ok())
        .ok_or_else(|| Failure::invalid("the keys hold more than 2 GiB of bytes"))?;
    let mut offsets: Vec<i32> = Vec::with_capacity(ptrs.len() + 1);
    offsets.push(0);
    let mut values: Vec<u8> = Vec::with_capacity(total);
    for (i, (&p, &len)) in ptrs.iter().zip(lengths).enumerate() {
        if len > 0 {
            if p.is_null() {
                return Err(Failure::null(&format!("keys[{i}]")));
            }
            // SAFETY: not NULL, `len` readable bytes by the caller's contract.
            append(&mut values, unsafe { std::slice::from_raw_parts(p, len) });
        }
        // At most `total`, checked above to fit.
        offsets.push(values.len() as i32);
    }
    checked_utf8(offsets, values)
}

/// The keys of `offsets` into `values` (as built above: ascending from 0 to the values'
/// length, unchecked against 2 GiB) as a utf8 array, once every key alone is found valid
/// UTF-8; else the first invalid key's failure.
fn checked_utf8(offsets: Vec<i32>, values: Vec<u8>) -> Result<StringArray> {
    if i32::try_from(values.len()).is_err() {
        return Err(Failure::invalid("the keys hold more than 2 GiB of bytes"));
    }
    if values.iter().fold(0u8, |acc, &b| acc | b) < 0x80 {
        return Ok(utf8_array(offsets, values));
    }
    // Valid as a whole and no key starting inside a character: each key alone is valid.
    let starts_inside = offsets.iter().skip(1).any(|&o| {
        values
            .get(o as usize)
            .is_some_and(|&b| (0x80..0xC0).contains(&b))
    });
    if std::str::from_utf8(&values).is_ok() && !starts_inside {
        return Ok(utf8_array(offsets, values));
    }
    // The first key invalid alone (one is: valid keys concatenate into valid UTF-8).
    for (i, w) in offsets.windows(2).enumerate() {
        let key = values.get(w[0] as usize..w[1] as usize).unwrap_or_default();
        if let Err(e) = std::str::from_utf8(key) {
            return Err(Failure::invalid(format!(
                "keys[{i}] is not valid UTF-8: {e}"
            )));
        }
    }
    Err(Failure::invalid("the keys are not valid UTF-8"))
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
        let array = unsafe { str_keys(ptrs.as_ptr(), ptrs.len(), "keys") }.unwrap();
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
        let err = unsafe { str_keys(ptrs.as_ptr(), 2, "keys") }.unwrap_err();
        assert!(
            err.message.contains("keys[0] is not valid UTF-8"),
            "{}",
            err.message
        );
    }
}
