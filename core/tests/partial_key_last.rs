#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A partial upsert whose batch carries the key column after the others (the C test's
//! `{"count", "id"}` batch) leaves the columns it does not carry as they were, read from
//! the memtable and after a flush.

mod common;

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray, record_batch,
};
use arrow_schema::{DataType, Field, Schema};
use murr_core::Db;

fn schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("score", DataType::Float32, true),
        Field::new("count", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
    ])
}

fn full(keys: std::ops::Range<i64>) -> RecordBatch {
    RecordBatch::try_new(
        Arc::new(schema()),
        vec![
            Arc::new(Int64Array::from_iter_values(keys.clone())) as ArrayRef,
            Arc::new(Float32Array::from_iter_values(
                keys.clone().map(|k| k as f32 * 0.5 + 1.0),
            )),
            Arc::new(Int64Array::from_iter_values(keys.clone().map(|k| k * 3))),
            Arc::new(StringArray::from_iter_values(keys.map(|k| format!("n{k}")))),
        ],
    )
    .unwrap()
}

fn check(db: &Db) {
    let keys = Int64Array::from(vec![10, 11]);
    let (b, found) = db.read("t", &keys, &["score", "count", "name"]).unwrap();
    assert_eq!(found, vec![true, true]);
    let score = b.column(0).as_any().downcast_ref::<Float32Array>().unwrap();
    let count = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
    let name = b.column(2).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(
        (score.value(0), count.value(0), name.value(0)),
        (6.0, -5, "n10")
    );
    assert_eq!(
        (score.value(1), count.value(1), name.value(1)),
        (6.5, 33, "n11")
    );
    assert!(score.is_valid(0) && name.is_valid(0));
}

#[test]
fn a_partial_upsert_with_the_key_last_keeps_the_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::table(dir.path(), &schema(), "id");
    db.write("t", &full(0..100)).unwrap();
    // A batch field's nullability is not compared with the table's (only the values are).
    let partial = record_batch!(("count", Int64, [-5]), ("id", Int64, [10])).unwrap();
    db.write("t", &partial).unwrap();
    check(&db);
    db.flush().unwrap();
    check(&db);
    db.compact().unwrap();
    check(&db);
    db.close().unwrap();
}
