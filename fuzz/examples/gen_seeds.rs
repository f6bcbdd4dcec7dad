//! Writes the seed corpus of the `segment_read` fuzz targets: small valid segments with
//! 512-byte pages covering every key type, nullable fixed and variable columns,
//! embeddings, and partial rows (presence and tombstone sections), in the current format
//! version. The `v2_*.murr` seeds beside them are frozen version-2 files, not written here.
//!
//! `cargo run --manifest-path fuzz/Cargo.toml --example gen_seeds [DIR]`
//! (DIR defaults to `fuzz/seeds/segment_read`). The writer is deterministic, so rerunning
//! it rewrites the same bytes.

use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, FixedSizeListArray, Float16Array,
    Float32Array, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMillisecondArray, UInt64Array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use murr_core::segment::{Segment, SegmentWriter};

type Res<T> = Result<T, Box<dyn Error>>;
/// A seed's file name and the function that writes it.
type Seed = (&'static str, fn() -> Res<Vec<u8>>);

fn main() -> Res<()> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/segment_read"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let seeds: [Seed; 8] = [
        ("utf8_key_floats.murr", utf8_key_floats),
        ("int64_key_nullable.murr", int64_key_nullable),
        ("uint64_key_embedding.murr", uint64_key_embedding),
        ("utf8_key_int8_embedding.murr", utf8_key_int8_embedding),
        ("empty.murr", empty),
        ("utf8_key_partial.murr", utf8_key_partial),
        ("int64_key_tombstones.murr", int64_key_tombstones),
        ("uint64_key_all_tombstones.murr", uint64_key_all_tombstones),
    ];
    for (name, make) in seeds {
        let bytes = make()?;
        // Every seed must be a segment that opens, verifies and reads.
        let seg = Segment::from_bytes(bytes.clone(), name)?;
        seg.verify()?;
        seg.keys()?;
        let path = dir.join(name);
        std::fs::write(&path, &bytes)?;
        println!(
            "{} ({} bytes, {} rows)",
            path.display(),
            bytes.len(),
            seg.row_count()
        );
    }
    Ok(())
}

fn write(schema: Arc<Schema>, key: &str, columns: Vec<ArrayRef>) -> Res<Vec<u8>> {
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let mut w = SegmentWriter::new(schema, key)?.with_page_size(512)?;
    w.push(&batch)?;
    Ok(w.finish_to_vec()?)
}

/// The canonical table's shape: utf8 keys, non-null float32 columns; 40 rows.
fn utf8_key_floats() -> Res<Vec<u8>> {
    let batch = murr_workload::batch(0, 40, 3)?;
    let mut w = SegmentWriter::new(batch.schema(), "key")?.with_page_size(512)?;
    w.push(&batch)?;
    Ok(w.finish_to_vec()?)
}

/// int64 keys (unsorted, one repeated), nullable int32, float64 and bool in one row group,
/// and a nullable utf8 column.
fn int64_key_nullable() -> Res<Vec<u8>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("count", DataType::Int32, true),
        Field::new("score", DataType::Float64, true),
        Field::new("flag", DataType::Boolean, true),
        Field::new("label", DataType::Utf8, true),
    ]));
    let n = 24i64;
    let ids: Vec<i64> = (0..n).map(|i| (i * 7919) % 101 - 50).chain([3]).collect();
    let len = ids.len();
    write(
        schema,
        "id",
        vec![
            Arc::new(Int64Array::from(ids)),
            Arc::new(Int32Array::from_iter(
                (0..len as i32).map(|i| (i % 3 != 0).then_some(i * 10)),
            )),
            Arc::new(Float64Array::from_iter(
                (0..len).map(|i| (i % 4 != 1).then_some(i as f64 / 3.0)),
            )),
            Arc::new(BooleanArray::from_iter(
                (0..len).map(|i| (i % 5 != 2).then_some(i % 2 == 0)),
            )),
            Arc::new(StringArray::from_iter((0..len).map(|i| {
                (i % 3 != 1).then(|| format!("label-{i}-{}", "x".repeat(i % 7)))
            }))),
        ],
    )
}

/// uint64 keys, a nullable float32 embedding (its own row group), a nullable binary column
/// and a timestamp with a time zone.
fn uint64_key_embedding() -> Res<Vec<u8>> {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::UInt64, false),
        Field::new("emb", DataType::FixedSizeList(item.clone(), 4), true),
        Field::new("blob", DataType::Binary, true),
        Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
    ]));
    let n = 16u64;
    // Null slots over non-null elements: the writer rejects null elements, even under a null
    // slot (which is what Arrow's list builders produce).
    let values = Float32Array::from_iter_values((0..n * 4).map(|v| v as f32 / 8.0));
    let valid = NullBuffer::from_iter((0..n).map(|i| i % 5 != 3));
    let emb = FixedSizeListArray::try_new(item, 4, Arc::new(values), Some(valid))?;
    let blobs: Vec<Option<&[u8]>> = (0..n)
        .map(|i| match i % 4 {
            0 => None,
            1 => Some(&b""[..]),
            2 => Some(&b"\x00\xff\x10"[..]),
            _ => Some(&b"binary value"[..]),
        })
        .collect();
    write(
        schema,
        "k",
        vec![
            Arc::new(UInt64Array::from_iter_values(
                (0..n).map(|i| u64::MAX - i * 1_000_003),
            )),
            Arc::new(emb),
            Arc::new(BinaryArray::from(blobs)),
            Arc::new(
                TimestampMillisecondArray::from_iter_values(
                    (0..n).map(|i| 1_700_000_000_000 + i as i64),
                )
                .with_timezone("UTC"),
            ),
        ],
    )
}

