//! The key batches every system reads (the same for all, drawn with fixed seeds), and the
//! answers, checked against the generator outside the timing.

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{RecordBatch, StringArray};
use murr_workload as workload;

/// Keys per read.
pub const KEYS: usize = 1000;

/// One read: keys, and which of the table's floats to return.
pub struct Query {
    /// The row of each key, `None` for a key the table does not have (R3).
    pub rows: Vec<Option<u64>>,
    /// The keys as strings.
    pub keys: Vec<String>,
    /// The keys as an Arrow array (libmurr's input).
    pub array: StringArray,
    /// Indices of the asked floats in a row (for an embedding: all of them).
    pub cols: Vec<usize>,
    /// libmurr's column names to ask.
    pub names: Vec<String>,
}

/// The sequence of queries of one workload: 1000 uniformly random existing rows of `n`
/// (seed 42, as in every bench of libmurr), with every `absent_every`-th key replaced by a
/// key past the table's end (R3), asking `cols` (named `names` in libmurr).
pub struct Queries {
    rng: Box<dyn Iterator<Item = u64>>,
    absent: Box<dyn Iterator<Item = u64>>,
    n: u64,
    absent_every: Option<usize>,
    cols: Vec<usize>,
    names: Vec<String>,
}

impl Queries {
    pub fn new(n: u64, absent_every: Option<usize>, cols: Vec<usize>, names: Vec<String>) -> Self {
        Queries {
            rng: Box::new(workload::random_rows(42, n)),
            absent: Box::new(workload::random_rows(7, n)),
            n,
            absent_every,
            cols,
            names,
        }
    }
}

impl Iterator for Queries {
    type Item = Query;

    fn next(&mut self) -> Option<Query> {
        let mut rows = Vec::with_capacity(KEYS);
        let mut keys = Vec::with_capacity(KEYS);
        for k in 0..KEYS {
            let row = self.rng.next()?;
            if self.absent_every.is_some_and(|e| k % e == e - 1) {
                let past = self.n + self.absent.next()?;
                rows.push(None);
                keys.push(workload::key(past));
            } else {
                rows.push(Some(row));
                keys.push(workload::key(row));
            }
        }
        let array = StringArray::from_iter_values(keys.iter());
        Some(Query {
            rows,
            keys,
            array,
            cols: self.cols.clone(),
            names: self.names.clone(),
        })
    }
}

/// What a system returned for a query.
pub enum Answer {
    /// libmurr: one Arrow column per asked column (float32, or a fixed-size list of
    /// float32), and which keys were found.
    Arrow(RecordBatch, Vec<bool>),
    /// One vector per asked float, and which keys were found.
    Cols(Vec<Vec<f32>>, Vec<bool>),
    /// Rows of `width` floats one after another (a tensor), and which keys were found.
    Rows(Vec<f32>, usize, Vec<bool>),
}

impl Answer {
    /// Whether key `k` was found.
    fn found(&self, k: usize) -> bool {
        match self {
            Answer::Arrow(_, f) | Answer::Cols(_, f) | Answer::Rows(_, _, f) => f[k],
        }
    }

    /// The `j`-th asked float of key `k`.
    fn value(&self, k: usize, j: usize) -> f32 {
        match self {
            Answer::Arrow(batch, _) => {
                let first = batch.column(0);
                if let Some(list) = first.as_fixed_size_list_opt() {
                    list.value(k).as_primitive::<Float32Type>().value(j)
                } else {
                    batch.column(j).as_primitive::<Float32Type>().value(k)
                }
            }
            Answer::Cols(cols, _) => cols[j][k],
            Answer::Rows(values, width, _) => values[k * width + j],
        }
    }

    /// Panics unless the answer holds `value(row, col)` for every asked float of every
    /// key that exists, and finds exactly those keys.
    pub fn check(&self, query: &Query, value: &dyn Fn(u64, usize) -> f32) {
        if let Answer::Arrow(batch, _) = self {
            assert_eq!(batch.num_rows(), query.rows.len());
        }
        for (k, row) in query.rows.iter().enumerate() {
            assert_eq!(self.found(k), row.is_some(), "key {}", query.keys[k]);
            let Some(row) = row else { continue };
            for (j, &c) in query.cols.iter().enumerate() {
                assert_eq!(
                    self.value(k, j),
                    value(*row, c),
                    "key {} float {c}",
                    query.keys[k]
                );
            }
        }
    }
}

/// Packed rows (little-endian float32) unpacked into columns: the floats `cols` of each
/// found row, and the found mask.
pub fn unpack_cols<'a>(
    rows: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
    cols: &[usize],
) -> Answer {
    let n = rows.len();
    let mut out: Vec<Vec<f32>> = cols.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut found = Vec::with_capacity(n);
    for row in rows {
        found.push(row.is_some());
        let row = row.unwrap_or(&[]);
        for (o, &c) in out.iter_mut().zip(cols) {
            let v = row
                .get(4 * c..4 * c + 4)
                .map_or(0.0, |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            o.push(v);
        }
    }
    Answer::Cols(out, found)
}

/// Packed rows of `width` floats, copied one after another into a tensor.
pub fn unpack_rows<'a>(
    rows: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
    width: usize,
) -> Answer {
    let n = rows.len();
    let mut out = vec![0f32; n * width];
    let mut found = Vec::with_capacity(n);
    for (k, row) in rows.enumerate() {
        found.push(row.is_some());
        if let Some(row) = row {
            let dst: &mut [f32] = &mut out[k * width..(k + 1) * width];
            for (d, b) in dst.iter_mut().zip(row.chunks_exact(4)) {
                *d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
    }
    Answer::Rows(out, width, found)
}
