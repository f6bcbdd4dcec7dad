//! Compaction refuses inputs that do not fit the schema — another key column, another key
//! type, a column of another type, a key the schema lacks — and passes on the error of
//! `next_path`, leaving the files already written for the caller to remove.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compact_util;

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use compact_util::{Cell, KeyType, Row, schema, segment};
use murr_core::Error;
use murr_core::compact::{MergeInput, MergeOptions, merge};
use murr_core::segment::{Segment, SegmentWriter};

fn one(key: &str, column: DataType) -> Segment {
    let schema = Arc::new(Schema::new(vec![
        Field::new(key, DataType::Int64, false),
        Field::new("a", column.clone(), true),
    ]));
    let values: ArrayRef = match column {
        DataType::Int32 => Arc::new(Int32Array::from(vec![1])),
        _ => Arc::new(Int64Array::from(vec![1])),
    };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Int64Array::from(vec![1])), values],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, key).unwrap();
    w.push(&batch).unwrap();
    Segment::from_bytes(w.finish_to_vec().unwrap(), "odd.seg").unwrap()
}

fn try_merge(seg: &Segment, key_type: KeyType) -> Error {
    let inputs = [MergeInput {
        segment: seg,
        deleted: None,
    }];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    merge(
        &inputs,
        schema(key_type, 3),
        "key",
        &MergeOptions::default(),
        || Ok(path.clone()),
    )
    .unwrap_err()
}

#[test]
fn mismatched_inputs_are_refused() {
    let e = try_merge(&one("id", DataType::Int64), KeyType::Int64);
    assert!(matches!(e, Error::SchemaMismatch(_)), "{e}");
    assert!(
        e.to_string().contains("odd.seg") && e.to_string().contains("'id'"),
        "{e}"
    );

    let e = try_merge(&one("key", DataType::Int64), KeyType::Utf8);
    assert!(matches!(e, Error::SchemaMismatch(_)), "{e}");

    let e = try_merge(&one("key", DataType::Int32), KeyType::Int64);
    assert!(matches!(e, Error::SchemaMismatch(_)), "{e}");
    assert!(e.to_string().contains("column 'a'"), "{e}");

    let ok = one("key", DataType::Int64);
    let e = merge(
        &[MergeInput {
            segment: &ok,
            deleted: None,
        }],
        schema(KeyType::Int64, 3),
        "nope",
        &MergeOptions::default(),
        || unreachable!(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::UnknownColumn { .. }), "{e}");
}

#[test]
fn next_path_errors_are_passed_on() {
    let k = KeyType::Int64;
    let rows: Vec<_> = (0..50)
        .map(|n| (k.key(n), Row::Cells(vec![Cell::Val(n); 3])))
        .collect();
    let seg = segment(k, 3, &rows);
    let inputs = [MergeInput {
        segment: &seg,
        deleted: None,
    }];
    let dir = tempfile::tempdir().unwrap();
    let mut handed = Vec::new();
    let options = MergeOptions {
        target_segment_bytes: 1,
        chunk_rows: 10,
        drop_tombstones: false,
        split_before: Vec::new(),
    };
    let e = merge(&inputs, schema(k, 3), "key", &options, || {
        if handed.len() == 2 {
            return Err(Error::LimitExceeded("no more paths".into()));
        }
        handed.push(dir.path().join(format!("out-{}", handed.len())));
        Ok(handed.last().unwrap().clone())
    })
    .unwrap_err();
    assert!(e.to_string().contains("no more paths"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}
