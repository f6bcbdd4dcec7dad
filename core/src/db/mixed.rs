//! Reads of a table whose memtables hold writes: the memtables are probed first (one hash
//! probe per key and memtable; a key none of them holds is ruled out there), the keys they
//! answer whole (a full row, or a tombstone) are taken from them, and the rest take the
//! direct path over the segments together. The answers are merged by key. A key the
//! memtables answer in part (a partial upsert over older values) sends the whole read to
//! the general path, as does anything the direct path declines.

use std::sync::Arc;

use arrow_array::new_null_array;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_schema::{Field, Schema};

use super::version::TableVersion;
use crate::memtable::{Cell, FixedCell, FixedCells, KeyState, Lookup};
use crate::segment::scatter::Scattered;
use crate::{Error, Result};

/// Where one key's answer comes from.
#[derive(Clone, Copy)]
enum From {
    /// The segments: row `.0` of the direct read of the segment keys.
    Segments(u32),
    /// Lookup `.0`, key `k` (the key's own index), live.
    Memtable(u32),
    /// A tombstone in a memtable: absent.
    Deleted,
}

/// Reads `columns` of `table` for `keys` at `seq` as the module docs say; `None` sends
/// the read to the general path.
pub(crate) fn read(
    table: &TableVersion,
    seq: u64,
    keys: &dyn Array,
    columns: &[&str],
) -> Result<Option<(RecordBatch, Vec<bool>)>> {
    let n = keys.len();
    let n32 = u32::try_from(n)
        .map_err(|_| Error::LimitExceeded(format!("a read of {n} keys (at most {})", u32::MAX)))?;
    // The asked columns other than the key, as table column indices.
    let mut asked = Vec::with_capacity(columns.len());
    for &name in columns {
        let (i, _) = table.column(name)?;
        if i != table.key {
            asked.push(i);
        }
    }
    // Each key's bytes and hash, once for every memtable and segment.
    let query = crate::keys::QueryKeys::new(
        keys,
        table.key_name(),
        &crate::types::ColumnType::from_arrow(
            table.key_name(),
            table
                .schema
                .fields()
                .get(table.key)
                .map(|f| f.data_type())
                .unwrap_or(keys.data_type()),
        )?,
    )?;
    let key_bytes = query.all();
    let hashes = crate::memtable::key_hashes(&key_bytes);
    let mut lookups: Vec<Lookup> = Vec::new();
    for m in std::iter::once(&table.active).chain(&table.frozen) {
        if m.is_empty() {
            continue;
        }
        let width = m.schema().fields().len();
        if asked.iter().any(|&c| c >= width) {
            return Ok(None); // frozen before a column was added: the general path
        }
        lookups.push(m.get_hashed(&key_bytes, &hashes, &asked, seq)?);
    }
    let mut from = Vec::with_capacity(n);
    let mut segment_keys: Vec<u32> = Vec::with_capacity(n);
    for k in 0..n32 {
        let mut answer = None;
        for (l, lookup) in lookups.iter().enumerate() {
            match lookup.state(k as usize) {
                KeyState::Absent => continue,
                KeyState::Deleted => answer = Some(From::Deleted),
                KeyState::Live => {
                    let whole = (0..asked.len())
                        .all(|a| !matches!(lookup.cell(k as usize, a), Cell::Unresolved));
                    if !whole {
                        return Ok(None);
                    }
                    answer = Some(From::Memtable(l as u32));
                }
            }
            break;
        }
        from.push(answer.unwrap_or_else(|| {
            segment_keys.push(k);
            From::Segments(segment_keys.len() as u32 - 1)
        }));
    }

    let fixed: Vec<FixedCells<'_>> = lookups.iter().map(Lookup::fixed_cells).collect();
    prefetch_cells(&from, &fixed, asked.len());

    // The segment keys the direct way, into outputs for every key, the memtables' cells
    // written into them before they become arrays (fixed-width columns: else below).
    let has_segments = !table.segments.is_empty() || !table.run.is_empty();
    if has_segments && !segment_keys.is_empty() {
        let mut patch = |out: &mut Scattered<'_>, found: &mut [bool]| {
            patch_cells(out, found, &from, &fixed, asked.len())
        };
        if let Some(answer) = super::direct::direct_with(
            table,
            keys,
            columns,
            Some(&segment_keys),
            Some(&hashes),
            &mut patch,
        )? {
            return Ok(Some(answer));
        }
    }
    let direct = if segment_keys.is_empty() || !has_segments {
        None
    } else {
        let subset: ArrayRef = if segment_keys.len() == n {
            arrow_array::make_array(keys.to_data())
        } else {
            arrow_select::take::take(keys, &UInt32Array::from(segment_keys.clone()), None)?
        };
        match super::direct::direct(table, subset.as_ref(), columns)? {
            Some(answer) => Some(answer),
            None => return Ok(None),
        }
    };
    if lookups.is_empty()
        && let Some(answer) = direct
    {
        return Ok(Some(answer));
    }

    let found: Vec<bool> = from
        .iter()
        .map(|f| match *f {
            From::Segments(q) => direct
                .as_ref()
                .and_then(|(_, found)| found.get(q as usize).copied())
                .unwrap_or(false),
            From::Memtable(_) => true,
            From::Deleted => false,
        })
        .collect();
    let mut fields = Vec::with_capacity(columns.len());
    let mut outputs = Vec::with_capacity(columns.len());
    let mut a = 0; // index among the asked non-key columns
    for (j, &name) in columns.iter().enumerate() {
        let (i, field) = table.column(name)?;
        let array = if i == table.key {
            let absent = BooleanArray::from(found.iter().map(|&f| !f).collect::<Vec<_>>());
            arrow_select::nullif::nullif(keys, &absent)?
        } else {
            let segment_column = direct.as_ref().and_then(|(b, _)| b.columns().get(j));
            let column = merge_column(field.data_type(), &from, segment_column, &lookups, a)?;
            a += 1;
            column
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        outputs.push(array);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(n));
    let batch =
        RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), outputs, &options)?;
    Ok(Some((batch, found)))
}

