//! Gathering the values of found rows into Arrow arrays, in the order of the keys asked.
//!
//! Row-major groups are gathered row by row (one copy of each found row, which the lookup
//! has already prefetched) into a small scratch block, then split into one buffer per asked
//! column. Variable-width columns are gathered value by value.

use arrow_array::{ArrayRef, make_array};
use arrow_buffer::{Buffer, MutableBuffer};
use arrow_data::ArrayData;
use arrow_schema::DataType;

use super::layout::{ColumnDesc, NONE, Storage, inline_key};
use super::lookup::NOT_FOUND;
use super::reader::Segment;
use crate::types::ColumnType;
use crate::{Error, Result};

impl Segment {
    /// Arrays of `columns` for `rows` ([`NOT_FOUND`] gives null), in the order asked.
    pub(crate) fn gather(&self, columns: &[&ColumnDesc], rows: &[u32]) -> Result<Vec<ArrayRef>> {
        let mut out: Vec<Option<ArrayRef>> = vec![None; columns.len()];
        // Fixed columns, one pass per row group.
        let mut groups: Vec<u32> = columns
            .iter()
            .filter_map(|c| match c.storage {
                Storage::Fixed { group, .. } => Some(group),
                Storage::Variable { .. } => None,
            })
            .collect();
        groups.sort_unstable();
        groups.dedup();
        for group in groups {
            let members: Vec<(usize, &ColumnDesc)> = columns
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.storage, Storage::Fixed { group: g, .. } if g == group))
                .map(|(i, c)| (i, *c))
                .collect();
            for (i, array) in self.gather_group(group, &members, rows)? {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(array);
                }
            }
        }
        for (i, c) in columns.iter().enumerate() {
            if let Storage::Variable {
                offsets,
                data,
                validity,
            } = c.storage
            {
                let array = self.gather_variable(c, offsets, data, validity, rows)?;
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(array);
                }
            }
        }
        out.into_iter()
            .map(|a| {
                a.ok_or_else(|| Error::corrupt(&self.name, "footer", "column without storage"))
            })
            .collect()
    }

    /// The section and stride of row group `group`.
    pub(crate) fn group(&self, group: u32) -> Result<(u32, usize)> {
        self.footer
            .groups
            .get(group as usize)
            .map(|g| (g.section, g.stride as usize))
            .ok_or_else(|| Error::corrupt(&self.name, "footer", format!("no row group {group}")))
    }

    /// Gathers the asked columns of one row group: each found row is checked and located
    /// once (the lookup prefetched it), then each column is copied out in a tight loop.
    fn gather_group(
        &self,
        group: u32,
        members: &[(usize, &ColumnDesc)],
        rows: &[u32],
    ) -> Result<Vec<(usize, ArrayRef)>> {
        let (section, stride) = self.group(group)?;
        let n = rows.len();
        let view = self.view(section)?;
        let mut srcs: Vec<&[u8]> = Vec::with_capacity(n);
        let mut found = vec![0u8; n.div_ceil(8)];
        let mut absent = 0;
        for (i, &row) in rows.iter().enumerate() {
            if row == NOT_FOUND {
                srcs.push(&[]);
                absent += 1;
            } else {
                srcs.push(view.get(row as usize * stride, stride)?);
                if let Some(b) = found.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
        }
        group_arrays(&self.name, members, &srcs, &found, absent)
    }

    fn gather_variable(
        &self,
        c: &ColumnDesc,
        offsets: u32,
        data: u32,
        validity: u32,
        rows: &[u32],
    ) -> Result<ArrayRef> {
        let mut out = VarBuilder::new(rows.len());
        let (offsets, data) = (self.view(offsets)?, self.view(data)?);
        let validity = (validity != NONE)
            .then(|| self.view(validity))
            .transpose()?;
        for &row in rows {
            let mut valid = row != NOT_FOUND;
            if let (true, Some(validity)) = (valid, validity) {
                let b = validity.get(row as usize / 8, 1)?;
                valid = b.first().is_some_and(|b| b & (1 << (row % 8)) != 0);
            }
            if valid {
                let (s, e) = self.var_range(offsets, data, row)?;
                out.push(Some(data.get(s, e - s)?), c)?;
            } else {
                out.push(None, c)?;
            }
        }
        out.finish(c, &self.name)
    }
}

/// The arrays of the fixed columns `members` (each with its index in the asked columns) of
/// one row group, from each asked row's `stride` bytes (`srcs`; empty for an absent key).
/// `found` has bit i set where `srcs[i]` is a row; `absent` counts the others.
pub(crate) fn group_arrays(
    name: &str,
    members: &[(usize, &ColumnDesc)],
    srcs: &[&[u8]],
    found: &[u8],
    absent: usize,
) -> Result<Vec<(usize, ArrayRef)>> {
    let n = srcs.len();
    let mut out = Vec::with_capacity(members.len());
    for &(i, c) in members {
        let Storage::Fixed {
            offset,
            width,
            validity_bit,
            ..
        } = c.storage
        else {
            return Err(Error::corrupt(name, "footer", "not a fixed column"));
        };
        let (offset, width) = (offset as usize, width as usize);
        if c.is_inline() {
            out.push((i, inline_array(name, c, srcs, offset, width)?));
            continue;
        }
        let mut values = MutableBuffer::from_len_zeroed(n * width);
        let dst = values.as_slice_mut();
        match width {
            1 => copy_column::<1>(srcs, offset, dst),
            2 => copy_column::<2>(srcs, offset, dst),
            4 => copy_column::<4>(srcs, offset, dst),
            8 => copy_column::<8>(srcs, offset, dst),
            w => {
                for (d, s) in dst.chunks_exact_mut(w).zip(srcs) {
                    if let Some(s) = s.get(offset..offset + w) {
                        d.copy_from_slice(s);
                    }
                }
            }
        }
        let nulls = if validity_bit == NONE {
            (absent > 0).then(|| Buffer::from_slice_ref(found))
        } else {
            let (byte, mask) = ((validity_bit / 8) as usize, 1u8 << (validity_bit % 8));
            let mut bits = vec![0u8; n.div_ceil(8)];
            for (i, s) in srcs.iter().enumerate() {
                if s.get(byte).is_some_and(|b| b & mask != 0)
                    && let Some(b) = bits.get_mut(i / 8)
                {
                    *b |= 1 << (i % 8);
                }
            }
            Some(Buffer::from_vec(bits))
        };
        out.push((i, fixed_array(&c.column_type, n, values.into(), nulls)?));
    }
    Ok(out)
}

