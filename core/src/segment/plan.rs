//! The layout of a segment, decided before a byte is written: where the key goes (inline
//! in the first row-major group, or in offsets and data sections), which fixed-width
//! columns share a row-major group and at which offsets and validity bits, and which
//! columns are variable-width. [`super::writer`] then writes the bytes the plan says, in
//! its order; `docs/FORMAT.md` §5 is the format both follow.

use arrow_array::{Array, RecordBatch};

use super::encode::inline_width;
use super::layout::INLINE_KEY_MAX;
use crate::types::ColumnType;
use crate::{Error, Result};

/// Where the key's bytes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyPlan {
    /// `width` bytes per row in the first row-major group, right after its validity bytes
    /// (integer keys: 8; utf8 keys no longer than `INLINE_KEY_MAX`: a length byte and the
    /// bytes, rounded up to 4).
    Fixed {
        /// Bytes per row.
        width: usize,
    },
    /// Offsets and data sections, written before the key index.
    Variable,
}

/// One fixed-width column in a row-major group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FixedColumn {
    /// The column's index in the schema.
    pub(super) col: usize,
    /// Bytes per value.
    pub(super) width: usize,
    /// Where its value starts in a row.
    pub(super) offset: usize,
    /// Its bit in the row's validity bytes, when the batch holds nulls in it.
    pub(super) bit: Option<usize>,
}

/// One row-major group: rows of `stride` bytes, validity bytes first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GroupPlan {
    /// Whether the key's bytes are in this group (after the validity bytes).
    pub(super) holds_key: bool,
    /// Validity bytes at the start of each row (a bit per column with nulls).
    pub(super) validity_bytes: usize,
    /// The group's columns, in row order.
    pub(super) columns: Vec<FixedColumn>,
    /// Bytes per row.
    pub(super) stride: u32,
}

/// A segment's layout for one sorted batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Plan {
    /// Where the key goes.
    pub(super) key: KeyPlan,
    /// The row-major groups, in file order: the scalars' group first (when there are
    /// scalars, or when the key needs a group and there is no embedding), then one per
    /// embedding column.
    pub(super) groups: Vec<GroupPlan>,
    /// The variable-width columns (not the key), in schema order.
    pub(super) variable: Vec<usize>,
}

/// The layout of `batch` (sorted, of columns typed `types`, the key at `key`).
pub(super) fn plan(types: &[ColumnType], key: usize, batch: &RecordBatch) -> Result<Plan> {
    let key_plan = if types.get(key) == Some(&ColumnType::Utf8) {
        match inline_width(batch.column(key).as_ref(), INLINE_KEY_MAX) {
            Some(width) => KeyPlan::Fixed { width },
            None => KeyPlan::Variable,
        }
    } else {
        KeyPlan::Fixed { width: 8 }
    };

    // Fixed-width scalars share one row-major group; each embedding gets its own.
    let scalars: Vec<usize> = (0..types.len())
        .filter(|&i| {
            i != key
                && types[i].width().is_some()
                && !matches!(types[i], ColumnType::Embedding { .. })
        })
        .collect();
    let mut sets: Vec<Vec<usize>> = (0..types.len())
        .filter(|&i| i != key && matches!(types[i], ColumnType::Embedding { .. }))
        .map(|i| vec![i])
        .collect();
    let key_fixed = matches!(key_plan, KeyPlan::Fixed { .. });
    if !scalars.is_empty() || (sets.is_empty() && key_fixed) {
        sets.insert(0, scalars);
    }

    let mut groups = Vec::with_capacity(sets.len());
    for (g, set) in sets.into_iter().enumerate() {
        let holds_key = g == 0 && key_fixed;
        let nullable: Vec<usize> = set
            .iter()
            .copied()
            .filter(|&i| batch.column(i).null_count() > 0)
            .collect();
        let validity_bytes = nullable.len().div_ceil(8);
        let mut offset = validity_bytes;
        if let (true, KeyPlan::Fixed { width }) = (holds_key, key_plan) {
            offset += width;
        }
        let mut columns = Vec::with_capacity(set.len());
        for col in set {
            let width = types[col].width().unwrap_or(0);
            columns.push(FixedColumn {
                col,
                width,
                offset,
                bit: nullable.iter().position(|&c| c == col),
            });
            offset += width;
        }
        let stride = u32::try_from(offset).map_err(|_| {
            Error::LimitExceeded("a row of a column group is wider than 4 GiB".to_owned())
        })?;
        groups.push(GroupPlan {
            holds_key,
            validity_bytes,
            columns,
            stride,
        });
    }
    let variable = (0..types.len())
        .filter(|&i| i != key && types[i].width().is_none())
        .collect();
    Ok(Plan {
        key: key_plan,
        groups,
        variable,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;

    fn batch(keys: ArrayRef, columns: Vec<(&str, ArrayRef)>) -> (Vec<ColumnType>, RecordBatch) {
        let mut fields = vec![Field::new("k", keys.data_type().clone(), false)];
        let mut arrays = vec![keys];
        for (name, a) in columns {
            fields.push(Field::new(name, a.data_type().clone(), true));
            arrays.push(a);
        }
        let types = fields
            .iter()
            .map(|f| ColumnType::from_arrow(f.name(), f.data_type()).unwrap())
            .collect();
        let b = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        (types, b)
    }

    #[test]
    fn short_utf8_keys_go_inline_before_the_scalars() {
        let (types, b) = batch(
            Arc::new(StringArray::from(vec!["ab", "cdefg"])),
            vec![
                ("x", Arc::new(Float32Array::from(vec![Some(1.0), None]))),
                ("y", Arc::new(Float32Array::from(vec![1.0, 2.0]))),
                ("s", Arc::new(StringArray::from(vec!["v", "w"]))),
            ],
        );
        let p = plan(&types, 0, &b).unwrap();
        // The longest key is 5 bytes: a length byte plus 5, rounded up to 8.
        assert_eq!(p.key, KeyPlan::Fixed { width: 8 });
        assert_eq!(p.groups.len(), 1);
        let g = &p.groups[0];
        assert!(g.holds_key);
        assert_eq!(g.validity_bytes, 1); // x holds a null
        assert_eq!(
            g.columns,
            vec![
                FixedColumn {
                    col: 1,
                    width: 4,
                    offset: 9,
                    bit: Some(0)
                },
                FixedColumn {
                    col: 2,
                    width: 4,
                    offset: 13,
                    bit: None
                },
            ]
        );
        assert_eq!(g.stride, 17);
        assert_eq!(p.variable, vec![3]);
    }

    #[test]
    fn long_utf8_keys_stay_variable_and_int_keys_take_8_bytes() {
        let long = "k".repeat(INLINE_KEY_MAX + 1);
        let (types, b) = batch(
            Arc::new(StringArray::from(vec![long.as_str()])),
            vec![("s", Arc::new(StringArray::from(vec!["v"])))],
        );
        let p = plan(&types, 0, &b).unwrap();
        assert_eq!(p.key, KeyPlan::Variable);
        assert!(p.groups.is_empty());
        let (types, b) = batch(Arc::new(Int64Array::from(vec![1, 2])), vec![]);
        let p = plan(&types, 0, &b).unwrap();
        assert_eq!(p.key, KeyPlan::Fixed { width: 8 });
        // No other column: the key gets a group of its own.
        assert_eq!(p.groups.len(), 1);
        assert_eq!(p.groups[0].stride, 8);
        let _ = DataType::Utf8;
    }
}
