#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `Db::changes`: the schema, a feed started in the middle, its end point, retention and
//! its error, pinned logs, other and dropped tables, utf8 keys deleted as views, a feed
//! beside a writer. (`changes_model.rs` checks replay against the table.)

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{
    Array, Int64Array, RecordBatch, RecordBatchReader, StringArray, StringViewArray,
};
use arrow_schema::{DataType, Field, Schema};
use murr_core::Error;
use murr_core::db::{Db, Options};

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("v", DataType::Int64, false),
        Field::new("k", DataType::Utf8, false),
        Field::new("w", DataType::Int64, true),
    ]))
}

fn write(db: &Db, table: &str, keys: &[&str], v: i64) -> u64 {
    let n = keys.len();
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from(vec![v; n])),
            Arc::new(StringArray::from(keys.to_vec())),
            Arc::new(Int64Array::from(vec![v + 1; n])),
        ],
    )
    .unwrap();
    db.write(table, &batch).unwrap()
}

/// (seq, op, key, v, w, present) rows of a feed.
type Row = (u64, String, String, Option<i64>, Option<i64>, Vec<bool>);

fn rows(db: &Db, table: &str, since: u64) -> Vec<Row> {
    let mut out = Vec::new();
    for batch in db.changes(table, since).unwrap() {
        let b = batch.unwrap();
        let present = b.column(5).as_fixed_size_list();
        for r in 0..b.num_rows() {
            let int = |c: usize| {
                let a = b.column(c).as_primitive::<Int64Type>();
                a.is_valid(r).then(|| a.value(r))
            };
            let here = present.value(r);
            out.push((
                b.column(0).as_primitive::<UInt64Type>().value(r),
                b.column(1).as_string::<i32>().value(r).to_owned(),
                b.column(2).as_string::<i32>().value(r).to_owned(),
                int(3),
                int(4),
                here.as_boolean().iter().map(Option::unwrap).collect(),
            ));
        }
    }
    out
}

fn open(dir: &std::path::Path, retention: u64) -> Db {
    let db = Db::open(dir, common::manual().with_change_retention_bytes(retention)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db
}

#[test]
fn schema_rows_and_a_middle_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), u64::MAX);
    let s1 = write(&db, "t", &["a", "b"], 1);
    db.flush().unwrap();
    // A partial upsert of w alone, with an explicit null.
    let partial = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new("w", DataType::Int64, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["a"])),
            Arc::new(Int64Array::from(vec![None::<i64>])),
        ],
    )
    .unwrap();
    let s2 = db.write("t", &partial).unwrap();
    let s3 = db.delete("t", &StringViewArray::from(vec!["b"])).unwrap();

    let feed = db.changes("t", 0).unwrap();
    let fields: Vec<(String, DataType, bool)> = feed
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable()))
        .collect();
    let list = DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Boolean, false)), 2);
    assert_eq!(
        fields,
        vec![
            ("_seq".into(), DataType::UInt64, false),
            ("_op".into(), DataType::Utf8, false),
            ("k".into(), DataType::Utf8, false),
            ("v".into(), DataType::Int64, true),
            ("w".into(), DataType::Int64, true),
            ("_present".into(), list, false),
        ]
    );
    assert_eq!(feed.end_seq(), s3);
    drop(feed);
    let all = rows(&db, "t", 0);
    let w = |s: u64, k: &str, v: Option<i64>, x: Option<i64>, p: [bool; 2]| {
        (s, "write".to_owned(), k.to_owned(), v, x, p.to_vec())
    };
    assert_eq!(
        all,
        vec![
            w(s1, "a", Some(1), Some(2), [true, true]),
            w(s1, "b", Some(1), Some(2), [true, true]),
            w(s2, "a", None, None, [false, true]),
            (
                s3,
                "delete".into(),
                "b".into(),
                None,
                None,
                vec![false, false]
            ),
        ]
    );
    // From the middle: only what comes after.
    assert_eq!(rows(&db, "t", s1), all[2..].to_vec());
    assert_eq!(rows(&db, "t", s2), all[3..].to_vec());
    assert!(rows(&db, "t", s3).is_empty());
    // A start beyond the end is an empty feed.
    assert!(rows(&db, "t", s3 + 100).is_empty());
}

