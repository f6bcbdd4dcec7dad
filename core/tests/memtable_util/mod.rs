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

/// One row of a memtable's flush view ([`Memtable::merged_chunks`]), as the tests check it.
#[derive(Debug)]
pub struct Merged {
    /// The key's index (see [`Kt::index_of`]).
    pub key: usize,
    /// A tombstone lies under the row's values.
    pub tombstone: bool,
    /// A write of a row (not a delete) is visible above any tombstone.
    pub has_values: bool,
    /// Per table column: `None` when the row has no cell there, else its value
    /// ([`value_at`]); the key column's is always `None`.
    pub cells: Vec<Option<Option<i64>>>,
}

/// Every key of `mem` at `snapshot` in key order, read through the flush's path
/// ([`Memtable::merged_chunks`], in chunks of 3 rows so that chunk boundaries are crossed).
/// Checks what holds of every chunk: the key column is filled, even for tombstones.
pub fn merged(kt: Kt, mem: &Memtable, snapshot: u64) -> Vec<Merged> {
    let key = mem.key_column();
    let mut chunks = mem.merged_chunks(snapshot);
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next_chunk(3).unwrap() {
        let batch = &chunk.batch;
        assert_eq!(batch.schema(), mem.merged_schema());
        assert_eq!(batch.column(key).null_count(), 0, "keys are filled");
        for r in 0..batch.num_rows() {
            let cells = (0..batch.num_columns())
                .map(|c| {
                    (c != key && chunk.present[c][r]).then(|| value_at(batch.column(c).as_ref(), r))
                })
                .collect();
            out.push(Merged {
                key: kt.index_of(key_at(batch.column(key).as_ref(), r)),
                tombstone: chunk.tombstone[r],
                has_values: chunk.has_values[r],
                cells,
            });
        }
    }
    out
}

/// Key `row` of a key column.
pub fn key_at(keys: &dyn Array, row: usize) -> Key<'_> {
    match keys.data_type() {
        DataType::Utf8 => Key::Utf8(keys.as_string::<i32>().value(row)),
        DataType::Int64 => Key::Int64(keys.as_primitive::<Int64Type>().value(row)),
        DataType::UInt64 => Key::UInt64(
            keys.as_primitive::<arrow_array::types::UInt64Type>()
                .value(row),
        ),
        t => panic!("unexpected key type {t}"),
    }
}

/// Every key of a memtable whose key column holds arbitrary int64 or uint64 keys (not
/// those of [`Kt`]), in the flush's order, as i128.
pub fn merged_int_keys(mem: &Memtable, snapshot: u64) -> Vec<i128> {
    let key = mem.key_column();
    let mut chunks = mem.merged_chunks(snapshot);
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next_chunk(4).unwrap() {
        let keys = chunk.batch.column(key);
        for r in 0..keys.len() {
            out.push(match key_at(keys.as_ref(), r) {
                Key::Int64(v) => i128::from(v),
                Key::UInt64(v) => i128::from(v),
                k => panic!("{k:?}"),
            });
        }
    }
    out
}
