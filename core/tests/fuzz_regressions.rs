//! Inputs the fuzzer once crashed on (`fuzz/regressions/`, see `fuzz/README.md`): each is
//! opened as a segment and read every way the `segment_read` fuzz target reads; every call
//! must return `Ok` or `Err`, never panic. The inputs of `fuzz/regressions/dv_decode/` are
//! decoded as deletion vectors the way the `dv_decode` target does. Passes when the
//! directories hold no inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, StringArray, UInt64Array};
use arrow_schema::DataType;
use murr_core::segment::Segment;

#[path = "../../fuzz/src/dv.rs"]
mod dv;
#[path = "../../fuzz/src/exercise.rs"]
mod exercise;
#[path = "../../fuzz/src/remote.rs"]
mod remote;

use exercise::exercise;

/// One `get` of 1,024 absent keys asking every column: an allocation per asked key sized by
/// a corrupt field (a row group's stride, say) then fails outright, as it would for a real
/// batch, instead of hiding in lazily zeroed memory as it can with the fuzzer's few keys.
fn large_batch(bytes: Vec<u8>) {
    let Ok(seg) = Segment::from_bytes(bytes, "regression") else {
        return;
    };
    let schema = seg.schema();
    let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let keys: ArrayRef = match schema.fields().first().map(|f| f.data_type()) {
        Some(DataType::Int64) => Arc::new(Int64Array::from_iter_values(0..1024)),
        Some(DataType::UInt64) => Arc::new(UInt64Array::from_iter_values(0..1024)),
        _ => Arc::new(StringArray::from_iter_values(
            (0..1024).map(|i| format!("\u{0}absent {i}")),
        )),
    };
    if let Ok((batch, found)) = seg.get(keys.as_ref(), &columns) {
        assert_eq!(batch.num_rows(), keys.len());
        assert_eq!(found.len(), keys.len());
    }
}

/// The regression inputs: every file in `fuzz/regressions/{sub}` but dotfiles (`.gitkeep`).
fn inputs(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/regressions")
        .join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let mut panicked = Vec::new();
    for path in inputs("") {
        let bytes = std::fs::read(&path).expect("regression input");
        let replay = || {
            exercise(bytes.clone());
            large_batch(bytes.clone());
        };
        if std::panic::catch_unwind(replay).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "reading these panicked: {panicked:#?}");
}

#[test]
fn dv_regressions_do_not_panic() {
    let mut panicked = Vec::new();
    for path in inputs("dv_decode") {
        let bytes = std::fs::read(&path).expect("regression input");
        if std::panic::catch_unwind(|| dv::exercise_dv(&bytes)).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(
        panicked.is_empty(),
        "decoding these panicked: {panicked:#?}"
    );
}

/// The `remote_read` target's replay (`fuzz/src/remote.rs`) over the regression inputs and
/// the segment seeds: the remote reader must agree with `Segment::get` and never panic.
#[test]
fn remote_regressions_and_seeds_do_not_panic() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/segment_read");
    let mut files = inputs("");
    files.extend(
        std::fs::read_dir(&seeds)
            .expect("seeds")
            .map(|e| e.expect("directory entry").path()),
    );
    let mut panicked = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).expect("input");
        if std::panic::catch_unwind(|| remote::exercise_remote(&bytes)).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "reading these panicked: {panicked:#?}");
}