#[test]
fn the_feed_ends_where_it_was_made_and_does_not_block_a_writer() {
    // With every log kept, and with none: then the flushes beside the feed unlist the
    // logs it reads, which it has pinned.
    for retention in [u64::MAX, 0] {
        feed_beside_a_writer(retention);
    }
}

fn feed_beside_a_writer(retention: u64) {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(open(dir.path(), retention));
    for i in 0..50 {
        write(&db, "t", &["a", "b", "c"], i);
    }
    let feed = db.changes("t", 0).unwrap().with_batch_rows(7);
    let end = feed.end_seq();
    // Writes, a flush and a compaction while the feed is read: none of them is in it.
    let writer = {
        let db = Arc::clone(&db);
        std::thread::spawn(move || {
            for i in 0..200 {
                write(&db, "t", &["a", "d"], 1000 + i);
                if i % 50 == 0 {
                    db.flush().unwrap();
                }
            }
            db.compact().unwrap();
        })
    };
    let mut seqs = Vec::new();
    for batch in feed {
        let b = batch.unwrap();
        // Batches collect whole writes up to about the asked size.
        assert!(b.num_rows() <= 9, "{}", b.num_rows());
        seqs.extend(
            b.column(0)
                .as_primitive::<UInt64Type>()
                .values()
                .iter()
                .copied(),
        );
    }
    writer.join().unwrap();
    assert_eq!(seqs.len(), 150);
    assert_eq!(*seqs.last().unwrap(), end);
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]));
    if retention == u64::MAX {
        assert_eq!(rows(&db, "t", 0).len(), 150 + 400);
    } else {
        assert!(matches!(
            db.changes("t", 0),
            Err(Error::ChangesNotRetained { .. })
        ));
        // The pinned logs went with the feed: only the active one is left.
        assert_eq!(common::files(dir.path(), "wal-", ".log").len(), 1);
    }
}

#[test]
fn without_retention_only_unflushed_writes_are_kept_and_older_starts_fail() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 0);
    write(&db, "t", &["a"], 1);
    let flushed = write(&db, "t", &["b"], 2);
    db.flush().unwrap();
    let after = write(&db, "t", &["c"], 3);
    assert_eq!(db.changes_oldest_since().unwrap(), flushed);
    match db.changes("t", 0) {
        Err(e @ Error::ChangesNotRetained { .. }) => {
            let message = e.to_string();
            assert!(message.contains("change_retention_bytes"), "{message}");
            assert!(
                message.contains(&format!("since_seq {flushed}")),
                "{message}"
            );
            assert!(
                matches!(e, Error::ChangesNotRetained { since: 0, oldest, retention_bytes: 0, .. } if oldest == flushed + 1)
            );
        }
        other => panic!("{other:?}"),
    }
    let kept = rows(&db, "t", flushed);
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].0, kept[0].2.as_str()), (after, "c"));
    // Only the active log is on disk.
    assert_eq!(common::files(dir.path(), "wal-", ".log").len(), 1);
    // Reopening flushes: the feed starts at the last write now.
    db.close().unwrap();
    let db = Db::open(dir.path(), common::manual()).unwrap();
    assert_eq!(db.changes_oldest_since().unwrap(), after);
    assert!(matches!(
        db.changes("t", after - 1),
        Err(Error::ChangesNotRetained { .. })
    ));
    assert!(rows(&db, "t", after).is_empty());
}

