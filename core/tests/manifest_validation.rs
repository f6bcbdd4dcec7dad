//! Every rule of `docs/MANIFEST.md` §4 is enforced both ways: `encode` (and `commit`)
//! refuses a manifest that breaks it with `InvalidManifest`, and `decode` refuses bytes
//! that break it — with a valid checksum, so the validator and not the CRC catches it —
//! with `Corrupt` naming what is wrong. A newer version is `UnsupportedVersion`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod manifest_util;

use std::sync::Arc;

use manifest_util::{NAME, reseal, sample};
use murr_core::Error;
use murr_core::manifest::{Manifest, SegmentMeta};
use murr_core::types::{ColumnType, ElementType};

/// The offset of the `nth` (0-based) occurrence of `needle` in `bytes`.
fn find(bytes: &[u8], needle: &[u8], nth: usize) -> usize {
    bytes
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not found"))
}

/// A u16-length-prefixed string as encoded.
fn s(text: &str) -> Vec<u8> {
    let mut v = (text.len() as u16).to_le_bytes().to_vec();
    v.extend_from_slice(text.as_bytes());
    v
}

/// A segment as encoded.
fn seg(m: &SegmentMeta) -> Vec<u8> {
    let mut v = m.file_number.to_le_bytes().to_vec();
    v.push(m.level);
    for x in [m.rows, m.bytes, m.min_seq, m.max_seq] {
        v.extend_from_slice(&x.to_le_bytes());
    }
    v
}

/// Decodes the sample after `patch`, resealed, and checks the error's detail.
fn rejects(patch: impl FnOnce(&mut Vec<u8>), detail: &str) {
    let mut bytes = sample(1).encode().unwrap();
    patch(&mut bytes);
    reseal(&mut bytes);
    match Manifest::decode(&bytes, NAME) {
        Err(Error::Corrupt {
            file,
            section,
            detail: d,
        }) => {
            assert_eq!((file.as_str(), section.as_str()), (NAME, "manifest"));
            assert!(d.contains(detail), "{d:?} should contain {detail:?}");
        }
        other => panic!("expected corrupt ({detail}): {other:?}"),
    }
}

/// Overwrites the first occurrence of `old` with `new`, from its start.
fn swap(bytes: &mut [u8], old: &[u8], new: &[u8]) {
    let at = find(bytes, old, 0);
    put(bytes, at, new);
}

fn put(bytes: &mut [u8], at: usize, new: &[u8]) {
    bytes[at..at + new.len()].copy_from_slice(new);
}

#[test]
fn decode_enforces_every_rule() {
    let m = sample(1);
    let (a0, b0) = (m.tables[0].segments[0], m.tables[1].segments[0]);
    rejects(
        |b| swap(b, &s("tabB"), &s("tabA")),
        "table name 'tabA' appears twice",
    );
    rejects(
        |b| {
            let at = find(b, &s("tabB"), 0) - 8;
            put(b, at, &3u64.to_le_bytes());
        },
        "table id 3 appears twice",
    );
    rejects(
        |b| {
            let at = find(b, &s("tabB"), 0);
            b.splice(at..at + 6, s(""));
        },
        "table 9 has an empty name",
    );
    rejects(
        |b| swap(b, &s("blob"), &s("keyA")),
        "column 'keyA' appears twice",
    );
    rejects(
        |b| swap(b, &s("keyC"), &s("keyZ")),
        "key column 'keyZ' is not one of its columns",
    );
    rejects(
        |b| {
            let at = find(b, &s("keyB"), 1) + 6;
            put(b, at, &[12]); // int64 -> float64
        },
        "keys must be utf8, int64 or uint64",
    );
    rejects(
        |b| {
            let at = find(b, &s("keyC"), 1) + 7;
            put(b, at, &[1]);
        },
        "key column 'keyC' is nullable",
    );
    rejects(
        |b| put(b, 40, &39u64.to_le_bytes()),
        "not below next_file_number 39",
    );
    rejects(
        |b| {
            let at = find(b, &seg(&a0), 0);
            put(b, at, &39u64.to_le_bytes());
        },
        "segment 39: file number appears twice",
    );
    rejects(
        |b| {
            let at = find(b, &seg(&b0), 0) + 25;
            put(b, at, &8u64.to_le_bytes());
        },
        "min_seq 8 is above max_seq 7",
    );
    rejects(
        |b| put(b, 32, &4999u64.to_le_bytes()),
        "max_seq 5000 is above last_flushed_seq 4999",
    );
    rejects(
        |b| {
            let at = find(b, &s("score"), 0) + 8;
            put(b, at, &[2]);
        },
        "nullable is 2",
    );
    rejects(
        |b| {
            let at = find(b, &s("score"), 0) + 7;
            put(b, at, &[200]);
        },
        "column 'score': not a valid type descriptor",
    );
    rejects(
        |b| {
            let at = find(b, &s("score"), 0) + 2;
            put(b, at, &[0xff]);
        },
        "not UTF-8",
    );
    rejects(|b| put(b, 48, &u32::MAX.to_le_bytes()), "cannot fit");
    rejects(|b| b.insert(b.len() - 4, 0), "1 bytes after the last table");
    rejects(|b| put(b, 12, &[1]), "flags are 0x1");
}

