//! A table of every column type libmurr stores, and a seeded random sequence of writes,
//! partial upserts, deletes, added columns, flushes and compactions on it, for the export
//! tests (`export_parquet.rs`, `export_iceberg.rs`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, FixedSizeListArray, Float32Array, Float64Array,
    Int32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use murr_core::db::{Db, Options};

/// A tiny deterministic generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The table's columns at creation: key `k` (utf8) and one column of each type.
pub fn schema() -> Schema {
    Schema::new(vec![
        Field::new("k", DataType::Utf8, false),
        Field::new("flag", DataType::Boolean, true),
        Field::new("i8", DataType::Int8, true),
        Field::new("u16", DataType::UInt16, true),
        Field::new("i32", DataType::Int32, true),
        Field::new("u32", DataType::UInt32, true),
        Field::new("i64", DataType::Int64, true),
        Field::new("u64", DataType::UInt64, true),
        Field::new("f16", DataType::Float16, true),
        Field::new("f32", DataType::Float32, true),
        Field::new("f64", DataType::Float64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("b", DataType::Binary, true),
        Field::new("d", DataType::Date32, true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Microsecond, None), true),
        Field::new(
            "tsz",
            DataType::Timestamp(TimeUnit::Millisecond, Some(Arc::from("UTC"))),
            true,
        ),
        Field::new("emb", embedding(DataType::Float32, 4), true),
    ])
}

/// The columns the sequence adds, one at a time.
pub fn added() -> Vec<Field> {
    vec![
        Field::new("extra", DataType::Int64, true),
        Field::new("emb16", embedding(DataType::Float16, 2), true),
        Field::new("q", embedding(DataType::Int8, 3), true),
    ]
}

pub fn embedding(element: DataType, size: i32) -> DataType {
    DataType::FixedSizeList(Arc::new(Field::new("item", element, false)), size)
}

/// A column of `n` values of `data_type` from `rng` (about one in eight null).
pub fn column(rng: &mut Rng, data_type: &DataType, n: usize) -> ArrayRef {
    let valid: Vec<bool> = (0..n).map(|_| rng.below(8) != 0).collect();
    let nulls = || Some(arrow_buffer::NullBuffer::from(valid.clone()));
    let ints = |rng: &mut Rng, lo: i64, span: u64| -> Int64Array {
        let v: Vec<i64> = (0..n).map(|_| lo + rng.below(span) as i64).collect();
        Int64Array::new(v.into(), nulls())
    };
    let cast = |a: &dyn arrow_array::Array| arrow_cast::cast(a, data_type).unwrap();
    match data_type {
        DataType::Boolean => Arc::new(BooleanArray::new(
            (0..n).map(|_| rng.below(2) == 1).collect(),
            nulls(),
        )),
        DataType::Int8 => cast(&ints(rng, -128, 256)),
        DataType::UInt16 => cast(&ints(rng, 0, 65536)),
        DataType::Int32 => cast(&ints(rng, -(1 << 31), 1 << 32)),
        DataType::UInt32 => cast(&ints(rng, 0, 1 << 32)),
        DataType::Int64 => Arc::new(Int64Array::new(
            (0..n).map(|_| rng.next() as i64).collect(),
            nulls(),
        )),
        DataType::UInt64 => Arc::new(UInt64Array::new(
            (0..n).map(|_| rng.next() >> 1).collect(),
            nulls(),
        )),
        DataType::Float16 | DataType::Float32 => {
            let v: Vec<f32> = (0..n)
                .map(|_| (rng.below(4096) as f32 - 2048.0) / 8.0)
                .collect();
            cast(&Float32Array::new(v.into(), nulls()))
        }
        DataType::Float64 => Arc::new(Float64Array::new(
            (0..n).map(|_| rng.next() as f64 / 7.0).collect(),
            nulls(),
        )),
        DataType::Utf8 => Arc::new(StringArray::from(
            (0..n)
                .map(|i| valid[i].then(|| format!("s{}-é", rng.below(1000))))
                .collect::<Vec<_>>(),
        )),
        DataType::Binary => {
            let v: Vec<Option<Vec<u8>>> = (0..n)
                .map(|i| valid[i].then(|| rng.next().to_le_bytes()[..(i % 9)].to_vec()))
                .collect();
            Arc::new(BinaryArray::from_iter(v))
        }
        DataType::Date32 => {
            let v: Vec<i32> = (0..n).map(|_| rng.below(40000) as i32 - 10000).collect();
            cast(&Int32Array::new(v.into(), nulls()))
        }
        DataType::Timestamp(..) => cast(&ints(rng, -(1 << 40), 1 << 42)),
        DataType::FixedSizeList(item, size) => {
            let len = n * *size as usize;
            let v: Vec<f32> = (0..len)
                .map(|_| (rng.below(512) as f32 - 256.0) / 4.0)
                .collect();
            let values = arrow_cast::cast(&Float32Array::from(v), item.data_type()).unwrap();
            Arc::new(FixedSizeListArray::new(
                Arc::clone(item),
                *size,
                values,
                nulls(),
            ))
        }
        other => panic!("no generator for {other}"),
    }
}

