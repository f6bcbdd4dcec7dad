//! The last pass of a remote plan: the asked columns of the found rows, built as
//! `Segment::get` builds them (tombstones as absent keys, cells not written as null).

use std::borrow::Cow;

use arrow_array::{ArrayRef, RecordBatch};

use super::plan::Wants;
use super::read::Reader;
use crate::Result;
use crate::segment::gather::{VarBuilder, group_arrays};
use crate::segment::layout::{ColumnDesc, NONE, Storage};
use crate::segment::lookup::NOT_FOUND;
use crate::segment::masks::mask_nulls;

impl<'r> Reader<'r> {
    /// The result of the read for the found `rows`, as `Segment::get` builds it, or `None`
    /// if a page is missing (recorded in `wants`).
    pub(super) fn assemble(
        &self,
        descs: &[&ColumnDesc],
        mut rows: Vec<u32>,
        wants: &mut Wants,
    ) -> Result<Option<(RecordBatch, Vec<bool>)>> {
        let footer = &self.seg.footer;
        // Tombstones read as absent keys.
        let Some(tombstones) = self.bits(footer.tombstones, &rows, wants)? else {
            return Ok(None);
        };
        for (row, t) in rows.iter_mut().zip(tombstones) {
            if t {
                *row = NOT_FOUND;
            }
        }
        let n = rows.len();
        let mut complete = true;
        let mut out: Vec<Option<ArrayRef>> = vec![None; descs.len()];
        // Fixed columns: one `stride`-byte read per found row per group.
        let mut groups: Vec<u32> = descs
            .iter()
            .filter_map(|c| match c.storage {
                Storage::Fixed { group, .. } => Some(group),
                Storage::Variable { .. } => None,
            })
            .collect();
        groups.sort_unstable();
        groups.dedup();
        for group in groups {
            let (section, stride) = self.group(group)?;
            let mut srcs: Vec<Cow<'r, [u8]>> = Vec::with_capacity(n);
            let mut found = vec![0u8; n.div_ceil(8)];
            let mut absent = 0;
            for (i, &row) in rows.iter().enumerate() {
                if row == NOT_FOUND {
                    srcs.push(Cow::Borrowed(&[]));
                    absent += 1;
                    continue;
                }
                match self.get(section, u64::from(row) * stride, stride, wants)? {
                    Some(s) => srcs.push(s),
                    None => {
                        complete = false;
                        srcs.push(Cow::Borrowed(&[]));
                    }
                }
                if let Some(b) = found.get_mut(i / 8) {
                    *b |= 1 << (i % 8);
                }
            }
            if !complete {
                continue;
            }
            let members: Vec<(usize, &ColumnDesc)> = descs
                .iter()
                .enumerate()
                .filter(|(_, c)| matches!(c.storage, Storage::Fixed { group: g, .. } if g == group))
                .map(|(i, c)| (i, *c))
                .collect();
            let refs: Vec<&[u8]> = srcs.iter().map(|s| s.as_ref()).collect();
            for (i, array) in group_arrays(&self.seg.name, &members, &refs, &found, absent)? {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(array);
                }
            }
        }
        for (i, c) in descs.iter().enumerate() {
            if !matches!(c.storage, Storage::Variable { .. }) {
                continue;
            }
            let mut builder = VarBuilder::new(n);
            for &row in &rows {
                if row == NOT_FOUND {
                    builder.push(None, c)?;
                    continue;
                }
                match self.value(c, row, wants)? {
                    Some(v) => builder.push(v.as_deref(), c)?,
                    None => {
                        complete = false;
                        builder.push(None, c)?;
                    }
                }
            }
            if complete && let Some(slot) = out.get_mut(i) {
                *slot = Some(builder.finish(c, &self.seg.name)?);
            }
        }
        // Cells a row does not write read as null.
        let mut held = Vec::new();
        for c in descs {
            let bits = self.bits(c.presence, &rows, wants)?;
            complete &= bits.is_some();
            held.push(bits);
        }
        if !complete {
            return Ok(None);
        }
        let mut arrays = Vec::with_capacity(descs.len());
        for ((c, array), bits) in descs.iter().zip(out).zip(held) {
            let array =
                array.ok_or_else(|| self.corrupt("footer", "column without storage".into()))?;
            match bits {
                Some(bits) if c.presence != NONE => {
                    let held = arrow_buffer::BooleanBuffer::from(bits.as_slice());
                    arrays.push(mask_nulls(&array, &held)?);
                }
                _ => arrays.push(array),
            }
        }
        let batch = crate::segment::batch_of(descs, arrays, n)?;
        Ok(Some((
            batch,
            rows.iter().map(|&r| r != NOT_FOUND).collect(),
        )))
    }
}
