//! The canonical workload of libmurr's benchmarks, demo and tests (`docs/WORKLOAD.md`):
//! table `features` with key `key` (utf8, `doc_{i}`) and non-null float32 columns
//! `f0`..`f{m-1}`, where row i column c holds `((i * 31 + c) % 1000) / 1000`, and a
//! deterministic stream of random row numbers. Not part of the library: core uses it as a
//! dev-dependency (benches, tests, examples), the CLI for its demo.
#![deny(missing_docs)]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

/// The schema of the canonical table with `columns` float32 columns.
pub fn schema(columns: usize) -> SchemaRef {
    let mut fields = vec![Field::new("key", DataType::Utf8, false)];
    fields.extend((0..columns).map(|c| Field::new(format!("f{c}"), DataType::Float32, false)));
    Arc::new(Schema::new(fields))
}

/// The key of row `i`.
pub fn key(i: u64) -> String {
    format!("doc_{i}")
}

/// The value of row `i`, column `c`.
pub fn value(i: u64, c: usize) -> f32 {
    ((i * 31 + c as u64) % 1000) as f32 / 1000.0
}

/// Rows `start..start + len` of the canonical table with `columns` float32 columns.
pub fn batch(start: u64, len: usize, columns: usize) -> Result<RecordBatch, ArrowError> {
    let rows = start..start + len as u64;
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
        rows.clone().map(key),
    ))];
    for c in 0..columns {
        arrays.push(Arc::new(Float32Array::from_iter_values(
            rows.clone().map(|i| value(i, c)),
        )));
    }
    RecordBatch::try_new(schema(columns), arrays)
}

/// Rows `0..rows` of the canonical table in batches of 100,000 rows (the last one shorter),
/// as docs/WORKLOAD.md loads them.
pub fn batches(rows: u64, columns: usize) -> impl Iterator<Item = Result<RecordBatch, ArrowError>> {
    (0..rows)
        .step_by(100_000)
        .map(move |start| batch(start, (rows - start).min(100_000) as usize, columns))
}

/// A deterministic stream of uniformly random row numbers below `n` (SplitMix64 from
/// `seed`), so every run and every peer sees the same keys.
pub fn random_rows(seed: u64, n: u64) -> impl Iterator<Item = u64> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((u128::from(z) * u128::from(n)) >> 64) as u64
    })
}
