//! End-to-end tests of the `murr` binary: the demo (a database loaded, reopened and read),
//! then `inspect` and `verify` on the segment it flushed and on a damaged copy of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
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

fn demo(dir: Option<&Path>, rows: &str, batches: &str) -> String {
    let mut args = vec!["demo", "--rows", rows, "--batches", batches];
    if let Some(dir) = dir {
        args.extend(["--dir", dir.to_str().unwrap()]);
    }
    let out = murr(&args);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        text(&out.stderr)
    );
    stdout
}

/// The segment files the demo's database holds.
fn segments(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    files.sort();
    files
}

#[test]
fn demo_then_verify() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo(Some(dir.path()), "20000", "300");
    assert!(stdout.contains("ingest:  20,000 rows in "), "{stdout}");
    assert!(stdout.contains("rows/s through Db::write"), "{stdout}");
    assert!(stdout.contains("flush:   "), "{stdout}");
    assert!(stdout.contains("compact: "), "{stdout}");
    assert!(stdout.contains("1 segment(s)"), "{stdout}");
    assert!(stdout.contains("opened:  "), "{stdout}");
    assert!(stdout.contains(" ms (closed, then Db::open"), "{stdout}");
    assert!(stdout.contains("through Db::read"), "{stdout}");
    assert!(stdout.contains("checked: all 5,000,000 values"), "{stdout}");
    assert!(stdout.contains("latency: median"), "{stdout}");
    assert!(stdout.contains(" us, p99 "), "{stdout}");
    assert!(stdout.contains("Mkeys/s"), "{stdout}");
    assert!(stdout.contains("| key "), "{stdout}");
    assert!(stdout.contains("| f4 "), "{stdout}");
    assert!(stdout.contains("| doc_"), "{stdout}");
    assert!(!stdout.contains("previous run"), "{stdout}");
    assert!(!stdout.contains("temporary"), "{stdout}");

    let segments = segments(dir.path());
    assert_eq!(segments.len(), 1, "{segments:?}");
    let segment = &segments[0];
    assert!(
        stdout.contains(&format!("segment: {}", segment.display())),
        "{stdout}"
    );
    let out = murr(&["verify", segment.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("OK"));

    let out = murr(&["inspect", segment.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let info = text(&out.stdout);
    assert!(info.contains("rows:     20000"), "{info}");
    assert!(info.contains("format:   version 3\n"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.trim_start().starts_with("f9 ") && l.contains("Float32")),
        "{info}"
    );

    let mut bytes = std::fs::read(segment).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let damaged = dir.path().join("damaged.bin");
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
    demo(Some(dir.path()), "3000", "10");
    let stdout = demo(Some(dir.path()), "2000", "10");
    assert!(stdout.contains("previous run"), "{stdout}");
    let segments = segments(dir.path());
    assert_eq!(segments.len(), 1, "{segments:?}");
    let out = murr(&["inspect", segments[0].to_str().unwrap()]);
    assert!(text(&out.stdout).contains("rows:     2000\n"));
}

#[test]
fn demo_without_dir_uses_a_temporary_directory() {
    let stdout = demo(None, "1000", "10");
    let first = stdout.lines().next().unwrap();
    let path = first
        .split_once(" in ")
        .and_then(|(_, rest)| rest.split_once(" (temporary"))
        .map(|(path, _)| PathBuf::from(path))
        .unwrap_or_else(|| panic!("no temporary directory in {first:?}"));
    assert!(stdout.contains("latency: median"), "{stdout}");
    assert!(!path.exists(), "{} was left behind", path.display());
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = murr(&["verify", "/nonexistent/features.seg"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("murr: "), "{stderr}");
    assert!(stderr.contains("/nonexistent/features.seg"), "{stderr}");
}
