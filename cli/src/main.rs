//! `murr`: the command-line tool of libmurr.
//!
//! - `murr demo` loads the canonical feature table into an embedded database (`Db`), closes
//!   and reopens it, then reads it back with random point lookups and reports ingest rate,
//!   open time and read latency;
//! - `murr inspect` describes a segment file;
//! - `murr verify` checks every checksum of a segment file.
//!
//! Every command prints its results to stdout; progress bars go to stderr and hide
//! themselves when stderr is not a terminal. Failures print one message to stderr and exit
//! with status 1 (usage errors: 2, from clap).

mod demo;
mod error;
mod inspect;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "murr",
    version,
    about = "libmurr: an embeddable store for ML feature serving",
    long_about = "libmurr: an embeddable store for ML feature serving.\n\n\
                  Build and benchmark a demo database, inspect a segment file or check its \
                  checksums."
)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Load the canonical feature table into a database, then benchmark random reads.
    ///
    /// Opens a database in PATH (default: a temporary directory, deleted at the end) and
    /// writes N rows (key `doc_{i}`, float32 columns f0..f9) into its table `features`
    /// through `Db::write` in 100,000-row batches, each fsynced, and reports the ingest rate;
    /// flushes them to segment files (PATH/seg-*.seg: `murr inspect` and `murr verify` take
    /// them); closes the database and times reopening it; then reads B batches of 1000
    /// uniformly random keys through `Db::read` (after 200 warm-up batches), checks every
    /// value read, and reports read latency (median, p99) and throughput. A `features`
    /// table left in PATH by a previous run is dropped first.
    Demo(demo::Args),
    /// Describe a segment file: name, rows, size and schema.
    Inspect {
        /// The segment file.
        segment: PathBuf,
    },
    /// Check every page and section checksum of a segment file.
    ///
    /// Prints OK, or the first damage found and exits with status 1.
    Verify {
        /// The segment file.
        segment: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Inspect { segment } => inspect::inspect(&segment),
        Command::Verify { segment } => inspect::verify(&segment),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("murr: error: {err}");
            ExitCode::FAILURE
        }
    }
}