/// The utf8 array of an inline column (a utf8 key, format version 3) at `offset` of each
/// source row, `width` bytes each; an empty source (an absent key) gives null.
fn inline_array(
    name: &str,
    c: &ColumnDesc,
    srcs: &[&[u8]],
    offset: usize,
    width: usize,
) -> Result<ArrayRef> {
    let mut out = VarBuilder::new(srcs.len());
    for s in srcs {
        if s.is_empty() {
            out.push(None, c)?;
            continue;
        }
        let value = s
            .get(offset..offset + width)
            .and_then(inline_key)
            .ok_or_else(|| {
                Error::corrupt(
                    name,
                    format!("row group of '{}'", c.name),
                    "an inline value is longer than its width",
                )
            })?;
        out.push(Some(value), c)?;
    }
    out.finish(c, name)
}

/// Builds the array of a variable-width column value by value (`None` = null).
pub(crate) struct VarBuilder {
    ends: Vec<i32>,
    values: Vec<u8>,
    bits: Vec<u8>,
    nulls: usize,
}

impl VarBuilder {
    /// A builder for `n` values.
    pub(crate) fn new(n: usize) -> Self {
        let mut ends = Vec::with_capacity(n + 1);
        ends.push(0);
        VarBuilder {
            ends,
            values: Vec::new(),
            bits: vec![0u8; n.div_ceil(8)],
            nulls: 0,
        }
    }

    /// Appends the next value of column `c`.
    pub(crate) fn push(&mut self, value: Option<&[u8]>, c: &ColumnDesc) -> Result<()> {
        let i = self.ends.len() - 1;
        match value {
            Some(v) => {
                self.values.extend_from_slice(v);
                if let Some(b) = self.bits.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
            None => self.nulls += 1,
        }
        let end = i32::try_from(self.values.len()).map_err(|_| {
            Error::LimitExceeded(format!(
                "column '{}': more than 2 GiB of values in one read; ask for fewer keys",
                c.name
            ))
        })?;
        self.ends.push(end);
        Ok(())
    }

    /// The array of column `c` of segment `name`.
    pub(crate) fn finish(self, c: &ColumnDesc, name: &str) -> Result<ArrayRef> {
        let n = self.ends.len() - 1;
        let nulls = (self.nulls > 0).then(|| Buffer::from_vec(self.bits));
        let array = ArrayData::try_new(
            c.column_type.to_arrow(),
            n,
            nulls,
            0,
            vec![Buffer::from_vec(self.ends), Buffer::from_vec(self.values)],
            vec![],
        )
        .map_err(|e| Error::corrupt(name, format!("column '{}' data", c.name), e.to_string()))?;
        Ok(make_array(array))
    }
}

/// Copies the `W` bytes at `offset` of each source row into consecutive values of `dst`;
/// an empty source (an absent key) leaves zeros.
#[inline(always)]
fn copy_column<const W: usize>(srcs: &[&[u8]], offset: usize, dst: &mut [u8]) {
    let (dst, _) = dst.as_chunks_mut::<W>();
    for (d, s) in dst.iter_mut().zip(srcs) {
        if let Some(v) = s.get(offset..).and_then(|s| s.first_chunk::<W>()) {
            *d = *v;
        }
    }
}

/// An Arrow array of fixed-width `values` (little-endian, booleans one byte each).
pub(crate) fn fixed_array(
    t: &ColumnType,
    n: usize,
    values: Buffer,
    nulls: Option<Buffer>,
) -> Result<ArrayRef> {
    let data = match t {
        ColumnType::Bool => {
            let bits = arrow_buffer::BooleanBuffer::collect_bool(n, |i| {
                values.as_slice().get(i).is_some_and(|&v| v != 0)
            });
            ArrayData::try_new(
                DataType::Boolean,
                n,
                nulls,
                0,
                vec![bits.into_inner()],
                vec![],
            )?
        }
        ColumnType::Embedding { size, .. } => {
            let dt = t.to_arrow();
            let DataType::FixedSizeList(item, _) = &dt else {
                return Err(Error::LimitExceeded("embedding type".into()));
            };
            let child = ArrayData::try_new(
                item.data_type().clone(),
                n * *size as usize,
                None,
                0,
                vec![values],
                vec![],
            )?;
            ArrayData::try_new(dt.clone(), n, nulls, 0, vec![], vec![child])?
        }
        _ => ArrayData::try_new(t.to_arrow(), n, nulls, 0, vec![values], vec![])?,
    };
    Ok(make_array(data))
}
