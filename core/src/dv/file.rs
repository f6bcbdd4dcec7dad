//! libmurr's `.dv` file: a header naming the segment, the Iceberg blob, a CRC32
//! (`docs/FORMAT.md`, "Deletion vectors (.dv files)").

use roaring::RoaringBitmap;

use super::DeletionVector;
use super::blob::{decode_blob, take_u32, take_u64};
use crate::{Error, Result};

/// The first 8 bytes of a `.dv` file: `"MURRDV\0\0"`.
pub const FILE_MAGIC: [u8; 8] = *b"MURRDV\0\0";

/// The `.dv` format version this build writes and reads.
pub const FILE_FORMAT_VERSION: u32 = 1;

/// Bytes of a `.dv` file's header: magic 8, version 4, flags 4, segment file number 8,
/// segment row count 8, cardinality 8.
pub const FILE_HEADER_LEN: usize = 40;

/// The section errors name.
const SECTION: &str = "deletion vector";

impl DeletionVector {
    /// This vector as the bytes of a `.dv` file for segment `segment_file_number` of
    /// `segment_rows` rows: the header (magic, version, flags, the segment's number and row
    /// count, the cardinality), the Iceberg blob ([`to_iceberg_blob`]) and a little-endian
    /// CRC32 of everything before it.
    ///
    /// The bytes are written as given: a vector marking a row `≥ segment_rows` encodes, but
    /// [`decode_file`] refuses it (`write_file` checks first).
    ///
    /// [`to_iceberg_blob`]: DeletionVector::to_iceberg_blob
    /// [`decode_file`]: DeletionVector::decode_file
    pub fn encode_file(&self, segment_file_number: u64, segment_rows: u64) -> Vec<u8> {
        let blob = self.to_iceberg_blob();
        let mut out = Vec::with_capacity(FILE_HEADER_LEN + blob.len() + 4);
        out.extend_from_slice(&FILE_MAGIC);
        out.extend_from_slice(&FILE_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&segment_file_number.to_le_bytes());
        out.extend_from_slice(&segment_rows.to_le_bytes());
        out.extend_from_slice(&self.len().to_le_bytes());
        out.extend_from_slice(&blob);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes the bytes of a `.dv` file that must belong to segment
    /// `segment_file_number` of `segment_rows` rows; `name` names the file in errors.
    ///
    /// Fails with [`Error::UnsupportedVersion`] for a format version other than
    /// [`FILE_FORMAT_VERSION`], and with [`Error::Corrupt`] if anything else is wrong: the
    /// magic, the length, the CRC32, nonzero flags, another segment's number or row count,
    /// an invalid blob, a cardinality that is not the blob's, or a row `≥ segment_rows`.
    pub fn decode_file(
        bytes: &[u8],
        name: &str,
        segment_file_number: u64,
        segment_rows: u64,
    ) -> Result<Self> {
        let corrupt = |detail: String| Error::corrupt(name, SECTION, detail);
        let mut cur = bytes;
        if cur.split_off(..FILE_MAGIC.len()) != Some(&FILE_MAGIC[..]) {
            return Err(corrupt(format!(
                "not a deletion vector file: it does not start with \"MURRDV\\0\\0\" ({} bytes)",
                bytes.len()
            )));
        }
        let short = || {
            corrupt(format!(
                "truncated: {} bytes, fewer than the {} of header and checksum",
                bytes.len(),
                FILE_HEADER_LEN + 4
            ))
        };
        let version = take_u32(&mut cur).ok_or_else(short)?;
        if version != FILE_FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                file: name.to_owned(),
                found: version,
                supported: FILE_FORMAT_VERSION,
            });
        }
        let flags = take_u32(&mut cur).ok_or_else(short)?;
        let number = take_u64(&mut cur).ok_or_else(short)?;
        let rows = take_u64(&mut cur).ok_or_else(short)?;
        let cardinality = take_u64(&mut cur).ok_or_else(short)?;
        let (blob, _) = cur.split_last_chunk::<4>().ok_or_else(short)?;
        let (covered, stored) = bytes.split_last_chunk::<4>().ok_or_else(short)?;
        let stored = u32::from_le_bytes(*stored);
        let actual = crc32fast::hash(covered);
        if stored != actual {
            return Err(corrupt(format!(
                "checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
            )));
        }
        if flags != 0 {
            return Err(corrupt(format!("flags are {flags:#x}; version 1 has none")));
        }
        if number != segment_file_number {
            return Err(corrupt(format!(
                "the file is for segment {number}, expected segment {segment_file_number}"
            )));
        }
        if rows != segment_rows {
            return Err(corrupt(format!(
                "the file is for a segment of {rows} rows, segment {segment_file_number} has \
                 {segment_rows}"
            )));
        }
        let bitmap = decode_blob(blob, name)?;
        if bitmap.len() != cardinality {
            return Err(corrupt(format!(
                "the header says {cardinality} deleted rows, the bitmap holds {}",
                bitmap.len()
            )));
        }
        check_rows(&bitmap, segment_rows).map_err(corrupt)?;
        Ok(DeletionVector::from(bitmap))
    }

    /// Writes this vector as the `.dv` file `path` for segment `segment_file_number` of
    /// `segment_rows` rows, durably, and returns its size in bytes.
    ///
    /// The bytes go to `<path>.tmp`, which is fsynced, renamed to `path`, and the directory
    /// fsynced: once this returns the file is durable, and a crash before leaves whatever
    /// `path` held before (or nothing). Fails with [`Error::InvalidDeletionVector`] if a
    /// marked row is `≥ segment_rows` (nothing is written), and with [`Error::Io`] if
    /// writing fails (the temporary file is then removed).
    #[cfg(feature = "engine")]
    pub fn write_file(
        &self,
        path: &std::path::Path,
        segment_file_number: u64,
        segment_rows: u64,
    ) -> Result<u64> {
        check_rows(&self.rows, segment_rows).map_err(|detail| {
            Error::InvalidDeletionVector(format!(
                "{} (segment {segment_file_number}): {detail}",
                path.display()
            ))
        })?;
        let bytes = self.encode_file(segment_file_number, segment_rows);
        crate::durable::replace_file(path, &crate::durable::tmp_name(path), &bytes)?;
        Ok(bytes.len() as u64)
    }

    /// Reads the `.dv` file `path`, which must belong to segment `segment_file_number` of
    /// `segment_rows` rows ([`decode_file`](DeletionVector::decode_file) checks it whole).
    /// Fails with [`Error::Io`] if it cannot be read.
    #[cfg(feature = "engine")]
    pub fn read_file(
        path: &std::path::Path,
        segment_file_number: u64,
        segment_rows: u64,
    ) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        Self::decode_file(&bytes, &name, segment_file_number, segment_rows)
    }
}

/// Checks that every row of `rows` is below `segment_rows`.
fn check_rows(rows: &RoaringBitmap, segment_rows: u64) -> Result<(), String> {
    match rows.max() {
        Some(max) if u64::from(max) >= segment_rows => Err(format!(
            "row {max} is marked deleted, but the segment has {segment_rows} rows"
        )),
        _ => Ok(()),
    }
}
