//! The library's version, at compile time (macros) and at run time.

use std::ffi::c_char;

/// The major version of the header (and of the library it was generated with).
pub const MURR_VERSION_MAJOR: u32 = 0;
/// The minor version.
pub const MURR_VERSION_MINOR: u32 = 2;
/// The patch version.
pub const MURR_VERSION_PATCH: u32 = 0;

/// The library version as a NUL-terminated string ("major.minor.patch"), owned by libmurr:
/// valid for the life of the process, never freed by the caller. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn murr_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_crate_version() {
        // SAFETY: murr_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(murr_version()) };
        assert_eq!(v.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
        let macros = format!("{MURR_VERSION_MAJOR}.{MURR_VERSION_MINOR}.{MURR_VERSION_PATCH}");
        assert_eq!(macros, env!("CARGO_PKG_VERSION"));
    }
}
