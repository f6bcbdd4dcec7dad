//! Turning Arrow arrays into the bytes of sections: fixed-width values, validity bits,
//! offsets and data.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_buffer::BooleanBuffer;
use arrow_schema::DataType;

use crate::{Error, Result};

/// The little-endian bytes of a fixed-width array's `len` values (booleans as one byte
/// each, embeddings as their elements).
pub(crate) fn fixed_values(name: &str, array: &ArrayRef, width: usize) -> Result<Vec<u8>> {
    let len = array.len();
    match array.data_type() {
        DataType::Boolean => Ok(array.as_boolean().values().iter().map(u8::from).collect()),
        DataType::FixedSizeList(_, _) => {
            let list = array.as_fixed_size_list();
            let child = list.values();
            let size = list.value_length() as usize;
            // Elements under a null value do not count: Arrow's builders and kernels (`take`,
            // which the writer's sort uses) put nulls there.
            if let Some(elements) = child.logical_nulls()
                && (0..len).any(|i| {
                    list.is_valid(i)
                        && (i * size..(i + 1) * size)
                            .any(|j| j >= elements.len() || elements.is_null(j))
                })
            {
                return Err(Error::SchemaMismatch(format!(
                    "embedding column '{name}' has null elements; only whole values may be null"
                )));
            }
            let data = child.to_data();
            let elem = width / size.max(1);
            let start = (data.offset() + list.offset() * size) * elem;
            raw_bytes(name, &data, start, len * width)
        }
        _ => {
            let data = array.to_data();
            raw_bytes(name, &data, data.offset() * width, len * width)
        }
    }
}

fn raw_bytes(
    name: &str,
    data: &arrow_data::ArrayData,
    start: usize,
    len: usize,
) -> Result<Vec<u8>> {
    data.buffers()
        .first()
        .and_then(|b| b.as_slice().get(start..start + len))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| Error::SchemaMismatch(format!("column '{name}' has a short values buffer")))
}

/// A validity bitmap of `array` (LSB first, 1 = valid) starting at bit 0.
pub(crate) fn validity_bits(array: &dyn Array) -> Vec<u8> {
    let mut bits = vec![0u8; array.len().div_ceil(8)];
    for i in 0..array.len() {
        if array.is_valid(i)
            && let Some(b) = bits.get_mut(i / 8)
        {
            *b |= 1 << (i % 8);
        }
    }
    bits
}

/// The u64 offsets section and the data of a utf8 or binary array. Values of rows that are
/// not `held` (`None` = every row is) are written empty.
pub(crate) fn variable(array: &dyn Array, held: Option<&BooleanBuffer>) -> (Vec<u8>, Vec<u8>) {
    let (offsets, values): (Vec<usize>, &[u8]) = match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            (offsets_of(a.value_offsets()), a.values().as_slice())
        }
        _ => {
            let a = array.as_binary::<i32>();
            (offsets_of(a.value_offsets()), a.values().as_slice())
        }
    };
    if let Some(held) = held {
        let mut out = Vec::with_capacity(offsets.len() * 8);
        let mut data = Vec::new();
        out.extend_from_slice(&0u64.to_le_bytes());
        for (r, w) in offsets.windows(2).enumerate() {
            if let [start, end] = *w
                && r < held.len()
                && held.value(r)
            {
                data.extend_from_slice(values.get(start..end).unwrap_or_default());
            }
            out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        }
        return (out, data);
    }
    let first = offsets.first().copied().unwrap_or(0);
    let last = offsets.last().copied().unwrap_or(0);
    let mut out = Vec::with_capacity(offsets.len() * 8);
    for o in &offsets {
        out.extend_from_slice(&((o - first) as u64).to_le_bytes());
    }
    (out, values.get(first..last).unwrap_or_default().to_vec())
}

fn offsets_of(offsets: &[i32]) -> Vec<usize> {
    offsets.iter().map(|&o| o.max(0) as usize).collect()
}

/// The width of the inline form of a utf8 array's values when none is longer than `max` bytes (format
/// version 3): each value is a length byte, the bytes and zeros to the width, which is the
/// longest value plus its length byte, rounded up to 4 (so that the 4-byte columns after it
/// stay aligned). `None` (keep offsets and data) when a value is longer or the array is
/// not a utf8 array of i32 offsets.
pub(crate) fn inline_width(array: &dyn Array, max: usize) -> Option<usize> {
    let a = array.as_string_opt::<i32>()?;
    let longest = a.iter().map(|v| v.map_or(0, str::len)).max().unwrap_or(0);
    if longest > max || longest > usize::from(u8::MAX) {
        return None;
    }
    Some((longest + 1).next_multiple_of(4))
}

/// The inline form of `array`'s values at `width` bytes each (from [`inline_width`]; a
/// value that does not fit, or an array that is not utf8, leaves zeros).
pub(crate) fn inline_values_of(array: &dyn Array, width: usize) -> Vec<u8> {
    let Some(a) = array.as_string_opt::<i32>() else {
        return vec![0u8; array.len() * width];
    };
    let mut out = vec![0u8; a.len() * width];
    for (slot, value) in out.chunks_exact_mut(width).zip(a.iter()) {
        let bytes = value.unwrap_or_default().as_bytes();
        if let (Some((len, rest)), Ok(n)) = (slot.split_first_mut(), u8::try_from(bytes.len()))
            && let Some(dst) = rest.get_mut(..bytes.len())
        {
            *len = n;
            dst.copy_from_slice(bytes);
        }
    }
    out
}
