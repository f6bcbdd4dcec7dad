//! Damaged segments with partial rows (format version 2): every flipped bit and every
//! truncation is caught; footers crafted with consistent checksums whose presence or
//! tombstone references are of the wrong kind, the wrong length or out of range, and
//! malformed partial-rows blocks, are `Error::Corrupt` at open; bitmaps that disagree with
//! the rest of the file read by the documented rules (tombstone wins, presence is
//! authoritative, bits past the last row are ignored) and never panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod segment_util;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema};
use murr_core::Error;
use murr_core::segment::layout::{NONE, SectionKind};
use murr_core::segment::{PartialBatch, Segment, SegmentWriter};
use segment_util::{Parts, split};

const NAME: &str = "damaged.murr";
/// Not a multiple of 8: the bitmaps have unused bits.
const ROWS: usize = 45;
const COLUMNS: [&str; 5] = ["score", "n", "label", "emb", "key"];

/// 45 rows in 512-byte pages: utf8 key, nullable float32, int64, nullable utf8, nullable
/// float32 embedding. Every fifth row is a tombstone; `score` and `n` skip the same rows
/// (one shared presence section), `label` others; `emb` is written by every live row.
fn clean_bytes() -> Vec<u8> {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
        Field::new("n", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
        Field::new("emb", DataType::FixedSizeList(item, 4), true),
    ]));
    let order: Vec<usize> = (0..ROWS).map(|i| (i * 17) % ROWS).collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(
                order.iter().map(|i| format!("key-{i:03}")),
            )) as ArrayRef,
            Arc::new(Float32Array::from_iter(
                order
                    .iter()
                    .map(|&i| (i % 4 != 0).then_some(i as f32 * 0.25)),
            )),
            Arc::new(Int64Array::from_iter_values(
                order.iter().map(|&i| -(i as i64)),
            )),
            Arc::new(StringArray::from_iter(
                order
                    .iter()
                    .map(|&i| (i % 3 != 0).then(|| format!("label {i}"))),
            )),
            Arc::new(
                FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                    order.iter().map(|&i| {
                        (i % 7 != 0).then(|| (0..4).map(move |e| Some((i * 4 + e) as f32)))
                    }),
                    4,
                ),
            ),
        ],
    )
    .unwrap();
    let bits = |f: fn(usize) -> bool| Some(BooleanBuffer::from_iter(order.iter().map(|&i| f(i))));
    let present = [
        bits(|i| i % 3 != 1),
        bits(|i| i % 3 != 1),
        bits(|i| i % 4 != 2),
        None,
    ];
    let tombstones = BooleanBuffer::from_iter(order.iter().map(|&i| i % 5 == 0));
    let mut w = SegmentWriter::new(schema, "key")
        .unwrap()
        .with_page_size(512)
        .unwrap();
    w.push_partial(&batch, &present, Some(&tombstones)).unwrap();
    w.finish_to_vec().unwrap()
}

fn all_keys() -> StringArray {
    let mut keys: Vec<String> = (0..ROWS).map(|i| format!("key-{i:03}")).collect();
    keys.extend(["absent".to_owned(), String::new()]);
    StringArray::from(keys)
}

/// Everything a reader can get out of a segment with partial rows.
#[derive(Debug, PartialEq)]
struct Read {
    partial: PartialBatch,
    batch: RecordBatch,
    found: Vec<bool>,
    rows: Vec<Option<u32>>,
    taken: RecordBatch,
    /// Per row: is_tombstone, then is_present per column.
    flags: Vec<Vec<bool>>,
}

fn read(seg: &Segment) -> murr_core::Result<Read> {
    let query = all_keys();
    let partial = seg.get_partial(&query, &COLUMNS)?;
    let (batch, found) = seg.get(&query, &COLUMNS)?;
    let rows = seg.find(&query)?;
    let taken = seg.take(&rows, &COLUMNS)?;
    let mut flags = Vec::new();
    for row in 0..seg.row_count() as u32 {
        let mut f = vec![seg.is_tombstone(row)?];
        for c in COLUMNS {
            f.push(seg.is_present(c, row)?);
        }
        flags.push(f);
    }
    Ok(Read {
        partial,
        batch,
        found,
        rows,
        taken,
        flags,
    })
}

/// Opens, reads everything, verifies; a read that succeeds must equal `clean`.
fn outcome(bytes: Vec<u8>, clean: &Read) -> murr_core::Result<()> {
    let seg = Segment::from_bytes(bytes, NAME)?;
    let r = read(&seg);
    if let Ok(r) = &r {
        assert_eq!(r, clean, "a read of a damaged segment returned wrong data");
    }
    let v = seg.verify();
    r?;
    v
}

