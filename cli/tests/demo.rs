//! End-to-end tests of the `murr` binary: the demo, then `verify` on its segment and on a
//! damaged copy of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn murr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_murr"))
        .args(args)
        .output()
        .expect("run murr")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn demo(dir: &Path, rows: &str, batches: &str) -> String {
    let out = murr(&[
        "demo",
        "--rows",
        rows,
        "--batches",
        batches,
        "--dir",
        dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        text(&out.stderr)
    );
    stdout
}

#[test]
fn demo_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo(dir.path(), "20000", "300");
    assert!(stdout.contains("latency: median"), "{stdout}");
    assert!(stdout.contains(" us, p99 "), "{stdout}");
    assert!(stdout.contains("Mkeys/s"), "{stdout}");
    assert!(stdout.contains("| key "), "{stdout}");
    assert!(stdout.contains("| f4 "), "{stdout}");
    assert!(stdout.contains("| doc_"), "{stdout}");
    assert!(!stdout.contains("previous run"), "{stdout}");

    let segment = dir.path().join("features-000001.seg");
    let out = murr(&["verify", segment.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("OK"));

    let out = murr(&["inspect", segment.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info = text(&out.stdout);
    assert!(info.contains("rows:     20000"), "{info}");
    assert!(info.contains("format:   version 2\n"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.trim_start().starts_with("f9 ") && l.contains("Float32")),
        "{info}"
    );

    let mut bytes = std::fs::read(&segment).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let damaged = dir.path().join("damaged.seg");
    std::fs::write(&damaged, &bytes).unwrap();
    let out = murr(&["verify", damaged.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("corrupt"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn demo_overwrites_a_previous_run() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "3000", "10");
    let stdout = demo(dir.path(), "2000", "10");
    assert!(stdout.contains("previous run"), "{stdout}");
    let out = murr(&[
        "inspect",
        dir.path().join("features-000001.seg").to_str().unwrap(),
    ]);
    assert!(text(&out.stdout).contains("rows:     2000\n"));
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = murr(&["verify", "/nonexistent/features.seg"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("murr: error:"), "{stderr}");
}
