//! libmurr's C ABI. This crate builds `libmurr.so` and `libmurr.a`; the header is
//! `include/murr.h`. For now it exports the library's version; the database API follows.
#![deny(missing_docs)]

use std::ffi::c_char;

/// The library version as a NUL-terminated string ("major.minor.patch"), owned by libmurr:
/// valid for the life of the process, never freed by the caller. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn murr_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_crate_version() {
        // SAFETY: murr_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(super::murr_version()) };
        assert_eq!(v.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
    }
}
