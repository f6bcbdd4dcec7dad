//! libmurr's C ABI. This crate builds `libmurr.so` and `libmurr.a`; the header is
//! `include/murr.h`, generated from these sources by `scripts/gen-header.sh` (cbindgen).
//!
//! Conventions (`docs/STYLE.md`, "The C ABI"): every function returns a `murr_status_t` and
//! reports detail into an optional caller-provided `murr_error_t`; every entry point runs
//! inside a guard that turns a panic into `MURR_INTERNAL`; handles are opaque; tabular data
//! crosses as the Arrow C Data and C Stream interfaces; ownership and thread safety are
//! written on every function.
//!
//! The modules are declared in the order the header lists them.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]

// Versions, status codes, errors, options, handles, key descriptors.
pub mod version;

pub mod status;

pub mod error;

pub mod options;

pub mod handles;

pub mod keyset;

// The database, its tables, writes, reads, snapshots and scans.
pub mod db;

pub mod tables;

pub mod stats;

pub mod metrics;

pub mod write;

pub mod ingest;

pub mod read;

pub mod dense;

pub mod dense_write;

pub mod snapshot;

pub mod scan;

/// The change feed: `murr_db_changes`, `murr_db_changes_oldest_since`.
pub mod changes;

// Exports as Parquet files or an Iceberg table (cargo feature `export`).
pub mod table_export;

// The HTTP and Arrow Flight server, inside the application.
pub mod server;

// The keyed entry points of 0.1, kept for compatibility.
pub mod compat;

// Not part of the ABI.
pub mod testing;

// Internals.
mod args;
mod arrow_in;
mod arrow_out;
mod export;
mod guard;
mod keys;
mod schema_check;
mod sized;

pub use changes::*;
pub use compat::*;
pub use db::*;
pub use dense::*;
pub use dense_write::*;
pub use error::{murr_error, murr_error_release, murr_error_t};
pub use handles::{murr_db, murr_db_t, murr_snapshot, murr_snapshot_t};
pub use ingest::*;
pub use keyset::{
    MURR_KEYS_ARROW, MURR_KEYS_CSTR, MURR_KEYS_INT64, MURR_KEYS_UINT64, MURR_KEYS_UTF8, murr_keys,
    murr_keys_t,
};
pub use metrics::*;
pub use options::*;
pub use read::*;
pub use scan::*;
pub use server::*;
pub use snapshot::*;
pub use stats::*;
pub use status::*;
pub use table_export::*;
pub use tables::*;
pub use testing::*;
pub use version::*;
pub use write::*;