/// One output column: each key's value from where `from` says (the segment read's
/// column, or the `a`-th asked column of a memtable lookup), null for deleted keys.
fn merge_column(
    data_type: &arrow_schema::DataType,
    from: &[From],
    segment_column: Option<&ArrayRef>,
    lookups: &[Lookup],
    a: usize,
) -> Result<ArrayRef> {
    let null = new_null_array(data_type, 1);
    let mut sources: Vec<&dyn Array> = vec![null.as_ref()];
    let segment_id = segment_column.map(|c| {
        sources.push(c.as_ref());
        sources.len() - 1
    });
    let mut ids: Vec<(*const (), usize)> = Vec::new();
    let mut indices = Vec::with_capacity(from.len());
    for (k, f) in from.iter().enumerate() {
        let index = match *f {
            From::Segments(q) => segment_id.map_or((0, 0), |s| (s, q as usize)),
            From::Deleted => (0, 0),
            From::Memtable(l) => match lookups.get(l as usize).map(|l| l.cell(k, a)) {
                Some(Cell::Resolved(cell)) => match cell.array() {
                    Some(array) => {
                        let ptr = Arc::as_ptr(array).cast::<()>();
                        let id = match ids.iter().find(|(p, _)| *p == ptr) {
                            Some(&(_, id)) => id,
                            None => {
                                sources.push(array.as_ref());
                                ids.push((ptr, sources.len() - 1));
                                sources.len() - 1
                            }
                        };
                        (id, cell.row)
                    }
                    None => (0, 0),
                },
                _ => (0, 0),
            },
        };
        indices.push(index);
    }
    if let (Some(column), [_, _]) = (segment_column, sources.as_slice())
        && indices
            .iter()
            .enumerate()
            .all(|(k, &(s, r))| s == 1 && r == k)
    {
        return Ok(Arc::clone(column));
    }
    if let Some(array) = gather_fixed(data_type, &sources, &indices) {
        return Ok(array);
    }
    Ok(arrow_select::interleave::interleave(&sources, &indices)?)
}

