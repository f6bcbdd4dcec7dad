//! The tables of the suite (docs/WORKLOAD.md): the canonical 10-column table (R1-R4, W1, W2, O1,
//! M1), the wide 100-column table (R5) and the embedding table (R6), each as libmurr
//! batches, as packed rows for RocksDB and Redis, and as expected values for the checks.

use std::sync::Arc;

use arrow_array::types::Float32Type;
use arrow_array::{ArrayRef, FixedSizeListArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use murr_workload as workload;

/// Rows per batch of every load (docs/WORKLOAD.md).
pub const LOAD_BATCH: u64 = 100_000;

/// How a table holds its floats.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `n` float32 columns `f0..f{n-1}`.
    Columns(usize),
    /// One column `emb`: a fixed-size list of `n` float32 (an embedding).
    Embedding(usize),
}

/// One table of the suite.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// Its name in libmurr.
    pub table: &'static str,
    /// Its floats.
    pub shape: Shape,
}

/// The canonical table: 10 float32 columns.
pub const FEATURES: Spec = Spec {
    table: "features",
    shape: Shape::Columns(10),
};
/// R5's wide table: 100 float32 columns.
pub const WIDE: Spec = Spec {
    table: "wide",
    shape: Shape::Columns(100),
};
/// R6's table: one embedding of 128 float32.
pub const EMBEDDING: Spec = Spec {
    table: "embedding",
    shape: Shape::Embedding(128),
};

impl Spec {
    /// Floats per row.
    pub fn width(&self) -> usize {
        match self.shape {
            Shape::Columns(n) | Shape::Embedding(n) => n,
        }
    }

    /// The libmurr columns a full-row read asks.
    pub fn columns(&self) -> Vec<String> {
        match self.shape {
            Shape::Columns(n) => (0..n).map(|c| format!("f{c}")).collect(),
            Shape::Embedding(_) => vec!["emb".to_owned()],
        }
    }

    /// The libmurr schema (key `key`, utf8).
    pub fn schema(&self) -> SchemaRef {
        match self.shape {
            Shape::Columns(n) => workload::schema(n),
            Shape::Embedding(n) => Arc::new(Schema::new(vec![
                Field::new("key", DataType::Utf8, false),
                Field::new("emb", embedding_type(n), false),
            ])),
        }
    }

    /// Rows `start..start + len`, with the values of `value`.
    pub fn batch(&self, start: u64, len: usize, value: &dyn Fn(u64, usize) -> f32) -> RecordBatch {
        let rows: Vec<u64> = (start..start + len as u64).collect();
        self.batch_of(&rows, value)
    }

    /// Rows `rows`, with the values of `value`.
    pub fn batch_of(&self, rows: &[u64], value: &dyn Fn(u64, usize) -> f32) -> RecordBatch {
        let rows = rows.iter().copied();
        let keys: ArrayRef = Arc::new(StringArray::from_iter_values(
            rows.clone().map(workload::key),
        ));
        let mut arrays = vec![keys];
        match self.shape {
            Shape::Columns(n) => {
                for c in 0..n {
                    arrays.push(Arc::new(arrow_array::Float32Array::from_iter_values(
                        rows.clone().map(|i| value(i, c)),
                    )));
                }
            }
            Shape::Embedding(n) => {
                let lists = rows.map(|i| Some((0..n).map(move |c| Some(value(i, c)))));
                let list =
                    FixedSizeListArray::from_iter_primitive::<Float32Type, _, _>(lists, n as i32);
                let item = Arc::new(Field::new("item", DataType::Float32, false));
                let (_, _, values, nulls) = list.into_parts();
                arrays.push(Arc::new(FixedSizeListArray::new(
                    item, n as i32, values, nulls,
                )));
            }
        }
        RecordBatch::try_new(self.schema(), arrays).expect("a valid batch")
    }

    /// Row `i` packed as `width` little-endian float32 (RocksDB's and Redis's values).
    pub fn packed(&self, i: u64, value: &dyn Fn(u64, usize) -> f32) -> Vec<u8> {
        (0..self.width())
            .flat_map(|c| value(i, c).to_le_bytes())
            .collect()
    }
}

/// The type of an embedding of `n` float32 (non-null items named `item`).
fn embedding_type(n: usize) -> DataType {
    DataType::FixedSizeList(
        Arc::new(Field::new("item", DataType::Float32, false)),
        n as i32,
    )
}

/// The values every table starts with.
pub fn value(i: u64, c: usize) -> f32 {
    workload::value(i, c)
}

/// W2's new values for the upserted rows.
pub fn upserted(i: u64, c: usize) -> f32 {
    workload::value(i, c) + 1.0
}
