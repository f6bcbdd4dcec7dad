//! Writes the cross-language golden segments under `tests/golden/` and, beside each, the
//! answers the Rust core gives for it (`NAME.json`). Every binding's tests read these files
//! and must give the same answers (see `tests/README.md`).
//!
//! ```text
//! cargo run -p murr-core --example write_golden -- tests/golden
//! ```
//!
//! The `.murr` files are committed; rewriting them with a newer writer is fine as long as
//! the answers stay the same (`core/tests/golden/` holds the frozen version-1 and version-2
//! files, whose answers are written here too).
//!
//! JSON values: null is `null`; bool, 8- to 32-bit integers, date32 (days) and floats
//! (float16 widened) are JSON numbers or booleans; int64, uint64 and timestamps (ticks) are
//! decimal strings; utf8 is a string; binary is lowercase hex; an embedding is an array.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::*;
use arrow_buffer::{BooleanBuffer, Buffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use murr_core::segment::{Segment, SegmentWriter};
use serde_json::{Value, json};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/golden".to_owned());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).unwrap();

    let (schema, batch) = all_types(24);
    write(
        dir,
        "all_types",
        &schema,
        "key",
        |w| w.push(&batch).unwrap(),
        &all_types_queries(),
    );

    let (schema, batch) = int_key(12);
    write(
        dir,
        "int64_key",
        &schema,
        "id",
        |w| w.push(&batch).unwrap(),
        &[Arc::new(Int64Array::from(vec![
            Some(i64::MIN),
            Some(3),
            Some(-1),
            None,
            Some(i64::MAX),
            Some(-5_000_000_000),
        ])) as ArrayRef],
    );

    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("id", DataType::UInt64, false),
        Field::new("v", DataType::Float32, true),
    ]));
    let ids = [0u64, 1, u64::MAX, 1 << 63, 77];
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(UInt64Array::from(ids.to_vec())),
            Arc::new(Float32Array::from(vec![
                Some(0.5),
                None,
                Some(-2.25),
                Some(1e30),
                Some(7.0),
            ])),
        ],
    )
    .unwrap();
    write(
        dir,
        "uint64_key",
        &schema,
        "id",
        |w| w.push(&batch).unwrap(),
        &[Arc::new(UInt64Array::from(vec![u64::MAX, 2, 1 << 63, 0])) as ArrayRef],
    );

    // Partial rows: a tombstone (k1), a row that leaves `b` unwritten (k2), a full row (k3).
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("a", DataType::Int32, true),
        Field::new("b", DataType::Float32, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["k1", "k2", "k3"])),
            Arc::new(Int32Array::from(vec![Some(1), Some(2), None])),
            Arc::new(Float32Array::from(vec![Some(1.5), Some(2.5), Some(3.5)])),
        ],
    )
    .unwrap();
    let present = [None, Some(BooleanBuffer::from(vec![true, false, true]))];
    let tombstones = BooleanBuffer::from(vec![true, false, false]);
    write(
        dir,
        "partial",
        &schema,
        "key",
        |w| w.push_partial(&batch, &present, Some(&tombstones)).unwrap(),
        &partial_queries(),
    );

    // The frozen version-1 and version-2 files of core's tests: their answers only. The
    // version-2 files are `all_types` and `partial` as the version-2 writer wrote them.
    let frozen = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (name, queries) in [
        ("v2_all_types", all_types_queries()),
        ("v2_partial", partial_queries()),
        (
            "v1_mixed",
            vec![Arc::new(StringArray::from(vec![
                Some("k03"),
                Some("k99"),
                None,
                Some("k11"),
                Some("k00"),
            ])) as ArrayRef],
        ),
        (
            "v1_int_key",
            vec![Arc::new(Int64Array::from(vec![i64::MIN, 1, 42, -7, i64::MAX])) as ArrayRef],
        ),
    ] {
        let bytes = std::fs::read(frozen.join(format!("{name}.murr"))).unwrap();
        answer(
            dir,
            name,
            &format!("../../core/tests/golden/{name}.murr"),
            bytes,
            &queries,
        );
    }
}

/// The queries of `all_types`: present, absent, null, repeated and empty keys; no keys.
fn all_types_queries() -> Vec<ArrayRef> {
    let keys: Vec<Option<&str>> = vec![
        Some("k05"),
        Some("nope"),
        Some("k00"),
        None,
        Some("k23"),
        Some("k05"),
        Some(""),
        Some("k17"),
    ];
    vec![
        Arc::new(StringArray::from(keys)) as ArrayRef,
        Arc::new(StringArray::from(Vec::<&str>::new())),
    ]
}

/// The query of `partial`: a tombstone, a partial row, a full row, an absent key.
fn partial_queries() -> Vec<ArrayRef> {
    vec![Arc::new(StringArray::from(vec!["k1", "k2", "k3", "k4"])) as ArrayRef]
}

