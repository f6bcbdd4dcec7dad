//! The column types libmurr stores, and how they map to Arrow types and to the segment
//! format's type codes (see `docs/FORMAT.md`).

use std::sync::Arc;

use arrow_schema::{DataType, Field, TimeUnit};

use crate::{Error, Result};

/// The largest number of elements in one embedding value.
pub const MAX_EMBEDDING_SIZE: u32 = 1 << 20;

/// The element type of an embedding (fixed-size list) column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType {
    /// 32-bit float.
    Float32,
    /// 16-bit float.
    Float16,
    /// 8-bit signed integer (quantised embeddings).
    Int8,
}

impl ElementType {
    /// Bytes per element.
    pub fn width(self) -> usize {
        match self {
            ElementType::Float32 => 4,
            ElementType::Float16 => 2,
            ElementType::Int8 => 1,
        }
    }

    fn data_type(self) -> DataType {
        match self {
            ElementType::Float32 => DataType::Float32,
            ElementType::Float16 => DataType::Float16,
            ElementType::Int8 => DataType::Int8,
        }
    }

    fn code(self) -> u8 {
        match self {
            ElementType::Float32 => 11,
            ElementType::Float16 => 10,
            ElementType::Int8 => 2,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            11 => Some(ElementType::Float32),
            10 => Some(ElementType::Float16),
            2 => Some(ElementType::Int8),
            _ => None,
        }
    }
}

/// A storable column type. Every variant maps to exactly one Arrow [`DataType`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnType {
    /// Arrow `Boolean` (stored as one byte per value).
    Bool,
    /// Arrow `Int8`.
    Int8,
    /// Arrow `Int16`.
    Int16,
    /// Arrow `Int32`.
    Int32,
    /// Arrow `Int64`.
    Int64,
    /// Arrow `UInt8`.
    UInt8,
    /// Arrow `UInt16`.
    UInt16,
    /// Arrow `UInt32`.
    UInt32,
    /// Arrow `UInt64`.
    UInt64,
    /// Arrow `Float16`.
    Float16,
    /// Arrow `Float32`.
    Float32,
    /// Arrow `Float64`.
    Float64,
    /// Arrow `Utf8`.
    Utf8,
    /// Arrow `Binary`.
    Binary,
    /// Arrow `Date32`.
    Date32,
    /// Arrow `Timestamp(unit, tz)`.
    Timestamp(TimeUnit, Option<Arc<str>>),
    /// Arrow `FixedSizeList(item, size)` of a non-null numeric element: an embedding.
    Embedding {
        /// The element type.
        element: ElementType,
        /// Elements per value.
        size: u32,
        /// The list's item field name (Arrow's default is "item").
        item_name: Arc<str>,
        /// Whether the item field is declared nullable (elements are never null).
        item_nullable: bool,
    },
}

impl ColumnType {
    /// Maps an Arrow type to a storable type, or says why it cannot be stored.
    pub fn from_arrow(column: &str, data_type: &DataType) -> Result<Self> {
        let unsupported = || Error::UnsupportedType {
            column: column.to_owned(),
            data_type: data_type.clone(),
        };
        Ok(match data_type {
            DataType::Boolean => ColumnType::Bool,
            DataType::Int8 => ColumnType::Int8,
            DataType::Int16 => ColumnType::Int16,
            DataType::Int32 => ColumnType::Int32,
            DataType::Int64 => ColumnType::Int64,
            DataType::UInt8 => ColumnType::UInt8,
            DataType::UInt16 => ColumnType::UInt16,
            DataType::UInt32 => ColumnType::UInt32,
            DataType::UInt64 => ColumnType::UInt64,
            DataType::Float16 => ColumnType::Float16,
            DataType::Float32 => ColumnType::Float32,
            DataType::Float64 => ColumnType::Float64,
            DataType::Utf8 => ColumnType::Utf8,
            DataType::Binary => ColumnType::Binary,
            DataType::Date32 => ColumnType::Date32,
            DataType::Timestamp(unit, tz) => {
                if tz
                    .as_ref()
                    .is_some_and(|tz| tz.len() > usize::from(u16::MAX))
                {
                    return Err(unsupported());
                }
                ColumnType::Timestamp(*unit, tz.clone())
            }
            DataType::FixedSizeList(item, size) => {
                let element = match item.data_type() {
                    DataType::Float32 => ElementType::Float32,
                    DataType::Float16 => ElementType::Float16,
                    DataType::Int8 => ElementType::Int8,
                    _ => return Err(unsupported()),
                };
                if item.name().len() > usize::from(u16::MAX) {
                    return Err(unsupported());
                }
                let size = u32::try_from(*size)
                    .ok()
                    .filter(|s| (1..=MAX_EMBEDDING_SIZE).contains(s))
                    .ok_or_else(unsupported)?;
                ColumnType::Embedding {
                    element,
                    size,
                    item_name: Arc::from(item.name().as_str()),
                    item_nullable: item.is_nullable(),
                }
            }
            _ => return Err(unsupported()),
        })
    }

