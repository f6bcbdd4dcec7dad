//! A software prefetch hint, a no-op where the target has none.

/// Hints the CPU to bring the cache line holding `bytes[offset]` closer. Never faults and
/// never reads: an offset past the end is ignored.
#[inline(always)]
pub(crate) fn prefetch(bytes: &[u8], offset: usize) {
    if let Some(byte) = bytes.get(offset) {
        prefetch_ptr(byte);
    }
}

/// Hints the CPU to bring the cache line holding `*item` closer (any type: atomics too).
#[inline(always)]
pub(crate) fn prefetch_ref<T>(item: &T) {
    prefetch_ptr(item);
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn prefetch_ptr<T>(item: &T) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    // SAFETY: prefetch is a hint that never faults and never reads; the pointer comes
    // from a live reference.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(item).cast::<i8>()) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch_ptr<T>(_item: &T) {}
