//! A write the memtable refuses (unknown column, wrong type, repeated column, missing or
//! null key, keys of the wrong type) returns an error naming what is wrong and leaves the
//! memtable exactly as it was; so do reads asking for a column that does not exist.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use memtable_util::{ALL, Kt, batch, column_array, column_field};
use murr_core::Error;
use murr_core::memtable::{KeyState, Memtable};

fn snapshot(kt: Kt, mem: &Memtable) -> (usize, usize, u64, usize) {
    (
        mem.len(),
        mem.approx_bytes(),
        mem.max_seq(),
        memtable_util::merged(kt, mem, u64::MAX).len(),
    )
}

fn raw(fields: Vec<Field>, arrays: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

#[test]
fn refused_writes_change_nothing() {
    for kt in ALL {
        let mem = kt.memtable();
        mem.insert(1, &batch(kt, &[(0, [Some(1), None, None])], &[1], 0))
            .unwrap();
        let before = snapshot(kt, &mem);
        let key = || Field::new("k", kt.data_type(), true);
        let keys = || kt.keys(&[1, 2]);
        let wrong_key = || -> ArrayRef {
            match kt {
                Kt::Utf8 => Arc::new(Int64Array::from(vec![1, 2])),
                _ => Arc::new(StringArray::from(vec!["x", "y"])),
            }
        };

        let cases: Vec<(&str, RecordBatch)> = vec![
            (
                "unknown column",
                raw(
                    vec![
                        key(),
                        column_field(1),
                        Field::new("zzz", DataType::Int64, true),
                    ],
                    vec![
                        keys(),
                        column_array(1, &[Some(1), Some(2)]),
                        column_array(1, &[None, None]),
                    ],
                ),
            ),
            (
                "wrong type",
                raw(
                    vec![key(), Field::new("c", DataType::Float32, true)],
                    vec![keys(), Arc::new(Float32Array::from(vec![1.0, 2.0]))],
                ),
            ),
            (
                "repeated column",
                raw(
                    vec![key(), column_field(1), column_field(1)],
                    vec![
                        keys(),
                        column_array(1, &[Some(1), None]),
                        column_array(1, &[None, None]),
                    ],
                ),
            ),
            (
                "no key",
                raw(
                    vec![column_field(1)],
                    vec![column_array(1, &[Some(1), Some(2)])],
                ),
            ),
            (
                "null key",
                raw(
                    vec![key(), column_field(1)],
                    vec![
                        arrow_select::concat::concat(&[
                            keys().as_ref(),
                            arrow_array::new_null_array(&kt.data_type(), 1).as_ref(),
                        ])
                        .unwrap(),
                        column_array(1, &[Some(1), Some(2), Some(3)]),
                    ],
                ),
            ),
            (
                "key of the wrong type",
                raw(
                    vec![
                        Field::new("k", wrong_key().data_type().clone(), true),
                        column_field(1),
                    ],
                    vec![wrong_key(), column_array(1, &[Some(1), Some(2)])],
                ),
            ),
        ];
        for (what, bad) in cases {
            let err = mem.insert(2, &bad).expect_err(what);
            let msg = err.to_string();
            match what {
                "unknown column" => {
                    assert!(matches!(err, Error::UnknownColumn { .. }) && msg.contains("zzz"))
                }
                "null key" => assert!(matches!(err, Error::NullKey { row: 2, .. }), "{msg}"),
                _ => assert!(matches!(err, Error::SchemaMismatch(_)), "{what}: {msg}"),
            }
            assert!(msg.contains('t'), "{msg}");
            assert_eq!(
                snapshot(kt, &mem),
                before,
                "{kt:?}: {what} changed the memtable"
            );
        }

        // Deletes with a null key or keys of the wrong type.
        let null_keys = arrow_select::concat::concat(&[
            kt.keys(&[0]).as_ref(),
            arrow_array::new_null_array(&kt.data_type(), 1).as_ref(),
        ])
        .unwrap();
        assert!(matches!(
            mem.delete(3, null_keys.as_ref()),
            Err(Error::NullKey { row: 1, .. })
        ));
        assert!(matches!(
            mem.delete(3, wrong_key().as_ref()),
            Err(Error::KeyTypeMismatch { .. })
        ));
        assert_eq!(snapshot(kt, &mem), before);

        // Reads of a column that does not exist, or with keys of the wrong type.
        assert!(matches!(
            mem.get(kt.keys(&[0]).as_ref(), &[1, 4], 9),
            Err(Error::UnknownColumn { .. })
        ));
        assert!(matches!(
            mem.get(wrong_key().as_ref(), &[1], 9),
            Err(Error::KeyTypeMismatch { .. })
        ));

        let lookup = mem.get(kt.keys(&[0, 1]).as_ref(), &[1], 9).unwrap();
        assert_eq!(lookup.state(0), KeyState::Live);
        assert_eq!(
            lookup.state(1),
            KeyState::Absent,
            "{kt:?}: a refused write leaked"
        );
    }
}

#[test]
fn bad_schemas_are_refused() {
    let f = |t: DataType| Field::new("k", t, false);
    let schema = |fields: Vec<Field>| Arc::new(Schema::new(fields));
    assert!(matches!(
        Memtable::new("t", schema(vec![f(DataType::Int32)]), "k"),
        Err(Error::UnsupportedKeyType { .. })
    ));
    assert!(matches!(
        Memtable::new("t", schema(vec![f(DataType::Int64)]), "id"),
        Err(Error::UnknownColumn { .. })
    ));
    assert!(matches!(
        Memtable::new(
            "t",
            schema(vec![
                f(DataType::Int64),
                Field::new("x", DataType::Null, true)
            ]),
            "k"
        ),
        Err(Error::UnsupportedType { .. })
    ));
    assert!(matches!(
        Memtable::new(
            "t",
            schema(vec![f(DataType::UInt64), f(DataType::UInt64)]),
            "k"
        ),
        Err(Error::SchemaMismatch(_))
    ));
    // An empty batch is fine and writes nothing.
    let mem = Memtable::new("t", schema(vec![f(DataType::UInt64)]), "k").unwrap();
    let empty = RecordBatch::try_new(
        mem.schema().clone(),
        vec![Arc::new(UInt64Array::from(Vec::<u64>::new()))],
    )
    .unwrap();
    mem.insert(1, &empty).unwrap();
    assert!(mem.is_empty());
}