#[test]
fn decode_refuses_other_versions_and_other_files() {
    let mut bytes = sample(1).encode().unwrap();
    put(&mut bytes, 8, &3u32.to_le_bytes());
    reseal(&mut bytes);
    match Manifest::decode(&bytes, NAME) {
        Err(Error::UnsupportedVersion {
            file,
            found: 3,
            supported: 2,
        }) => assert_eq!(file, NAME),
        other => panic!("{other:?}"),
    }
    let mut wal = b"MURRWAL\0".to_vec();
    wal.extend_from_slice(&bytes[8..]);
    assert!(matches!(
        Manifest::decode(&wal, NAME),
        Err(Error::Corrupt { detail, .. }) if detail.contains("magic")
    ));
}

#[test]
fn encode_refuses_what_decode_would() {
    let refuse = |edit: &dyn Fn(&mut Manifest), detail: &str| {
        let mut m = sample(1);
        edit(&mut m);
        for err in [m.encode().unwrap_err(), m.validate().unwrap_err()] {
            match err {
                Error::InvalidManifest(d) => {
                    assert!(d.contains(detail), "{d:?} should contain {detail:?}")
                }
                other => panic!("{detail}: {other:?}"),
            }
        }
    };
    refuse(
        &|m| m.tables[1].name = "tabA".into(),
        "table name 'tabA' appears twice",
    );
    refuse(&|m| m.tables[2].id = 9, "table id 9 appears twice");
    refuse(&|m| m.tables[2].name.clear(), "table 10 has an empty name");
    refuse(
        &|m| m.tables[0].name = "x".repeat(70_000),
        "name is over 65535 bytes",
    );
    refuse(
        &|m| m.tables[0].columns[1].name = "y".repeat(70_000),
        "a column name is over 65535 bytes",
    );
    refuse(
        &|m| m.tables[0].key_column = "score".into(),
        "keys must be utf8, int64 or uint64",
    );
    refuse(
        &|m| m.tables[0].key_column = "nope".into(),
        "not one of its columns",
    );
    refuse(&|m| m.tables[2].columns[0].nullable = true, "is nullable");
    refuse(
        &|m| m.next_file_number = 31,
        "not below next_file_number 31",
    );
    refuse(
        &|m| m.tables[1].segments[0].file_number = 12,
        "file number appears twice",
    );
    refuse(&|m| m.last_flushed_seq = 10, "is above last_flushed_seq 10");
    refuse(
        &|m| {
            m.tables[0].segments[1]
                .deletes
                .as_mut()
                .unwrap()
                .file_number = 31
        },
        "deletion vector file number 31 appears twice",
    );
    refuse(
        &|m| m.tables[1].segments[0].file_number = 35,
        "file number appears twice",
    );
    refuse(
        &|m| {
            m.tables[0].segments[1]
                .deletes
                .as_mut()
                .unwrap()
                .file_number = 1 << 40
        },
        "deletion vector file number 1099511627776 is not below next_file_number",
    );
    refuse(
        &|m| m.tables[0].segments[1].deletes.as_mut().unwrap().rows = 1_000_001,
        "its deletion vector marks 1000001 rows of 1000000",
    );
    refuse(
        &|m| m.tables[0].segments[1].deletes.as_mut().unwrap().rows = 0,
        "marks 0 rows",
    );
    // Types the format cannot hold are refused by encode (validate checks the rules only).
    let mut m = sample(1);
    m.tables[0].columns[3].column_type = ColumnType::Embedding {
        element: ElementType::Float32,
        size: 0,
        item_name: Arc::from("item"),
        item_nullable: false,
    };
    assert!(matches!(m.encode(), Err(Error::InvalidManifest(d)) if d.contains("'emb'")));
    let mut m = sample(1);
    m.tables[0].columns[2].column_type = ColumnType::Timestamp(
        arrow_schema::TimeUnit::Second,
        Some(Arc::from("z".repeat(70_000))),
    );
    assert!(matches!(m.encode(), Err(Error::InvalidManifest(d)) if d.contains("'ts'")));
}
