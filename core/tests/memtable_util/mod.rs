//! Helpers shared by the memtable tests: a table of a key and three columns ("a" int64,
//! "b" utf8, "c" float64) whose values all derive from one small integer, for each key
//! type, with keys named by a small index.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::memtable::{Key, Memtable};

/// The number of distinct keys the tests use.
pub const KEYS: usize = 8;

/// The value columns, as table column indices (the key is column 0).
pub const VALUE_COLUMNS: [usize; 3] = [1, 2, 3];

/// The key type of a test table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kt {
    Utf8,
    Int64,
    UInt64,
}

pub const ALL: [Kt; 3] = [Kt::Utf8, Kt::Int64, Kt::UInt64];

const STRS: [&str; KEYS] = ["", "a", "ab", "b", "B", "zz", "\u{e9}", "a\u{0}"];
const INTS: [i64; KEYS] = [i64::MIN, -300, -1, 0, 1, 255, 256, i64::MAX];
const UINTS: [u64; KEYS] = [0, 1, 255, 256, 1 << 32, 1 << 63, u64::MAX - 1, u64::MAX];

impl Kt {
    pub fn data_type(self) -> DataType {
        match self {
            Kt::Utf8 => DataType::Utf8,
            Kt::Int64 => DataType::Int64,
            Kt::UInt64 => DataType::UInt64,
        }
    }

    /// The table schema: "k", "a" (int64), "b" (utf8), "c" (float64).
    pub fn schema(self) -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("k", self.data_type(), false),
            column_field(1),
            column_field(2),
            column_field(3),
        ]))
    }

    pub fn memtable(self) -> Memtable {
        Memtable::new("t", self.schema(), "k").unwrap()
    }

    /// Keys `idx` as an array of the key type.
    pub fn keys(self, idx: &[usize]) -> ArrayRef {
        match self {
            Kt::Utf8 => Arc::new(StringArray::from_iter_values(idx.iter().map(|&i| STRS[i]))),
            Kt::Int64 => Arc::new(Int64Array::from_iter_values(idx.iter().map(|&i| INTS[i]))),
            Kt::UInt64 => Arc::new(UInt64Array::from_iter_values(idx.iter().map(|&i| UINTS[i]))),
        }
    }

    /// The index of a key read back.
    pub fn index_of(self, key: Key<'_>) -> usize {
        match (self, key) {
            (Kt::Utf8, Key::Utf8(s)) => STRS.iter().position(|&x| x == s),
            (Kt::Int64, Key::Int64(v)) => INTS.iter().position(|&x| x == v),
            (Kt::UInt64, Key::UInt64(v)) => UINTS.iter().position(|&x| x == v),
            _ => None,
        }
        .unwrap_or_else(|| panic!("unexpected key {key:?} for {self:?}"))
    }

    /// Key indices sorted in the order the memtable must iterate them.
    pub fn sorted(self, mut idx: Vec<usize>) -> Vec<usize> {
        match self {
            Kt::Utf8 => idx.sort_by_key(|&i| STRS[i].as_bytes()),
            Kt::Int64 => idx.sort_by_key(|&i| INTS[i]),
            Kt::UInt64 => idx.sort_by_key(|&i| UINTS[i]),
        }
        idx
    }
}

/// The field of table column `c` (1, 2 or 3).
pub fn column_field(c: usize) -> Field {
    match c {
        1 => Field::new("a", DataType::Int64, true),
        2 => Field::new("b", DataType::Utf8, true),
        3 => Field::new("c", DataType::Float64, true),
        _ => panic!("no column {c}"),
    }
}

/// Values of table column `c` derived from `vals`.
pub fn column_array(c: usize, vals: &[Option<i64>]) -> ArrayRef {
    match c {
        1 => Arc::new(Int64Array::from(vals.to_vec())),
        2 => Arc::new(StringArray::from(
            vals.iter()
                .map(|v| v.map(|v| format!("s{v}")))
                .collect::<Vec<_>>(),
        )),
        3 => Arc::new(Float64Array::from(
            vals.iter().map(|v| v.map(|v| v as f64)).collect::<Vec<_>>(),
        )),
        _ => panic!("no column {c}"),
    }
}

/// The value at `row` of an array built by [`column_array`], back as the integer.
pub fn value_at(array: &dyn Array, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row),
        DataType::Utf8 => array.as_string::<i32>().value(row)[1..].parse().unwrap(),
        DataType::Float64 => array.as_primitive::<Float64Type>().value(row) as i64,
        t => panic!("unexpected type {t}"),
    })
}

/// A batch of rows `(key index, value per table column 1..=3)` carrying the key at
/// position `key_pos` among the value columns `cols` (table indices, in batch order).
pub fn batch(
    kt: Kt,
    rows: &[(usize, [Option<i64>; 3])],
    cols: &[usize],
    key_pos: usize,
) -> RecordBatch {
    let key_idx: Vec<usize> = rows.iter().map(|r| r.0).collect();
    let mut fields = Vec::new();
    let mut arrays = Vec::new();
    for &c in cols {
        let vals: Vec<Option<i64>> = rows.iter().map(|r| r.1[c - 1]).collect();
        fields.push(column_field(c));
        arrays.push(column_array(c, &vals));
    }
    let key_pos = key_pos.min(cols.len());
    fields.insert(key_pos, Field::new("k", kt.data_type(), false));
    arrays.insert(key_pos, kt.keys(&key_idx));
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}
