//! # murr-core
//!
//! The storage core of libmurr: tables of a key plus typed columns, kept in a crash-safe
//! LSM tree of immutable, checksummed, zero-copy columnar **segments**, served as Arrow
//! record batches. This crate knows nothing of C, JNI or JavaScript (`ffi/`, `wasm/` and the
//! bindings only translate) and has no async runtime.
//!
//! The embedded database, [`Db`]:
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use murr_core::{Db, Options};
//!
//! # let dir = tempfile::tempdir()?;
//! let db = Db::open(dir.path(), Options::default())?;
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("key", DataType::Utf8, false),
//!     Field::new("score", DataType::Float32, true),
//! ]));
//! db.create_table("users", &schema, "key")?;
//! db.write("users", &RecordBatch::try_new(schema, vec![
//!     Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
//!     Arc::new(Float32Array::from(vec![Some(1.5), None])),
//! ])?)?;
//! let (batch, found) = db.read("users", &StringArray::from(vec!["b", "zzz", "a"]), &["score"])?;
//! assert_eq!(found, vec![true, false, true]);
//! assert_eq!(batch.num_rows(), 3);
//! db.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What a user touches is re-exported here:
//! - [`Db`] (tables, writes, partial upserts, deletes, reads, dense reads, snapshots, scans,
//!   flush, compaction, recovery; `docs/ENGINE.md`), opened with [`Options`]
//!   ([`SyncPolicy`], [`Recovery`]); [`Snapshot`] and [`Scan`] are its read views;
//!   [`TableStats`], [`Metrics`] and [`RecoveryReport`] what it reports;
//! - [`Segment`] and [`SegmentWriter`], the immutable file format on its own (read one
//!   from bytes anywhere, the browser included; `docs/FORMAT.md`);
//! - [`ExportOptions`] and [`ExportReport`]: exports of a table as Parquet files
//!   ([`Db::export_parquet`], feature `parquet`) or as an Apache Iceberg table
//!   (`Db::export_iceberg`, feature `iceberg`; `docs/ICEBERG.md`);
//! - [`Error`] and [`Result`].
//!
//! The modules behind them (the write-ahead log, the memtable, compaction, the manifest,
//! deletion vectors) are public for libmurr's own tests, fuzzing and
//! benches only, and hidden from these docs: their API may change in any release.
//!
//! ## Unsafe code
//!
//! Four small places, each with a `// SAFETY:` comment, checked by Miri (`make miri`) where
//! Miri can run them:
//! - `segment/backing.rs`: mapping a segment file read-only (`memmap2`), and wrapping a map
//!   (file or anonymous huge-page memory) as an Arrow `Buffer` that keeps it alive;
//! - `segment/pages.rs`: a zeroed `Box<[u32]>` reinterpreted as `Box<[AtomicU32]>` (same
//!   layout), so a large page bitset costs nothing until used;
//! - `prefetch.rs`: the x86-64 prefetch hint, which never faults.
#![deny(missing_docs)]

#[cfg(target_endian = "big")]
compile_error!("libmurr's on-disk format is little-endian and is only read on little-endian hosts");

// Links inside a module hidden from the docs may point at items hidden with it.
#[doc(hidden)]
#[allow(rustdoc::broken_intra_doc_links)]
#[cfg(feature = "engine")]
pub mod compact;
#[cfg(feature = "engine")]
pub mod db;
pub(crate) mod dir;
mod durable;
#[doc(hidden)]
pub mod dv;
mod error;
#[cfg(feature = "parquet")]
pub mod export;
#[cfg(feature = "engine")]
pub mod ingest;
mod keys;
#[doc(hidden)]
pub mod manifest;
#[doc(hidden)]
#[allow(rustdoc::broken_intra_doc_links)]
pub mod memtable;
#[cfg(feature = "engine")]
pub mod metrics;
mod prefetch;
pub mod segment;
pub mod types;
#[doc(hidden)]
pub mod wal;

#[cfg(feature = "engine")]
pub use db::{
    Changes, Db, Options, Recovery, RecoveryReport, Scan, Snapshot, SyncPolicy, TableStats,
};
pub use error::{Error, Result};
#[cfg(feature = "parquet")]
pub use export::{ExportOptions, ExportReport};
#[cfg(feature = "engine")]
pub use ingest::{FileFormat, IngestStats};
#[cfg(feature = "engine")]
pub use metrics::{Histogram, Metrics, TableMetrics};
pub use segment::{Segment, SegmentWriter};