fn guarded(bytes: Vec<u8>, clean: &Read) -> Result<murr_core::Result<()>, String> {
    catch_unwind(AssertUnwindSafe(|| outcome(bytes, clean))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

fn assert_corrupt(err: &Error, what: &str) {
    match err {
        Error::Corrupt { file, section, .. } => {
            assert_eq!(file, NAME, "{what}: {err}");
            assert!(!section.is_empty(), "{what}: {err}");
        }
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    }
}

fn expect_corrupt(what: &str, bytes: Vec<u8>, clean: &Read) {
    match guarded(bytes, clean) {
        Ok(Err(err)) => assert_corrupt(&err, what),
        Ok(Ok(())) => panic!("{what}: accepted"),
        Err(panic) => panic!("{what}: panicked: {panic}"),
    }
}

fn clean_read(bytes: &[u8]) -> Read {
    let seg = Segment::from_bytes(bytes.to_vec(), NAME).unwrap();
    seg.verify().unwrap();
    assert!(seg.has_partial_rows());
    read(&seg).unwrap()
}

fn presence_of(p: &Parts, column: &str) -> u32 {
    p.footer
        .columns
        .iter()
        .find(|c| c.name == column)
        .unwrap()
        .presence
}

#[test]
fn the_clean_file_has_what_the_tests_need() {
    let bytes = clean_bytes();
    let r = clean_read(&bytes);
    let p = split(&bytes);
    assert_ne!(p.footer.tombstones, NONE);
    assert_ne!(presence_of(&p, "score"), NONE);
    assert_eq!(presence_of(&p, "score"), presence_of(&p, "n"), "shared");
    assert_ne!(presence_of(&p, "label"), presence_of(&p, "score"));
    assert_eq!(presence_of(&p, "emb"), NONE);
    assert_eq!(r.flags.iter().filter(|f| f[0]).count(), 9);
    assert!(r.partial.tombstone(0) && !r.found[0] && r.partial.found(0));
    assert!(bytes.len() > 4 * 512);
    assert_eq!(split(&bytes).seal(), bytes);
}

#[test]
fn every_flipped_bit_and_every_truncation_is_caught() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let mut failures = Vec::new();
    for at in 0..bytes.len() {
        for mask in [1u8 << (at % 8), 0xFF] {
            let mut damaged = bytes.clone();
            damaged[at] ^= mask;
            match guarded(damaged, &clean) {
                Ok(Ok(())) => failures.push(format!("byte {at} ^ {mask:#04x}: not detected")),
                Ok(Err(err)) => assert_corrupt(&err, &format!("byte {at} ^ {mask:#04x}")),
                Err(panic) => failures.push(format!("byte {at} ^ {mask:#04x}: panic {panic}")),
            }
        }
    }
    for len in 0..bytes.len() {
        match guarded(bytes[..len].to_vec(), &clean) {
            Ok(Ok(())) => failures.push(format!("length {len}: accepted")),
            Ok(Err(err)) => assert_corrupt(&err, &format!("length {len}")),
            Err(panic) => failures.push(format!("length {len}: panic {panic}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn bad_presence_and_tombstone_references_are_rejected_at_open() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let parts = split(&bytes);
    let tomb = parts.footer.tombstones;
    let score = presence_of(&parts, "score");
    let label = presence_of(&parts, "label");
    let (_, _, label_validity) = parts.variable("label");
    let index = parts.footer.index_section;
    let sections = parts.footer.sections.len() as u32;
    fn set_presence(p: &mut Parts, column: &str, v: u32) {
        p.column(column).presence = v;
    }
    type Edit = Box<dyn Fn(&mut Parts)>;
    let edits: Vec<(&str, Edit)> = vec![
        // Wrong kind.
        (
            "tombstones -> index",
            Box::new(move |p| p.footer.tombstones = index),
        ),
        (
            "tombstones -> presence",
            Box::new(move |p| p.footer.tombstones = score),
        ),
        (
            "tombstones -> validity of the right length",
            Box::new(move |p| p.footer.tombstones = label_validity),
        ),
        (
            "presence -> tombstones",
            Box::new(move |p| set_presence(p, "score", tomb)),
        ),
        (
            "presence -> validity of the right length",
            Box::new(move |p| set_presence(p, "label", label_validity)),
        ),
        (
            "presence -> index",
            Box::new(move |p| set_presence(p, "emb", index)),
        ),
        (
            "tombstones section relabelled presence",
            Box::new(move |p| p.footer.sections[tomb as usize].kind = SectionKind::Presence),
        ),
        (
            "presence section relabelled tombstones",
            Box::new(move |p| p.footer.sections[label as usize].kind = SectionKind::Tombstones),
        ),
        (
            "shared presence section relabelled validity",
            Box::new(move |p| p.footer.sections[score as usize].kind = SectionKind::Validity),
        ),
        // Out of range.
        (
            "tombstones -> section count",
            Box::new(move |p| p.footer.tombstones = sections),
        ),
        (
            "tombstones -> NONE - 1",
            Box::new(|p| p.footer.tombstones = NONE - 1),
        ),
        (
            "presence -> section count",
            Box::new(move |p| set_presence(p, "n", sections)),
        ),
        (
            "presence -> NONE - 1",
            Box::new(move |p| set_presence(p, "emb", NONE - 1)),
        ),
        // Wrong length.
        (
            "tombstones one byte short",
            Box::new(move |p| p.footer.sections[tomb as usize].len -= 1),
        ),
        (
            "tombstones one byte long",
            Box::new(move |p| p.footer.sections[tomb as usize].len += 1),
        ),
        (
            "tombstones empty",
            Box::new(move |p| p.footer.sections[tomb as usize].len = 0),
        ),
        (
            "presence one byte short",
            Box::new(move |p| p.footer.sections[score as usize].len -= 1),
        ),
        (
            "presence one byte long",
            Box::new(move |p| p.footer.sections[label as usize].len += 1),
        ),
        (
            "presence huge",
            Box::new(move |p| p.footer.sections[label as usize].len = u64::MAX - 64),
        ),
    ];
    for (what, edit) in &edits {
        let mut p = parts.clone();
        edit(&mut p);
        expect_corrupt(what, p.seal(), &clean);
    }

    // The partial-rows block itself: its count, its length, what follows it.
    let columns = parts.footer.columns.len();
    let block = 8 + 4 * columns;
    type ByteEdit = Box<dyn Fn(&mut Vec<u8>)>;
    let count_at = move |f: &Vec<u8>| f.len() - block + 4;
    let byte_edits: Vec<(&str, ByteEdit)> = vec![
        (
            "presence count + 1",
            Box::new(move |f| {
                let at = count_at(f);
                f[at..at + 4].copy_from_slice(&(columns as u32 + 1).to_le_bytes());
            }),
        ),
        (
            "presence count - 1",
            Box::new(move |f| {
                let at = count_at(f);
                f[at..at + 4].copy_from_slice(&(columns as u32 - 1).to_le_bytes());
            }),
        ),
        (
            "presence count huge",
            Box::new(move |f| {
                let at = count_at(f);
                f[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }),
        ),
        ("last presence cut", Box::new(|f| f.truncate(f.len() - 4))),
        (
            "block cut to 6 bytes",
            Box::new(move |f| f.truncate(f.len() - block + 6)),
        ),
        ("a byte after the block", Box::new(|f| f.push(0))),
        (
            "a second block",
            Box::new(move |f| {
                let again = f[f.len() - block..].to_vec();
                f.extend_from_slice(&again);
            }),
        ),
    ];
    for (what, edit) in &byte_edits {
        let sealed = parts.seal_with(|f, t| {
            edit(f);
            t[24..32].copy_from_slice(&(f.len() as u64).to_le_bytes());
        });
        expect_corrupt(what, sealed, &clean);
    }

    // A version-1 file knows neither the new section kinds nor the block.
    let mut p = parts.clone();
    p.body[8] = 1;
    expect_corrupt(
        "version 1 with partial rows",
        p.seal_with(|_, t| t[8] = 1),
        &clean,
    );
}

/// A file without partial rows whose footer ends with a block of NONE references: valid in
/// version 2 (no partial rows), trailing bytes in version 1. (An int64 key: a version-1 or
/// version-2 footer may describe it as the current writer does.)
#[test]
fn a_block_of_none_references() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Int64, false),
        Field::new("v", DataType::Float32, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
            Arc::new(Float32Array::from(vec![Some(1.0), None])),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "key").unwrap();
    w.push(&batch).unwrap();
    let bytes = w.finish_to_vec().unwrap();
    let parts = split(&bytes);
    let block: Vec<u8> = [NONE, 1, NONE]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let with_block = |version: u8| {
        let mut p = parts.clone();
        p.body[8] = version;
        p.seal_with(|f, t| {
            f.extend_from_slice(&block);
            t[24..32].copy_from_slice(&(f.len() as u64).to_le_bytes());
            t[8] = version;
        })
    };
    let seg = Segment::from_bytes(with_block(2), NAME).unwrap();
    assert!(!seg.has_partial_rows());
    let keys = Int64Array::from(vec![1, 2, 3]);
    assert_eq!(
        seg.get(&keys, &["v"]).unwrap(),
        Segment::from_bytes(bytes.clone(), NAME)
            .unwrap()
            .get(&keys, &["v"])
            .unwrap()
    );
    let err = Segment::from_bytes(with_block(1), NAME).unwrap_err();
    assert_corrupt(&err, "version 1 with a block");
}

#[test]
fn bitmaps_that_disagree_with_the_rest_read_by_the_rules() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let parts = split(&bytes);
    let tomb = parts.footer.tombstones;
    let score = presence_of(&parts, "score");
    let label = presence_of(&parts, "label");
    let keys = all_keys();

    // Tombstone wins: presence bits set on tombstone rows change nothing.
    let mut p = parts.clone();
    p.section_mut(score).fill(0xFF);
    p.section_mut(label).fill(0xFF);
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    let r = read(&seg).unwrap();
    for (row, flags) in r.flags.iter().enumerate() {
        assert_eq!(flags[0], clean.flags[row][0], "row {row}: tombstone");
        if flags[0] {
            assert!(
                flags[1..].iter().all(|&f| !f),
                "row {row}: a tombstone holds nothing"
            );
        } else {
            assert!(flags[1..].iter().all(|&f| f), "row {row}: every bit set");
        }
    }
    assert_eq!(r.partial.tombstone_mask(), clean.partial.tombstone_mask());
    assert_eq!(r.found, clean.found);
    // Cells that the writer did not hold are nulls with zero bytes: now held, still null.
    assert_eq!(r.batch, clean.batch);

    // Presence is authoritative: with no bit set, every cell of `score` and `n` is null and
    // not held, though the row group's validity says otherwise for most rows.
    let mut p = parts.clone();
    p.section_mut(score).fill(0);
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    let got = seg.get_partial(&keys, &COLUMNS).unwrap();
    assert_eq!(got.batch().column(0).null_count(), keys.len());
    assert_eq!(got.batch().column(1).null_count(), keys.len());
    assert!((0..keys.len()).all(|k| !got.present(0, k) && !got.present(1, k)));
    assert_eq!(got.batch().column(2), clean.partial.batch().column(2));
    assert!(!got.complete());
    assert!((0..ROWS as u32).all(|r| !seg.is_present("score", r).unwrap()));

    // Bits past the last row are ignored.
    let mut p = parts.clone();
    for s in [tomb, score, label] {
        *p.section_mut(s).last_mut().unwrap() |= 0xFF << (ROWS % 8);
    }
    outcome(p.seal(), &clean).unwrap();

    // No tombstones section: the tombstone rows are rows with every cell null (what the
    // writer stored there), found.
    let mut p = parts.clone();
    p.footer.tombstones = NONE;
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    let r = read(&seg).unwrap();
    assert!(r.flags.iter().all(|f| !f[0]));
    assert!(r.found[..ROWS].iter().all(|&f| f));
    for (row, flags) in clean.flags.iter().enumerate() {
        if flags[0] {
            let k = r.rows.iter().position(|&x| x == Some(row as u32)).unwrap();
            for c in 0..COLUMNS.len() - 1 {
                assert!(r.batch.column(c).is_null(k), "row {row} column {c}");
            }
        }
    }

    // `label` made to share the presence section of `score` and `n` (valid): its cells are
    // held exactly where theirs are, and null where they are not.
    let mut p = parts.clone();
    p.column("label").presence = score;
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    let got = seg.get_partial(&keys, &["label", "score"]).unwrap();
    for k in 0..keys.len() {
        assert_eq!(got.present(0, k), got.present(1, k));
        if !got.present(0, k) {
            assert!(got.batch().column(0).is_null(k));
        }
    }

    // Scrambled bitmaps never panic.
    for seed in 0..16u8 {
        let mut p = parts.clone();
        for s in [tomb, score, label] {
            for (i, b) in p.section_mut(s).iter_mut().enumerate() {
                *b = (i as u8)
                    .wrapping_mul(151)
                    .wrapping_add(seed.wrapping_mul(29));
            }
        }
        let bytes = p.seal();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let seg = Segment::from_bytes(bytes, NAME).unwrap();
            let r = read(&seg).unwrap();
            // Whatever the bits, a tombstone holds nothing and get agrees with get_partial.
            for k in 0..keys.len() {
                if r.partial.tombstone(k) {
                    assert!((0..COLUMNS.len()).all(|c| !r.partial.present(c, k)));
                }
                assert_eq!(r.found[k], r.partial.found(k) && !r.partial.tombstone(k));
            }
            assert_eq!(&r.batch, r.partial.batch());
        }));
        assert!(result.is_ok(), "seed {seed}: panicked");
    }
}
