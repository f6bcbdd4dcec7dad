//! Reading a read's keys from several segments straight into one set of output buffers:
//! each segment looks up the keys routed to it (indices into the read's keys, no copy of
//! them) and writes each found row's values at the key's position. No per-segment batch is
//! built and nothing is interleaved afterwards.
//!
//! The steps, which a read of several segments runs over all of them one step at a time so
//! that the cache misses of all its keys overlap: [`Segment::asked`] (the asked columns as
//! the segment describes them: resolved once per read for the segments of one layout, see
//! [`Asked::fits`]), the staged lookup (`Segment::probe_*`), [`Segment::hits`],
//! [`Segment::prefetch_hits`], then [`Segment::scatter`]. The segments share the buffers of
//! each step (a run of a hundred segments gets about ten keys each: per-segment
//! allocations and name lookups would cost more than the lookups).
//!
//! A segment only answers here when it holds every asked cell of every found key: a
//! tombstone, a cell its row does not write, a row of the deletion vector or a column the
//! segment lacks makes [`Segment::hits`] (or [`Segment::asked`]) answer `None`, and the
//! caller reads the general way.

use arrow_array::{ArrayRef, new_null_array};
use arrow_buffer::{Buffer, MutableBuffer};
use arrow_schema::DataType;
use roaring::RoaringBitmap;

use super::gather::{VarBuilder, fixed_array};
use super::keys::QueryKeys;
use super::layout::{ColumnDesc, NONE, Storage};
use super::lookup::NOT_FOUND;
use super::reader::Segment;
use crate::Result;
use crate::prefetch::prefetch;

/// Bytes per cache line (x86-64, most ARM cores).
const CACHE_LINE: usize = 64;

/// The output columns of a scattered read, filled by [`Segment::scatter`], and the
/// scratch buffers the segments of a read share.
pub(crate) struct Scattered<'a> {
    n: usize,
    columns: Vec<Out<'a>>,
    /// One bit per key: the keys of the segment being scattered.
    mask: Vec<u8>,
    /// The (key index, row bytes) of the hits of one row group being scattered.
    rows: Vec<(usize, &'a [u8])>,
}

/// The asked columns as segments of one layout describe them, and the row groups they are
/// in: resolved for one segment ([`Segment::asked`]) and used for every segment it
/// [fits](Asked::fits).
pub(crate) struct Asked<'s> {
    /// Per asked column: its index in the footer's columns, and its descriptor.
    cols: Vec<(usize, &'s ColumnDesc)>,
    /// (section, stride) of each row group holding an asked fixed column.
    pub(crate) groups: Vec<(u32, usize)>,
    /// The footer's group number of each of `groups`.
    group_ids: Vec<u32>,
    /// The asked fixed columns, by row group (ascending index into `groups`).
    fixed: Vec<FixedAt>,
    /// The asked variable-width columns (asked column index).
    variable: Vec<usize>,
}

/// Where an asked fixed column is: its output column, its row group (index into
/// [`Asked::groups`]), and its place in a row.
struct FixedAt {
    out: usize,
    group: usize,
    offset: usize,
    width: usize,
    validity_bit: u32,
}

/// One output column: its type, and its values once a segment has given one.
struct Out<'a> {
    data_type: DataType,
    values: Values<'a>,
}

enum Values<'a> {
    /// No segment has given a value yet.
    Empty,
    /// `width` bytes per key (zero where no value) and a validity bit per key.
    Fixed {
        desc: ColumnDesc,
        width: usize,
        values: MutableBuffer,
        valid: Vec<u8>,
    },
    /// Each key's value, borrowed from its segment (`None`: null).
    Var {
        desc: ColumnDesc,
        values: Vec<Option<&'a [u8]>>,
    },
}

impl<'a> Scattered<'a> {
    /// Empty outputs for `n` keys and columns of `types` (every cell null until written).
    pub(crate) fn new(n: usize, types: Vec<DataType>) -> Self {
        Scattered {
            n,
            mask: vec![0u8; n.div_ceil(8)],
            rows: Vec::new(),
            columns: types
                .into_iter()
                .map(|data_type| Out {
                    data_type,
                    values: Values::Empty,
                })
                .collect(),
        }
    }

    /// Prepares the outputs for the columns of `asked` (once per layout); false when a
    /// column does not fit them (another type, or another storage than an earlier
    /// layout's): the caller reads the general way.
    pub(crate) fn accept(&mut self, asked: &Asked<'_>) -> bool {
        let n = self.n;
        asked.cols.len() == self.columns.len()
            && asked
                .cols
                .iter()
                .zip(self.columns.iter_mut())
                .all(|(&(_, c), o)| o.accept(c, n))
    }

