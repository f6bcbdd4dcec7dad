//! The manifest: the database's metadata — tables, their schemas and segments, and the
//! counters that recovery needs — as one small, checksummed file per version.
//!
//! The byte layout, the rules and the commit protocol are in `docs/MANIFEST.md`. In short:
//! a [`Manifest`] is complete and self-contained, and every commit writes a whole new
//! `MANIFEST-{number:016x}` file (temporary name, fsync, rename, fsync of the directory),
//! so a crash leaves the old manifest or the new one, never a mix. [`load_latest`] reads
//! the newest and never falls back to an older one. The two newest are kept.
//!
//! The engine's order of work: a segment is fsynced and renamed to its final name before a
//! manifest lists it; write-ahead logs are trimmed only after the manifest that makes them
//! redundant (through [`Manifest::last_flushed_seq`]) is committed.
//!
//! ```
//! use murr_core::manifest::{self, ColumnMeta, Manifest, SegmentMeta, TableMeta};
//! use murr_core::types::ColumnType;
//!
//! let dir = tempfile::tempdir()?;
//! assert_eq!(manifest::load_latest(dir.path())?, None);
//! let m = Manifest {
//!     number: 1,
//!     last_flushed_seq: 100,
//!     next_file_number: 8,
//!     tables: vec![TableMeta {
//!         id: 1,
//!         name: "users".into(),
//!         key_column: "id".into(),
//!         columns: vec![
//!             ColumnMeta { name: "id".into(), column_type: ColumnType::Utf8, nullable: false },
//!             ColumnMeta { name: "score".into(), column_type: ColumnType::Float32, nullable: true },
//!         ],
//!         segments: vec![SegmentMeta {
//!             file_number: 7, level: 0, rows: 1000, bytes: 65536, min_seq: 1, max_seq: 100,
//!             deletes: None,
//!         }],
//!     }],
//! };
//! let path = manifest::commit(dir.path(), &m)?;
//! assert!(path.ends_with("MANIFEST-0000000000000001"));
//! assert_eq!(manifest::load_latest(dir.path())?, Some(m));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codec;
mod files;
mod model;
mod validate;

pub use codec::{FORMAT_VERSION, HEADER_LEN, MAGIC};
#[cfg(feature = "engine")]
pub(crate) use files::{any, exists};
pub use files::{commit, load_latest, remove_leftovers};
pub use model::{ColumnMeta, DeletesMeta, Manifest, SegmentMeta, TableMeta};
pub use validate::MAX_NAME_LEN;

/// Every manifest file name starts with this.
const FILE_PREFIX: &str = crate::dir::FileKind::Manifest.prefix();

/// The suffix of a manifest being written.
const TMP_SUFFIX: &str = crate::dir::TMP_SUFFIX;

/// The file name of manifest `number`: `MANIFEST-` and the number as 16 lowercase hex
/// digits, so that names sort in manifest order.
pub fn file_name(number: u64) -> String {
    crate::dir::name(crate::dir::FileKind::Manifest, number)
}

/// The number of a manifest file named by [`file_name`], or `None` for any other name.
pub fn parse_file_name(name: &str) -> Option<u64> {
    crate::dir::parse(crate::dir::FileKind::Manifest, name)
}

impl Manifest {
    /// Checks the rules every manifest obeys (`docs/MANIFEST.md` §4) without encoding it;
    /// [`Error::InvalidManifest`](crate::Error::InvalidManifest) says which is broken.
    pub fn validate(&self) -> crate::Result<()> {
        validate::check(self).map_err(crate::Error::InvalidManifest)
    }
}