#[test]
fn retention_keeps_the_newest_logs_within_its_bytes_across_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..200).map(|i| format!("key{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let db = open(dir.path(), u64::MAX);
    let mut firsts = Vec::new();
    for i in 0..6 {
        firsts.push(write(&db, "t", &keys, i));
        db.flush().unwrap();
    }
    let logs = common::files(dir.path(), "wal-", ".log");
    assert_eq!(logs.len(), 7);
    let size = std::fs::metadata(dir.path().join(&logs[1])).unwrap().len();
    assert_eq!(rows(&db, "t", 0).len(), 1200);
    db.close().unwrap();
    // Room for about two flushed logs: the open trims the rest (the open's own log,
    // holding nothing, is one of them).
    let db = Db::open(
        dir.path(),
        common::manual().with_change_retention_bytes(2 * size + size / 2),
    )
    .unwrap();
    let oldest = db.changes_oldest_since().unwrap();
    assert!(oldest >= firsts[3], "{oldest} vs {firsts:?}");
    assert!(oldest < firsts[5], "{oldest} vs {firsts:?}");
    let kept = rows(&db, "t", oldest);
    assert!(kept.iter().all(|r| r.0 > oldest));
    assert!(kept.len() >= 200 && kept.len() <= 400, "{}", kept.len());
    assert!(common::files(dir.path(), "wal-", ".log").len() <= 4);
    db.close().unwrap();
}

#[test]
fn a_feed_pins_the_logs_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), 0);
    write(&db, "t", &["a"], 1);
    write(&db, "t", &["b"], 2);
    let feed = db.changes("t", 0).unwrap().with_batch_rows(1);
    let logs = common::files(dir.path(), "wal-", ".log");
    db.flush().unwrap();
    // Retention 0 unlists the flushed log, but the feed still reads it.
    assert!(dir.path().join(&logs[0]).exists());
    assert!(matches!(
        db.changes("t", 0),
        Err(Error::ChangesNotRetained { .. })
    ));
    let n: usize = feed.map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(n, 2);
    assert!(!dir.path().join(&logs[0]).exists());
}

#[test]
fn other_tables_dropped_tables_and_added_columns() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), u64::MAX);
    db.create_table("other", &schema(), "k").unwrap();
    write(&db, "t", &["old"], 1);
    write(&db, "other", &["x"], 2);
    db.drop_table("t").unwrap();
    assert!(matches!(
        db.changes("t", 0),
        Err(Error::UnknownTable { .. })
    ));
    db.create_table("t", &schema(), "k").unwrap();
    let s = write(&db, "t", &["new"], 3);
    let feed = rows(&db, "t", 0);
    assert_eq!(feed.len(), 1, "only the new table's writes: {feed:?}");
    assert_eq!((feed[0].0, feed[0].2.as_str()), (s, "new"));
    assert_eq!(rows(&db, "other", 0).len(), 1);

    db.add_column("t", Field::new("z", DataType::Utf8, true))
        .unwrap();
    let z = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("k", DataType::Utf8, false),
            Field::new("z", DataType::Utf8, true),
        ])),
        vec![
            Arc::new(StringArray::from(vec!["new"])),
            Arc::new(StringArray::from(vec!["zz"])),
        ],
    )
    .unwrap();
    db.write("t", &z).unwrap();
    let batches: Vec<RecordBatch> = db.changes("t", 0).unwrap().map(Result::unwrap).collect();
    let b = arrow_select::concat::concat_batches(&batches[0].schema(), &batches).unwrap();
    assert_eq!(b.num_columns(), 7);
    let zs = b.column(5).as_string::<i32>();
    assert!(zs.is_null(0));
    assert_eq!(zs.value(1), "zz");
    let present = b.column(6).as_fixed_size_list();
    let bits = |r: usize| -> Vec<bool> {
        present
            .value(r)
            .as_boolean()
            .iter()
            .map(Option::unwrap)
            .collect()
    };
    assert_eq!(bits(0), vec![true, true, false]);
    assert_eq!(bits(1), vec![false, false, true]);
}