    /// The output arrays, one per column.
    pub(crate) fn finish(self) -> Result<Vec<ArrayRef>> {
        let n = self.n;
        self.columns
            .into_iter()
            .map(|out| match out.values {
                Values::Empty => Ok(new_null_array(&out.data_type, n)),
                Values::Fixed {
                    desc,
                    values,
                    valid,
                    ..
                } => {
                    let all = valid.iter().map(|b| b.count_ones() as usize).sum::<usize>() == n;
                    let nulls = (!all).then(|| Buffer::from_vec(valid));
                    fixed_array(&desc.column_type, n, values.into(), nulls)
                }
                Values::Var { desc, values } => {
                    let mut builder = VarBuilder::new(n);
                    for v in values {
                        builder.push(v, &desc)?;
                    }
                    builder.finish(&desc, "a read")
                }
            })
            .collect()
    }
}

impl Out<'_> {
    /// Prepares this output for values of `c` (as the first segment describes it); false
    /// when `c` does not fit (another type, or another storage than an earlier segment's).
    fn accept(&mut self, c: &ColumnDesc, n: usize) -> bool {
        match (&self.values, &c.storage) {
            (Values::Empty, storage) => {
                if c.column_type.to_arrow() != self.data_type {
                    return false;
                }
                self.values = match storage {
                    Storage::Fixed { width, .. } => Values::Fixed {
                        desc: c.clone(),
                        width: *width as usize,
                        values: MutableBuffer::from_len_zeroed(n * *width as usize),
                        valid: vec![0u8; n.div_ceil(8)],
                    },
                    Storage::Variable { .. } => Values::Var {
                        desc: c.clone(),
                        values: vec![None; n],
                    },
                };
                true
            }
            (Values::Fixed { desc, width, .. }, Storage::Fixed { width: w, .. }) => {
                *width == *w as usize && desc.column_type == c.column_type
            }
            (Values::Var { desc, .. }, Storage::Variable { .. }) => {
                desc.column_type == c.column_type
            }
            _ => false,
        }
    }
}

