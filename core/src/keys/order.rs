//! The order of keys in a segment: utf8 keys bytewise (not by Unicode collation), int64 and
//! uint64 keys numerically. The writer sorts by it and compaction merges by it; both go
//! through [`KeyRef`]'s derived order, so they cannot disagree.

use std::cmp::Ordering;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Array, Int64Array, StringArray, UInt64Array};
use arrow_schema::DataType;

use super::{hash_key, index_bytes_i64, index_bytes_u64};
use crate::{Error, Result};

/// One key, owned, ordered as a segment orders its keys: utf8 keys bytewise (so `"B"` <
/// `"a"` < `"é"`, and `""` first), int64 and uint64 keys numerically. One table has one key
/// type, so keys of different variants are never compared in practice (their order is the
/// order of the variants).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SortKey {
    /// A utf8 key, as its bytes.
    Utf8(Box<[u8]>),
    /// An int64 key.
    Int64(i64),
    /// A uint64 key.
    UInt64(u64),
}

impl SortKey {
    /// Key `i` of `keys` (utf8, large utf8, utf8 view, int64 or uint64), or `None` if it is
    /// null. An index past the end or another array type is an error.
    pub fn of(keys: &dyn Array, i: usize) -> Result<Option<SortKey>> {
        if i >= keys.len() {
            return Err(Error::LimitExceeded(format!(
                "key {i} of a key array of {} keys",
                keys.len()
            )));
        }
        if keys.is_null(i) {
            return Ok(None);
        }
        let bytes = |b: &[u8]| SortKey::Utf8(b.into());
        Ok(Some(match keys.data_type() {
            DataType::Utf8 => bytes(keys.as_string::<i32>().value(i).as_bytes()),
            DataType::LargeUtf8 => bytes(keys.as_string::<i64>().value(i).as_bytes()),
            DataType::Utf8View => bytes(keys.as_string_view().value(i).as_bytes()),
            DataType::Int64 => SortKey::Int64(keys.as_primitive::<Int64Type>().value(i)),
            DataType::UInt64 => SortKey::UInt64(keys.as_primitive::<UInt64Type>().value(i)),
            other => return Err(unsupported(other)),
        }))
    }

    /// The key, borrowed.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by compaction
    pub(crate) fn as_ref(&self) -> KeyRef<'_> {
        match self {
            SortKey::Utf8(b) => KeyRef::Utf8(b),
            SortKey::Int64(v) => KeyRef::Int64(*v),
            SortKey::UInt64(v) => KeyRef::UInt64(*v),
        }
    }
}

/// One key, borrowed: the one comparator of segment keys (its derived order is
/// [`SortKey`]'s, variant for variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum KeyRef<'a> {
    Utf8(&'a [u8]),
    Int64(i64),
    UInt64(u64),
}

impl KeyRef<'_> {
    /// The key, owned.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by compaction
    pub(crate) fn to_owned(self) -> SortKey {
        match self {
            KeyRef::Utf8(b) => SortKey::Utf8(b.into()),
            KeyRef::Int64(v) => SortKey::Int64(v),
            KeyRef::UInt64(v) => SortKey::UInt64(v),
        }
    }
}

/// A key column of a segment (non-null utf8, int64 or uint64), read key by key without
/// copying. Cloning it clones reference counts only.
#[derive(Clone, Debug)]
pub(crate) enum KeyColumn {
    Utf8(StringArray),
    Int64(Int64Array),
    UInt64(UInt64Array),
}

impl KeyColumn {
    /// The key column `array`; an array of another type is an error.
    pub(crate) fn of(array: &dyn Array) -> Result<Self> {
        Ok(match array.data_type() {
            DataType::Utf8 => KeyColumn::Utf8(array.as_string::<i32>().clone()),
            DataType::Int64 => KeyColumn::Int64(array.as_primitive::<Int64Type>().clone()),
            DataType::UInt64 => KeyColumn::UInt64(array.as_primitive::<UInt64Type>().clone()),
            other => return Err(unsupported(other)),
        })
    }

    /// The number of keys.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by compaction
    pub(crate) fn len(&self) -> usize {
        match self {
            KeyColumn::Utf8(a) => a.len(),
            KeyColumn::Int64(a) => a.len(),
            KeyColumn::UInt64(a) => a.len(),
        }
    }

    /// Key `i`; `i` must be below [`KeyColumn::len`].
    #[inline]
    pub(crate) fn get(&self, i: usize) -> KeyRef<'_> {
        match self {
            KeyColumn::Utf8(a) => KeyRef::Utf8(a.value(i).as_bytes()),
            KeyColumn::Int64(a) => KeyRef::Int64(a.value(i)),
            KeyColumn::UInt64(a) => KeyRef::UInt64(a.value(i)),
        }
    }

    /// The order of keys `a` and `b`.
    #[inline]
    pub(crate) fn cmp(&self, a: usize, b: usize) -> Ordering {
        self.get(a).cmp(&self.get(b))
    }

    /// The hash the key index stores for key `i`.
    #[inline]
    pub(crate) fn hash(&self, i: usize) -> u64 {
        match self.get(i) {
            KeyRef::Utf8(b) => hash_key(b),
            KeyRef::Int64(v) => hash_key(&index_bytes_i64(v)),
            KeyRef::UInt64(v) => hash_key(&index_bytes_u64(v)),
        }
    }
}

fn unsupported(data_type: &DataType) -> Error {
    Error::UnsupportedKeyType {
        column: "<keys>".to_owned(),
        data_type: data_type.clone(),
    }
}