/// A batch upserting keys `keys` of `db`'s table `t`: every column, or (`partial`) the
/// key and a random subset of the others.
pub fn upsert(db: &Db, rng: &mut Rng, keys: &[u64], partial: bool) -> RecordBatch {
    let schema = db.schema("t").unwrap();
    let mut fields = vec![schema.field(0).clone()];
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from(
        keys.iter()
            .map(|k| format!("key{k:06}"))
            .collect::<Vec<_>>(),
    ))];
    for f in schema.fields().iter().skip(1) {
        if partial && rng.below(2) == 0 {
            continue;
        }
        arrays.push(column(rng, f.data_type(), keys.len()));
        fields.push(f.as_ref().clone());
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).unwrap()
}

/// One step of the random sequence; returns whether the caller should export now.
pub fn step(db: &Db, rng: &mut Rng, added_so_far: &mut usize, universe: u64) -> bool {
    match rng.below(20) {
        0..=7 => {
            let n = 1 + rng.below(300) as usize;
            let keys: Vec<u64> = (0..n).map(|_| rng.below(universe)).collect();
            let batch = upsert(db, rng, &keys, false);
            db.write("t", &batch).unwrap();
        }
        8..=11 => {
            let n = 1 + rng.below(200) as usize;
            let keys: Vec<u64> = (0..n).map(|_| rng.below(universe)).collect();
            let batch = upsert(db, rng, &keys, true);
            db.write("t", &batch).unwrap();
        }
        12..=13 => {
            let n = 1 + rng.below(100) as usize;
            let keys: Vec<String> = (0..n)
                .map(|_| format!("key{:06}", rng.below(universe)))
                .collect();
            db.delete("t", &StringArray::from(keys)).unwrap();
        }
        14 => {
            if let Some(f) = added().get(*added_so_far) {
                db.add_column("t", f.clone()).unwrap();
                *added_so_far += 1;
            }
        }
        15..=16 => db.flush().unwrap(),
        17 => db.compact().unwrap(),
        _ => return true,
    }
    false
}

/// A database in `dir` with table `t` of [`schema`], with manual background work.
pub fn open(dir: &std::path::Path) -> Db {
    let db = Db::open(dir, Options::default().with_background_threads(0)).unwrap();
    db.create_table("t", &schema(), "k").unwrap();
    db
}

/// Every row `db`'s table `t` scans to, as one batch.
pub fn scan_all(db: &Db) -> RecordBatch {
    let scan = db.scan("t", &[]).unwrap();
    let schema = arrow_array::RecordBatchReader::schema(&scan);
    let batches: Vec<RecordBatch> = scan.map(|b| b.unwrap()).collect();
    arrow_select::concat::concat_batches(&schema, &batches).unwrap()
}
