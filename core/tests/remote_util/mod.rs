//! Random segments and a fake fetcher that drives `RemoteSegment` over a file's bytes.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float64Array, Int8Array, Int32Array,
    Int64Array, RecordBatch, StringArray, TimestampMillisecondArray, UInt64Array,
};
use arrow_buffer::BooleanBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use murr_core::Result;
use murr_core::segment::SegmentWriter;
use murr_core::segment::remote::{OpenStep, RemoteSegment};

/// Every non-key column the tests write.
pub const COLUMNS: [&str; 10] = ["i8", "i32", "u64", "f64", "t", "d", "ts", "s", "b", "e"];

/// A small deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub fn schema(utf8: bool) -> SchemaRef {
    let key = if utf8 {
        DataType::Utf8
    } else {
        DataType::Int64
    };
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    Arc::new(Schema::new(vec![
        Field::new("key", key, false),
        Field::new("i8", DataType::Int8, true),
        Field::new("i32", DataType::Int32, false),
        Field::new("u64", DataType::UInt64, true),
        Field::new("f64", DataType::Float64, true),
        Field::new("t", DataType::Boolean, true),
        Field::new("d", DataType::Date32, true),
        Field::new("ts", DataType::Timestamp(TimeUnit::Millisecond, None), true),
        Field::new("s", DataType::Utf8, true),
        Field::new("b", DataType::Binary, false),
        Field::new("e", DataType::FixedSizeList(item, 4), true),
    ]))
}

/// The key array of key numbers `ks` (`None` = a null key).
pub fn key_array(utf8: bool, ks: &[Option<u64>]) -> ArrayRef {
    if utf8 {
        Arc::new(StringArray::from_iter(
            ks.iter().map(|k| k.map(|k| format!("user-{k:08}"))),
        ))
    } else {
        Arc::new(Int64Array::from_iter(
            ks.iter().map(|k| k.map(|k| k as i64 * 7 - 1000)),
        ))
    }
}

/// A segment of `rows` rows with keys 0, 2, 4, ... (odd keys are absent); with `partial`,
/// some rows are tombstones and some leave columns unwritten.
pub fn segment(utf8: bool, rows: u64, partial: bool, page_size: u32, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let n = rows as usize;
    let ks: Vec<Option<u64>> = (0..rows).map(|r| Some(r * 2)).collect();
    let mut null = |p: u64| rng.chance(p);
    let mut nulls: Vec<Vec<bool>> = (0..COLUMNS.len())
        .map(|_| (0..n).map(|_| null(15)).collect())
        .collect();
    nulls[1].fill(false);
    nulls[8].fill(false);
    let valid = |c: usize, r: usize| !nulls[c][r];
    let mut e = FixedSizeListBuilder::new(Float32Builder::new(), 4);
    for r in 0..n {
        for j in 0..4 {
            e.values().append_value(r as f32 + j as f32 / 4.0);
        }
        e.append(valid(9, r));
    }
    let columns: Vec<ArrayRef> = vec![
        key_array(utf8, &ks),
        Arc::new(Int8Array::from_iter(
            (0..n).map(|r| valid(0, r).then_some(r as i8)),
        )),
        Arc::new(Int32Array::from_iter_values((0..n).map(|r| r as i32 * 3))),
        Arc::new(UInt64Array::from_iter(
            (0..n).map(|r| valid(2, r).then_some(r as u64 * 11)),
        )),
        Arc::new(Float64Array::from_iter(
            (0..n).map(|r| valid(3, r).then_some(r as f64 / 3.0)),
        )),
        Arc::new(BooleanArray::from_iter(
            (0..n).map(|r| valid(4, r).then_some(r % 3 == 0)),
        )),
        Arc::new(Date32Array::from_iter(
            (0..n).map(|r| valid(5, r).then_some(r as i32)),
        )),
        Arc::new(TimestampMillisecondArray::from_iter(
            (0..n).map(|r| valid(6, r).then_some(r as i64 * 1000)),
        )),
        Arc::new(StringArray::from_iter(
            (0..n).map(|r| valid(7, r).then(|| "x".repeat(r % 40))),
        )),
        Arc::new(BinaryArray::from_iter_values(
            (0..n).map(|r| vec![r as u8; r % 17]),
        )),
        Arc::new(e.finish()),
    ];
    let schema = schema(utf8);
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut w = SegmentWriter::new(schema, "key")
        .unwrap()
        .with_page_size(page_size)
        .unwrap();
    if partial {
        let present: Vec<Option<BooleanBuffer>> = (0..COLUMNS.len())
            .map(|c| (c % 3 != 2).then(|| (0..n).map(|_| rng.chance(70)).collect()))
            .collect();
        let tombstones: BooleanBuffer = (0..n).map(|_| rng.chance(10)).collect();
        w.push_partial(&batch, &present, Some(&tombstones)).unwrap();
    } else {
        w.push(&batch).unwrap();
    }
    w.finish_to_vec().unwrap()
}

