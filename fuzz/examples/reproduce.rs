//! Runs fuzz inputs through the targets' code without libFuzzer, on stable, with a normal
//! panic and backtrace; or reseals an input's checksums so that it can be saved as a
//! regression input that fails without the resealing target.
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example reproduce -- FILE...
//! cargo run --manifest-path fuzz/Cargo.toml --example reproduce -- --resealed FILE...
//! cargo run --manifest-path fuzz/Cargo.toml --example reproduce -- --reseal-to OUT FILE
//! ```

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1).peekable();
    let mut reseal = false;
    let mut reseal_to = None;
    match args.peek().map(String::as_str) {
        Some("--resealed") => {
            reseal = true;
            args.next();
        }
        Some("--reseal-to") => {
            args.next();
            reseal_to = args.next();
        }
        _ => {}
    }
    for path in args {
        let mut bytes = std::fs::read(&path)?;
        if let Some(out) = &reseal_to {
            murr_fuzz::reseal(&mut bytes);
            std::fs::write(out, &bytes)?;
            println!("{path}: resealed into {out}");
            continue;
        }
        if reseal {
            murr_fuzz::reseal(&mut bytes);
        }
        match murr_core::segment::Segment::from_bytes(bytes.clone(), &path) {
            Ok(seg) => println!("{path}: opens: {seg:?}"),
            Err(e) => println!("{path}: does not open: {e}"),
        }
        let started = std::time::Instant::now();
        murr_fuzz::exercise(bytes);
        println!("{path}: ok in {:?}", started.elapsed());
    }
    Ok(())
}
