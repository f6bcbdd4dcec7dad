//! Keys in the memtable's ordered index: the key's bytes in an order-preserving encoding,
//! then the sequence number, newest first.
//!
//! Utf8 keys are their UTF-8 bytes (compared bytewise). Integer keys are 8 big-endian
//! bytes, with the sign bit flipped for int64, so that bytewise order is numeric order and
//! a flush sees keys in the order a segment wants them. (Segments and the read path hash
//! the little-endian bytes instead; this encoding never leaves the memtable.)

use std::borrow::Borrow;
use std::cmp::Ordering;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};

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

/// The encoded keys of a batch's key column (which must have exactly the key type), one
/// per row; a null key is an error naming `column` and the row.
pub(crate) fn encode_written(
    kind: KeyKind,
    array: &dyn Array,
    column: &str,
) -> Result<Vec<Box<[u8]>>> {
    let expected = kind.column_type().to_arrow();
    if array.data_type() != &expected {
        return Err(Error::SchemaMismatch(format!(
            "key column '{column}' has type {} in the batch, {expected} in the table",
            array.data_type()
        )));
    }
    if let Some(row) = (0..array.len()).find(|&i| array.is_null(i)) {
        return Err(Error::NullKey {
            column: column.to_owned(),
            row,
        });
    }
    Ok(match kind {
        KeyKind::Utf8 => array
            .as_string::<i32>()
            .iter()
            .map(|k| Box::from(k.unwrap_or_default().as_bytes()))
            .collect(),
        KeyKind::Int64 => array
            .as_primitive::<Int64Type>()
            .values()
            .iter()
            .map(|&k| Box::from(encode_i64(k)))
            .collect(),
        KeyKind::UInt64 => array
            .as_primitive::<UInt64Type>()
            .values()
            .iter()
            .map(|&k| Box::from(encode_u64(k)))
            .collect(),
    })
}

/// Keys given to a read or a delete (utf8 also as large utf8 or utf8 view), encoded on
/// demand without copying utf8 bytes.
pub(crate) struct Probe<'a> {
    kind: KeyKind,
    keys: QueryKeys<'a>,
}

impl<'a> Probe<'a> {
    /// The keys in `array`, which must suit a key column of `kind` named `column`.
    pub(crate) fn new(array: &'a dyn Array, column: &str, kind: KeyKind) -> Result<Self> {
        let keys = QueryKeys::new(array, column, &kind.column_type())?;
        Ok(Probe { kind, keys })
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Key `i`, encoded into `buf` if it is an integer; `None` if it is null.
    pub(crate) fn get<'b>(&'b self, i: usize, buf: &'b mut [u8; 8]) -> Option<&'b [u8]> {
        let raw = self.keys.get(i)?;
        let le = || raw.try_into().ok().map(u64::from_le_bytes);
        match self.kind {
            KeyKind::Utf8 => return Some(raw),
            KeyKind::Int64 => *buf = encode_i64(le()? as i64),
            KeyKind::UInt64 => *buf = encode_u64(le()?),
        }
        Some(&buf[..])
    }

    /// Whether key `i` is null.
    pub(crate) fn is_null(&self, i: usize) -> bool {
        self.keys.get(i).is_none()
    }
}

/// A key and a sequence number, as ordered in the index: key bytes ascending, then
/// sequence number descending (newest first).
pub(crate) trait KeySeq {
    /// The encoded key.
    fn key(&self) -> &[u8];
    /// The sequence number.
    fn seq(&self) -> u64;
}

/// The owned key of one index entry.
#[derive(Debug, Clone)]
pub(crate) struct EntryKey {
    pub(crate) key: Box<[u8]>,
    pub(crate) seq: u64,
}

impl KeySeq for EntryKey {
    fn key(&self) -> &[u8] {
        &self.key
    }
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl KeySeq for (&[u8], u64) {
    fn key(&self) -> &[u8] {
        self.0
    }
    fn seq(&self) -> u64 {
        self.1
    }
}

fn order(a: &dyn KeySeq, b: &dyn KeySeq) -> Ordering {
    a.key().cmp(b.key()).then_with(|| b.seq().cmp(&a.seq()))
}

impl PartialEq for dyn KeySeq + '_ {
    fn eq(&self, other: &Self) -> bool {
        order(self, other).is_eq()
    }
}
impl Eq for dyn KeySeq + '_ {}
impl PartialOrd for dyn KeySeq + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for dyn KeySeq + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        order(self, other)
    }
}

impl PartialEq for EntryKey {
    fn eq(&self, other: &Self) -> bool {
        order(self, other).is_eq()
    }
}
impl Eq for EntryKey {}
impl PartialOrd for EntryKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for EntryKey {
    fn cmp(&self, other: &Self) -> Ordering {
        order(self, other)
    }
}

/// Lets the index be searched with a borrowed `(&[u8], u64)`, without allocating a key.
impl<'a> Borrow<dyn KeySeq + 'a> for EntryKey {
    fn borrow(&self) -> &(dyn KeySeq + 'a) {
        self
    }
}
