//! A first end-to-end check of the canonical table through a segment.
#![allow(clippy::unwrap_used)]

use arrow_array::{Array, StringArray, cast::AsArray, types::Float32Type};
use murr_core::segment::{Segment, SegmentWriter};
use murr_workload as workload;

#[test]
fn canonical_roundtrip() {
    let mut w = SegmentWriter::new(workload::schema(10), "key").unwrap();
    for b in 0..3 {
        w.push(&workload::batch(b * 1000, 1000, 10).unwrap())
            .unwrap();
    }
    let bytes = w.finish_to_vec().unwrap();
    let seg = Segment::from_bytes(bytes, "mem").unwrap();
    assert_eq!(seg.row_count(), 3000);
    seg.verify().unwrap();
    let keys = StringArray::from(vec!["doc_5", "nope", "doc_2999", "doc_0"]);
    let (batch, found) = seg.get(&keys, &["f3", "key", "f0"]).unwrap();
    assert_eq!(found, vec![true, false, true, true]);
    let f3 = batch.column(0).as_primitive::<Float32Type>();
    assert_eq!(f3.value(0), workload::value(5, 3));
    assert!(f3.is_null(1));
    assert_eq!(f3.value(2), workload::value(2999, 3));
    assert_eq!(batch.column(1).as_string::<i32>().value(3), "doc_0");
    assert_eq!(seg.keys().unwrap().len(), 3000);
}