/// Writes `dir/NAME.murr` (page size 512: many pages) and `dir/NAME.json`: the schema, the
/// row count, every key, and for each of `queries` every column read by `Segment::get`.
fn write(
    dir: &Path,
    name: &str,
    schema: &SchemaRef,
    key: &str,
    fill: impl FnOnce(&mut SegmentWriter),
    queries: &[ArrayRef],
) {
    let mut writer = SegmentWriter::new(schema.clone(), key)
        .unwrap()
        .with_page_size(512)
        .unwrap();
    fill(&mut writer);
    let bytes = writer.finish_to_vec().unwrap();
    std::fs::write(dir.join(format!("{name}.murr")), &bytes).unwrap();
    answer(dir, name, &format!("{name}.murr"), bytes, queries);
}

/// Writes `dir/NAME.json`, the answers for the segment `bytes` (at `file`, relative to `dir`).
fn answer(dir: &Path, name: &str, file: &str, bytes: Vec<u8>, queries: &[ArrayRef]) {
    let seg = Segment::from_bytes(bytes, name).unwrap();
    seg.verify().unwrap();
    let fields: Vec<Value> = seg
        .schema()
        .fields()
        .iter()
        .map(|f| json!({"name": f.name(), "type": f.data_type().to_string(), "nullable": f.is_nullable()}))
        .collect();
    let columns: Vec<String> = seg
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let queries: Vec<Value> = queries
        .iter()
        .map(|keys| {
            let (batch, found) = seg.get(keys.as_ref(), &names).unwrap();
            let read: serde_json::Map<String, Value> = names
                .iter()
                .zip(batch.columns())
                .map(|(n, c)| ((*n).to_owned(), values(c.as_ref())))
                .collect();
            json!({"keys": values(keys.as_ref()), "columns": names, "found": found, "values": read})
        })
        .collect();
    let answers = json!({
        "file": file,
        "key": seg.key_name(),
        "format_version": seg.format_version(),
        "row_count": seg.row_count(),
        "fields": fields,
        "keys": values(seg.keys().unwrap().as_ref()),
        "queries": queries,
    });
    let text = serde_json::to_string_pretty(&answers).unwrap() + "\n";
    std::fs::write(dir.join(format!("{name}.json")), text).unwrap();
}

/// Every value of `a` as JSON (see the module docs).
fn values(a: &dyn Array) -> Value {
    Value::Array((0..a.len()).map(|i| value(a, i)).collect())
}

