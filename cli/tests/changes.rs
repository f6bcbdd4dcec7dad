#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `murr changes`: the feed as JSON lines and a table, a start in the middle, the error for
//! a start older than the logs kept.

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::{fails, ok, path};
use murr_core::db::{Db, Options};

fn counts() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
    ]))
}

#[test]
fn the_feed_prints_writes_and_deletes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let db = Db::open(
        &dir,
        Options::default().with_change_retention_bytes(u64::MAX),
    )
    .unwrap();
    db.create_table("counts", &counts(), "n").unwrap();
    let s1 = db
        .write(
            "counts",
            &RecordBatch::try_new(
                counts(),
                vec![
                    Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
                    Arc::new(StringArray::from(vec!["one", "two"])),
                ],
            )
            .unwrap(),
        )
        .unwrap();
    db.flush().unwrap();
    let s2 = db.delete("counts", &Int64Array::from(vec![2])).unwrap();
    db.close().unwrap();

    let out = ok(&["changes", path(&dir), "counts", "--format", "json"]);
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!(rows[0]["_seq"], s1);
    assert_eq!(rows[0]["_op"], "write");
    assert_eq!(rows[0]["label"], "one");
    assert_eq!(rows[0]["_present"], serde_json::json!([true]));
    assert_eq!(rows[2]["_seq"], s2);
    assert_eq!(rows[2]["_op"], "delete");
    assert_eq!(rows[2]["n"], 2);

    let table = ok(&["changes", path(&dir), "counts", "--since", &s1.to_string()]);
    assert!(
        table.contains("delete") && !table.contains("one"),
        "{table}"
    );

    // The application reopens with the default retention: the flushed log goes, and an
    // old start fails, naming the option.
    Db::open(&dir, Options::default()).unwrap().close().unwrap();
    let err = fails(&["changes", path(&dir), "counts"], 1);
    assert!(err.contains("change_retention_bytes"), "{err}");
}
