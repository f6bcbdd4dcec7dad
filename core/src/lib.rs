//! # murr-core
//!
//! The storage core of libmurr: tables of a key plus typed columns, kept in immutable,
//! checksummed, zero-copy columnar **segments** and served as Arrow record batches.
//!
//! This crate knows nothing of C, JNI or JavaScript; `ffi/`, `wasm/` and the bindings only
//! translate. It has no async runtime.
//!
//! The segment is the unit everything else is built on:
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
//! use arrow_schema::{DataType, Field, Schema};
//! use murr_core::segment::{Segment, SegmentWriter};
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("key", DataType::Utf8, false),
//!     Field::new("score", DataType::Float32, true),
//! ]));
//! let batch = RecordBatch::try_new(schema.clone(), vec![
//!     Arc::new(StringArray::from(vec!["a", "b"])) as ArrayRef,
//!     Arc::new(Float32Array::from(vec![Some(1.5), None])),
//! ])?;
//! let mut writer = SegmentWriter::new(schema, "key")?;
//! writer.push(&batch)?;
//! let segment = Segment::from_bytes(writer.finish_to_vec()?, "example")?;
//!
//! let keys = StringArray::from(vec!["b", "zzz", "a"]);
//! let (result, found) = segment.get(&keys, &["score"])?;
//! assert_eq!(found, vec![true, false, true]);
//! assert_eq!(result.num_rows(), 3);
//! # Ok::<(), murr_core::Error>(())
//! ```
//!
//! Writes reach disk first through the [`wal`] (write-ahead log): opaque records in
//! checksummed 32 KiB blocks, appended by many threads with group commit, and read back
//! after a crash with a torn last write told apart from corruption.
//!
//! Recent writes live in a [`memtable`]: partial upserts and deletes by key, versioned by
//! sequence number, in an append-only log of entries under a hash index that readers never
//! wait on.
//!
//! The [`db`] module is the embedded database built from these pieces: [`db::Db`] opens a
//! directory, keeps tables, takes writes (partial upserts, deletes) through the log into
//! memtables, flushes them to segments, serves batch reads and snapshots that never wait
//! for writers, and recovers after a crash (`docs/ENGINE.md`).
//!
//! The [`compact`] module merges segments (newest first) into new ones, streaming: the
//! compaction of an LSM tree.
//!
//! The database's metadata — tables, schemas, the segments of each and the counters
//! recovery needs — is the [`manifest`]: one whole, checksummed file per version, committed
//! atomically.
//!
//! Deleted and superseded rows of a segment are kept apart from it in [`dv`] (deletion
//! vectors): a Roaring bitmap per segment, stored as an Iceberg v3 `deletion-vector-v1`
//! blob inside a small checksummed `.dv` file.
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

#[cfg(feature = "engine")]
pub mod compact;
#[cfg(feature = "engine")]
pub mod db;
mod durable;
pub mod dv;
mod error;
pub mod manifest;
pub mod memtable;
mod prefetch;
pub mod segment;
pub mod types;
pub mod wal;
pub mod workload;

pub use error::{Error, Result};
