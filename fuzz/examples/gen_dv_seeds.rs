//! Writes the seed corpus of the `dv_decode` fuzz target: `.dv` files of an empty vector,
//! of rows {1, 5}, and of one vector holding an array, a bitmap and a run container, plus
//! the bare Iceberg blob of rows {1, 5}.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example gen_dv_seeds [DIR]`
//! (DIR defaults to `fuzz/seeds/dv_decode`). The encoding is deterministic, so rerunning it
//! rewrites the same bytes.

use std::error::Error;
use std::path::PathBuf;

use murr_core::dv::DeletionVector;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/dv_decode"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let small = DeletionVector::from_rows([1, 5]);
    let mixed = DeletionVector::from_rows(
        (0..100u32)
            .chain((1 << 16..(1 << 16) + 10_000).step_by(2))
            .chain(3 << 16..(3 << 16) + 9_000),
    );
    let seeds = [
        ("empty.dv", DeletionVector::new().encode_file(1, 0)),
        ("rows_1_5.dv", small.encode_file(7, 10)),
        ("mixed_containers.dv", mixed.encode_file(42, 1 << 20)),
        ("rows_1_5.blob", small.to_iceberg_blob()),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), &bytes)?;
        println!("{name}: {} bytes", bytes.len());
    }
    Ok(())
}
