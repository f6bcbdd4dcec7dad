//! Inputs the fuzzer once crashed on (`fuzz/regressions/`, see `fuzz/README.md`): each is
//! opened as a segment and read every way the `segment_read` fuzz target reads; every call
//! must return `Ok` or `Err`, never panic. Passes when the directory holds no inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/exercise.rs"]
mod exercise;

use exercise::exercise;

/// The regression inputs: every file in the directory but dotfiles (`.gitkeep`).
fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
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
    for path in inputs() {
        let bytes = std::fs::read(&path).expect("regression input");
        if std::panic::catch_unwind(|| exercise(bytes)).is_err() {
            panicked.push(path.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "reading these panicked: {panicked:#?}");
}
