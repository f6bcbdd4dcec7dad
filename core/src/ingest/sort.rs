//! Sorting buffered rows by key (the last row of a key wins) and writing them, in key
//! order, as segments of about the target size.

use std::path::PathBuf;

use arrow_array::{Array, RecordBatch};
use arrow_select::interleave::interleave;

use super::conform::Conform;
use crate::Result;
use crate::compact::MergeOutput;
use crate::compact::output::Output;
use crate::keys::order::{KeyColumn, KeyRef};

/// Rows gathered into one batch and handed to the segment writer at a time.
const CHUNK: usize = 64 * 1024;

/// One buffered row: the first 8 bytes of its key as an order-preserving number (most
/// comparisons need nothing else), its batch and its row.
#[derive(Clone, Copy)]
struct Entry {
    prefix: u64,
    batch: u32,
    row: u32,
}

/// Writes the rows of `batches` (conformed by `conform`) sorted by key, the last row of a
/// key kept, as segments of about `target` bytes at the paths `next_path` gives. Returns
/// the files written, in key order (disjoint, ascending key ranges).
pub(crate) fn write_sorted(
    batches: &[RecordBatch],
    conform: &Conform,
    target: usize,
    next_path: impl FnMut() -> Result<PathBuf>,
) -> Result<Vec<MergeOutput>> {
    let key = conform.key();
    let keys = batches
        .iter()
        .map(|b| KeyColumn::of(b.column(key).as_ref()))
        .collect::<Result<Vec<_>>>()?;
    let order = sorted_last(&keys)?;
    let schema = conform.target();
    let key_name = schema.field(key).name().clone();
    let mut output = Output::new(schema.clone(), &key_name, key, target, next_path);
    // Chunks of about half the target, so that a file ends within half a target of it.
    let bytes: usize = batches.iter().map(batch_bytes).sum();
    let row_bytes = (bytes / order.len().max(1)).max(1);
    let chunk_rows = (target / 2 / row_bytes).clamp(1, CHUNK);
    let mut indices: Vec<(usize, usize)> = Vec::with_capacity(chunk_rows.min(order.len()));
    for chunk in order.chunks(chunk_rows) {
        indices.clear();
        indices.extend(chunk.iter().map(|e| (e.batch as usize, e.row as usize)));
        let columns = (0..schema.fields().len())
            .map(|c| {
                let arrays: Vec<&dyn Array> =
                    batches.iter().map(|b| b.column(c).as_ref()).collect();
                interleave(&arrays, &indices)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let batch = RecordBatch::try_new(schema.clone(), columns)?;
        output.push(&batch, &conform.present(batch.num_rows()), None)?;
    }
    output.finish()?;
    Ok(output.into_outputs())
}

/// The bytes of `batch`'s rows: of its slices only (a batch sliced from a larger one does
/// not count the whole buffers it shares, as `get_array_memory_size` would).
pub(crate) fn batch_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| {
            let data = c.to_data();
            data.get_slice_memory_size()
                .unwrap_or_else(|_| c.get_array_memory_size())
        })
        .sum()
}

/// Every row of `keys` (one key column per batch) in key order, only the last row of each
/// key (the last batch, then the last row, holding it) kept.
fn sorted_last(keys: &[KeyColumn]) -> Result<Vec<Entry>> {
    let rows: usize = keys.iter().map(KeyColumn::len).sum();
    let mut order = Vec::with_capacity(rows);
    for (b, column) in keys.iter().enumerate() {
        let batch = u32::try_from(b).map_err(|_| too_many(rows))?;
        for r in 0..column.len() {
            let row = u32::try_from(r).map_err(|_| too_many(rows))?;
            order.push(Entry {
                prefix: prefix(column.get(r)),
                batch,
                row,
            });
        }
    }
    let key = |e: &Entry| -> KeyRef<'_> {
        match keys.get(e.batch as usize) {
            Some(k) => k.get(e.row as usize),
            None => KeyRef::UInt64(0),
        }
    };
    let same_key = |a: &Entry, b: &Entry| a.prefix == b.prefix && key(a) == key(b);
    // Ties of equal keys go by (batch, row): an unstable sort with the input position as
    // the last criterion orders as a stable one.
    order.sort_unstable_by(|a, b| {
        a.prefix
            .cmp(&b.prefix)
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| (a.batch, a.row).cmp(&(b.batch, b.row)))
    });
    let mut kept = 0;
    for i in 0..order.len() {
        let (Some(&here), next) = (order.get(i), order.get(i + 1)) else {
            break;
        };
        if next.is_some_and(|n| same_key(&here, n)) {
            continue;
        }
        if let Some(slot) = order.get_mut(kept) {
            *slot = here;
        }
        kept += 1;
    }
    order.truncate(kept);
    Ok(order)
}

/// The first 8 bytes of `key` as a number in the keys' order: utf8 keys' bytes
/// big-endian, zero-padded (a shorter key ties with its zero-padded extension; the full
/// comparison breaks the tie); int64 keys with the sign bit flipped; uint64 keys as
/// they are.
fn prefix(key: KeyRef<'_>) -> u64 {
    match key {
        KeyRef::Utf8(b) => {
            let mut p = [0u8; 8];
            let n = b.len().min(8);
            if let (Some(dst), Some(src)) = (p.get_mut(..n), b.get(..n)) {
                dst.copy_from_slice(src);
            }
            u64::from_be_bytes(p)
        }
        KeyRef::Int64(v) => (v as u64) ^ (1 << 63),
        KeyRef::UInt64(v) => v,
    }
}

fn too_many(rows: usize) -> crate::Error {
    crate::Error::LimitExceeded(format!(
        "an ingest sorts at most 2^32 rows or batches in memory at a time ({rows} buffered); \
         lower Options::ingest_memory_bytes"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Int64Array, StringArray};

    fn order_of(keys: &[KeyColumn]) -> Vec<(u32, u32)> {
        sorted_last(keys)
            .unwrap()
            .iter()
            .map(|e| (e.batch, e.row))
            .collect()
    }

    #[test]
    fn utf8_keys_sort_bytewise_and_the_last_row_wins() {
        let a =
            KeyColumn::of(&StringArray::from(vec!["doc_10", "doc_2", "b", "doc_10xx"])).unwrap();
        let b = KeyColumn::of(&StringArray::from(vec!["doc_2", "", "b\0"])).unwrap();
        // "" < "b" < "b\0" < "doc_10" < "doc_10xx" < "doc_2" (last: batch 1 row 0).
        assert_eq!(
            order_of(&[a, b]),
            vec![(1, 1), (0, 2), (1, 2), (0, 0), (0, 3), (1, 0)]
        );
    }

    #[test]
    fn int64_keys_sort_numerically_across_the_sign() {
        let a = KeyColumn::of(&Int64Array::from(vec![5, -3, i64::MIN, 5, i64::MAX, 0])).unwrap();
        assert_eq!(order_of(&[a]), vec![(0, 2), (0, 1), (0, 5), (0, 3), (0, 4)]);
    }
}
