//! The Iceberg v3 `deletion-vector-v1` Puffin blob (layout in the module docs of `dv`).

use roaring::RoaringBitmap;

use super::DeletionVector;
use crate::{Error, Result};

/// The blob's magic, `D1 D3 39 64`.
pub(crate) const BLOB_MAGIC: [u8; 4] = [0xD1, 0xD3, 0x39, 0x64];

/// The name errors give to a blob decoded on its own.
const BLOB_NAME: &str = "deletion-vector-v1 blob";

/// The section errors name.
const SECTION: &str = "deletion-vector-v1 blob";

/// Length prefix (4) + magic (4) + CRC (4): the blob's bytes around the vector.
const FRAME_LEN: usize = 12;

/// Bytes of the smallest serialized bitmap of the 64-bit vector: key (4) and an empty
/// 32-bit Roaring bitmap (cookie 4 + container count 4).
const MIN_BITMAP_LEN: usize = 12;

/// 32-bit Roaring cookies (RoaringFormatSpec): without run containers (a u32 container
/// count follows) and with them (the low 16 bits; the high 16 are the count minus one).
const COOKIE_NO_RUNS: u32 = 12346;
const COOKIE_RUNS: u16 = 12347;

impl DeletionVector {
    /// This vector as an Iceberg v3 `deletion-vector-v1` Puffin blob: big-endian length of
    /// magic + vector, the magic `D1 D3 39 64`, the vector in the portable 64-bit Roaring
    /// format (no bitmap if empty, else one with key 0, run-optimized), and a big-endian
    /// CRC-32 of magic + vector. See the module docs for the spec it follows.
    pub fn to_iceberg_blob(&self) -> Vec<u8> {
        let mut rows = self.rows.clone();
        rows.optimize();
        let count: u64 = if rows.is_empty() { 0 } else { 1 };
        let mut out = Vec::with_capacity(FRAME_LEN + 12 + rows.serialized_size());
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&BLOB_MAGIC);
        out.extend_from_slice(&count.to_le_bytes());
        if count == 1 {
            out.extend_from_slice(&0u32.to_le_bytes());
            // Writing into a Vec<u8> cannot fail: its io::Write never returns an error.
            let _ = rows.serialize_into(&mut out);
        }
        // A 32-bit Roaring bitmap serializes to at most ~512 MiB, so this always fits.
        let len = u32::try_from(out.len() - 4).unwrap_or(u32::MAX);
        out[..4].copy_from_slice(&len.to_be_bytes());
        let crc = crc32fast::hash(&out[4..]);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }

    /// Decodes an Iceberg v3 `deletion-vector-v1` Puffin blob (as [`to_iceberg_blob`]
    /// writes it, or as any conforming writer does). Fails with
    /// [`Error::Corrupt`] if the length, magic or CRC is wrong, bytes trail the vector,
    /// bitmaps are out of order or repeated, a bitmap is malformed, or a position is
    /// `≥ 2^32` (a key other than 0): libmurr's rows are 32-bit.
    ///
    /// [`to_iceberg_blob`]: DeletionVector::to_iceberg_blob
    pub fn from_iceberg_blob(bytes: &[u8]) -> Result<Self> {
        decode_blob(bytes, BLOB_NAME).map(DeletionVector::from)
    }
}

/// Decodes a whole blob; errors name `file`.
pub(crate) fn decode_blob(bytes: &[u8], file: &str) -> Result<RoaringBitmap> {
    let corrupt = |detail: String| Error::corrupt(file, SECTION, detail);
    let short = || {
        corrupt(format!(
            "{} bytes, fewer than the {FRAME_LEN} of length, magic and CRC",
            bytes.len()
        ))
    };
    let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(short)?;
    let (body, crc) = rest.split_last_chunk::<4>().ok_or_else(short)?;
    let (magic, vector) = body.split_first_chunk::<4>().ok_or_else(short)?;
    let len = u64::from(u32::from_be_bytes(*len));
    if len != body.len() as u64 {
        return Err(corrupt(format!(
            "the length field says {len} bytes of magic and vector, the blob holds {}",
            body.len()
        )));
    }
    if *magic != BLOB_MAGIC {
        return Err(corrupt(format!(
            "magic is {magic:02X?}, not D1 D3 39 64: not a deletion vector"
        )));
    }
    let stored = u32::from_be_bytes(*crc);
    let actual = crc32fast::hash(body);
    if stored != actual {
        return Err(corrupt(format!(
            "checksum mismatch: stored {stored:#010x}, computed {actual:#010x}"
        )));
    }
    decode_vector(vector, &corrupt)
}

