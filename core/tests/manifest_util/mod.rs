//! Helpers shared by the manifest tests: a manifest using every feature of the format,
//! a proptest strategy for random valid manifests, and resealing damaged bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_schema::TimeUnit;
use murr_core::manifest::{ColumnMeta, DeletesMeta, HEADER_LEN, Manifest, SegmentMeta, TableMeta};
use murr_core::types::{ColumnType, ElementType};
use proptest::prelude::*;

/// The name manifests decoded from memory are given in errors.
pub const NAME: &str = "MANIFEST-test";

fn col(name: &str, column_type: ColumnType, nullable: bool) -> ColumnMeta {
    ColumnMeta {
        name: name.into(),
        column_type,
        nullable,
    }
}

/// A manifest of three tables (utf8, int64 and uint64 keys; an empty one) using every
/// column type, distinctive names and values so tests can find them in the bytes.
pub fn sample(number: u64) -> Manifest {
    Manifest {
        number,
        last_flushed_seq: 5000,
        next_file_number: 40,
        tables: vec![
            TableMeta {
                id: 3,
                name: "tabA".into(),
                key_column: "keyA".into(),
                columns: vec![
                    col("keyA", ColumnType::Utf8, false),
                    col("score", ColumnType::Float32, true),
                    col(
                        "ts",
                        ColumnType::Timestamp(
                            TimeUnit::Millisecond,
                            Some(Arc::from("Europe/Paris")),
                        ),
                        true,
                    ),
                    col(
                        "emb",
                        ColumnType::Embedding {
                            element: ElementType::Float16,
                            size: 64,
                            item_name: Arc::from("item"),
                            item_nullable: true,
                        },
                        true,
                    ),
                    col("blob", ColumnType::Binary, true),
                    col("naïve ✓", ColumnType::Bool, false),
                ],
                segments: vec![
                    SegmentMeta {
                        file_number: 31,
                        level: 0,
                        rows: 10,
                        bytes: 4096,
                        min_seq: 4001,
                        max_seq: 5000,
                        deletes: None,
                    },
                    SegmentMeta {
                        file_number: 12,
                        level: 1,
                        rows: 1_000_000,
                        bytes: 1 << 33,
                        min_seq: 1,
                        max_seq: 4000,
                        deletes: Some(DeletesMeta {
                            file_number: 35,
                            rows: 3,
                            bytes: 120,
                        }),
                    },
                ],
            },
            TableMeta {
                id: 9,
                name: "tabB".into(),
                key_column: "keyB".into(),
                columns: vec![
                    col("i8", ColumnType::Int8, true),
                    col("keyB", ColumnType::Int64, false),
                    col("u16", ColumnType::UInt16, true),
                    col("d", ColumnType::Date32, true),
                    col("f64", ColumnType::Float64, false),
                ],
                segments: vec![SegmentMeta {
                    file_number: 39,
                    level: 2,
                    rows: 0,
                    bytes: 200,
                    min_seq: 7,
                    max_seq: 7,
                    deletes: None,
                }],
            },
            TableMeta {
                id: 10,
                name: "tabC".into(),
                key_column: "keyC".into(),
                columns: vec![col("keyC", ColumnType::UInt64, false)],
                segments: vec![],
            },
        ],
    }
}

/// Recomputes the payload length and the CRC32 of damaged bytes, so that a change reaches
/// the payload reader and the validator instead of stopping at the checksum.
pub fn reseal(bytes: &mut [u8]) {
    let payload = bytes.len() - HEADER_LEN - 4;
    bytes[16..24].copy_from_slice(&(payload as u64).to_le_bytes());
    let crc = crc32fast::hash(&bytes[..bytes.len() - 4]);
    let at = bytes.len() - 4;
    bytes[at..].copy_from_slice(&crc.to_le_bytes());
}

