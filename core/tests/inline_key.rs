//! Keys in the first row group (format version 3): short utf8 keys inline (a length byte,
//! the bytes, zeros), integer keys as 8 bytes; what the writer chooses, that every read
//! gives the keys and values back, and that a damaged inline key is an error, never a
//! wrong answer or a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod segment_util;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use murr_core::Error;
use murr_core::segment::layout::{INLINE_KEY_MAX, NONE, Storage};
use murr_core::segment::{Segment, SegmentWriter, SortKey};
use segment_util::split;

const NAME: &str = "inline.murr";

/// A segment of `keys` (utf8) with a nullable float32 `v` (row i: i, null when i % 3 == 2)
/// and `others` more columns: "emb" (a float32 embedding of 2) and "label" (utf8).
fn segment(keys: &[String], others: bool) -> Vec<u8> {
    let mut fields = vec![Field::new("key", DataType::Utf8, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(keys))];
    let n = keys.len();
    fields.push(Field::new("v", DataType::Float32, true));
    columns.push(Arc::new(Float32Array::from_iter(
        (0..n).map(|i| (i % 3 != 2).then_some(i as f32)),
    )));
    if others {
        let item = Arc::new(Field::new("item", DataType::Float32, true));
        fields.push(Field::new("emb", DataType::FixedSizeList(item, 2), false));
        columns.push(Arc::new(FixedSizeListArray::from_iter_primitive::<
            Float32Type,
            _,
            _,
        >(
            (0..n).map(|i| Some([Some(i as f32), Some(-(i as f32))])),
            2,
        )));
        fields.push(Field::new("label", DataType::Utf8, false));
        columns.push(Arc::new(StringArray::from_iter_values(
            (0..n).map(|i| format!("label {i}")),
        )));
    }
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap();
    let mut w = SegmentWriter::new(batch.schema(), "key")
        .unwrap()
        .with_page_size(512)
        .unwrap();
    w.push(&batch).unwrap();
    w.finish_to_vec().unwrap()
}

/// Keys of every length from 0 to `longest`, plus keys that differ only in NUL bytes at
/// the end and a multi-byte one.
fn keys(longest: usize) -> Vec<String> {
    let mut keys: Vec<String> = (0..=longest).map(|n| "k".repeat(n)).collect();
    keys.extend(["a".into(), "a\0".into(), "a\0\0".into(), "☃é".into()]);
    keys
}

/// Every key reads back with its own row's values, in every way a segment is read.
fn check_reads(bytes: Vec<u8>, keys: &[String], others: bool) {
    let seg = Segment::from_bytes(bytes, NAME).unwrap();
    seg.verify().unwrap();
    let mut sorted = keys.to_vec();
    sorted.sort();
    let stored = seg.keys().unwrap();
    let stored: Vec<&str> = stored.as_string::<i32>().iter().flatten().collect();
    assert_eq!(stored, sorted);

    let mut asked: Vec<String> = keys.to_vec();
    asked.extend([
        "absent".into(),
        "a\0\0\0".into(),
        "k".repeat(INLINE_KEY_MAX + 5),
    ]);
    let query = StringArray::from_iter_values(&asked);
    let columns: &[&str] = if others {
        &["key", "v", "emb", "label"]
    } else {
        &["key", "v"]
    };
    let (batch, found) = seg.get(&query, columns).unwrap();
    let n = keys.len();
    assert_eq!(found, [vec![true; n], vec![false; 3]].concat());
    let key = batch.column(0).as_string::<i32>();
    let v = batch.column(1).as_primitive::<Float32Type>();
    for (i, want) in keys.iter().enumerate() {
        assert_eq!(key.value(i), want);
        assert_eq!(v.is_valid(i), i % 3 != 2, "key {want:?}");
        if i % 3 != 2 {
            assert_eq!(v.value(i), i as f32, "key {want:?}");
        }
        if others {
            let label = batch.column(3).as_string::<i32>();
            assert_eq!(label.value(i), format!("label {i}"));
        }
    }
    assert_eq!(key.null_count(), 3);

    let rows = seg.find(&query).unwrap();
    assert_eq!(seg.take(&rows, columns).unwrap(), batch);
    for (k, want) in [
        (seg.first_key(), &sorted[0]),
        (seg.last_key(), &sorted[n - 1]),
    ] {
        assert_eq!(k.unwrap(), Some(SortKey::Utf8(want.as_bytes().into())));
    }
}

#[test]
fn keys_up_to_the_limit_are_inline_in_the_first_row_group() {
    for others in [false, true] {
        let keys = keys(INLINE_KEY_MAX);
        let bytes = segment(&keys, others);
        let footer = split(&bytes).footer;
        // The longest key and its length byte, rounded up to 4; after `v`'s validity byte.
        assert_eq!(
            footer.key.storage,
            Storage::Fixed {
                group: 0,
                offset: 1,
                width: 32,
                validity_bit: NONE
            }
        );
        assert_eq!(footer.groups[0].stride, 1 + 32 + 4);
        check_reads(bytes, &keys, others);
    }
}

#[test]
fn a_longer_key_keeps_every_key_in_offsets_and_data() {
    let keys = keys(INLINE_KEY_MAX + 1);
    let bytes = segment(&keys, true);
    let footer = split(&bytes).footer;
    assert!(matches!(footer.key.storage, Storage::Variable { .. }));
    assert_eq!(footer.groups[0].stride, 1 + 4);
    check_reads(bytes, &keys, true);
}

