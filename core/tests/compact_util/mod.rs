//! Shared by the compaction tests: a small table (key + `a` int64, `b` utf8, `c` float64)
//! whose rows are written from a model and read back cell by cell.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::compact::{MergeInput, MergeOptions, MergeOutput, merge};
use murr_core::segment::{Segment, SegmentWriter, SortKey};

/// The value columns, in schema order.
pub const COLUMNS: [&str; 3] = ["a", "b", "c"];

/// A cell as the model sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Not written by the row.
    Absent,
    /// Written as null.
    Null,
    /// Written with a value (`a` = v, `b` = "s{v}", `c` = v as f64).
    Val(i64),
}

/// A row as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Tombstone,
    Cells(Vec<Cell>),
}

/// The key type of a test table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Int64,
    Utf8,
    UInt64,
}

impl KeyType {
    pub fn data_type(self) -> DataType {
        match self {
            KeyType::Int64 => DataType::Int64,
            KeyType::Utf8 => DataType::Utf8,
            KeyType::UInt64 => DataType::UInt64,
        }
    }

    /// Model key `n` as a sort key: utf8 keys are not in numeric order (and include the
    /// empty string and non-ASCII), int64 keys include negatives.
    pub fn key(self, n: i64) -> SortKey {
        match self {
            KeyType::Int64 => SortKey::Int64((n - 20) * 1_000_000_007),
            KeyType::UInt64 => SortKey::UInt64(n as u64 * 0x0123_4567_89ab_cdef),
            KeyType::Utf8 => {
                let s = match n % 4 {
                    0 if n == 0 => String::new(),
                    0 => format!("é{n}"),
                    1 => format!("Z{}", 97 - n),
                    2 => format!("a{n}"),
                    _ => format!("{}", n * 37 % 101),
                };
                SortKey::Utf8(s.into_bytes().into_boxed_slice())
            }
        }
    }

    /// Keys as an Arrow array of this type.
    pub fn array(self, keys: &[SortKey]) -> ArrayRef {
        match self {
            KeyType::Int64 => {
                Arc::new(Int64Array::from_iter_values(keys.iter().map(|k| match k {
                    SortKey::Int64(v) => *v,
                    _ => unreachable!(),
                })))
            }
            KeyType::UInt64 => Arc::new(UInt64Array::from_iter_values(keys.iter().map(
                |k| match k {
                    SortKey::UInt64(v) => *v,
                    _ => unreachable!(),
                },
            ))),
            KeyType::Utf8 => Arc::new(StringArray::from_iter_values(keys.iter().map(
                |k| match k {
                    SortKey::Utf8(b) => std::str::from_utf8(b).unwrap().to_owned(),
                    _ => unreachable!(),
                },
            ))),
        }
    }
}

/// The schema with the first `columns` value columns.
pub fn schema(key: KeyType, columns: usize) -> SchemaRef {
    let mut fields = vec![Field::new("key", key.data_type(), false)];
    let types = [DataType::Int64, DataType::Utf8, DataType::Float64];
    for (name, t) in COLUMNS.iter().zip(types).take(columns) {
        fields.push(Field::new(*name, t, true));
    }
    Arc::new(Schema::new(fields))
}

