//! Output structs that carry their size (`murr_table_stats_t`, `murr_metrics_t`): the
//! caller sets `size` to `sizeof` the struct it compiled against; libmurr fills whole
//! fields up to the smaller of the two structs and zeroes the rest of the caller's, so
//! that either side may be the newer.

use std::mem::size_of;

use crate::error::{Failure, Result};

/// The caller's `size` at `out` (read as bytes: its struct may be smaller than ours),
/// refused below `smallest` (the end of the first field after `size`), naming `name` and
/// its `init` macro.
///
/// # Safety
/// `out` is not NULL and points to at least a readable `size_t`.
pub(crate) unsafe fn given_size<T>(
    out: *const T,
    smallest: usize,
    name: &str,
    init: &str,
) -> Result<usize> {
    // SAFETY: a `size_t` is readable at `out`, by the caller's contract.
    let given = unsafe { out.cast::<usize>().read_unaligned() };
    if given < smallest {
        return Err(Failure::invalid(format!(
            "out->size is {given}; set it to sizeof({name}) (at least {smallest}), e.g. with \
             {init}"
        )));
    }
    Ok(given)
}

/// How many bytes of a `T` to fill for a caller's struct of `given` bytes: whole `u64`
/// fields from `first` (the offset of the first field after `size`), up to the smaller of
/// the two structs.
pub(crate) fn filled<T>(given: usize, first: usize) -> usize {
    let mine = size_of::<T>().min(given);
    first + (mine.saturating_sub(first) / size_of::<u64>()) * size_of::<u64>()
}

/// Writes the first `filled` bytes of `value` to `out` and zeroes the caller's bytes
/// after them, up to `given`.
///
/// # Safety
/// `out` is writable for `given` bytes; `filled <= given` and `filled <= size_of::<T>()`.
pub(crate) unsafe fn write_prefix<T>(out: *mut T, value: &T, filled: usize, given: usize) {
    let dst = out.cast::<u8>();
    // SAFETY: `filled` bytes of `value` are readable and `given >= filled` bytes of `out`
    // writable, by the caller's contract; the two do not overlap (`value` is ours).
    unsafe {
        std::ptr::copy_nonoverlapping(std::ptr::from_ref(value).cast::<u8>(), dst, filled);
        if given > filled {
            std::ptr::write_bytes(dst.add(filled), 0, given - filled);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(C)]
    struct Three {
        size: usize,
        a: u64,
        b: u64,
        c: u64,
    }

    #[test]
    fn whole_fields_up_to_the_smaller_struct() {
        let first = std::mem::offset_of!(Three, a);
        assert_eq!(
            filled::<Three>(size_of::<Three>() + 100, first),
            size_of::<Three>()
        );
        assert_eq!(filled::<Three>(first + 8, first), first + 8);
        assert_eq!(filled::<Three>(first + 12, first), first + 8); // a torn field: not filled
        assert_eq!(filled::<Three>(first, first), first);
    }

    #[test]
    fn a_larger_callers_struct_is_zeroed_past_ours() {
        const LEN: usize = size_of::<Three>() + 16;
        // u64s: aligned for `Three`.
        let mut words = [0xAAAA_AAAA_AAAA_AAAAu64; LEN / 8];
        words[0] = LEN as u64;
        let out = words.as_mut_ptr().cast::<Three>();
        // SAFETY: the buffer holds a size_t.
        let given = unsafe { given_size(out, 16, "three", "THREE_INIT") }.ok();
        assert_eq!(given, Some(LEN));
        let ours = Three {
            size: size_of::<Three>(),
            a: 1,
            b: 2,
            c: 3,
        };
        let n = filled::<Three>(LEN, std::mem::offset_of!(Three, a));
        // SAFETY: LEN writable bytes; n <= both sizes.
        unsafe { write_prefix(out, &ours, n, LEN) };
        assert_eq!(words[..4], [size_of::<Three>() as u64, 1, 2, 3]);
        assert!(words[4..].iter().all(|&w| w == 0));
    }

    #[test]
    fn a_size_below_the_first_field_is_refused() {
        let size = 4usize;
        // SAFETY: a readable size_t.
        let e = unsafe { given_size(&size, 16, "three", "THREE_INIT") }.err();
        assert!(e.is_some_and(|e| e.message.contains("THREE_INIT")));
    }
}
