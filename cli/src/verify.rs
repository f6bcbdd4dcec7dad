//! `murr verify`: checks a whole database, or one segment file.

use std::io::Write;
use std::path::{Path, PathBuf};

use murr_core::db::{Db, Options, Recovery};
use murr_core::manifest;
use murr_core::wal::{RecoveryMode, WalReader};
use serde_json::json;

use crate::error::{Failure, Result};
use crate::{files, inspect, open, output};

/// Options of `murr verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A database directory, or one segment file.
    path: PathBuf,
    /// Print JSON (databases only).
    #[arg(long)]
    json: bool,
}

/// What a database check found.
#[derive(Default)]
struct Report {
    /// What was checked, as sentences.
    checked: Vec<String>,
    /// What is wrong, as sentences naming the file.
    problems: Vec<String>,
}

/// Checks the database in the directory, or the segment file; prints what was checked,
/// and fails naming what is wrong.
pub fn run(args: &Args) -> Result {
    if !args.path.is_dir() {
        return inspect::verify(&args.path);
    }
    open::check_database(&args.path)?;
    let report = check(&args.path);
    if args.json {
        output::json(&json!({
            "path": args.path.display().to_string(),
            "ok": report.problems.is_empty(),
            "checked": report.checked,
            "problems": report.problems,
        }))?;
    } else {
        let mut out = output::text();
        for line in &report.checked {
            writeln!(out, "checked: {line}").map_err(Failure::output)?;
        }
        if report.problems.is_empty() {
            writeln!(out, "OK: {}", args.path.display()).map_err(Failure::output)?;
        }
        out.flush().map_err(Failure::output)?;
    }
    match report.problems.as_slice() {
        [] => Ok(()),
        [one] => Err(Failure::new(one.clone())),
        many => Err(Failure::new(format!(
            "{} problems in {}:\n  {}",
            many.len(),
            args.path.display(),
            many.join("\n  ")
        ))),
    }
}

/// The checks, in order: the manifest, each log (strictly), the open (segment footers and
/// deletion vectors, strict recovery), then every byte of every segment.
fn check(dir: &Path) -> Report {
    let mut report = Report::default();
    match manifest::load_latest(dir).map(|m| m.map(|m| (m.validate(), m))) {
        Ok(Some((Ok(()), m))) => report.checked.push(format!(
            "manifest {} ({} table(s))",
            m.number,
            m.tables.len()
        )),
        Ok(Some((Err(e), _))) => {
            report.problems.push(e.to_string());
            return report;
        }
        Ok(None) => {
            report
                .problems
                .push(format!("{}: no manifest", dir.display()));
            return report;
        }
        Err(e) => {
            report.problems.push(e.to_string());
            return report;
        }
    }
    match files::logs(dir) {
        Ok(logs) => {
            for log in logs {
                match read_log(&log.path) {
                    Ok((records, torn)) => report.checked.push(format!(
                        "log {} ({records} record(s){})",
                        log.path.display(),
                        torn.map(|at| format!(", a torn last write at byte {at}"))
                            .unwrap_or_default()
                    )),
                    Err(e) => report.problems.push(e.to_string()),
                }
            }
        }
        Err(e) => report.problems.push(e.to_string()),
    }
    if !report.problems.is_empty() {
        return report;
    }
    let options = Options::default()
        .with_create_if_missing(false)
        .with_background_threads(0)
        .with_recovery(Recovery::Strict);
    let db = match Db::open(dir, options) {
        Ok(db) => db,
        Err(e) => {
            report.problems.push(e.to_string());
            return report;
        }
    };
    report
        .checked
        .push("open: segment footers, deletion vectors, log replay".to_owned());
    match db.verify() {
        Ok(bytes) => report
            .checked
            .push(format!("segments: every checksum of {bytes} bytes")),
        Err(e) => report.problems.push(e.to_string()),
    }
    if let Err(e) = db.close() {
        report.problems.push(e.to_string());
    }
    report
}

/// Reads every record of the log at `path` strictly; returns the records read and where a
/// torn last write starts, if any.
fn read_log(path: &Path) -> murr_core::Result<(u64, Option<u64>)> {
    let mut reader = WalReader::open(path, RecoveryMode::Strict)?;
    let mut records = 0;
    while reader.next_record()?.is_some() {
        records += 1;
    }
    Ok((records, reader.torn_tail()))
}