/// A segment of the first `columns` value columns holding `rows` (any order, distinct
/// keys). Cells beyond `columns` are ignored; cells not written hold garbage.
pub fn segment(key: KeyType, columns: usize, rows: &[(SortKey, Row)]) -> Segment {
    let schema = schema(key, columns);
    let keys: Vec<SortKey> = rows.iter().map(|(k, _)| k.clone()).collect();
    let cell = |r: &Row, c: usize| match r {
        Row::Tombstone => Cell::Absent,
        Row::Cells(cells) => cells[c],
    };
    let mut arrays = vec![key.array(&keys)];
    let mut present = Vec::new();
    for c in 0..columns {
        let vals: Vec<Option<i64>> = rows
            .iter()
            .map(|(_, r)| match cell(r, c) {
                Cell::Absent => Some(-999),
                Cell::Null => None,
                Cell::Val(v) => Some(v),
            })
            .collect();
        arrays.push(match c {
            0 => Arc::new(Int64Array::from(vals)) as ArrayRef,
            1 => Arc::new(StringArray::from_iter(
                vals.iter().map(|v| v.map(|v| format!("s{v}"))),
            )),
            _ => Arc::new(Float64Array::from_iter(
                vals.iter().map(|v| v.map(|v| v as f64)),
            )),
        });
        let bits: Vec<bool> = rows
            .iter()
            .map(|(_, r)| !matches!(cell(r, c), Cell::Absent))
            .collect();
        present.push(Some(BooleanBuffer::from(bits.as_slice())));
    }
    let tombs: Vec<bool> = rows
        .iter()
        .map(|(_, r)| matches!(r, Row::Tombstone))
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push_partial(
        &batch,
        &present,
        Some(&BooleanBuffer::from(tombs.as_slice())),
    )
    .unwrap();
    Segment::from_bytes(w.finish_to_vec().unwrap(), "input").unwrap()
}

/// Every row of `segment` as the model sees it, in the segment's order, reading the
/// columns of the full schema (columns it lacks are absent).
pub fn read_back(segment: &Segment) -> Vec<(SortKey, Row)> {
    let keys = segment.keys().unwrap();
    let have: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| segment.schema().index_of(c).is_ok())
        .collect();
    let pb = segment.get_partial(&keys, &have).unwrap();
    let batch = pb.batch();
    (0..keys.len())
        .map(|i| {
            let key = SortKey::of(keys.as_ref(), i).unwrap().unwrap();
            assert!(pb.found(i));
            if pb.tombstone(i) {
                return (key, Row::Tombstone);
            }
            let cells = COLUMNS
                .iter()
                .map(|name| {
                    let Some(j) = have.iter().position(|h| h == name) else {
                        return Cell::Absent;
                    };
                    if !pb.present(j, i) {
                        return Cell::Absent;
                    }
                    let col = batch.column(j);
                    if col.is_null(i) {
                        return Cell::Null;
                    }
                    let v = match *name {
                        "a" => col.as_primitive::<Int64Type>().value(i),
                        "b" => col.as_string::<i32>().value(i)[1..].parse().unwrap(),
                        _ => col.as_primitive::<Float64Type>().value(i) as i64,
                    };
                    Cell::Val(v)
                })
                .collect();
            (key, Row::Cells(cells))
        })
        .collect()
}

/// Runs a merge into `dir`, naming files `out-0`, `out-1`, ...
pub fn run(
    inputs: &[MergeInput<'_>],
    key: KeyType,
    options: &MergeOptions,
    dir: &std::path::Path,
) -> murr_core::Result<Vec<MergeOutput>> {
    let mut n = 0;
    let dir = dir.to_owned();
    merge(inputs, schema(key, 3), "key", options, move || {
        n += 1;
        Ok::<PathBuf, murr_core::Error>(dir.join(format!("out-{}", n - 1)))
    })
}

/// The rows of every output, in order, after checking that the outputs' key ranges ascend
/// and are disjoint and that each output's first and last keys are right.
pub fn read_outputs(outputs: &[MergeOutput]) -> Vec<(SortKey, Row)> {
    let mut all: Vec<(SortKey, Row)> = Vec::new();
    for out in outputs {
        let seg = Segment::open(&out.info.path).unwrap();
        let rows = read_back(&seg);
        assert!(!rows.is_empty(), "an output file without rows");
        assert_eq!(rows.len() as u64, out.info.rows);
        assert_eq!(seg.file_len(), out.info.bytes);
        assert_eq!(rows.first().unwrap().0, out.first_key);
        assert_eq!(rows.last().unwrap().0, out.last_key);
        assert_eq!(seg.first_key().unwrap(), Some(out.first_key.clone()));
        assert_eq!(seg.last_key().unwrap(), Some(out.last_key.clone()));
        if let Some((last, _)) = all.last() {
            assert!(
                *last < out.first_key,
                "output key ranges overlap or descend"
            );
        }
        all.extend(rows);
    }
    all
}