fn column_type() -> impl Strategy<Value = ColumnType> {
    let unit = prop_oneof![
        Just(TimeUnit::Second),
        Just(TimeUnit::Millisecond),
        Just(TimeUnit::Microsecond),
        Just(TimeUnit::Nanosecond),
    ];
    let element = prop_oneof![
        Just(ElementType::Float32),
        Just(ElementType::Float16),
        Just(ElementType::Int8),
    ];
    prop_oneof![
        Just(ColumnType::Bool),
        Just(ColumnType::Int8),
        Just(ColumnType::Int16),
        Just(ColumnType::Int32),
        Just(ColumnType::Int64),
        Just(ColumnType::UInt8),
        Just(ColumnType::UInt16),
        Just(ColumnType::UInt32),
        Just(ColumnType::UInt64),
        Just(ColumnType::Float16),
        Just(ColumnType::Float32),
        Just(ColumnType::Float64),
        Just(ColumnType::Utf8),
        Just(ColumnType::Binary),
        Just(ColumnType::Date32),
        (unit, proptest::option::of("\\PC{0,12}"))
            .prop_map(|(u, tz)| ColumnType::Timestamp(u, tz.map(Arc::from))),
        (element, 1u32..=4096, "\\PC{0,8}", any::<bool>()).prop_map(
            |(element, size, n, nullable)| {
                ColumnType::Embedding {
                    element,
                    size,
                    item_name: Arc::from(n),
                    item_nullable: nullable,
                }
            }
        ),
    ]
}

fn key_type() -> impl Strategy<Value = ColumnType> {
    prop_oneof![
        Just(ColumnType::Utf8),
        Just(ColumnType::Int64),
        Just(ColumnType::UInt64)
    ]
}

/// A table whose names are made unique by their index; its segments' file numbers and
/// seqs are fixed up by [`manifest`].
fn table() -> impl Strategy<Value = TableMeta> {
    (
        any::<u64>(),
        "\\PC{0,10}",
        key_type(),
        proptest::collection::vec((column_type(), any::<bool>(), "\\PC{0,6}"), 0..6),
        any::<prop::sample::Index>(),
        proptest::collection::vec(
            (
                any::<u8>(),
                any::<u64>(),
                any::<u64>(),
                any::<u64>(),
                any::<u64>(),
            ),
            0..5,
        ),
    )
        .prop_map(|(id, name, key_type, cols, key_at, segs)| {
            let mut columns: Vec<ColumnMeta> = cols
                .into_iter()
                .enumerate()
                .map(|(i, (t, nullable, n))| col(&format!("c{i}{n}"), t, nullable))
                .collect();
            let at = key_at.index(columns.len() + 1);
            columns.insert(at, col("k", key_type, false));
            TableMeta {
                id,
                name,
                key_column: "k".into(),
                columns,
                segments: segs
                    .into_iter()
                    .map(|(level, rows, bytes, a, b)| SegmentMeta {
                        file_number: 0,
                        level,
                        rows,
                        bytes,
                        min_seq: a.min(b),
                        max_seq: a.max(b),
                        // Marked below: `rows` of them when the segment has rows and
                        // `bytes` is odd.
                        deletes: (rows > 0 && bytes % 2 == 1).then_some(DeletesMeta {
                            file_number: 0,
                            rows: 1 + bytes % rows,
                            bytes: bytes / 2,
                        }),
                    })
                    .collect(),
            }
        })
}

/// A random valid manifest: unique table ids and names, unique file numbers below
/// `next_file_number`, seqs at or below `last_flushed_seq`.
pub fn manifest() -> impl Strategy<Value = Manifest> {
    (
        any::<u64>(),
        any::<u64>(),
        proptest::collection::vec(table(), 0..5),
    )
        .prop_map(|(number, spare, mut tables)| {
            let mut file = spare % 1000;
            let mut last_flushed_seq = 0;
            for (i, t) in tables.iter_mut().enumerate() {
                t.name = format!("t{i}{}", t.name);
                for s in &mut t.segments {
                    s.file_number = file;
                    file += 1 + spare % 7;
                    if let Some(d) = &mut s.deletes {
                        d.file_number = file;
                        file += 1;
                    }
                    last_flushed_seq = last_flushed_seq.max(s.max_seq);
                }
            }
            // Table ids made distinct: the top bits hold the index.
            for (i, t) in tables.iter_mut().enumerate() {
                t.id = (t.id & (u64::MAX >> 4)) | ((i as u64) << 60);
            }
            Manifest {
                number,
                last_flushed_seq,
                next_file_number: file + spare % 3,
                tables,
            }
        })
}
