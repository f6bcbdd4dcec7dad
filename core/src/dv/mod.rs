//! Deletion vectors: the rows of one segment file that are deleted or superseded.
//!
//! A [`DeletionVector`] is a set of row numbers of one segment (each `< 2^32` and below the
//! segment's row count), kept as a Roaring bitmap. It has two byte forms:
//!
//! - the **Iceberg v3 `deletion-vector-v1` Puffin blob** ([`DeletionVector::to_iceberg_blob`],
//!   [`DeletionVector::from_iceberg_blob`]), so that another engine can read libmurr's
//!   deletion vectors and libmurr can read theirs (for positions below `2^32`). As the
//!   Puffin spec (`format/puffin-spec.md` of apache/iceberg, "`deletion-vector-v1` blob
//!   type") defines it:
//!
//!   | bytes | field |
//!   |-------|-------|
//!   | 4     | length of magic + vector, **big-endian** u32 |
//!   | 4     | magic `D1 D3 39 64` |
//!   | n     | the vector, in the portable 64-bit Roaring format (below) |
//!   | 4     | CRC-32 of magic + vector, **big-endian** u32 |
//!
//!   The vector ("portable" format, the 64-bit extension of the RoaringFormatSpec): a u64
//!   little-endian count of 32-bit bitmaps, then per bitmap, ordered by unsigned key, the
//!   key (the high 32 bits of its positions) as a u32 little-endian and the bitmap in the
//!   standard 32-bit Roaring format (what `RoaringBitmap::serialize_into` writes and what
//!   CRoaring, Java and Go read). The CRC-32 is the one of `java.util.zip.CRC32` and
//!   `crc32fast`. libmurr writes no bitmap for an empty vector and one bitmap, key 0,
//!   otherwise (run-optimized, as Iceberg's Java writer does); it reads any valid blob
//!   whose positions are all below `2^32`, so every key must be 0.
//!
//! - libmurr's own **`.dv` file** ([`DeletionVector::encode_file`],
//!   [`DeletionVector::decode_file`]): a 40-byte header naming the segment (its file number
//!   and row count) and the cardinality, the Iceberg blob, and a CRC32 of everything before
//!   it. The byte layout is in `docs/FORMAT.md`, "Deletion vectors (.dv files)".
//!
//! Decoding takes untrusted bytes: every length, count, key, row and checksum is checked,
//! claimed counts are bounded by the bytes that remain before anything is allocated, and
//! any fault is an [`Error::Corrupt`](crate::Error::Corrupt) (or
//! [`Error::UnsupportedVersion`](crate::Error::UnsupportedVersion)), never a panic.
//!
//! The codec builds everywhere, wasm32 included; `DeletionVector::write_file` and
//! `DeletionVector::read_file` need a filesystem and the `engine` feature.
//!
//! ```
//! use murr_core::dv::DeletionVector;
//!
//! let mut dv = DeletionVector::from_rows([3, 7]);
//! assert!(dv.insert(9));
//! let blob = dv.to_iceberg_blob();
//! assert_eq!(&blob[4..8], &[0xD1, 0xD3, 0x39, 0x64]);
//! assert_eq!(DeletionVector::from_iceberg_blob(&blob)?, dv);
//!
//! let file = dv.encode_file(42, 10);
//! assert_eq!(DeletionVector::decode_file(&file, "42.dv", 42, 10)?, dv);
//! assert!(DeletionVector::decode_file(&file, "42.dv", 42, 9).is_err()); // row 9 ≥ 9 rows
//! # Ok::<(), murr_core::Error>(())
//! ```

mod blob;
mod file;

use roaring::RoaringBitmap;

pub use file::{FILE_FORMAT_VERSION, FILE_HEADER_LEN, FILE_MAGIC};

/// The deleted (or superseded) rows of one segment file: row numbers `< 2^32`, kept in a
/// Roaring bitmap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletionVector {
    rows: RoaringBitmap,
}

impl DeletionVector {
    /// An empty deletion vector: no row is deleted.
    pub fn new() -> Self {
        Self::default()
    }

    /// A deletion vector marking `rows` (duplicates are marked once).
    pub fn from_rows(rows: impl IntoIterator<Item = u32>) -> Self {
        Self {
            rows: rows.into_iter().collect(),
        }
    }

    /// Marks `row` deleted; `true` if it was not marked before.
    pub fn insert(&mut self, row: u32) -> bool {
        self.rows.insert(row)
    }

    /// Whether `row` is marked deleted.
    pub fn contains(&self, row: u32) -> bool {
        self.rows.contains(row)
    }

    /// How many rows are marked (the vector's cardinality).
    pub fn len(&self) -> u64 {
        self.rows.len()
    }

    /// Whether no row is marked.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The marked rows as a Roaring bitmap.
    pub fn bitmap(&self) -> &RoaringBitmap {
        &self.rows
    }

    /// The rows marked in `self` or in `other` (for example an older vector of the same
    /// segment and the rows deleted since).
    pub fn union(&self, other: &DeletionVector) -> DeletionVector {
        DeletionVector {
            rows: &self.rows | &other.rows,
        }
    }
}

impl From<RoaringBitmap> for DeletionVector {
    fn from(rows: RoaringBitmap) -> Self {
        Self { rows }
    }
}
