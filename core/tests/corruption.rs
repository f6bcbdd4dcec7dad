//! Damaged segments never panic, loop or return wrong data: every flipped bit and byte, every
//! truncation, and footers and bodies crafted with consistent checksums but bad references
//! give `Error::Corrupt` (naming the file and a section), or — for a read that does not touch
//! the damage — exactly the clean data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, FixedSizeListArray, Float32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_data::ArrayData;
use arrow_schema::{DataType, Field, Schema};
use murr_core::Error;
use murr_core::segment::layout::{
    EMPTY_SLOT, FORMAT_VERSION, INLINE_KEY_MAX, NONE, SectionKind, Storage, TRAILER_LEN,
};
use murr_core::segment::{Segment, SegmentWriter};
use murr_core::types::ColumnType;

mod segment_util;

use segment_util::{Parts, get_u64, set_u64, split, u64_at};

const NAME: &str = "damaged.murr";
const ROWS: usize = 40;
const COLUMNS: [&str; 5] = ["score", "n", "label", "emb", "key"];

/// Key `i`: longer than [`INLINE_KEY_MAX`], so that the key is stored in offsets and data
/// sections, which these tests damage (`inline_key.rs` damages inline keys).
fn key(i: usize) -> String {
    format!("key-{i:03}/stored-in-offsets-and-data-sections")
}

/// A segment of 40 rows in pages of 512 bytes: utf8 key, nullable float32, int64, utf8 with
/// nulls, nullable float32 embedding.
fn clean_bytes() -> Vec<u8> {
    assert!(key(0).len() > INLINE_KEY_MAX);
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
        Field::new("n", DataType::Int64, false),
        Field::new("label", DataType::Utf8, true),
        Field::new("emb", DataType::FixedSizeList(item, 4), true),
    ]));
    // Rows in a scrambled order, the first five written twice (the second write wins).
    let order: Vec<usize> = (0..ROWS).map(|i| (i * 17) % ROWS).chain(0..5).collect();
    let version = |i: usize, pos: usize| i + 1000 * usize::from(pos >= ROWS);
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(order.iter().map(|&i| key(i)))) as ArrayRef,
            Arc::new(Float32Array::from_iter(order.iter().enumerate().map(
                |(p, &i)| (i % 4 != 0).then_some(version(i, p) as f32 * 0.25),
            ))),
            Arc::new(Int64Array::from_iter_values(
                order
                    .iter()
                    .enumerate()
                    .map(|(p, &i)| -(version(i, p) as i64)),
            )),
            Arc::new(StringArray::from_iter(order.iter().enumerate().map(
                |(p, &i)| (i % 3 != 0).then(|| format!("label {}", version(i, p)).repeat(i % 4)),
            ))),
            Arc::new(
                FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                    order.iter().enumerate().map(|(p, &i)| {
                        (i % 5 != 0)
                            .then(|| (0..4).map(move |e| Some((version(i, p) * 4 + e) as f32)))
                    }),
                    4,
                ),
            ),
        ],
    )
    .unwrap();
    let mut w = SegmentWriter::new(schema, "key")
        .unwrap()
        .with_page_size(512)
        .unwrap();
    w.push(&batch.slice(0, 20)).unwrap();
    w.push(&batch.slice(20, ROWS + 5 - 20)).unwrap();
    w.finish_to_vec().unwrap()
}

fn all_keys() -> StringArray {
    let mut keys: Vec<String> = (0..ROWS).map(key).collect();
    keys.extend(["absent".to_owned(), String::new(), key(999)]);
    StringArray::from(keys)
}

/// Everything a reader can get out of a segment.
#[derive(Debug, PartialEq)]
struct Read {
    keys: ArrayData,
    batch: RecordBatch,
    found: Vec<bool>,
    rows: Vec<Option<u32>>,
    taken: RecordBatch,
}

fn read(seg: &Segment) -> murr_core::Result<Read> {
    let query = all_keys();
    let keys = seg.keys()?.to_data();
    let (batch, found) = seg.get(&query, &COLUMNS)?;
    let rows = seg.find(&query)?;
    let taken = seg.take(&rows, &COLUMNS)?;
    Ok(Read {
        keys,
        batch,
        found,
        rows,
        taken,
    })
}

