//! Misuse at the API gives the documented error variant, naming what is wrong, and leaves
//! the writer usable: unknown columns, key type mismatches, null keys, nulls where none are
//! allowed, unsupported types and key types, batches of another schema, bad page sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{
    ArrayRef, FixedSizeListArray, Float32Array, Int32Array, Int64Array, RecordBatch, StringArray,
    UInt64Array,
};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use murr_core::Error;
use murr_core::segment::{Segment, SegmentWriter};

fn schema(key_nullable: bool, score_nullable: bool) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, key_nullable),
        Field::new("score", DataType::Float32, score_nullable),
    ]))
}

fn batch(schema: SchemaRef, keys: Vec<Option<&str>>, scores: Vec<Option<f32>>) -> RecordBatch {
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(keys)),
            Arc::new(Float32Array::from(scores)),
        ],
    )
    .unwrap()
}

fn segment() -> Segment {
    let s = schema(false, true);
    let mut w = SegmentWriter::new(s.clone(), "key").unwrap();
    w.push(&batch(s, vec![Some("a"), Some("b")], vec![Some(1.0), None]))
        .unwrap();
    Segment::from_bytes(w.finish_to_vec().unwrap(), "errors-test").unwrap()
}

fn int_segment() -> Segment {
    let s = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("v", DataType::Int32, false),
    ]));
    let b = RecordBatch::try_new(
        s.clone(),
        vec![
            Arc::new(Int64Array::from(vec![1, -1])),
            Arc::new(Int32Array::from(vec![10, 20])),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(s, "id").unwrap();
    w.push(&b).unwrap();
    Segment::from_bytes(w.finish_to_vec().unwrap(), "int-segment").unwrap()
}

#[test]
fn unknown_column() {
    let seg = segment();
    let keys = StringArray::from(vec!["a"]);
    let err = seg.get(&keys, &["score", "nope"]).unwrap_err();
    match &err {
        Error::UnknownColumn { column, container } => {
            assert_eq!(column, "nope");
            assert!(container.contains("errors-test"), "{container}");
        }
        other => panic!("expected UnknownColumn, got {other:?}"),
    }
    assert!(err.to_string().contains("'nope'"), "{err}");
    assert!(matches!(
        seg.take(&[Some(0)], &["nope"]),
        Err(Error::UnknownColumn { .. })
    ));
    // A writer keyed by a column the schema lacks.
    match SegmentWriter::new(schema(false, true), "id") {
        Err(Error::UnknownColumn { column, .. }) => assert_eq!(column, "id"),
        other => panic!("expected UnknownColumn, got {other:?}"),
    }
}

#[test]
fn key_type_mismatch() {
    let seg = segment();
    let ints = Int64Array::from(vec![1]);
    for result in [
        seg.get(&ints, &["score"]).map(|_| ()),
        seg.find(&ints).map(|_| ()),
    ] {
        match result {
            Err(Error::KeyTypeMismatch {
                column,
                expected,
                found,
            }) => {
                assert_eq!(column, "key");
                assert_eq!(expected, DataType::Utf8);
                assert_eq!(found, DataType::Int64);
            }
            other => panic!("expected KeyTypeMismatch, got {other:?}"),
        }
    }
    let seg = int_segment();
    let strings: ArrayRef = Arc::new(StringArray::from(vec!["1"]));
    let unsigned: ArrayRef = Arc::new(UInt64Array::from(vec![1]));
    let narrow: ArrayRef = Arc::new(Int32Array::from(vec![1]));
    for keys in [strings, unsigned, narrow] {
        let err = seg.get(keys.as_ref(), &["v"]).unwrap_err();
        assert!(
            matches!(&err, Error::KeyTypeMismatch { column, expected: DataType::Int64, .. } if column == "id"),
            "{err:?}"
        );
        assert!(err.to_string().contains("'id'"), "{err}");
    }
}

#[test]
fn null_query_keys_find_nothing() {
    let seg = segment();
    let keys = StringArray::from(vec![None, Some("a"), None]);
    let (batch, found) = seg.get(&keys, &["score", "key"]).unwrap();
    assert_eq!(found, vec![false, true, false]);
    assert_eq!(batch.column(1).null_count(), 2);
    assert_eq!(seg.find(&keys).unwrap(), vec![None, Some(0), None]);
}

#[test]
fn row_past_the_end() {
    let seg = segment();
    assert!(matches!(
        seg.take(&[Some(0), Some(2)], &["score"]),
        Err(Error::LimitExceeded(_))
    ));
}

#[test]
fn null_key() {
    let s = schema(true, true);
    let mut w = SegmentWriter::new(s.clone(), "key").unwrap();
    let bad = batch(
        s.clone(),
        vec![Some("a"), Some("b"), None],
        vec![Some(1.0), Some(2.0), Some(3.0)],
    );
    match w.push(&bad) {
        Err(Error::NullKey { column, row }) => {
            assert_eq!(column, "key");
            assert_eq!(row, 2);
        }
        other => panic!("expected NullKey, got {other:?}"),
    }
    // The bad batch is not kept; the writer goes on.
    assert_eq!(w.rows(), 0);
    w.push(&batch(s, vec![Some("c")], vec![Some(4.0)])).unwrap();
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "after").unwrap();
    assert_eq!(seg.row_count(), 1);
}

