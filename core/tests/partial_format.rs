//! The partial-rows example of `docs/FORMAT.md` (§7.4), byte for byte: sections, bitmaps,
//! the partial-rows block at the end of the footer, and what a read returns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{Array, ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema};
use murr_core::segment::layout::{Footer, NONE, SectionKind, Storage, TRAILER_LEN};
use murr_core::segment::{Segment, SegmentWriter};

/// Keys `c a b d`; `b` a tombstone; `c` writes neither column; `d` does not write `tag`.
fn example() -> Vec<u8> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, false),
        Field::new("tag", DataType::Utf8, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["c", "a", "b", "d"])) as ArrayRef,
            Arc::new(Float32Array::from(vec![1.0, 2.0, 3.0, 4.0])),
            Arc::new(StringArray::from(vec![
                Some("x"),
                Some("yy"),
                Some("z"),
                None,
            ])),
        ],
    )
    .unwrap();
    let present = [
        Some(BooleanBuffer::from(vec![false, true, true, true])),
        Some(BooleanBuffer::from(vec![false, true, true, false])),
    ];
    let tombstones = BooleanBuffer::from(vec![false, false, true, false]);
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push_partial(&batch, &present, Some(&tombstones)).unwrap();
    w.finish_to_vec().unwrap()
}

#[test]
fn the_partial_rows_example_of_format_md() {
    let bytes = example();
    let t = bytes.len() - TRAILER_LEN;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let (offset, len) = (u64_at(t + 16) as usize, u64_at(t + 24) as usize);
    assert_eq!(&bytes[8..12], &3u32.to_le_bytes());
    assert_eq!(&bytes[t + 8..t + 12], &3u32.to_le_bytes());
    let footer = Footer::decode(&bytes[offset..offset + len], 3, offset as u64, "ex").unwrap();
    assert_eq!(footer.body_len, 576);

    use SectionKind::*;
    let want = [
        (Index, 64, 48),
        (FixedGroup, 128, 36),
        (Validity, 192, 1),
        (Offsets, 256, 40),
        (Data, 320, 2),
        (Tombstones, 384, 1),
        (Presence, 448, 1),
        (Presence, 512, 1),
    ];
    let got: Vec<(SectionKind, u64, u64)> = footer
        .sections
        .iter()
        .map(|s| (s.kind, s.offset, s.len))
        .collect();
    assert_eq!(got, want);
    let section = |i: usize| {
        let s = &footer.sections[i];
        &bytes[s.offset as usize..(s.offset + s.len) as usize]
    };
    // Rows a b c d of the group: [validity][key: length, byte, 2 zeros][score]; the values
    // of b and c all zero, their keys written.
    let mut group = Vec::new();
    for (key, score) in [
        (b'a', Some(2.0f32)),
        (b'b', None),
        (b'c', None),
        (b'd', Some(4.0)),
    ] {
        group.push(u8::from(score.is_some()));
        group.extend([1, key, 0, 0]);
        group.extend(score.unwrap_or(0.0).to_le_bytes());
    }
    assert_eq!(section(1), group);
    assert_eq!(
        footer.key.storage,
        Storage::Fixed {
            group: 0,
            offset: 1,
            width: 4,
            validity_bit: NONE
        }
    );
    assert_eq!(section(2), [0x01]);
    let offsets: Vec<u8> = [0u64, 2, 2, 2, 2]
        .iter()
        .flat_map(|o| o.to_le_bytes())
        .collect();
    assert_eq!(section(3), offsets);
    assert_eq!(section(4), b"yy");
    assert_eq!(section(5), [0x02]);
    assert_eq!(section(6), [0x09]);
    assert_eq!(section(7), [0x01]);

    assert_eq!(footer.tombstones, 5);
    let presence: Vec<u32> = footer.columns.iter().map(|c| c.presence).collect();
    assert_eq!(presence, [6, 7]);
    assert_eq!(footer.key.presence, NONE);
    let block: Vec<u8> = [5u32, 2, 6, 7]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(&bytes[offset + len - 16..offset + len], &block[..]);

    // The reads the example describes.
    let seg = Segment::from_bytes(bytes, "ex").unwrap();
    seg.verify().unwrap();
    let keys = StringArray::from(vec!["a", "b", "c", "d"]);
    let p = seg.get_partial(&keys, &["score", "tag"]).unwrap();
    assert_eq!(p.found_mask(), [true; 4]);
    assert_eq!(p.tombstone_mask(), [false, true, false, false]);
    let present: Vec<[bool; 2]> = (0..4).map(|k| [p.present(0, k), p.present(1, k)]).collect();
    assert_eq!(
        present,
        [[true, true], [false, false], [false, false], [true, false]]
    );
    assert!(!p.complete());
    let score = p.batch().column(0).as_primitive::<Float32Type>();
    assert_eq!(
        score.iter().collect::<Vec<_>>(),
        [Some(2.0), None, None, Some(4.0)]
    );
    let tag = p.batch().column(1).as_string::<i32>();
    assert_eq!(
        tag.iter().collect::<Vec<_>>(),
        [Some("yy"), None, None, None]
    );
    let (_, found) = seg.get(&keys, &["score"]).unwrap();
    assert_eq!(found, [true, false, true, true]);
    assert_eq!(p.batch().column(0).null_count(), 2);
}
