//! Misuse of the partial-rows API gives the documented error and leaves the writer usable:
//! masks of the wrong number or length, nulls in written cells of non-nullable columns, null
//! keys (tombstones included), null embedding elements in written cells, rows past the end
//! and unknown columns. Cells that are not written may hold anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{ArrayRef, FixedSizeListArray, Float32Array, RecordBatch, StringArray};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_core::Error;
use murr_core::segment::{Segment, SegmentWriter};

/// The writer's schema: a non-nullable float32 and a non-nullable embedding.
fn schema() -> SchemaRef {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, false),
        Field::new("emb", DataType::FixedSizeList(item, 2), false),
    ]))
}

/// Three rows `a b c`; `score` null in row 1; `emb` with a null element in row 2. The batch
/// declares its columns nullable (a non-nullable one could not hold these nulls).
fn batch(keys: Vec<Option<&str>>) -> RecordBatch {
    let s = schema();
    let fields: Vec<Field> = s
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        vec![
            Arc::new(StringArray::from(keys)) as ArrayRef,
            Arc::new(Float32Array::from(vec![Some(1.0), None, Some(3.0)])),
            Arc::new(
                FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                    [
                        Some(vec![Some(1.0), Some(2.0)]),
                        Some(vec![Some(3.0), Some(4.0)]),
                        Some(vec![Some(5.0), None]),
                    ],
                    2,
                ),
            ),
        ],
    )
    .unwrap()
}

fn bits(b: [bool; 3]) -> Option<BooleanBuffer> {
    Some(BooleanBuffer::from(b.to_vec()))
}

fn abc() -> RecordBatch {
    batch(vec![Some("a"), Some("b"), Some("c")])
}

fn mismatch(result: murr_core::Result<()>, what: &str, words: &[&str]) {
    match result {
        Err(Error::SchemaMismatch(m)) => {
            assert!(words.iter().all(|w| m.contains(w)), "{what}: {m}");
        }
        other => panic!("{what}: expected SchemaMismatch, got {other:?}"),
    }
}

#[test]
fn masks_must_fit_the_schema_and_the_batch() {
    let mut w = SegmentWriter::new(schema(), "key").unwrap();
    let b = abc();
    let ok = [bits([true, false, true]), bits([true, true, false])];
    mismatch(
        w.push_partial(&b, &ok[..1], None),
        "one mask short",
        &["1 presence masks", "2 non-key columns"],
    );
    mismatch(
        w.push_partial(&b, &[None, None, None], None),
        "one mask too many",
        &["3 presence masks"],
    );
    let long = Some(BooleanBuffer::from(vec![true; 4]));
    mismatch(
        w.push_partial(&b, &[None, long.clone()], None),
        "mask too long",
        &["'emb'", "4 bits", "3 rows"],
    );
    mismatch(
        w.push_partial(&b, &ok, long.as_ref()),
        "tombstones too long",
        &["tombstone mask", "4 bits"],
    );
    assert_eq!(w.rows(), 0, "nothing was pushed");
}

#[test]
fn written_cells_are_checked_and_unwritten_ones_are_not() {
    let mut w = SegmentWriter::new(schema(), "key").unwrap();
    let b = abc();
    // Row 1's null score and row 2's null element are written: errors.
    mismatch(
        w.push_partial(&b, &[None, bits([true, true, false])], None),
        "null in a written non-nullable cell",
        &["'score'", "not nullable", "1 nulls"],
    );
    mismatch(
        w.push_partial(&b, &[bits([true, false, true]), None], None),
        "null element in a written embedding",
        &["'emb'", "null elements"],
    );
    // Not written, or in a tombstone row: ignored.
    w.push_partial(
        &b,
        &[bits([true, false, true]), bits([true, true, false])],
        None,
    )
    .unwrap();
    let tomb = BooleanBuffer::from(vec![false, true, true]);
    let b2 = batch(vec![Some("d"), Some("e"), Some("f")]);
    w.push_partial(&b2, &[None, None], Some(&tomb)).unwrap();
    // A null key is an error even in a tombstone row.
    match w.push_partial(
        &batch(vec![Some("g"), None, Some("h")]),
        &[None, None],
        Some(&tomb),
    ) {
        Err(Error::NullKey { column, row }) => assert_eq!((column.as_str(), row), ("key", 1)),
        other => panic!("expected NullKey, got {other:?}"),
    }
    assert_eq!(w.rows(), 6);
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "errors").unwrap();
    let keys = StringArray::from(vec!["a", "b", "c", "d", "e", "f"]);
    let p = seg.get_partial(&keys, &["score", "emb"]).unwrap();
    let present: Vec<(bool, bool)> = (0..6).map(|k| (p.present(0, k), p.present(1, k))).collect();
    assert_eq!(
        present,
        [
            (true, true),
            (false, true),
            (true, false),
            (true, true),
            (false, false),
            (false, false)
        ]
    );
    assert_eq!(p.tombstone_mask(), [false, false, false, false, true, true]);
    // The schema says non-nullable: cells that are not written read as null all the same.
    assert_eq!(p.batch().column(0).null_count(), 3);
    assert_eq!(p.batch().column(1).null_count(), 3);
    // The footer keeps the table's declaration.
    assert!(!seg.schema().field_with_name("score").unwrap().is_nullable());
}

#[test]
fn row_level_reads_check_rows_and_columns() {
    let mut w = SegmentWriter::new(schema(), "key").unwrap();
    let b = abc();
    // Row 1 (null score) is a tombstone, row 2 (null element) does not write `emb`.
    let tomb = BooleanBuffer::from(vec![false, true, false]);
    w.push_partial(&b, &[None, bits([true, true, false])], Some(&tomb))
        .unwrap();
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "rows").unwrap();
    assert!(seg.is_tombstone(1).unwrap());
    assert!(!seg.is_tombstone(0).unwrap());
    assert!(!seg.is_present("key", 1).unwrap());
    assert!(!seg.is_present("score", 1).unwrap());
    assert!(seg.is_present("key", 0).unwrap());
    assert!(seg.is_present("score", 2).unwrap());
    assert!(!seg.is_present("emb", 2).unwrap());
    for row in [3, u32::MAX] {
        assert!(matches!(
            seg.is_tombstone(row),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            seg.is_present("score", row),
            Err(Error::LimitExceeded(_))
        ));
        assert!(matches!(
            seg.take(&[Some(row)], &["score"]),
            Err(Error::LimitExceeded(_))
        ));
    }
    match seg.is_present("nope", 0) {
        Err(Error::UnknownColumn { column, container }) => {
            assert_eq!(column, "nope");
            assert!(container.contains("rows"));
        }
        other => panic!("expected UnknownColumn, got {other:?}"),
    }
    assert!(matches!(
        seg.get_partial(&StringArray::from(vec!["a"]), &["nope"]),
        Err(Error::UnknownColumn { .. })
    ));
    assert!(matches!(
        seg.get_partial(&arrow_array::Int64Array::from(vec![1]), &["score"]),
        Err(Error::KeyTypeMismatch { .. })
    ));
    // An empty segment: every row is past the end.
    let empty = SegmentWriter::new(schema(), "key").unwrap();
    let seg = Segment::from_bytes(empty.finish_to_vec().unwrap(), "empty").unwrap();
    assert!(!seg.has_partial_rows());
    assert!(seg.is_tombstone(0).is_err());
    let p = seg
        .get_partial(&StringArray::from(vec!["a"]), &["score"])
        .unwrap();
    assert!(p.complete() && !p.found(0) && !p.present(0, 0) && p.len() == 1);
}