#[test]
fn nulls_in_a_non_nullable_column() {
    let mut w = SegmentWriter::new(schema(false, false), "key").unwrap();
    // The batch's own schema allows the nulls; the writer's does not.
    let bad = batch(
        schema(false, true),
        vec![Some("a"), Some("b")],
        vec![Some(1.0), None],
    );
    match w.push(&bad) {
        Err(Error::SchemaMismatch(msg)) => assert!(msg.contains("'score'"), "{msg}"),
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
    // Declared nullable, but without nulls: accepted.
    let good = batch(schema(false, true), vec![Some("a")], vec![Some(1.0)]);
    w.push(&good).unwrap();
    assert_eq!(w.rows(), 1);
}

#[test]
fn null_elements_in_an_embedding() {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let s = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("emb", DataType::FixedSizeList(item, 2), true),
    ]));
    let emb = FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
        vec![Some(vec![Some(1.0), None]), None],
        2,
    );
    let b = RecordBatch::try_new(
        s.clone(),
        vec![Arc::new(StringArray::from(vec!["a", "b"])), Arc::new(emb)],
    )
    .unwrap();
    let mut w = SegmentWriter::new(s, "key").unwrap();
    match w.push(&b) {
        Err(Error::SchemaMismatch(msg)) => assert!(msg.contains("'emb'"), "{msg}"),
        other => panic!("expected SchemaMismatch, got {other:?}"),
    }
}

#[test]
fn unsupported_types() {
    let list = |t: DataType| DataType::List(Arc::new(Field::new("item", t, true)));
    let fsl =
        |t: DataType, n: i32| DataType::FixedSizeList(Arc::new(Field::new("item", t, true)), n);
    for data_type in [
        list(DataType::Int32),
        DataType::LargeUtf8,
        DataType::Utf8View,
        DataType::LargeBinary,
        DataType::FixedSizeBinary(4),
        DataType::Date64,
        DataType::Time32(TimeUnit::Second),
        DataType::Duration(TimeUnit::Second),
        DataType::Decimal128(10, 2),
        DataType::Null,
        DataType::Struct(Fields::from(vec![Field::new("a", DataType::Int32, true)])),
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        fsl(DataType::Int32, 4),
        fsl(DataType::Float64, 4),
        fsl(DataType::Float32, 0),
        fsl(DataType::Float32, (1 << 20) + 1),
    ] {
        let s = Arc::new(Schema::new(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("col", data_type.clone(), true),
        ]));
        match SegmentWriter::new(s, "key") {
            Err(err @ Error::UnsupportedType { .. }) => {
                let Error::UnsupportedType {
                    column,
                    data_type: found,
                } = &err
                else {
                    unreachable!()
                };
                assert_eq!(column, "col");
                assert_eq!(found, &data_type);
                assert!(err.to_string().contains("'col'"), "{err}");
            }
            other => panic!("{data_type}: expected UnsupportedType, got {other:?}"),
        }
    }
    // The largest embedding is fine.
    let s = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("col", fsl(DataType::Int8, 1 << 20), true),
    ]));
    SegmentWriter::new(s, "key").unwrap();
}

