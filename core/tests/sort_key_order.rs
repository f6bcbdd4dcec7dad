//! `SortKey`'s order is the order in which a segment stores its keys, for every key type:
//! int64 (negatives included), uint64 (past `i64::MAX` included) and utf8 (bytewise: the
//! empty string, upper before lower case, non-ASCII last). And `first_key` / `last_key`
//! are the segment's smallest and largest keys, `None` when it is empty.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{Field, Schema};
use murr_core::segment::{Segment, SegmentWriter, SortKey};
use proptest::prelude::*;

/// Writes `keys` (in the given order) as a segment; returns its keys in stored order, and
/// the segment.
fn stored(keys: ArrayRef) -> (Vec<SortKey>, Segment) {
    let schema = Arc::new(Schema::new(vec![Field::new(
        "key",
        keys.data_type().clone(),
        false,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![keys]).unwrap();
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push(&batch).unwrap();
    let seg = Segment::from_bytes(w.finish_to_vec().unwrap(), "keys").unwrap();
    let back = seg.keys().unwrap();
    let keys = (0..back.len())
        .map(|i| SortKey::of(back.as_ref(), i).unwrap().unwrap())
        .collect();
    (keys, seg)
}

/// The stored order equals `SortKey`'s order of the same keys, and the bounds are right.
fn check(keys: ArrayRef) {
    let mut want: Vec<SortKey> = (0..keys.len())
        .map(|i| SortKey::of(keys.as_ref(), i).unwrap().unwrap())
        .collect();
    want.sort();
    want.dedup();
    let (got, seg) = stored(keys);
    assert_eq!(got, want);
    assert_eq!(seg.first_key().unwrap(), want.first().cloned());
    assert_eq!(seg.last_key().unwrap(), want.last().cloned());
}

#[test]
fn fixed_edge_keys() {
    check(Arc::new(Int64Array::from(vec![
        0,
        -1,
        i64::MIN,
        i64::MAX,
        1,
        -1_000_000,
    ])));
    check(Arc::new(UInt64Array::from(vec![
        0,
        u64::MAX,
        1 << 63,
        (1 << 63) - 1,
        7,
    ])));
    check(Arc::new(StringArray::from(vec![
        "b", "", "a", "B", "é", "e", "z", "ab", "a\u{0}", "日本", "Ω", "\u{7f}",
    ])));
    let bytes = |s: &str| SortKey::Utf8(s.as_bytes().into());
    assert!(bytes("") < bytes("A") && bytes("Z") < bytes("a") && bytes("z") < bytes("é"));
    assert!(SortKey::Int64(-5) < SortKey::Int64(3));
    assert!(SortKey::UInt64(3) < SortKey::UInt64(1 << 63));
}

#[test]
fn empty_segment_has_no_bounds() {
    let (keys, seg) = stored(Arc::new(Int64Array::from(Vec::<i64>::new())));
    assert!(keys.is_empty());
    assert_eq!(seg.first_key().unwrap(), None);
    assert_eq!(seg.last_key().unwrap(), None);
}

#[test]
fn sort_key_of_other_arrays() {
    use arrow_array::{LargeStringArray, StringViewArray};
    let want = Some(SortKey::Utf8(b"x".as_slice().into()));
    assert_eq!(
        SortKey::of(&LargeStringArray::from(vec!["x"]), 0).unwrap(),
        want
    );
    assert_eq!(
        SortKey::of(&StringViewArray::from(vec!["x"]), 0).unwrap(),
        want
    );
    assert_eq!(SortKey::of(&Int64Array::from(vec![None]), 0).unwrap(), None);
    assert!(SortKey::of(&Int64Array::from(vec![1]), 1).is_err());
    let floats = arrow_array::Float32Array::from(vec![1.0]);
    assert!(SortKey::of(&floats, 0).is_err());
}

proptest! {
    #[test]
    fn int64_order(keys in prop::collection::vec(any::<i64>(), 1..200)) {
        check(Arc::new(Int64Array::from(keys)));
    }

    #[test]
    fn uint64_order(keys in prop::collection::vec(any::<u64>(), 1..200)) {
        check(Arc::new(UInt64Array::from(keys)));
    }

    #[test]
    fn utf8_order(keys in prop::collection::vec(".{0,6}", 1..200)) {
        check(Arc::new(StringArray::from(keys)));
    }
}
