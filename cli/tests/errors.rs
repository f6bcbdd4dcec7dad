//! What every command does with bad arguments and with a directory that holds no database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

/// Every database command, with its arguments after the directory.
const COMMANDS: &[&[&str]] = &[
    &["tables"],
    &["schema", "users"],
    &["get", "users", "u1"],
    &["scan", "users"],
    &["delete", "users", "u1"],
    &["flush"],
    &["compact"],
    &["stats"],
    &["verify"],
    &["inspect"],
    &["ingest", "users", "in.csv"],
];

fn with_dir<'a>(command: &[&'a str], dir: &'a str) -> Vec<&'a str> {
    let mut args = vec![command[0], dir];
    args.extend(&command[1..]);
    args
}

#[test]
fn a_missing_directory_is_an_error_and_is_not_created() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nothing-here");
    for command in COMMANDS {
        let err = fails(&with_dir(command, path(&dir)), 1);
        assert!(err.starts_with("murr: "), "{command:?}: {err}");
        assert!(err.contains(path(&dir)), "{command:?}: {err}");
        assert!(!dir.exists(), "{command:?} created {}", dir.display());
    }
}

#[test]
fn a_directory_without_a_database_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for command in COMMANDS {
        let err = fails(&with_dir(command, path(tmp.path())), 1);
        assert!(
            err.contains("is not a libmurr database"),
            "{command:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn bad_arguments_exit_with_status_2() {
    let (_tmp, dir) = database(3);
    let d = path(&dir);
    for args in [
        vec!["tables"],
        vec!["schema", d],
        vec!["get", d],
        vec!["scan", d, "users", "--limit", "many"],
        vec!["scan", d, "users", "--format", "xml"],
        vec!["ingest", d, "users"],
        vec!["ingest", d, "users", "in.csv", "--create"],
        vec!["ingest", d, "users", "in.csv", "--key", "id"],
        vec!["frobnicate", d],
    ] {
        let err = fails(&args, 2);
        assert!(
            err.contains("Usage:") || err.contains("error:"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn output_to_a_closed_pipe_stops_quietly() {
    let (_tmp, dir) = database(300_000);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_murr"))
        .args(["scan", path(&dir), "users", "--format", "csv"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        text(&out.stderr)
    );
    assert_eq!(text(&out.stderr), "");
}
