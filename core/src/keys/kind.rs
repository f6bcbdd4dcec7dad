//! The kinds of key column and which Arrow arrays may look up or write each.

use arrow_array::Array;
use arrow_schema::DataType;

use crate::types::ColumnType;
use crate::{Error, Result};

/// The type of a table's key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Utf8,
    Int64,
    UInt64,
}

impl KeyKind {
    /// The kind of a key column of `column_type`, if it may be a key.
    #[inline]
    pub(crate) fn of(column_type: &ColumnType) -> Option<Self> {
        match column_type {
            ColumnType::Utf8 => Some(KeyKind::Utf8),
            ColumnType::Int64 => Some(KeyKind::Int64),
            ColumnType::UInt64 => Some(KeyKind::UInt64),
            _ => None,
        }
    }

    /// The kind of a key column of Arrow type `data_type`, if it may be a key.
    #[cfg_attr(not(feature = "engine"), allow(dead_code))] // used by `Db::read`
    #[inline]
    pub(crate) fn of_arrow(data_type: &DataType) -> Option<Self> {
        match data_type {
            DataType::Utf8 => Some(KeyKind::Utf8),
            DataType::Int64 => Some(KeyKind::Int64),
            DataType::UInt64 => Some(KeyKind::UInt64),
            _ => None,
        }
    }

    /// The key column's Arrow type.
    pub(crate) fn to_arrow(self) -> DataType {
        match self {
            KeyKind::Utf8 => DataType::Utf8,
            KeyKind::Int64 => DataType::Int64,
            KeyKind::UInt64 => DataType::UInt64,
        }
    }

    /// Whether an array of `data_type` may look up (or delete) keys of this kind: utf8,
    /// large utf8 and utf8 view arrays for a utf8 key column; exactly int64 or uint64 for an
    /// integer one.
    #[inline]
    pub(crate) fn accepts(self, data_type: &DataType) -> bool {
        matches!(
            (self, data_type),
            (
                KeyKind::Utf8,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) | (KeyKind::Int64, DataType::Int64)
                | (KeyKind::UInt64, DataType::UInt64)
        )
    }

    /// Fails unless `keys` may look up the key column `column` of this kind.
    pub(crate) fn check_lookup(self, keys: &dyn Array, column: &str) -> Result<()> {
        if self.accepts(keys.data_type()) {
            Ok(())
        } else {
            Err(self.mismatch(keys, column))
        }
    }

    /// The error for `keys` that may not look up the key column `column` of this kind.
    pub(crate) fn mismatch(self, keys: &dyn Array, column: &str) -> Error {
        Error::KeyTypeMismatch {
            column: column.to_owned(),
            expected: self.to_arrow(),
            found: keys.data_type().clone(),
        }
    }

    /// Fails unless `keys`, the key column `column` of a batch written, has exactly the key
    /// column's type and no null.
    pub(crate) fn check_written(self, keys: &dyn Array, column: &str) -> Result<()> {
        let expected = self.to_arrow();
        if keys.data_type() != &expected {
            return Err(Error::SchemaMismatch(format!(
                "key column '{column}' has type {} in the batch, {expected} in the table",
                keys.data_type()
            )));
        }
        if keys.null_count() > 0
            && let Some(row) = (0..keys.len()).find(|&i| keys.is_null(i))
        {
            return Err(Error::NullKey {
                column: column.to_owned(),
                row,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use arrow_array::{Int64Array, LargeStringArray, StringArray, UInt64Array};

    use super::*;

    #[test]
    fn lookups_accept_string_variants_for_utf8_only() {
        let utf8 = KeyKind::of(&ColumnType::Utf8).unwrap();
        assert!(
            utf8.check_lookup(&LargeStringArray::from(vec!["a"]), "k")
                .is_ok()
        );
        assert!(utf8.check_lookup(&Int64Array::from(vec![1]), "k").is_err());
        let int = KeyKind::of_arrow(&DataType::Int64).unwrap();
        assert!(int.check_lookup(&Int64Array::from(vec![1]), "k").is_ok());
        let err = int
            .check_lookup(&UInt64Array::from(vec![1]), "id")
            .unwrap_err();
        assert!(matches!(err, Error::KeyTypeMismatch { ref column, .. } if column == "id"));
        assert_eq!(KeyKind::of(&ColumnType::Float32), None);
    }

    #[test]
    fn writes_take_exactly_the_key_type_without_nulls() {
        let utf8 = KeyKind::Utf8;
        assert!(
            utf8.check_written(&StringArray::from(vec!["a"]), "k")
                .is_ok()
        );
        assert!(
            utf8.check_written(&LargeStringArray::from(vec!["a"]), "k")
                .is_err()
        );
        let err = utf8
            .check_written(&StringArray::from(vec![Some("a"), None]), "k")
            .unwrap_err();
        assert!(matches!(err, Error::NullKey { row: 1, .. }));
    }
}