/// Decodes the portable 64-bit Roaring vector, all of `bytes`.
fn decode_vector(mut bytes: &[u8], corrupt: &dyn Fn(String) -> Error) -> Result<RoaringBitmap> {
    let count = take_u64(&mut bytes).ok_or_else(|| corrupt("no bitmap count".into()))?;
    let room = (bytes.len() / MIN_BITMAP_LEN) as u64;
    if count > room {
        return Err(corrupt(format!(
            "claims {count} bitmaps, but {} bytes hold at most {room}",
            bytes.len()
        )));
    }
    let mut rows = RoaringBitmap::new();
    let mut last_key: Option<u32> = None;
    for i in 0..count {
        let key = take_u32(&mut bytes)
            .ok_or_else(|| corrupt(format!("bitmap {i} of {count}: no key")))?;
        if let Some(last) = last_key
            && key <= last
        {
            return Err(corrupt(format!(
                "bitmap {i} has key {key} after key {last}; keys must strictly ascend"
            )));
        }
        last_key = Some(key);
        if key != 0 {
            return Err(corrupt(format!(
                "bitmap {i} has key {key}: positions from {key}·2^32 on, but libmurr rows \
                 are below 2^32"
            )));
        }
        check_bitmap_header(bytes)
            .map_err(|detail| corrupt(format!("bitmap {i} (key {key}): {detail}")))?;
        rows = RoaringBitmap::deserialize_from(&mut bytes).map_err(|e| {
            corrupt(format!(
                "bitmap {i} (key {key}) is not a valid Roaring bitmap: {e}"
            ))
        })?;
    }
    if !bytes.is_empty() {
        return Err(corrupt(format!(
            "{} bytes trail the {count} bitmaps of the vector",
            bytes.len()
        )));
    }
    Ok(rows)
}

/// Checks that the header of the 32-bit Roaring bitmap at the start of `bytes` (cookie,
/// run flags, container descriptions, offsets) fits in `bytes`, so that the claimed
/// container count cannot make the decoder allocate more than the input justifies.
fn check_bitmap_header(mut bytes: &[u8]) -> Result<(), String> {
    let available = bytes.len();
    let cookie = take_u32(&mut bytes).ok_or("no cookie")?;
    let header = if cookie == COOKIE_NO_RUNS {
        let containers = take_u32(&mut bytes).ok_or("no container count")? as u64;
        if containers > 65536 {
            return Err(format!("{containers} containers, more than 65536"));
        }
        8 + 8 * containers
    } else if cookie as u16 == COOKIE_RUNS {
        let containers = u64::from(cookie >> 16) + 1;
        let offsets = if containers >= 4 { 4 * containers } else { 0 };
        4 + containers.div_ceil(8) + 4 * containers + offsets
    } else {
        return Err(format!("unknown cookie {cookie:#010x}"));
    };
    if header > available as u64 {
        return Err(format!(
            "its header needs {header} bytes, only {available} remain"
        ));
    }
    Ok(())
}

/// Takes a little-endian u32 off the front of `bytes`.
pub(crate) fn take_u32(bytes: &mut &[u8]) -> Option<u32> {
    let (head, rest) = bytes.split_first_chunk::<4>()?;
    *bytes = rest;
    Some(u32::from_le_bytes(*head))
}

/// Takes a little-endian u64 off the front of `bytes`.
pub(crate) fn take_u64(bytes: &mut &[u8]) -> Option<u64> {
    let (head, rest) = bytes.split_first_chunk::<8>()?;
    *bytes = rest;
    Some(u64::from_le_bytes(*head))
}