/// What a fake fetch cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Bytes and ranges fetched to open (trailer and footer).
    pub open_bytes: u64,
    pub open_ranges: usize,
    /// Bytes and ranges fetched by the read.
    pub bytes: u64,
    pub ranges: usize,
    /// Rounds of `needed()`.
    pub rounds: usize,
}

/// Serves `len` bytes at `offset` of `file`, as a server would.
pub type Serve<'a> = dyn FnMut(u64, &[u8]) -> Vec<u8> + 'a;

/// Opens `file` remotely, fetching through `serve`.
pub fn open(file: &[u8], serve: &mut Serve<'_>, stats: &mut Stats) -> Result<RemoteSegment> {
    open_from(
        file,
        RemoteSegment::open_range(file.len() as u64),
        serve,
        stats,
    )
}

/// Opens `file` remotely from its last 64 bytes only (then the footer and nothing more), so
/// that every page a read needs is fetched.
pub fn open_minimal(
    file: &[u8],
    serve: &mut Serve<'_>,
    stats: &mut Stats,
) -> Result<RemoteSegment> {
    let len = file.len() as u64;
    let range = murr_core::segment::remote::ByteRange {
        offset: len.saturating_sub(64),
        len: len.min(64),
    };
    open_from(file, range, serve, stats)
}

fn open_from(
    file: &[u8],
    mut range: murr_core::segment::remote::ByteRange,
    serve: &mut Serve<'_>,
    stats: &mut Stats,
) -> Result<RemoteSegment> {
    let len = file.len() as u64;
    for _ in 0..2 {
        let bytes = serve(
            range.offset,
            &file[range.offset as usize..range.end() as usize],
        );
        stats.open_bytes += range.len;
        stats.open_ranges += 1;
        match RemoteSegment::open(len, range.offset, &bytes, "remote")? {
            OpenStep::Ready(seg) => return Ok(*seg),
            OpenStep::Need(r) => range = r,
        }
    }
    panic!("open asked for a third range");
}

/// Reads `columns` for `keys` from `seg` over `file` through `serve`.
pub fn get(
    seg: &RemoteSegment,
    file: &[u8],
    keys: &ArrayRef,
    columns: &[&str],
    serve: &mut Serve<'_>,
    stats: &mut Stats,
) -> Result<(RecordBatch, Vec<bool>)> {
    let mut plan = seg.plan_get(keys.as_ref(), columns)?;
    loop {
        let needed = plan.needed();
        if needed.is_empty() {
            break;
        }
        stats.rounds += 1;
        assert!(stats.rounds < 100_000, "the plan does not end");
        for r in needed {
            assert!(r.end() <= file.len() as u64, "range {r:?} beyond the file");
            stats.bytes += r.len;
            stats.ranges += 1;
            let bytes = serve(r.offset, &file[r.offset as usize..r.end() as usize]);
            plan.supply(r.offset, &bytes)?;
        }
    }
    plan.finish()
}

/// An honest server.
pub fn honest(_: u64, b: &[u8]) -> Vec<u8> {
    b.to_vec()
}
