//! Gives libmurr.so its soname (`libmurr.so.0`, the ABI's major version), so that programs
//! linked against it record that name and pick up any compatible 0.x build.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmurr.so.0");
    }
}