/// [`arrow_select::interleave`] for fixed-width primitive values (1, 2, 4 or 8 bytes)
/// copied as bytes, with a validity bitmap only if a cell is null (source 0 is the null
/// source); `None` for other types (the caller interleaves).
fn gather_fixed(
    data_type: &arrow_schema::DataType,
    sources: &[&dyn Array],
    indices: &[(usize, usize)],
) -> Option<ArrayRef> {
    let width = data_type.primitive_width()?;
    if !matches!(width, 1 | 2 | 4 | 8) || *data_type == arrow_schema::DataType::Boolean {
        return None;
    }
    // Each source's values as bytes (source 0, the null source, has none to copy) and
    // its nulls, if it has any.
    let datas: Vec<arrow_data::ArrayData> = sources.iter().map(|a| a.to_data()).collect();
    let bytes: Vec<&[u8]> = datas
        .iter()
        .map(|d| {
            d.buffers()
                .first()
                .and_then(|b| b.as_slice().get(d.offset() * width..))
                .unwrap_or_default()
        })
        .collect();
    let nulls: Vec<Option<&arrow_buffer::NullBuffer>> = datas
        .iter()
        .map(|d| d.nulls().filter(|n| n.null_count() > 0))
        .collect();
    let n = indices.len();
    let mut out = arrow_buffer::MutableBuffer::from_len_zeroed(n * width);
    let mut validity: Option<arrow_buffer::BooleanBufferBuilder> = None;
    let slice = out.as_slice_mut();
    for (k, &(s, r)) in indices.iter().enumerate() {
        let valid = s != 0
            && nulls
                .get(s)
                .is_some_and(|nb| nb.is_none_or(|nb| nb.is_valid(r)));
        if valid {
            let (Some(src), Some(dst)) = (
                bytes
                    .get(s)
                    .and_then(|b| b.get(r * width..r * width + width)),
                slice.get_mut(k * width..k * width + width),
            ) else {
                return None;
            };
            copy_value(dst, src);
        } else if validity.is_none() {
            let mut b = arrow_buffer::BooleanBufferBuilder::new(n);
            b.append_n(k, true);
            validity = Some(b);
        }
        if let Some(b) = validity.as_mut() {
            b.append(valid);
        }
    }
    let data = arrow_data::ArrayData::builder(data_type.clone())
        .len(n)
        .add_buffer(out.into())
        .nulls(validity.map(|mut b| arrow_buffer::NullBuffer::new(b.finish())))
        .build()
        .ok()?;
    Some(arrow_array::make_array(data))
}

/// Copies one value of 1, 2, 4 or 8 bytes (a fixed-size copy, not a call to `memcpy`).
#[inline(always)]
fn copy_value(dst: &mut [u8], src: &[u8]) {
    let len = dst.len();
    if len == 4
        && let (Some(d), Some(s)) = (dst.first_chunk_mut::<4>(), src.first_chunk::<4>())
    {
        *d = *s;
    } else if len == 8
        && let (Some(d), Some(s)) = (dst.first_chunk_mut::<8>(), src.first_chunk::<8>())
    {
        *d = *s;
    } else if len == src.len() {
        dst.copy_from_slice(src);
    }
}

/// Prefetches the fixed-width values the memtables answer with (one cache line per key
/// and column: a written batch is columnar), so that their misses overlap with the
/// segments' read instead of stalling the merge one by one.
fn prefetch_cells(from: &[From], fixed: &[FixedCells<'_>], columns: usize) {
    for (k, f) in from.iter().enumerate() {
        if let From::Memtable(l) = *f
            && let Some(cells) = fixed.get(l as usize)
        {
            for a in 0..columns {
                cells.prefetch(k, a);
            }
        }
    }
}

/// Writes the cells the memtables answer into the direct read's outputs (`found` for
/// their live keys); false if a cell is not a fixed-width value the outputs take as bytes.
fn patch_cells(
    out: &mut Scattered<'_>,
    found: &mut [bool],
    from: &[From],
    fixed: &[FixedCells<'_>],
    columns: usize,
) -> bool {
    for (k, f) in from.iter().enumerate() {
        let From::Memtable(l) = *f else {
            continue;
        };
        let Some(cells) = fixed.get(l as usize) else {
            return false;
        };
        for a in 0..columns {
            let value = match cells.cell(k, a) {
                FixedCell::Value(bytes) => Some(bytes),
                FixedCell::Null => None,
                FixedCell::Other => return false,
            };
            if !out.put_cell(a, k, value) {
                return false;
            }
        }
        if let Some(f) = found.get_mut(k) {
            *f = true;
        }
    }
    true
}