#[test]
fn keys_alone_get_a_row_group_of_their_own() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["b", "", "abc"])) as ArrayRef,
            Arc::new(StringArray::from(vec![Some("x"), None, Some("z")])),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push(&batch).unwrap();
    let bytes = w.finish_to_vec().unwrap();
    let footer = split(&bytes).footer;
    assert_eq!(footer.groups.len(), 1);
    assert_eq!(footer.groups[0].stride, 4);
    assert!(matches!(
        footer.key.storage,
        Storage::Fixed {
            group: 0,
            offset: 0,
            width: 4,
            ..
        }
    ));
    let seg = Segment::from_bytes(bytes, NAME).unwrap();
    let (got, found) = seg
        .get(&StringArray::from(vec!["abc", "", "ab"]), &["label"])
        .unwrap();
    assert_eq!(found, [true, true, false]);
    let label = got.column(0).as_string::<i32>();
    assert_eq!(label.iter().collect::<Vec<_>>(), [Some("z"), None, None]);
}

#[test]
fn integer_keys_share_the_first_row_group() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("v", DataType::Float32, false),
    ]));
    let ids = [7i64, i64::MIN, -1, i64::MAX];
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(ids.to_vec())) as ArrayRef,
            Arc::new(Float32Array::from(vec![1.0, 2.0, 3.0, 4.0])),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "id").unwrap();
    w.push(&batch).unwrap();
    let bytes = w.finish_to_vec().unwrap();
    let footer = split(&bytes).footer;
    assert_eq!(footer.groups.len(), 1);
    assert_eq!(footer.groups[0].stride, 12);
    assert!(matches!(
        footer.key.storage,
        Storage::Fixed {
            group: 0,
            offset: 0,
            width: 8,
            ..
        }
    ));
    let seg = Segment::from_bytes(bytes, NAME).unwrap();
    let (got, found) = seg
        .get(&Int64Array::from(vec![-1, 0, i64::MAX]), &["id", "v"])
        .unwrap();
    assert_eq!(found, [true, false, true]);
    let v = got.column(1).as_primitive::<Float32Type>();
    assert_eq!(v.iter().collect::<Vec<_>>(), [Some(3.0), None, Some(4.0)]);
}

fn assert_corrupt(what: &str, r: murr_core::Result<impl std::fmt::Debug>) {
    match r {
        Err(Error::Corrupt { file, .. }) => assert_eq!(file, NAME, "{what}"),
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    }
}

#[test]
fn a_length_byte_beyond_the_width_is_an_error_on_read() {
    let keys = keys(10);
    let bytes = segment(&keys, true);
    let parts = split(&bytes);
    let Storage::Fixed {
        group,
        offset,
        width,
        ..
    } = parts.footer.key.storage
    else {
        panic!("not inline");
    };
    let stride = parts.footer.groups[group as usize].stride as usize;
    let section = parts.footer.groups[group as usize].section;
    // Row 0 holds the smallest key, "" (length 0); row 1 "a".
    for (row, len) in [(0usize, width), (1, width), (1, 255)] {
        let mut p = parts.clone();
        p.section_mut(section)[row * stride + offset as usize] = len as u8;
        let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
        let key = if row == 0 { "" } else { "a" };
        let what = format!("row {row} length {len}");
        assert_corrupt(&what, seg.get(&StringArray::from(vec![key]), &["v"]));
        assert_corrupt(&what, seg.find(&StringArray::from(vec![key])));
        assert_corrupt(&what, seg.keys());
        seg.verify().unwrap();
        // Other keys still read.
        let (_, found) = seg.get(&StringArray::from(vec!["kkk"]), &["v"]).unwrap();
        assert_eq!(found, [true]);
    }
}

#[test]
fn bad_inline_footers_are_rejected_at_open() {
    let bytes = segment(&keys(10), false);
    let parts = split(&bytes);
    let set_width = |w: u32| {
        let mut p = parts.clone();
        if let Storage::Fixed { width, .. } = &mut p.footer.key.storage {
            *width = w;
        }
        p.seal()
    };
    for w in [0, 257, u32::MAX] {
        assert_corrupt(
            &format!("width {w}"),
            Segment::from_bytes(set_width(w), NAME),
        );
    }
    // Wider than the row.
    assert_corrupt("width 64", Segment::from_bytes(set_width(64), NAME));
    // The key in validity bytes.
    let mut p = parts.clone();
    if let Storage::Fixed { offset, .. } = &mut p.footer.key.storage {
        *offset = 0;
    }
    assert_corrupt("offset 0", Segment::from_bytes(p.seal(), NAME));
    // A key with a validity bit.
    let mut p = parts.clone();
    if let Storage::Fixed { validity_bit, .. } = &mut p.footer.key.storage {
        *validity_bit = 0;
    }
    assert_corrupt("validity bit", Segment::from_bytes(p.seal(), NAME));
    // Versions 1 and 2 know no inline keys.
    for version in [1u8, 2] {
        let mut p = parts.clone();
        p.body[8] = version;
        let sealed = p.seal_with(|_, t| t[8] = version);
        assert_corrupt(
            &format!("version {version}"),
            Segment::from_bytes(sealed, NAME),
        );
    }
}