impl Segment {
    /// `keys` as the bytes this segment's index hashes (a key type mismatch is an error).
    pub(crate) fn query<'k>(&self, keys: &'k dyn arrow_array::Array) -> Result<QueryKeys<'k>> {
        QueryKeys::new(keys, &self.footer.key.name, &self.footer.key.column_type)
    }

    /// The descriptors of `columns` and the row groups (section, stride) a lookup should
    /// prefetch for them; `None` when the segment lacks one of them. Columns asked in
    /// the footer's order are found without a search.
    pub(crate) fn asked<'s>(&'s self, columns: &[&str]) -> Result<Option<Asked<'s>>> {
        let all = &self.footer.columns;
        let mut cols = Vec::with_capacity(columns.len());
        let mut next = 0;
        for name in columns {
            let at = match all.get(next) {
                Some(c) if c.name == *name => Some(next),
                _ => all.iter().position(|c| c.name == *name),
            };
            match at.and_then(|i| Some((i, all.get(i)?))) {
                Some((i, c)) => {
                    cols.push((i, c));
                    next = i + 1;
                }
                None => return Ok(None),
            }
        }
        let mut asked = Asked {
            cols,
            groups: Vec::new(),
            group_ids: Vec::new(),
            fixed: Vec::new(),
            variable: Vec::new(),
        };
        for (out, &(_, c)) in asked.cols.iter().enumerate() {
            match c.storage {
                Storage::Fixed {
                    group,
                    offset,
                    width,
                    validity_bit,
                } => {
                    let g = match asked.group_ids.iter().position(|&id| id == group) {
                        Some(g) => g,
                        None => {
                            asked.groups.push(self.group(group)?);
                            asked.group_ids.push(group);
                            asked.group_ids.len() - 1
                        }
                    };
                    asked.fixed.push(FixedAt {
                        out,
                        group: g,
                        offset: offset as usize,
                        width: width as usize,
                        validity_bit,
                    });
                }
                Storage::Variable { .. } => asked.variable.push(out),
            }
        }
        asked.fixed.sort_by_key(|f| f.group);
        Ok(Some(asked))
    }

    /// The hits of a lookup's `rows` (of the keys at indices `which` of the read's keys,
    /// every key when `None`), appended to `hits` as (key index, row), setting `found` for
    /// them; keys `found` already (by a newer segment) are skipped. `asked` must
    /// [fit](Asked::fits) this segment. `deleted`: rows hidden by a deletion vector.
    /// False when a row that would answer is a tombstone, lacks an asked cell or is in
    /// `deleted`: this segment is not the whole answer for its keys.
    pub(crate) fn hits(
        &self,
        asked: &Asked<'_>,
        rows: &[u32],
        which: Option<&[u32]>,
        deleted: Option<&RoaringBitmap>,
        found: &mut [bool],
        hits: &mut Vec<(usize, u32)>,
    ) -> Result<bool> {
        for (i, &row) in rows.iter().enumerate() {
            if row == NOT_FOUND {
                continue;
            }
            let k = match which {
                Some(w) => w.get(i).map_or(usize::MAX, |&k| k as usize),
                None => i,
            };
            let Some(f) = found.get_mut(k) else {
                continue;
            };
            if *f {
                // A newer segment has the key: this row is shadowed.
                continue;
            }
            if deleted.is_some_and(|d| d.contains(row)) || !self.holds_all(&asked.cols, row)? {
                return Ok(false);
            }
            *f = true;
            hits.push((k, row));
        }
        Ok(true)
    }

    /// Prefetches the whole rows (every cache line of each) of `hits` in the row groups of
    /// the asked fixed columns: the lookup prefetched only their first cache line, and long
    /// before. A read runs this over every segment's hits before [`Segment::scatter`].
    pub(crate) fn prefetch_hits(&self, asked: &Asked<'_>, hits: &[(usize, u32)]) {
        for &(section, stride) in &asked.groups {
            let bytes = self.raw_section(section);
            for &(_, row) in hits {
                let at = row as usize * stride;
                // Each line of a wide row (R5: 400 bytes, 7 lines); the last byte too, for a
                // row that does not start on a line.
                let mut line = 0;
                while line < stride {
                    prefetch(bytes, at + line);
                    line += CACHE_LINE;
                }
                prefetch(bytes, at + stride.saturating_sub(1));
            }
        }
    }

    /// Writes the values of `hits` (from this segment's [`Segment::hits`]) into `out`,
    /// which has [accepted](Scattered::accept) `asked`. False when a column does not fit
    /// the output: the caller reads the general way.
    pub(crate) fn scatter<'a>(
        &'a self,
        asked: &Asked<'_>,
        hits: &[(usize, u32)],
        out: &mut Scattered<'a>,
    ) -> Result<bool> {
        let Scattered {
            columns,
            mask,
            rows,
            ..
        } = out;
        mask.fill(0);
        for &(k, _) in hits {
            if let Some(b) = mask.get_mut(k / 8) {
                *b |= 1 << (k % 8);
            }
        }
        // Fixed columns, by row group: each hit's row is checked (and its pages verified)
        // once; then one tight pass per column, whose loads are independent (many cache
        // misses in flight).
        for members in asked.fixed.chunk_by(|a, b| a.group == b.group) {
            let Some(&(section, stride)) = members.first().and_then(|f| asked.groups.get(f.group))
            else {
                continue;
            };
            let view = self.view(section)?;
            rows.clear();
            for &(k, row) in hits {
                rows.push((k, view.get(row as usize * stride, stride)?));
            }
            for f in members {
                let Some(Out {
                    values: Values::Fixed { values, valid, .. },
                    ..
                }) = columns.get_mut(f.out)
                else {
                    return Ok(false);
                };
                Fixed {
                    offset: f.offset,
                    width: f.width,
                    validity_bit: f.validity_bit,
                    dst: values.as_slice_mut(),
                    valid: valid.as_mut_slice(),
                }
                .put_all(rows, mask);
            }
        }
        for &j in &asked.variable {
            let (Some(&(_, c)), Some(o)) = (asked.cols.get(j), columns.get_mut(j)) else {
                return Ok(false);
            };
            if !matches!(o.values, Values::Var { .. }) {
                return Ok(false);
            }
            self.scatter_variable(c, hits, &mut o.values)?;
        }
        Ok(true)
    }

    /// Whether row `row` holds every column of `descs`: it is no tombstone and writes each.
    #[inline]
    fn holds_all(&self, descs: &[(usize, &ColumnDesc)], row: u32) -> Result<bool> {
        if !self.partial {
            return Ok(true);
        }
        if self.bit_set(self.footer.tombstones, row)? {
            return Ok(false);
        }
        for (_, c) in descs {
            if c.presence != NONE && !self.bit_set(c.presence, row)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Bit `row` of bitmap section `section` (false when it is [`NONE`]).
    #[inline]
    fn bit_set(&self, section: u32, row: u32) -> Result<bool> {
        if section == NONE {
            return Ok(false);
        }
        let byte = self.view(section)?.get(row as usize / 8, 1)?;
        Ok(byte.first().is_some_and(|b| b & (1 << (row % 8)) != 0))
    }

    /// Writes variable-width column `c` of each hit's row at the hit's key index.
    fn scatter_variable<'a>(
        &'a self,
        c: &ColumnDesc,
        hits: &[(usize, u32)],
        values: &mut Values<'a>,
    ) -> Result<()> {
        let (
            Storage::Variable {
                offsets,
                data,
                validity,
            },
            Values::Var { values: dst, .. },
        ) = (&c.storage, values)
        else {
            return Ok(());
        };
        let (offsets, data) = (self.view(*offsets)?, self.view(*data)?);
        for &(k, row) in hits {
            if *validity != NONE && !self.bit_set(*validity, row)? {
                continue;
            }
            let (s, e) = self.var_range(offsets, data, row)?;
            if let Some(d) = dst.get_mut(k) {
                *d = Some(data.get(s, e - s)?);
            }
        }
        Ok(())
    }
}