#[test]
fn unsupported_key_types() {
    for data_type in [
        DataType::Float32,
        DataType::Float64,
        DataType::Int32,
        DataType::UInt32,
        DataType::Binary,
        DataType::Boolean,
        DataType::Date32,
    ] {
        let s = Arc::new(Schema::new(vec![
            Field::new("k", data_type.clone(), false),
            Field::new("v", DataType::Int32, true),
        ]));
        match SegmentWriter::new(s, "k") {
            Err(Error::UnsupportedKeyType {
                column,
                data_type: found,
            }) => {
                assert_eq!(column, "k");
                assert_eq!(found, data_type);
            }
            other => panic!("{data_type}: expected UnsupportedKeyType, got {other:?}"),
        }
    }
    // A key of a type that cannot be stored at all says so.
    let s = Arc::new(Schema::new(vec![Field::new(
        "k",
        DataType::LargeUtf8,
        false,
    )]));
    assert!(matches!(
        SegmentWriter::new(s, "k"),
        Err(Error::UnsupportedType { .. })
    ));
}

#[test]
fn batch_of_another_schema() {
    let mut w = SegmentWriter::new(schema(false, true), "key").unwrap();
    let keys: ArrayRef = Arc::new(StringArray::from(vec!["a"]));
    let others: Vec<(Vec<Field>, Vec<ArrayRef>)> = vec![
        // Another column name.
        (
            vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("points", DataType::Float32, true),
            ],
            vec![keys.clone(), Arc::new(Float32Array::from(vec![1.0]))],
        ),
        // Another type.
        (
            vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("score", DataType::Int32, true),
            ],
            vec![keys.clone(), Arc::new(Int32Array::from(vec![1]))],
        ),
        // A column too few.
        (
            vec![Field::new("key", DataType::Utf8, false)],
            vec![keys.clone()],
        ),
        // A column too many.
        (
            vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("score", DataType::Float32, true),
                Field::new("more", DataType::Float32, true),
            ],
            vec![
                keys.clone(),
                Arc::new(Float32Array::from(vec![1.0])),
                Arc::new(Float32Array::from(vec![2.0])),
            ],
        ),
        // The same columns in another order.
        (
            vec![
                Field::new("score", DataType::Float32, true),
                Field::new("key", DataType::Utf8, false),
            ],
            vec![Arc::new(Float32Array::from(vec![1.0])), keys.clone()],
        ),
    ];
    for (fields, arrays) in others {
        let b = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap();
        assert!(
            matches!(w.push(&b), Err(Error::SchemaMismatch(_))),
            "{:?}",
            b.schema()
        );
    }
    assert_eq!(w.rows(), 0);
}

#[test]
fn bad_schemas() {
    let dup = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("v", DataType::Int32, true),
        Field::new("v", DataType::Int32, true),
    ]));
    assert!(matches!(
        SegmentWriter::new(dup, "key"),
        Err(Error::SchemaMismatch(_))
    ));
    let empty_name = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("", DataType::Int32, true),
    ]));
    assert!(matches!(
        SegmentWriter::new(empty_name, "key"),
        Err(Error::SchemaMismatch(_))
    ));
}

#[test]
fn bad_page_sizes() {
    for bytes in [0, 1, 256, 1000, 4097, 1 << 25, u32::MAX] {
        let w = SegmentWriter::new(schema(false, true), "key").unwrap();
        assert!(
            matches!(w.with_page_size(bytes), Err(Error::LimitExceeded(_))),
            "{bytes}"
        );
    }
    for bytes in [512, 4096, 1 << 24] {
        let w = SegmentWriter::new(schema(false, true), "key").unwrap();
        w.with_page_size(bytes).unwrap();
    }
}

/// Names and time zones longer than the format's u16 length prefix are refused, not cut.
#[test]
fn over_long_type_strings_are_refused() {
    use arrow_schema::{DataType, Field, TimeUnit};
    use murr_core::types::ColumnType;
    let long: std::sync::Arc<str> = "x".repeat(70_000).into();
    let ts = DataType::Timestamp(TimeUnit::Second, Some(long.clone()));
    assert!(matches!(
        ColumnType::from_arrow("t", &ts),
        Err(murr_core::Error::UnsupportedType { .. })
    ));
    let item = std::sync::Arc::new(Field::new(long.as_ref(), DataType::Float32, false));
    let emb = DataType::FixedSizeList(item, 4);
    assert!(matches!(
        ColumnType::from_arrow("e", &emb),
        Err(murr_core::Error::UnsupportedType { .. })
    ));
}