/// Opens, reads everything, then verifies. A read that succeeds must equal `clean`; the
/// result is the first error, if any.
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

/// Runs `outcome` and turns a panic into a message.
fn guarded(bytes: Vec<u8>, clean: &Read) -> Result<murr_core::Result<()>, String> {
    catch_unwind(AssertUnwindSafe(|| outcome(bytes, clean))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

/// The error must be `Corrupt`, naming the file and a section.
fn assert_corrupt(err: &Error, what: &str) {
    match err {
        Error::Corrupt { file, section, .. } => {
            assert_eq!(file, NAME, "{what}: {err}");
            assert!(!section.is_empty(), "{what}: {err}");
            let shown = err.to_string();
            assert!(
                shown.contains(NAME) && shown.contains(section.as_str()),
                "{what}: {shown}"
            );
        }
        other => panic!("{what}: expected Corrupt, got {other:?}"),
    }
}

fn clean_read(bytes: &[u8]) -> Read {
    let seg = Segment::from_bytes(bytes.to_vec(), NAME).unwrap();
    seg.verify().unwrap();
    let r = read(&seg).unwrap();
    assert_eq!(r.keys.len(), ROWS);
    assert_eq!(r.found.iter().filter(|&&f| f).count(), ROWS);
    r
}

#[test]
fn every_flipped_bit_and_byte_is_caught() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    assert!(
        bytes.len() > 4 * 512,
        "want several pages, have {} bytes",
        bytes.len()
    );
    let mut failures = Vec::new();
    for at in 0..bytes.len() {
        for mask in [1u8 << (at % 8), 0xFF] {
            let mut damaged = bytes.clone();
            damaged[at] ^= mask;
            match guarded(damaged, &clean) {
                // Every byte of a segment is under a checksum: nothing goes unnoticed.
                Ok(Ok(())) => failures.push(format!("byte {at} ^ {mask:#04x}: not detected")),
                Ok(Err(err)) => assert_corrupt(&err, &format!("byte {at} ^ {mask:#04x}")),
                Err(panic) => failures.push(format!("byte {at} ^ {mask:#04x}: panic {panic}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures: {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

#[test]
fn every_truncation_is_caught() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let mut failures = Vec::new();
    for len in 0..bytes.len() {
        match guarded(bytes[..len].to_vec(), &clean) {
            Ok(Ok(())) => failures.push(format!("length {len}: accepted")),
            Ok(Err(err)) => assert_corrupt(&err, &format!("length {len}")),
            Err(panic) => failures.push(format!("length {len}: panic {panic}")),
        }
    }
    // Bytes before or after the segment move the trailer or the footer too.
    for (what, damaged) in [
        ("appended byte", [&bytes[..], &[0]].concat()),
        ("appended copy", [&bytes[..], &bytes[..]].concat()),
        ("prepended page", [&vec![0; 512][..], &bytes[..]].concat()),
    ] {
        match guarded(damaged, &clean) {
            Ok(Ok(())) => failures.push(format!("{what}: accepted")),
            Ok(Err(err)) => assert_corrupt(&err, what),
            Err(panic) => failures.push(format!("{what}: panic {panic}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// ----- Crafted files: consistent checksums, bad contents -----

/// A crafted file must give an error (never a panic), at open or at read.
fn expect_err(what: &str, bytes: Vec<u8>, clean: &Read) -> Error {
    match guarded(bytes, clean) {
        Ok(Err(err)) => err,
        Ok(Ok(())) => panic!("{what}: accepted"),
        Err(panic) => panic!("{what}: panicked: {panic}"),
    }
}

fn expect_corrupt(what: &str, bytes: Vec<u8>, clean: &Read) {
    assert_corrupt(&expect_err(what, bytes, clean), what);
}

/// Opens and reads a crafted file whose damage may be semantically harmless: any outcome
/// but a panic (or a loop) will do.
fn expect_no_panic(what: &str, bytes: Vec<u8>) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if let Ok(seg) = Segment::from_bytes(bytes, NAME) {
            let _ = read(&seg);
            let _ = seg.verify();
        }
    }));
    assert!(result.is_ok(), "{what}: panicked");
}

#[test]
fn resealing_a_clean_segment_changes_nothing() {
    let bytes = clean_bytes();
    assert_eq!(split(&bytes).seal(), bytes);
}

#[test]
fn crafted_footers_are_rejected_at_open() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let parts = split(&bytes);
    let group = parts.scalar_group();
    let (key_offsets, key_data, _) = parts.variable("key");
    let (_, _, label_validity) = parts.variable("label");
    type Edit = Box<dyn Fn(&mut Parts)>;
    let edits: Vec<(&str, Edit)> = vec![
        ("row count + 1", Box::new(|p| p.footer.row_count += 1)),
        ("row count - 1", Box::new(|p| p.footer.row_count -= 1)),
        (
            "row count huge",
            Box::new(|p| p.footer.row_count = u64::MAX),
        ),
        ("page size 2^8", Box::new(|p| p.footer.page_size_log2 = 8)),
        ("page size 2^25", Box::new(|p| p.footer.page_size_log2 = 25)),
        ("body longer", Box::new(|p| p.footer.body_len += 64)),
        ("body shorter", Box::new(|p| p.footer.body_len -= 64)),
        ("body tiny", Box::new(|p| p.footer.body_len = 8)),
        (
            "slot count = rows",
            Box::new(|p| p.footer.slot_count = p.footer.row_count),
        ),
        ("slot count + 1", Box::new(|p| p.footer.slot_count += 1)),
        (
            "index section none",
            Box::new(|p| p.footer.index_section = NONE),
        ),
        (
            "index section is data",
            Box::new(move |p| p.footer.index_section = key_data),
        ),
        (
            "section unaligned",
            Box::new(|p| p.footer.sections[1].offset += 8),
        ),
        (
            "section in header",
            Box::new(|p| p.footer.sections[0].offset = 0),
        ),
        (
            "section past body",
            Box::new(|p| {
                let last = p.footer.sections.len() - 1;
                p.footer.sections[last].len += 64;
            }),
        ),
        (
            "section end overflows",
            Box::new(|p| p.footer.sections[2].len = u64::MAX - 8),
        ),
        (
            "section kind changed",
            Box::new(move |p| {
                p.footer.sections[key_offsets as usize].kind = SectionKind::Data;
            }),
        ),
        (
            "stride 0",
            Box::new(move |p| p.footer.groups[group].stride = 0),
        ),
        (
            "stride + 1",
            Box::new(move |p| p.footer.groups[group].stride += 1),
        ),
        (
            "validity wider than the row",
            Box::new(move |p| {
                p.footer.groups[group].validity_bytes = p.footer.groups[group].stride + 1;
            }),
        ),
        (
            "group section is the index",
            Box::new(move |p| {
                p.footer.groups[group].section = p.footer.index_section;
            }),
        ),
        (
            "no such group",
            Box::new(|p| {
                if let Storage::Fixed { group, .. } = &mut p.column("score").storage {
                    *group = 99;
                }
            }),
        ),
        (
            "value past the row",
            Box::new(|p| {
                if let Storage::Fixed { offset, .. } = &mut p.column("n").storage {
                    *offset = 1000;
                }
            }),
        ),
        (
            "value in the validity prefix",
            Box::new(|p| {
                if let Storage::Fixed { offset, .. } = &mut p.column("score").storage {
                    *offset = 0;
                }
            }),
        ),
        (
            "wrong width",
            Box::new(|p| {
                if let Storage::Fixed { width, .. } = &mut p.column("n").storage {
                    *width = 4;
                }
            }),
        ),
        (
            "validity bit past the prefix",
            Box::new(|p| {
                if let Storage::Fixed { validity_bit, .. } = &mut p.column("score").storage {
                    *validity_bit = 8;
                }
            }),
        ),
        (
            "type changed to float64",
            Box::new(|p| {
                p.column("score").column_type = ColumnType::Float64;
            }),
        ),
        (
            "utf8 stored fixed",
            Box::new(move |p| {
                p.column("label").storage = Storage::Fixed {
                    group: group as u32,
                    offset: 1,
                    width: 4,
                    validity_bit: NONE,
                };
            }),
        ),
        (
            "offsets point at data",
            Box::new(move |p| {
                if let Storage::Variable { offsets, .. } = &mut p.column("label").storage {
                    *offsets = key_data;
                }
            }),
        ),
        (
            "data points at offsets",
            Box::new(move |p| {
                if let Storage::Variable { data, .. } = &mut p.column("label").storage {
                    *data = key_offsets;
                }
            }),
        ),
        (
            "validity points at offsets",
            Box::new(move |p| {
                if let Storage::Variable { validity, .. } = &mut p.column("label").storage {
                    *validity = key_offsets;
                }
            }),
        ),
        (
            "validity too short",
            Box::new(move |p| {
                p.footer.sections[label_validity as usize].len -= 1;
            }),
        ),
        ("key nullable", Box::new(|p| p.footer.key.nullable = true)),
        (
            "key binary",
            Box::new(|p| p.footer.key.column_type = ColumnType::Binary),
        ),
        (
            "key stores nulls",
            Box::new(move |p| {
                p.footer.key.storage = Storage::Variable {
                    offsets: key_offsets,
                    data: key_data,
                    validity: label_validity,
                };
            }),
        ),
        (
            "repeated name",
            Box::new(|p| p.footer.columns[1].name = "score".into()),
        ),
        (
            "name of the key",
            Box::new(|p| p.footer.columns[0].name = "key".into()),
        ),
        (
            "empty name",
            Box::new(|p| p.footer.columns[2].name = String::new()),
        ),
        (
            "no key storage",
            Box::new(|p| {
                p.footer.key.storage = Storage::Variable {
                    offsets: NONE,
                    data: NONE,
                    validity: NONE,
                };
            }),
        ),
    ];
    for (what, edit) in &edits {
        let mut p = parts.clone();
        edit(&mut p);
        expect_corrupt(what, p.seal(), &clean);
    }

    // Edits of the footer's bytes and of the trailer.
    let seal_with =
        |edit: &dyn Fn(&mut Vec<u8>, &mut [u8; TRAILER_LEN])| parts.seal_with(|f, t| edit(f, t));
    type ByteEdit = Box<dyn Fn(&mut Vec<u8>, &mut [u8; TRAILER_LEN])>;
    let byte_edits: Vec<(&str, ByteEdit)> = vec![
        (
            "trailing footer byte",
            Box::new(|f, t| {
                f.push(0);
                t[24..32].copy_from_slice(&(f.len() as u64).to_le_bytes());
            }),
        ),
        (
            "footer cut short",
            Box::new(|f, t| {
                f.pop();
                t[24..32].copy_from_slice(&(f.len() as u64).to_le_bytes());
            }),
        ),
        (
            "footer offset - 1",
            Box::new(|_, t| {
                let o = u64_at(t, 16) - 1;
                t[16..24].copy_from_slice(&o.to_le_bytes());
            }),
        ),
        (
            "footer length + 1",
            Box::new(|_, t| {
                let l = u64_at(t, 24) + 1;
                t[24..32].copy_from_slice(&l.to_le_bytes());
            }),
        ),
        (
            "footer length huge",
            Box::new(|_, t| {
                t[24..32].copy_from_slice(&(u64::MAX - 10).to_le_bytes());
            }),
        ),
        (
            "footer offset huge",
            Box::new(|_, t| {
                t[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
            }),
        ),
        ("flags set", Box::new(|_, t| t[12] = 1)),
        (
            "section count huge",
            Box::new(|f, _| {
                // The section count follows row_count (8), page size (1), body_len (8),
                // slot_count (8) and index_section (4).
                f[29..33].copy_from_slice(&u32::MAX.to_le_bytes());
            }),
        ),
        ("unknown section kind", Box::new(|f, _| f[33] = 9)),
    ];
    for (what, edit) in &byte_edits {
        expect_corrupt(what, seal_with(edit.as_ref()), &clean);
    }

    // Reserved trailer bytes, and bytes between the page table and the footer (which no
    // checksum would cover), are rejected.
    expect_corrupt(
        "trailer reserved byte",
        seal_with(&|_, t| t[40] = 1),
        &clean,
    );
    // Bytes between the page table and the footer are covered by no checksum: rejected.
    let bytes = clean_bytes();
    let trailer_at = bytes.len() - TRAILER_LEN;
    let footer_offset = u64_at(&bytes[trailer_at..], 16) as usize;
    let mut gapped = bytes[..footer_offset].to_vec();
    gapped.extend_from_slice(&[0u8; 64]);
    gapped.extend_from_slice(&bytes[footer_offset..]);
    let t = gapped.len() - TRAILER_LEN;
    gapped[t + 16..t + 24].copy_from_slice(&(footer_offset as u64 + 64).to_le_bytes());
    let crc = crc32fast::hash(&gapped[t..t + 56]);
    gapped[t + 56..t + 60].copy_from_slice(&crc.to_le_bytes());
    expect_corrupt("gap before the footer", gapped, &clean);

    // A newer version (or version 0) is not corruption.
    for version in [FORMAT_VERSION + 1, 0, u32::MAX] {
        let bytes = seal_with(&|_, t| t[8..12].copy_from_slice(&version.to_le_bytes()));
        match expect_err("unknown version", bytes, &clean) {
            Error::UnsupportedVersion {
                file,
                found,
                supported,
            } => {
                assert_eq!(
                    (file.as_str(), found, supported),
                    (NAME, version, FORMAT_VERSION)
                );
            }
            other => panic!("version {version}: expected UnsupportedVersion, got {other:?}"),
        }
    }

    // The header, with its page's checksum fixed up.
    for (what, at, v) in [
        ("header magic", 0, b'X'),
        ("header version", 8, 1),
        ("header version", 8, 4),
        ("header flags", 12, 1),
    ] {
        let mut p = parts.clone();
        p.body[at] = v;
        expect_corrupt(what, p.seal(), &clean);
    }
}

#[test]
fn crafted_bodies_fail_on_read() {
    let bytes = clean_bytes();
    let clean = clean_read(&bytes);
    let parts = split(&bytes);
    let rows = parts.footer.row_count;
    let index = parts.footer.index_section;
    let (key_offsets, key_data, _) = parts.variable("key");
    let (label_offsets, label_data, _) = parts.variable("label");

    // Index slots pointing past the last row.
    let mut p = parts.clone();
    for slot in p.section_mut(index).chunks_exact_mut(8) {
        let row = u32::from_le_bytes(slot[4..8].try_into().unwrap());
        if row != EMPTY_SLOT {
            slot[4..8].copy_from_slice(&(row + rows as u32).to_le_bytes());
        }
    }
    let sealed = p.seal();
    expect_corrupt("slots past the rows", sealed.clone(), &clean);
    let seg = Segment::from_bytes(sealed, NAME).unwrap();
    assert_corrupt(
        &seg.find(&all_keys()).unwrap_err(),
        "find, slots past the rows",
    );
    seg.verify().unwrap();

    // An index without an empty slot: absent keys must end in an error, not a loop; present
    // keys are still found.
    let mut p = parts.clone();
    for slot in p.section_mut(index).chunks_exact_mut(8) {
        if u32::from_le_bytes(slot[4..8].try_into().unwrap()) == EMPTY_SLOT {
            slot.copy_from_slice(&[0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 0]);
        }
    }
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    seg.verify().unwrap();
    let absent = StringArray::from(vec!["absent"]);
    assert_corrupt(
        &seg.get(&absent, &["score"]).unwrap_err(),
        "full index, get",
    );
    assert_corrupt(&seg.find(&absent).unwrap_err(), "full index, find");
    let present = StringArray::from(vec![key(7), key(0)]);
    let (batch, found) = seg.get(&present, &COLUMNS).unwrap();
    assert_eq!(found, vec![true, true]);
    let clean_seg = Segment::from_bytes(bytes.clone(), NAME).unwrap();
    assert_eq!(batch, clean_seg.get(&present, &COLUMNS).unwrap().0);

    // Every slot the same tag and row: every probe compares keys, and ends.
    let mut p = parts.clone();
    let first = p.section_mut(index)[..8].to_vec();
    let first = if u32::from_le_bytes(first[4..8].try_into().unwrap()) == EMPTY_SLOT {
        vec![1, 2, 3, 4, 0, 0, 0, 0]
    } else {
        first
    };
    for slot in p.section_mut(index).chunks_exact_mut(8) {
        slot.copy_from_slice(&first);
    }
    expect_corrupt("every slot alike", p.seal(), &clean);

    // Key offsets out of order, and past the data.
    let mut p = parts.clone();
    let offsets = p.section_mut(key_offsets);
    let (a, b) = (get_u64(offsets, 3), get_u64(offsets, 4));
    set_u64(offsets, 3, b);
    set_u64(offsets, 4, a);
    expect_corrupt("key offsets out of order", p.seal(), &clean);
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    assert_corrupt(&seg.keys().unwrap_err(), "keys(), offsets out of order");

    let mut p = parts.clone();
    let data_len = p.footer.sections[key_data as usize].len;
    let offsets = p.section_mut(key_offsets);
    set_u64(offsets, rows as usize, data_len + 1);
    expect_corrupt("key offsets past the data", p.seal(), &clean);

    let mut p = parts.clone();
    let offsets = p.section_mut(key_offsets);
    set_u64(offsets, 0, u64::MAX);
    expect_corrupt("key offset huge", p.seal(), &clean);

    // A value column's offsets (at the start of row 1, the end of row 7 and of row 37, all
    // non-null): reads of that column fail, reads of others do not.
    for row in [1usize, 8, 38] {
        let mut p = parts.clone();
        let data_len = p.footer.sections[label_data as usize].len;
        set_u64(p.section_mut(label_offsets), row, data_len + 100);
        let sealed = p.seal();
        expect_corrupt(
            &format!("label offset {row} past the data"),
            sealed.clone(),
            &clean,
        );
        let seg = Segment::from_bytes(sealed, NAME).unwrap();
        let (batch, _) = seg.get(&all_keys(), &["score", "emb", "key"]).unwrap();
        let (want, _) = clean_seg
            .get(&all_keys(), &["score", "emb", "key"])
            .unwrap();
        assert_eq!(batch, want);
    }

    // Invalid UTF-8 in a value and in a key.
    let mut p = parts.clone();
    let data = p.section_mut(label_data);
    data.iter_mut().for_each(|b| *b = 0xFF);
    expect_corrupt("label not utf-8", p.seal(), &clean);

    let mut p = parts.clone();
    p.section_mut(key_data)[0] = 0xFF;
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    assert_corrupt(&seg.keys().unwrap_err(), "key not utf-8");
}

#[test]
fn crafted_but_harmless_files_do_not_panic() {
    let bytes = clean_bytes();
    let parts = split(&bytes);
    let (key_offsets, key_data, _) = parts.variable("key");

    // A value column sharing the key's sections.
    let mut p = parts.clone();
    p.column("label").storage = Storage::Variable {
        offsets: key_offsets,
        data: key_data,
        validity: NONE,
    };
    expect_no_panic("label shares the key's sections", p.seal());

    // Scrambled validity bits, booleans and embedding bytes.
    let mut p = parts.clone();
    let group = p.footer.groups[p.scalar_group()].section;
    for (i, b) in p.section_mut(group).iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37);
    }
    expect_no_panic("scrambled row group", p.seal());

    // Another page size, the page table recomputed: a valid segment.
    let mut p = parts.clone();
    p.footer.page_size_log2 = 10;
    let clean = clean_read(&bytes);
    outcome(p.seal(), &clean).unwrap();

    // Slots emptied: keys are simply not found.
    let mut p = parts.clone();
    let index = p.footer.index_section;
    for slot in p.section_mut(index).chunks_exact_mut(8) {
        slot[4..8].copy_from_slice(&EMPTY_SLOT.to_le_bytes());
    }
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    assert_eq!(seg.find(&all_keys()).unwrap(), vec![None; ROWS + 3]);
}

#[test]
fn empty_segment_with_a_huge_stride() {
    // Zero rows make any stride consistent with an empty row group; asking for many keys
    // must not allocate `keys x stride` bytes.
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
    ]));
    let w = SegmentWriter::new(schema, "key").unwrap();
    let mut p = split(&w.finish_to_vec().unwrap());
    p.footer.groups[0].stride = u32::MAX;
    let seg = Segment::from_bytes(p.seal(), NAME).unwrap();
    let keys = StringArray::from_iter_values((0..10_000).map(|i| format!("k{i}")));
    let (batch, found) = seg.get(&keys, &["score"]).unwrap();
    assert!(found.iter().all(|f| !f));
    assert_eq!(batch.column(0).null_count(), 10_000);
}
