//! Keys in the memtable's ordered index: the key's bytes in an order-preserving encoding,
//! then the sequence number, newest first.
//!
//! Utf8 keys are their UTF-8 bytes (compared bytewise). Integer keys are 8 big-endian
//! bytes, with the sign bit flipped for int64, so that bytewise order is numeric order and
//! a flush sees keys in the order a segment wants them. (Segments and the read path hash
//! the little-endian bytes instead; this encoding never leaves the memtable.)

use arrow_array::Array;

use super::entry::KeyColumn;
use crate::segment::keys::QueryKeys;
use crate::types::ColumnType;
use crate::{Error, Result};

const SIGN: u64 = 1 << 63;

/// The type of a table's key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Utf8,
    Int64,
    UInt64,
}

impl KeyKind {
    /// The kind of a key column of `column_type`, if it may be a key.
    pub(crate) fn of(column_type: &ColumnType) -> Option<Self> {
        match column_type {
            ColumnType::Utf8 => Some(KeyKind::Utf8),
            ColumnType::Int64 => Some(KeyKind::Int64),
            ColumnType::UInt64 => Some(KeyKind::UInt64),
            _ => None,
        }
    }

    /// The storable type of this key kind.
    pub(crate) fn column_type(self) -> ColumnType {
        match self {
            KeyKind::Utf8 => ColumnType::Utf8,
            KeyKind::Int64 => ColumnType::Int64,
            KeyKind::UInt64 => ColumnType::UInt64,
        }
    }
}

/// A key of the memtable, decoded from the index's encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// A utf8 key.
    Utf8(&'a str),
    /// An int64 key.
    Int64(i64),
    /// A uint64 key.
    UInt64(u64),
}

/// The order-preserving encoding of an int64 key.
pub(crate) fn encode_i64(v: i64) -> [u8; 8] {
    ((v as u64) ^ SIGN).to_be_bytes()
}

/// The order-preserving encoding of a uint64 key.
pub(crate) fn encode_u64(v: u64) -> [u8; 8] {
    v.to_be_bytes()
}

/// Decodes a key encoded for `kind`; `None` if `bytes` is not such an encoding (which
/// cannot happen for keys the memtable wrote itself).
pub(crate) fn decode(kind: KeyKind, bytes: &[u8]) -> Option<Key<'_>> {
    Some(match kind {
        KeyKind::Utf8 => Key::Utf8(std::str::from_utf8(bytes).ok()?),
        KeyKind::Int64 => Key::Int64((u64::from_be_bytes(bytes.try_into().ok()?) ^ SIGN) as i64),
        KeyKind::UInt64 => Key::UInt64(u64::from_be_bytes(bytes.try_into().ok()?)),
    })
}

/// The keys of a batch's key column (which must have exactly the key type); a null key
/// is an error naming `column` and the row.
pub(crate) fn written_keys(kind: KeyKind, array: &dyn Array, column: &str) -> Result<KeyColumn> {
    let expected = kind.column_type().to_arrow();
    if array.data_type() != &expected {
        return Err(Error::SchemaMismatch(format!(
            "key column '{column}' has type {} in the batch, {expected} in the table",
            array.data_type()
        )));
    }
    if array.null_count() > 0
        && let Some(row) = (0..array.len()).find(|&i| array.is_null(i))
    {
        return Err(Error::NullKey {
            column: column.to_owned(),
            row,
        });
    }
    KeyColumn::of(array).ok_or_else(|| {
        Error::SchemaMismatch(format!("key column '{column}' has an unsupported type"))
    })
}

/// A key's bytes as the index hashes them (UTF-8, or 8 little-endian bytes) in the
/// memtable's order-preserving encoding: bytewise order is key order.
pub(crate) fn order_bytes(kind: KeyKind, bytes: &[u8]) -> Box<[u8]> {
    let le = || bytes.try_into().ok().map(u64::from_le_bytes).unwrap_or(0);
    match kind {
        KeyKind::Utf8 => Box::from(bytes),
        KeyKind::Int64 => Box::from(encode_i64(le() as i64)),
        KeyKind::UInt64 => Box::from(encode_u64(le())),
    }
}

/// The first 16 bytes of a key's order-preserving encoding as a number (zero-padded):
/// a smaller prefix is a smaller key; equal prefixes compare the whole keys.
pub(crate) fn order_prefix(kind: KeyKind, bytes: &[u8]) -> u128 {
    let le = || bytes.try_into().ok().map(u64::from_le_bytes).unwrap_or(0);
    match kind {
        KeyKind::Utf8 => {
            let mut word = [0u8; 16];
            let n = bytes.len().min(16);
            if let (Some(w), Some(src)) = (word.get_mut(..n), bytes.get(..n)) {
                w.copy_from_slice(src);
            }
            u128::from_be_bytes(word)
        }
        KeyKind::Int64 => u128::from(u64::from_be_bytes(encode_i64(le() as i64))) << 64,
        KeyKind::UInt64 => u128::from(le()) << 64,
    }
}

/// Keys given to a read or a delete (utf8 also as large utf8 or utf8 view), encoded on
/// demand without copying utf8 bytes.
pub(crate) struct Probe<'a> {
    keys: QueryKeys<'a>,
}

impl<'a> Probe<'a> {
    /// The keys in `array`, which must suit a key column of `kind` named `column`.
    pub(crate) fn new(array: &'a dyn Array, column: &str, kind: KeyKind) -> Result<Self> {
        let keys = QueryKeys::new(array, column, &kind.column_type())?;
        Ok(Probe { keys })
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    #[allow(dead_code)] // kept beside `all` for single lookups
    /// Key `i` as the index hashes it (UTF-8 bytes, or 8 little-endian bytes); `None` if
    /// it is null.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        self.keys.get(i)
    }

    /// Every key as [`Probe::get`] gives it.
    pub(crate) fn all(&self) -> Vec<Option<&[u8]>> {
        self.keys.all()
    }

    /// Whether key `i` is null.
    pub(crate) fn is_null(&self, i: usize) -> bool {
        self.keys.get(i).is_none()
    }
}