impl Asked<'_> {
    /// Whether `segment` describes the asked columns and their row groups exactly as the
    /// segment these were resolved for (the segments of one compaction do): then these
    /// serve it too, with no lookup by name.
    pub(crate) fn fits(&self, segment: &Segment) -> bool {
        let columns = &segment.footer.columns;
        self.cols
            .iter()
            .all(|&(i, d)| columns.get(i).is_some_and(|c| std::ptr::eq(c, d) || c == d))
            && self
                .group_ids
                .iter()
                .zip(&self.groups)
                .all(|(&id, &g)| segment.group(id).ok() == Some(g))
    }
}

/// A fixed column being written: where its values are in a row of its group, and its
/// output values and validity bits.
struct Fixed<'o> {
    offset: usize,
    width: usize,
    validity_bit: u32,
    dst: &'o mut [u8],
    valid: &'o mut [u8],
}

impl Fixed<'_> {
    /// Copies this column's value from each (key index, row bytes) of `rows` to the key's
    /// slot, and sets its validity bit unless the row says null. `hit_mask` has the bit of
    /// each key index of `rows` set.
    fn put_all(&mut self, rows: &[(usize, &[u8])], hit_mask: &[u8]) {
        match self.width {
            4 => self.put::<4>(rows, hit_mask),
            8 => self.put::<8>(rows, hit_mask),
            1 => self.put::<1>(rows, hit_mask),
            2 => self.put::<2>(rows, hit_mask),
            _ => self.put::<0>(rows, hit_mask),
        }
    }

    /// Copies the value of one row to slot `k`; false when it lies beyond the row.
    #[inline(always)]
    fn copy_one<const W: usize>(&mut self, src: &[u8], k: usize) -> bool {
        let o = self.offset;
        if W == 0 {
            let w = self.width;
            match (src.get(o..o + w), self.dst.get_mut(k * w..(k + 1) * w)) {
                (Some(s), Some(d)) => {
                    d.copy_from_slice(s);
                    true
                }
                _ => false,
            }
        } else {
            copy::<W>(src, o, self.dst, k)
        }
    }

    /// [`Fixed::put_all`] for values `W` bytes wide (`W` = 0: `self.width`, known at run
    /// time only). A value beyond its row is left unwritten (null).
    #[inline(always)]
    fn put<const W: usize>(&mut self, rows: &[(usize, &[u8])], hit_mask: &[u8]) {
        let bit = self.validity_bit;
        if bit == NONE {
            // A column without nulls (the common case: R5 asks 100 of them): a tight copy
            // loop, then the validity of all the hits at once, a byte at a time.
            let mut all = true;
            for &(k, src) in rows {
                all &= self.copy_one::<W>(src, k);
            }
            if all {
                for (v, m) in self.valid.iter_mut().zip(hit_mask) {
                    *v |= m;
                }
                return;
            }
        }
        let (byte, mask) = ((bit / 8) as usize, 1u8 << (bit % 8));
        for &(k, src) in rows {
            let copied = self.copy_one::<W>(src, k);
            let is_valid = copied && (bit == NONE || src.get(byte).is_some_and(|b| b & mask != 0));
            if is_valid && let Some(b) = self.valid.get_mut(k / 8) {
                *b |= 1 << (k % 8);
            }
        }
    }
}

/// Copies the `W` bytes at `offset` of `src` to slot `k` of `dst`; false when out of range.
#[inline(always)]
fn copy<const W: usize>(src: &[u8], offset: usize, dst: &mut [u8], k: usize) -> bool {
    match (
        src.get(offset..).and_then(|s| s.first_chunk::<W>()),
        dst.get_mut(k * W..).and_then(|d| d.first_chunk_mut::<W>()),
    ) {
        (Some(s), Some(d)) => {
            *d = *s;
            true
        }
        _ => false,
    }
}