/// utf8 keys with non-ASCII and empty-adjacent values, a non-null int8 embedding, date32,
/// float16 and int8 scalars with nulls.
fn utf8_key_int8_embedding() -> Res<Vec<u8>> {
    let item = Arc::new(Field::new("element", DataType::Int8, false));
    let schema = Arc::new(Schema::new(vec![
        Field::new("name", DataType::Utf8, false),
        Field::new("q", DataType::FixedSizeList(item.clone(), 3), false),
        Field::new("day", DataType::Date32, true),
        Field::new("half", DataType::Float16, true),
        Field::new("tiny", DataType::Int8, true),
    ]));
    let names = ["é", "a", "ключ", "b", "a\u{0}b", "zz", "日本", "x"];
    let n = names.len();
    let values = Int8Array::from_iter_values((0..n * 3).map(|i| (i as i8).wrapping_mul(37)));
    let q = FixedSizeListArray::try_new(item, 3, Arc::new(values), None)?;
    write(
        schema,
        "name",
        vec![
            Arc::new(StringArray::from(names.to_vec())),
            Arc::new(q),
            Arc::new(Date32Array::from_iter(
                (0..n as i32).map(|i| (i != 2).then_some(19_000 + i)),
            )),
            Arc::new(Float16Array::from_iter(
                (0..n).map(|i| (i % 2 == 0).then(|| half_of(i as f32))),
            )),
            Arc::new(Int8Array::from_iter(
                (0..n as i8).map(|i| (i != 5).then_some(-i)),
            )),
        ],
    )
}

fn half_of(v: f32) -> half::f16 {
    half::f16::from_f32(v)
}

/// No rows: a utf8 key and a float32 column.
fn empty() -> Res<Vec<u8>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("v", DataType::Float32, true),
    ]));
    write(
        schema,
        "key",
        vec![
            Arc::new(StringArray::from(Vec::<&str>::new())),
            Arc::new(Float32Array::from(Vec::<f32>::new())),
        ],
    )
}

/// Partial rows: utf8 keys, every fourth row a tombstone, `score` and `count` not written by
/// the same rows (one shared presence section), `label` (utf8) not written by others, the
/// embedding written by every live row; 30 rows in two batches, a key repeated across them.
fn utf8_key_partial() -> Res<Vec<u8>> {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("score", DataType::Float32, true),
        Field::new("count", DataType::Int32, true),
        Field::new("label", DataType::Utf8, true),
        Field::new("emb", DataType::FixedSizeList(item.clone(), 2), true),
    ]));
    let mut w = SegmentWriter::new(schema.clone(), "key")?.with_page_size(512)?;
    for (start, n) in [(0usize, 20usize), (17, 13)] {
        let rows: Vec<usize> = (start..start + n).collect();
        let values =
            Float32Array::from_iter_values(rows.iter().flat_map(|&i| [i as f32, -(i as f32)]));
        let emb = FixedSizeListArray::try_new(item.clone(), 2, Arc::new(values), None)?;
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|i| format!("doc_{i}")),
                )),
                Arc::new(Float32Array::from_iter(
                    rows.iter().map(|&i| (i % 5 != 1).then_some(i as f32 / 2.0)),
                )),
                Arc::new(Int32Array::from_iter(rows.iter().map(|&i| Some(i as i32)))),
                Arc::new(StringArray::from_iter(
                    rows.iter().map(|&i| (i % 6 != 0).then(|| format!("l{i}"))),
                )),
                Arc::new(emb),
            ],
        )?;
        let bits =
            |f: &dyn Fn(usize) -> bool| Some(BooleanBuffer::from_iter(rows.iter().map(|&i| f(i))));
        let present = [
            bits(&|i| i % 3 != 0),
            bits(&|i| i % 3 != 0),
            bits(&|i| i % 4 != 1),
            None,
        ];
        let tombstones = BooleanBuffer::from_iter(rows.iter().map(|&i| i % 4 == 2));
        w.push_partial(&batch, &present, Some(&tombstones))?;
    }
    Ok(w.finish_to_vec()?)
}

/// int64 keys, deletions only (a tombstone section, no presence), a nullable float64 and a
/// binary column.
fn int64_key_tombstones() -> Res<Vec<u8>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("x", DataType::Float64, true),
        Field::new("raw", DataType::Binary, false),
    ]));
    let n = 20i64;
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values((0..n).map(|i| i * 37 - 300))),
            Arc::new(Float64Array::from_iter(
                (0..n).map(|i| (i % 4 != 3).then_some(i as f64)),
            )),
            Arc::new(BinaryArray::from_iter_values(
                (0..n).map(|i| vec![i as u8; (i % 3) as usize]),
            )),
        ],
    )?;
    let tombstones = BooleanBuffer::from_iter((0..n).map(|i| i % 3 == 1));
    let mut w = SegmentWriter::new(schema, "id")?.with_page_size(512)?;
    w.push_partial(&batch, &[None, None], Some(&tombstones))?;
    Ok(w.finish_to_vec()?)
}

/// uint64 keys, every row a tombstone.
fn uint64_key_all_tombstones() -> Res<Vec<u8>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::UInt64, false),
        Field::new("flag", DataType::Boolean, true),
    ]));
    let n = 9u64;
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(UInt64Array::from_iter_values(
                (0..n).map(|i| i * 1_000_000_007),
            )),
            Arc::new(BooleanArray::from_iter((0..n).map(|i| Some(i % 2 == 0)))),
        ],
    )?;
    let mut w = SegmentWriter::new(schema, "k")?.with_page_size(512)?;
    w.push_partial(&batch, &[None], Some(&BooleanBuffer::new_set(n as usize)))?;
    Ok(w.finish_to_vec()?)
}
