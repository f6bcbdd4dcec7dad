//! Gathering the values of found rows into Arrow arrays, in the order of the keys asked.
//!
//! Row-major groups are gathered row by row (one copy of each found row, which the lookup
//! has already prefetched) into a small scratch block, then split into one buffer per asked
//! column. Variable-width columns are gathered value by value.

use arrow_array::{ArrayRef, make_array};
use arrow_buffer::Buffer;
use arrow_data::ArrayData;
use arrow_schema::DataType;

use super::layout::{ColumnDesc, NONE, Storage};
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
            let members: Vec<usize> = (0..columns.len())
                .filter(|&i| {
                    columns.get(i).is_some_and(
                        |c| matches!(c.storage, Storage::Fixed { group: g, .. } if g == group),
                    )
                })
                .collect();
            let block = self.gather_rows(group, rows)?;
            for i in members {
                if let (Some(c), Some(slot)) = (columns.get(i), out.get_mut(i)) {
                    *slot = Some(self.split_column(c, &block, rows)?);
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

    /// Copies the found rows of a row group into a block of `rows.len() * stride` bytes.
    fn gather_rows(&self, group: u32, rows: &[u32]) -> Result<RowBlock> {
        let (section, stride) = self.group(group)?;
        let mut bytes = vec![0u8; rows.len() * stride];
        for (dst, &row) in bytes.chunks_exact_mut(stride).zip(rows) {
            if row != NOT_FOUND {
                dst.copy_from_slice(self.read(section, row as usize * stride, stride)?);
            }
        }
        Ok(RowBlock { bytes, stride })
    }

    /// One fixed-width column out of a gathered block.
    fn split_column(&self, c: &ColumnDesc, block: &RowBlock, rows: &[u32]) -> Result<ArrayRef> {
        let Storage::Fixed {
            offset,
            width,
            validity_bit,
            ..
        } = c.storage
        else {
            return Err(Error::corrupt(&self.name, "footer", "not a fixed column"));
        };
        let (offset, width) = (offset as usize, width as usize);
        let n = rows.len();
        let mut values = vec![0u8; n * width];
        match width {
            1 => split::<1>(block, offset, &mut values),
            2 => split::<2>(block, offset, &mut values),
            4 => split::<4>(block, offset, &mut values),
            8 => split::<8>(block, offset, &mut values),
            _ => {
                for (dst, row) in values
                    .chunks_exact_mut(width)
                    .zip(block.bytes.chunks_exact(block.stride))
                {
                    if let Some(src) = row.get(offset..offset + width) {
                        dst.copy_from_slice(src);
                    }
                }
            }
        }
        let mut nulls = None;
        let all_found = rows.iter().all(|&r| r != NOT_FOUND);
        if validity_bit != NONE || !all_found {
            let (byte, mask) = ((validity_bit / 8) as usize, 1u8 << (validity_bit % 8));
            let mut bits = vec![0u8; n.div_ceil(8)];
            for (i, (row, &r)) in block.bytes.chunks_exact(block.stride).zip(rows).enumerate() {
                let valid = r != NOT_FOUND
                    && (validity_bit == NONE || row.get(byte).is_some_and(|b| b & mask != 0));
                if valid && let Some(b) = bits.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
            nulls = Some(Buffer::from_vec(bits));
        }
        fixed_array(&c.column_type, n, values, nulls)
    }

    fn gather_variable(
        &self,
        c: &ColumnDesc,
        offsets: u32,
        data: u32,
        validity: u32,
        rows: &[u32],
    ) -> Result<ArrayRef> {
        let n = rows.len();
        let mut ends: Vec<i32> = Vec::with_capacity(n + 1);
        ends.push(0);
        let mut values = Vec::new();
        let mut bits = vec![0u8; n.div_ceil(8)];
        let mut nulls = 0usize;
        for (i, &row) in rows.iter().enumerate() {
            let mut valid = row != NOT_FOUND;
            if valid && validity != NONE {
                let b = self.read(validity, row as usize / 8, 1)?;
                valid = b.first().is_some_and(|b| b & (1 << (row % 8)) != 0);
            }
            if valid {
                let (s, e) = self.var_range(offsets, data, row)?;
                values.extend_from_slice(self.read(data, s, e - s)?);
                if let Some(b) = bits.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            } else {
                nulls += 1;
            }
            let end = i32::try_from(values.len()).map_err(|_| {
                Error::LimitExceeded(format!(
                    "column '{}': more than 2 GiB of values in one read; ask for fewer keys",
                    c.name
                ))
            })?;
            ends.push(end);
        }
        let data_type = c.column_type.to_arrow();
        let nulls = (nulls > 0).then(|| Buffer::from_vec(bits));
        let array = ArrayData::try_new(
            data_type,
            n,
            nulls,
            0,
            vec![Buffer::from_vec(ends), Buffer::from_vec(values)],
            vec![],
        )
        .map_err(|e| {
            Error::corrupt(
                &self.name,
                format!("column '{}' data", c.name),
                e.to_string(),
            )
        })?;
        Ok(make_array(array))
    }
}

/// Found rows of one row group, in key order.
struct RowBlock {
    bytes: Vec<u8>,
    stride: usize,
}

fn split<const W: usize>(block: &RowBlock, offset: usize, out: &mut [u8]) {
    for (dst, row) in out
        .chunks_exact_mut(W)
        .zip(block.bytes.chunks_exact(block.stride))
    {
        if let Some(src) = row.get(offset..offset + W) {
            dst.copy_from_slice(src);
        }
    }
}

/// An Arrow array of fixed-width `values` (little-endian, booleans one byte each).
fn fixed_array(
    t: &ColumnType,
    n: usize,
    values: Vec<u8>,
    nulls: Option<Buffer>,
) -> Result<ArrayRef> {
    let data = match t {
        ColumnType::Bool => {
            let bits = arrow_buffer::BooleanBuffer::collect_bool(n, |i| {
                values.get(i).is_some_and(|&v| v != 0)
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
                vec![Buffer::from_vec(values)],
                vec![],
            )?;
            ArrayData::try_new(dt.clone(), n, nulls, 0, vec![], vec![child])?
        }
        _ => ArrayData::try_new(
            t.to_arrow(),
            n,
            nulls,
            0,
            vec![Buffer::from_vec(values)],
            vec![],
        )?,
    };
    Ok(make_array(data))
}