#[test]
fn a_table_of_the_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path(), common::manual()).unwrap();
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    db.create_table("keys", &schema, "id").unwrap();
    let batch = RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![3, 1]))]).unwrap();
    db.write("keys", &batch).unwrap();
    db.delete("keys", &Int64Array::from(vec![3])).unwrap();
    let batches: Vec<RecordBatch> = db.changes("keys", 0).unwrap().map(Result::unwrap).collect();
    assert_eq!(batches.len(), 1);
    let b = &batches[0];
    assert_eq!(b.num_rows(), 3);
    assert_eq!(b.num_columns(), 4);
    assert_eq!(b.column(3).as_fixed_size_list().value_length(), 0);
    let ids: Vec<i64> = b.column(2).as_primitive::<Int64Type>().values().to_vec();
    assert_eq!(ids, vec![3, 1, 3]);
}

#[test]
fn a_closed_database_ends_its_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), u64::MAX);
    for i in 0..4 {
        write(&db, "t", &["a"], i);
    }
    let mut feed = db.changes("t", 0).unwrap().with_batch_rows(1);
    assert!(feed.next().unwrap().is_ok());
    db.close().unwrap();
    let e = feed.next().unwrap().unwrap_err();
    assert!(e.to_string().contains("closed"), "{e}");
    assert!(feed.next().is_none());
    assert!(matches!(db.changes("t", 0), Err(Error::Closed { .. })));
    let _ = Options::default();
}

#[test]
fn an_ingest_ends_the_feed_with_an_error_and_a_scan_resynchronises() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path(), u64::MAX);
    write(&db, "t", &["a"], 1);
    let before = write(&db, "t", &["b"], 2);
    let batch = RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from(vec![7, 8])),
            Arc::new(StringArray::from(vec!["b", "c"])),
            Arc::new(Int64Array::from(vec![70, 80])),
        ],
    )
    .unwrap();
    let reader = arrow_array::RecordBatchIterator::new(vec![Ok(batch)], schema());
    db.ingest("t", reader).unwrap();
    // The writes before the ingest come, then the error at its marker.
    let mut feed = db.changes("t", 0).unwrap().with_batch_rows(1);
    assert_eq!(feed.next().unwrap().unwrap().num_rows(), 1);
    assert_eq!(feed.next().unwrap().unwrap().num_rows(), 1);
    let e = feed.next().unwrap().unwrap_err().to_string();
    assert!(e.contains("bulk-loaded") && e.contains("scan"), "{e}");
    assert!(feed.next().is_none());
    assert!(matches!(
        db.changes("t", before).unwrap().next(),
        Some(Err(_))
    ));
    // Resynchronise: a scan at a snapshot, then the feed from its sequence number.
    let snap = db.snapshot().unwrap();
    let mut model: std::collections::BTreeMap<String, Option<i64>> = snap
        .scan("t", &["k", "v"])
        .unwrap()
        .flat_map(|b| {
            let b = b.unwrap();
            let k = b.column(0).as_string::<i32>().clone();
            let v = b.column(1).as_primitive::<Int64Type>().clone();
            (0..b.num_rows())
                .map(|r| (k.value(r).to_owned(), v.is_valid(r).then(|| v.value(r))))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(model.len(), 3);
    write(&db, "t", &["d"], 4);
    db.delete("t", &StringArray::from(vec!["a"])).unwrap();
    for r in rows(&db, "t", snap.seq()) {
        match r.1.as_str() {
            "write" => {
                model.insert(r.2, r.3);
            }
            _ => {
                model.remove(&r.2);
            }
        }
    }
    let now: Vec<(String, Option<i64>)> = model.into_iter().collect();
    assert_eq!(
        now,
        vec![
            ("b".to_owned(), Some(7)),
            ("c".to_owned(), Some(8)),
            ("d".to_owned(), Some(4))
        ]
    );
    // Across a reopen the marker is still there (and replay skips it).
    db.close().unwrap();
    let db = Db::open(
        dir.path(),
        common::manual().with_change_retention_bytes(u64::MAX),
    )
    .unwrap();
    assert!(db.changes("t", 0).unwrap().any(|b| b.is_err()));
    assert_eq!(
        db.read("t", &StringArray::from(vec!["c"]), &["v"])
            .unwrap()
            .1,
        vec![true]
    );
}
