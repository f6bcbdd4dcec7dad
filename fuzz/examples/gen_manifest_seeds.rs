//! Writes the seed corpus of the `manifest_decode` fuzz target: an empty manifest, one
//! table with a segment, and three tables using every column type.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example gen_manifest_seeds [DIR]`
//! (DIR defaults to `fuzz/seeds/manifest_decode`). The encoding is deterministic, so
//! rerunning it rewrites the same bytes.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_schema::TimeUnit;
use murr_core::manifest::{ColumnMeta, Manifest, SegmentMeta, TableMeta};
use murr_core::types::{ColumnType, ElementType};

fn col(name: &str, column_type: ColumnType, nullable: bool) -> ColumnMeta {
    ColumnMeta {
        name: name.into(),
        column_type,
        nullable,
    }
}

fn seg(file_number: u64, level: u8, min_seq: u64, max_seq: u64) -> SegmentMeta {
    SegmentMeta {
        file_number,
        level,
        rows: 1000,
        bytes: 1 << 20,
        min_seq,
        max_seq,
        deletes: None,
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/manifest_decode"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let one = Manifest {
        number: 2,
        last_flushed_seq: 100,
        next_file_number: 8,
        tables: vec![TableMeta {
            id: 1,
            name: "users".into(),
            key_column: "id".into(),
            columns: vec![
                col("id", ColumnType::Utf8, false),
                col("score", ColumnType::Float32, true),
            ],
            segments: vec![seg(7, 0, 1, 100)],
        }],
    };
    let all_types = Manifest {
        number: 0x1234,
        last_flushed_seq: 5000,
        next_file_number: 40,
        tables: vec![
            TableMeta {
                id: 3,
                name: "a".into(),
                key_column: "k".into(),
                columns: vec![
                    col("k", ColumnType::UInt64, false),
                    col("b", ColumnType::Bool, true),
                    col("i8", ColumnType::Int8, true),
                    col("i16", ColumnType::Int16, true),
                    col("i32", ColumnType::Int32, true),
                    col("i64", ColumnType::Int64, true),
                    col("u8", ColumnType::UInt8, true),
                    col("u16", ColumnType::UInt16, true),
                    col("u32", ColumnType::UInt32, true),
                    col("f16", ColumnType::Float16, true),
                    col("f64", ColumnType::Float64, true),
                    col("bin", ColumnType::Binary, true),
                    col("d", ColumnType::Date32, true),
                    col(
                        "ts",
                        ColumnType::Timestamp(TimeUnit::Nanosecond, Some(Arc::from("UTC"))),
                        true,
                    ),
                    col(
                        "emb",
                        ColumnType::Embedding {
                            element: ElementType::Int8,
                            size: 16,
                            item_name: Arc::from("item"),
                            item_nullable: false,
                        },
                        true,
                    ),
                ],
                segments: vec![seg(31, 0, 4001, 5000), seg(12, 1, 1, 4000)],
            },
            TableMeta {
                id: 9,
                name: "b".into(),
                key_column: "k".into(),
                columns: vec![
                    col("x", ColumnType::Timestamp(TimeUnit::Second, None), false),
                    col("k", ColumnType::Int64, false),
                ],
                segments: vec![seg(39, 2, 7, 7)],
            },
            TableMeta {
                id: 10,
                name: "c".into(),
                key_column: "k".into(),
                columns: vec![col("k", ColumnType::Utf8, false)],
                segments: vec![],
            },
        ],
    };
    for (name, m) in [
        ("empty.manifest", Manifest::default()),
        ("one_table.manifest", one),
        ("all_types.manifest", all_types),
    ] {
        let bytes = m.encode()?;
        assert_eq!(Manifest::decode(&bytes, name)?, m);
        let path = dir.join(name);
        std::fs::write(&path, &bytes)?;
        println!("{} ({} bytes)", path.display(), bytes.len());
    }
    Ok(())
}