fn value(a: &dyn Array, i: usize) -> Value {
    if a.is_null(i) {
        return Value::Null;
    }
    match a.data_type() {
        DataType::Boolean => json!(a.as_boolean().value(i)),
        DataType::Int8 => json!(a.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => json!(a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => json!(a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => json!(a.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::UInt8 => json!(a.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => json!(a.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => json!(a.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => json!(a.as_primitive::<UInt64Type>().value(i).to_string()),
        DataType::Float16 => json!(a.as_primitive::<Float16Type>().value(i).to_f64()),
        DataType::Float32 => json!(a.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Float64 => json!(a.as_primitive::<Float64Type>().value(i)),
        DataType::Date32 => json!(a.as_primitive::<Date32Type>().value(i)),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            json!(
                a.as_primitive::<TimestampMillisecondType>()
                    .value(i)
                    .to_string()
            )
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            json!(
                a.as_primitive::<TimestampMicrosecondType>()
                    .value(i)
                    .to_string()
            )
        }
        DataType::Utf8 => json!(a.as_string::<i32>().value(i)),
        DataType::Binary => json!(
            a.as_binary::<i32>()
                .value(i)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
        DataType::FixedSizeList(..) => values(a.as_fixed_size_list().value(i).as_ref()),
        other => panic!("no JSON form for {other}"),
    }
}

/// `n` rows of every column type, keys `k00..` in a shuffled order, each nullable column
/// null every few rows.
fn all_types(n: usize) -> (SchemaRef, RecordBatch) {
    let emb =
        |t: DataType, size| DataType::FixedSizeList(Arc::new(Field::new("item", t, true)), size);
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("b", DataType::Boolean, true),
        Field::new("i8", DataType::Int8, true),
        Field::new("i16", DataType::Int16, false),
        Field::new("i32", DataType::Int32, true),
        Field::new("i64", DataType::Int64, true),
        Field::new("u8", DataType::UInt8, false),
        Field::new("u16", DataType::UInt16, true),
        Field::new("u32", DataType::UInt32, false),
        Field::new("u64", DataType::UInt64, true),
        Field::new("f16", DataType::Float16, true),
        Field::new("f32", DataType::Float32, true),
        Field::new("f64", DataType::Float64, false),
        Field::new("s", DataType::Utf8, true),
        Field::new("bin", DataType::Binary, true),
        Field::new("day", DataType::Date32, true),
        Field::new(
            "ts",
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            true,
        ),
        Field::new("emb", emb(DataType::Float32, 3), true),
        Field::new("q", emb(DataType::Int8, 4), false),
        Field::new("h", emb(DataType::Float16, 2), true),
    ]));
    let order: Vec<usize> = (0..n).map(|i| (i * 7 + 3) % n).collect(); // n coprime to 7
    let null = |i: usize, every: usize| i % every != every - 1;
    let i = || order.iter().copied();
    let f16 = |bits: Vec<u16>| {
        let len = bits.len();
        Float16Array::new(ScalarBuffer::new(Buffer::from_vec(bits), 0, len), None)
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            i().map(|i| format!("k{i:02}")),
        )),
        Arc::new(BooleanArray::from_iter(
            i().map(|i| null(i, 5).then_some(i % 2 == 0)),
        )),
        Arc::new(Int8Array::from_iter(i().map(|i| {
            null(i, 4).then_some((i as i8).wrapping_mul(11).wrapping_sub(100))
        }))),
        Arc::new(Int16Array::from_iter_values(
            i().map(|i| i as i16 * 1000 - 12000),
        )),
        Arc::new(Int32Array::from_iter(
            i().map(|i| null(i, 3).then_some(i as i32 * 100_000 - 1_000_000)),
        )),
        Arc::new(Int64Array::from_iter(i().map(|i| {
            null(i, 6).then_some((i as i64 - 12) * 1_000_000_000_007)
        }))),
        Arc::new(UInt8Array::from_iter_values(i().map(|i| (i * 10) as u8))),
        Arc::new(UInt16Array::from_iter(
            i().map(|i| null(i, 7).then_some((i * 2700) as u16)),
        )),
        Arc::new(UInt32Array::from_iter_values(
            i().map(|i| u32::MAX - i as u32),
        )),
        Arc::new(UInt64Array::from_iter(
            i().map(|i| null(i, 5).then_some(u64::MAX - i as u64 * 3)),
        )),
        Arc::new({
            let f = f16(i().map(|i| 0x3c00 + (i as u16) * 0x0101).collect());
            Float16Array::from_iter(f.iter().zip(i()).map(|(v, i)| v.filter(|_| null(i, 4))))
        }),
        Arc::new(Float32Array::from_iter(
            i().map(|i| null(i, 6).then_some(i as f32 * 0.25 - 3.0)),
        )),
        Arc::new(Float64Array::from_iter_values(i().map(|i| i as f64 / 3.0))),
        Arc::new(StringArray::from_iter(i().map(|i| {
            null(i, 5).then(|| format!("s{i} {}", "é".repeat(i % 3)))
        }))),
        Arc::new(BinaryArray::from_iter(
            i().map(|i| null(i, 4).then(|| vec![i as u8; i % 5])),
        )),
        Arc::new(Date32Array::from_iter(
            i().map(|i| null(i, 3).then_some(19_000 + i as i32)),
        )),
        Arc::new(
            TimestampMillisecondArray::from_iter(
                i().map(|i| null(i, 8).then_some(1_700_000_000_000 + i as i64 * 86_400_001)),
            )
            .with_timezone("UTC"),
        ),
        Arc::new(
            FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(
                i().map(|i| {
                    null(i, 5).then(|| (0..3).map(move |e| Some((i * 3 + e) as f32 / 8.0)))
                }),
                3,
            ),
        ),
        Arc::new(FixedSizeListArray::from_iter_primitive::<Int8Type, _, _>(
            i().map(|i| Some((0..4).map(move |e| Some((i as i8).wrapping_mul(5).wrapping_sub(e))))),
            4,
        )),
        Arc::new(FixedSizeListArray::new(
            Arc::new(Field::new("item", DataType::Float16, true)),
            2,
            Arc::new(f16(i()
                .flat_map(|i| [0x3800 + i as u16, 0xb800 + i as u16])
                .collect())),
            Some(i().map(|i| null(i, 6)).collect()),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    (schema, batch)
}

/// `n` rows with int64 keys (negative, zero, the extremes) and a few columns.
fn int_key(n: i64) -> (SchemaRef, RecordBatch) {
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("score", DataType::Float32, true),
        Field::new("name", DataType::Utf8, true),
    ]));
    let mut ids: Vec<i64> = (0..n - 2).map(|i| (i - 4) * 1_250_000_001).collect();
    ids.extend([i64::MIN, i64::MAX]);
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from(ids.clone())),
            Arc::new(Float32Array::from_iter(
                ids.iter().map(|&i| (i % 3 != 0).then_some(i as f32)),
            )),
            Arc::new(StringArray::from_iter(
                ids.iter().map(|&i| (i % 2 == 0).then(|| format!("id {i}"))),
            )),
        ],
    )
    .unwrap();
    (schema, batch)
}