    /// The Arrow type this column reads back as.
    pub fn to_arrow(&self) -> DataType {
        match self {
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Int8 => DataType::Int8,
            ColumnType::Int16 => DataType::Int16,
            ColumnType::Int32 => DataType::Int32,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::UInt8 => DataType::UInt8,
            ColumnType::UInt16 => DataType::UInt16,
            ColumnType::UInt32 => DataType::UInt32,
            ColumnType::UInt64 => DataType::UInt64,
            ColumnType::Float16 => DataType::Float16,
            ColumnType::Float32 => DataType::Float32,
            ColumnType::Float64 => DataType::Float64,
            ColumnType::Utf8 => DataType::Utf8,
            ColumnType::Binary => DataType::Binary,
            ColumnType::Date32 => DataType::Date32,
            ColumnType::Timestamp(unit, tz) => DataType::Timestamp(*unit, tz.clone()),
            ColumnType::Embedding {
                element,
                size,
                item_name,
                item_nullable,
            } => DataType::FixedSizeList(
                Arc::new(Field::new(
                    item_name.as_ref(),
                    element.data_type(),
                    *item_nullable,
                )),
                i32::try_from(*size).unwrap_or(i32::MAX),
            ),
        }
    }

    /// Bytes per value for fixed-width types; `None` for utf8 and binary.
    pub fn width(&self) -> Option<usize> {
        Some(match self {
            ColumnType::Bool | ColumnType::Int8 | ColumnType::UInt8 => 1,
            ColumnType::Int16 | ColumnType::UInt16 | ColumnType::Float16 => 2,
            ColumnType::Int32 | ColumnType::UInt32 | ColumnType::Float32 | ColumnType::Date32 => 4,
            ColumnType::Int64
            | ColumnType::UInt64
            | ColumnType::Float64
            | ColumnType::Timestamp(..) => 8,
            ColumnType::Embedding { element, size, .. } => element.width() * (*size as usize),
            ColumnType::Utf8 | ColumnType::Binary => return None,
        })
    }

    /// Whether this type may be a key.
    pub fn is_key_type(&self) -> bool {
        crate::keys::KeyKind::of(self).is_some()
    }

    /// Appends the format's type descriptor (code and parameters; see `docs/FORMAT.md`).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let code: u8 = match self {
            ColumnType::Bool => 1,
            ColumnType::Int8 => 2,
            ColumnType::Int16 => 3,
            ColumnType::Int32 => 4,
            ColumnType::Int64 => 5,
            ColumnType::UInt8 => 6,
            ColumnType::UInt16 => 7,
            ColumnType::UInt32 => 8,
            ColumnType::UInt64 => 9,
            ColumnType::Float16 => 10,
            ColumnType::Float32 => 11,
            ColumnType::Float64 => 12,
            ColumnType::Utf8 => 13,
            ColumnType::Binary => 14,
            ColumnType::Date32 => 15,
            ColumnType::Timestamp(..) => 16,
            ColumnType::Embedding { .. } => 17,
        };
        out.push(code);
        match self {
            ColumnType::Timestamp(unit, tz) => {
                out.push(match unit {
                    TimeUnit::Second => 0,
                    TimeUnit::Millisecond => 1,
                    TimeUnit::Microsecond => 2,
                    TimeUnit::Nanosecond => 3,
                });
                match tz {
                    None => out.push(0),
                    Some(tz) => {
                        out.push(1);
                        put_str(out, tz);
                    }
                }
            }
            ColumnType::Embedding {
                element,
                size,
                item_name,
                item_nullable,
            } => {
                out.push(element.code());
                out.extend_from_slice(&size.to_le_bytes());
                put_str(out, item_name);
                out.push(u8::from(*item_nullable));
            }
            _ => {}
        }
    }

    /// Reads a type descriptor written by [`ColumnType::encode`]; `None` if it is not one.
    pub(crate) fn decode(cur: &mut Cursor<'_>) -> Option<Self> {
        Some(match cur.u8()? {
            1 => ColumnType::Bool,
            2 => ColumnType::Int8,
            3 => ColumnType::Int16,
            4 => ColumnType::Int32,
            5 => ColumnType::Int64,
            6 => ColumnType::UInt8,
            7 => ColumnType::UInt16,
            8 => ColumnType::UInt32,
            9 => ColumnType::UInt64,
            10 => ColumnType::Float16,
            11 => ColumnType::Float32,
            12 => ColumnType::Float64,
            13 => ColumnType::Utf8,
            14 => ColumnType::Binary,
            15 => ColumnType::Date32,
            16 => {
                let unit = match cur.u8()? {
                    0 => TimeUnit::Second,
                    1 => TimeUnit::Millisecond,
                    2 => TimeUnit::Microsecond,
                    3 => TimeUnit::Nanosecond,
                    _ => return None,
                };
                let tz = match cur.u8()? {
                    0 => None,
                    1 => Some(Arc::from(cur.str()?)),
                    _ => return None,
                };
                ColumnType::Timestamp(unit, tz)
            }
            17 => {
                let element = ElementType::from_code(cur.u8()?)?;
                let size = cur.u32()?;
                if !(1..=MAX_EMBEDDING_SIZE).contains(&size) {
                    return None;
                }
                let item_name = Arc::from(cur.str()?);
                let item_nullable = match cur.u8()? {
                    0 => false,
                    1 => true,
                    _ => return None,
                };
                ColumnType::Embedding {
                    element,
                    size,
                    item_name,
                    item_nullable,
                }
            }
            _ => return None,
        })
    }
}

/// Appends a string as a u16 little-endian length and its UTF-8 bytes (truncating names
/// longer than 65,535 bytes is impossible: writers reject them first).
pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(s.as_bytes().get(..usize::from(len)).unwrap_or_default());
}

/// A bounds-checked little-endian reader over untrusted bytes: every read returns `None`
/// past the end instead of panicking.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes }
    }

    /// Bytes not yet read.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    pub(crate) fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A u16-length-prefixed UTF-8 string.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let len = usize::from(self.u16()?);
        std::str::from_utf8(self.take(len)?).ok()
    }
}
