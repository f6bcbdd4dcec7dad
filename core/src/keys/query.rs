//! Keys asked for by a read or a delete, as index bytes comparable with the stored keys.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, LargeStringArray, StringArray, StringViewArray};
use arrow_schema::DataType;

use super::{KeyKind, index_bytes_i64, index_bytes_u64};
use crate::types::ColumnType;
use crate::{Error, Result};

/// The keys of one read: each is its index bytes, or `None` for a null key (which finds
/// nothing). Utf8 keys are borrowed, not copied.
pub(crate) enum QueryKeys<'a> {
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    Int(Vec<Option<[u8; 8]>>),
}

impl<'a> QueryKeys<'a> {
    /// The keys in `array`, which must suit a key column of `key_type` named `column`.
    pub(crate) fn new(array: &'a dyn Array, column: &str, key_type: &ColumnType) -> Result<Self> {
        match KeyKind::of(key_type) {
            Some(kind) => Self::of_kind(array, column, kind),
            None => Err(Error::KeyTypeMismatch {
                column: column.to_owned(),
                expected: key_type.to_arrow(),
                found: array.data_type().clone(),
            }),
        }
    }

    /// The keys in `array`, which must suit a key column of `kind` named `column`
    /// ([`KeyKind::accepts`]).
    pub(crate) fn of_kind(array: &'a dyn Array, column: &str, kind: KeyKind) -> Result<Self> {
        kind.check_lookup(array, column)?;
        Ok(match array.data_type() {
            DataType::Utf8 => QueryKeys::Utf8(array.as_string::<i32>()),
            DataType::LargeUtf8 => QueryKeys::LargeUtf8(array.as_string::<i64>()),
            DataType::Utf8View => QueryKeys::Utf8View(array.as_string_view()),
            DataType::Int64 => QueryKeys::Int(
                array
                    .as_primitive::<Int64Type>()
                    .iter()
                    .map(|k| k.map(index_bytes_i64))
                    .collect(),
            ),
            DataType::UInt64 => QueryKeys::Int(
                array
                    .as_primitive::<UInt64Type>()
                    .iter()
                    .map(|k| k.map(index_bytes_u64))
                    .collect(),
            ),
            _ => return Err(kind.mismatch(array, column)),
        })
    }

    /// How many keys.
    pub(crate) fn len(&self) -> usize {
        match self {
            QueryKeys::Utf8(a) => a.len(),
            QueryKeys::LargeUtf8(a) => a.len(),
            QueryKeys::Utf8View(a) => a.len(),
            QueryKeys::Int(v) => v.len(),
        }
    }

    /// Every key's bytes (`None` for nulls), for a caller that visits each key several
    /// times: utf8 keys without nulls are cut straight from the offsets.
    pub(crate) fn all(&self) -> Vec<Option<&[u8]>> {
        if let QueryKeys::Utf8(a) = self
            && a.null_count() == 0
        {
            let data = a.value_data();
            return a
                .value_offsets()
                .windows(2)
                .map(|w| match w {
                    [s, e] => data.get(*s as usize..*e as usize),
                    _ => None,
                })
                .collect();
        }
        (0..self.len()).map(|i| self.get(i)).collect()
    }

    /// Key `i`'s bytes, or `None` if it is null or out of range.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            QueryKeys::Utf8(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i).as_bytes()),
            QueryKeys::LargeUtf8(a) => {
                (i < a.len() && a.is_valid(i)).then(|| a.value(i).as_bytes())
            }
            QueryKeys::Utf8View(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i).as_bytes()),
            QueryKeys::Int(v) => v.get(i).and_then(|k| k.as_ref()).map(|k| &k[..]),
        }
    }

    /// The first null key's index, if any.
    pub(crate) fn first_null(&self) -> Option<usize> {
        (0..self.len()).find(|&i| self.get(i).is_none())
    }
}
