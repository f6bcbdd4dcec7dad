//! `murr`: the command-line tool of libmurr, a shell for its databases (as `ldb` is for
//! RocksDB).
//!
//! Every database command takes the database directory first: `tables`, `schema`, `get`,
//! `scan`, `ingest`, `export`, `delete`, `flush`, `compact`, `stats`, `verify`, `inspect`
//! and `serve` (`verify` and `inspect` also take one segment file). `demo` loads and benchmarks a demo
//! database. A missing database is an error, never created, except by `ingest --create`.
//!
//! Results go to stdout; progress bars go to stderr and hide themselves when stderr is not
//! a terminal. Failures print `murr: <message>` to stderr and exit with status 1 (usage
//! errors: 2, from clap). The commands and their output are described in `docs/CLI.md`.

mod changes;
mod conform;
mod dbstats;
mod delete;
mod demo;
mod engine;
mod error;
mod export;
mod files;
mod get;
mod ingest;
mod input;
mod inspect;
mod inspect_db;
mod keys;
mod maintain;
mod open;
mod output;
mod progress;
mod scan;
mod schema;
mod serve;
mod stats;
mod tables;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "murr",
    version,
    about = "libmurr: an embeddable store for ML feature serving",
    long_about = "libmurr: an embeddable store for ML feature serving.\n\n\
                  A shell for libmurr databases (list tables, look up and scan rows, load \
                  Parquet, Arrow, CSV and JSON files, delete, flush, compact, check), and \
                  a demo that loads and benchmarks one. Every database command takes the \
                  database directory first; a missing one is an error (only `ingest \
                  --create` creates one)."
)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// List the tables: key column, stored rows, segments.
    ///
    /// Stored rows are the rows of the table's segments less those deletion vectors mark;
    /// a key overwritten since the last compaction may count twice. `--count` counts the
    /// live rows exactly (a scan of the keys).
    Tables(tables::Args),
    /// Show a table's columns: types, nullability, which is the key.
    Schema(schema::Args),
    /// Look up rows by key.
    ///
    /// Prints one row per key, in the keys' order: the key, the columns, and `found`
    /// (false for keys that do not exist; their columns are null). Integer keys are parsed
    /// as the key column's type.
    Get(get::Args),
    /// Print every live row of a table, in key order.
    Scan(scan::Args),
    /// Print a table's change feed: every write and delete after a sequence number.
    ///
    /// One row per key written or deleted, in sequence order: `_seq`, `_op` (write or
    /// delete), the key, the columns (null when not written), `_present` (which columns
    /// the write carried). Read from the write-ahead logs the database keeps
    /// (`change_retention_bytes`; docs/ENGINE.md, "Change feed"); an older `--since` is an
    /// error naming the oldest one accepted.
    Changes(changes::Args),
    /// Load Parquet, Arrow IPC, CSV or JSON lines files into a table.
    ///
    /// Every file's columns are checked against the table (the key column present, every
    /// column in the table, every type castable to the table's) before anything is
    /// written; then rows are written batch by batch, each cast to the table's types.
    /// `--create --key COLUMN` creates the table from the first file's columns.
    Ingest(ingest::Args),
    /// Export a table's live rows as Parquet files or as an Iceberg table.
    ///
    /// `--format parquet --to DIR`: zstd Parquet files in key order, the key first, in a
    /// new or empty DIR. `--format iceberg --to LOCATION`: an Apache Iceberg table (format
    /// v2) at LOCATION, given a new snapshot (of every live row) by each export, earlier
    /// snapshots kept readable. The database is only read (docs/ICEBERG.md).
    Export(export::Args),
    /// Delete keys from a table (blind: keys that do not exist are fine).
    Delete(delete::Args),
    /// Write the memtables to segments.
    Flush(maintain::Args),
    /// Flush, then merge each table's segments into one sorted run.
    Compact(maintain::Args),
    /// Per-table rows, segments, bytes, deleted rows and memtable bytes; disk use.
    Stats(dbstats::Args),
    /// Check a database (manifest, logs, deletion vectors, every checksum of every
    /// segment) or one segment file.
    ///
    /// Prints what was checked and OK, or names what is wrong and exits with status 1.
    Verify(verify::Args),
    /// Describe a database (its manifest: tables, segments per level, logs) or one
    /// segment file (rows, size, schema). Reads the files without opening the database.
    Inspect(inspect::Args),
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
    /// Serve a database over HTTP (docs/SERVER.md) until SIGTERM or SIGINT.
    ///
    /// Murr's routes: table schemas as JSON, writes as Arrow IPC, Parquet or JSON, reads
    /// answered as Arrow IPC or JSON; plus deletes, a dense float32 read, held snapshots,
    /// /metrics and /openapi.json; `--flight-port` adds Arrow Flight. Prints `murr serve:
    /// http://ADDR` once listening; on a signal, waits for the requests under way and
    /// closes the database.
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Tables(args) => tables::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Get(args) => get::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Changes(args) => changes::run(args),
        Command::Ingest(args) => ingest::run(args),
        Command::Export(args) => export::run(args),
        Command::Delete(args) => delete::run(args),
        Command::Flush(args) => maintain::flush(args),
        Command::Compact(args) => maintain::compact(args),
        Command::Stats(args) => dbstats::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("murr: {err}");
            ExitCode::FAILURE
        }
    }
}
