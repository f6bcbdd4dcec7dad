//! Reading a read's keys from several segments straight into one set of output buffers:
//! each segment looks up the keys routed to it (indices into the read's keys, no copy of
//! them) and writes each found row's values at the key's position. No per-segment batch is
//! built and nothing is interleaved afterwards.
//!
//! The steps, which a read of several segments runs over all of them one step at a time so
//! that the cache misses of all its keys overlap: [`Segment::asked`] (the asked columns as
//! the segment describes them: resolved once per read for the segments of one layout, see
//! [`Asked::fits`]), the staged lookup (`Segment::probe_*`), [`Segment::hits`],
//! [`Segment::prefetch_hits`], then [`Segment::stage`] and [`Scattered::put_fixed`] (the
//! copy loops are in `put.rs`). The segments share the buffers of each step (a run of a
//! hundred segments gets about ten keys each: per-segment allocations and name lookups
//! would cost more than the lookups).
//!
//! A segment only answers here when it holds every asked cell of every found key: a
//! tombstone, a cell its row does not write, a row of the deletion vector or a column the
//! segment lacks makes [`Segment::hits`] (or [`Segment::asked`]) answer `None`, and the
//! caller reads the general way.

use arrow_array::{ArrayRef, new_null_array};
use arrow_buffer::{Buffer, MutableBuffer};
use arrow_schema::DataType;

use super::gather::{VarBuilder, fixed_array};
use super::layout::{ColumnDesc, NONE, Storage};
use super::lookup::NOT_FOUND;
use super::put::{BLOCK, Fixed, prefetch_lines, validity};
use super::reader::Segment;
use crate::Result;
use crate::keys::QueryKeys;

/// The output columns of a scattered read, filled by [`Segment::stage`] and [`Scattered::put_fixed`], and the
/// scratch buffers the segments of a read share.
pub(crate) struct Scattered<'a> {
    n: usize,
    columns: Vec<Out<'a>>,
    /// One bit per key: the keys whose rows are staged.
    mask: Vec<u8>,
    /// Per row group of the layout being scattered ([`Asked::groups`]), each key's staged
    /// row bytes (`None`: no hit staged).
    staged: Vec<Vec<Option<&'a [u8]>>>,
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
            staged: Vec::new(),
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

    /// Writes the fixed-width asked columns of every staged row (from [`Segment::stage`]
    /// of the segments of `asked`'s layout) into the outputs, then clears the staging for
    /// the next layout. The keys are taken in order in blocks of [`BLOCK`], every column of
    /// a block before the next block (its rows' cache lines prefetched during the block
    /// before), so that the rows of a block stay in L1 and each column's outputs are
    /// written in order: a read of a wide row from many segments otherwise writes each
    /// column's outputs once per segment, scattered (R5: 100 columns x 7 segments).
    /// False when a column does not fit the output: the caller reads the general way.
    pub(crate) fn put_fixed(&mut self, asked: &Asked<'_>) -> bool {
        let Scattered {
            n,
            columns,
            mask,
            staged,
        } = self;
        let n = *n;
        for members in asked.fixed.chunk_by(|a, b| a.group == b.group) {
            let Some(rows) = members.first().and_then(|f| staged.get(f.group)) else {
                continue;
            };
            let mut outs = Vec::with_capacity(members.len());
            for (f, out) in members.iter().zip(columns_of(columns, members)) {
                let Some(Values::Fixed { values, .. }) = out.map(|o| &mut o.values) else {
                    return false;
                };
                outs.push((
                    Fixed {
                        offset: f.offset,
                        width: f.width,
                        dst: values.as_slice_mut(),
                    },
                    true,
                ));
            }
            let mut first = 0;
            while first < n {
                let end = (first + BLOCK).min(n);
                for row in rows
                    .get(end..(end + BLOCK).min(n))
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    prefetch_lines(row, 0, row.len());
                }
                let block = rows.get(first..end).unwrap_or_default();
                for (fixed, all) in &mut outs {
                    *all &= fixed.put_block(block, first);
                }
                first = end;
            }
            let alls: Vec<bool> = outs.into_iter().map(|(_, all)| all).collect();
            for (f, all) in members.iter().zip(alls) {
                let Some(Out {
                    values: Values::Fixed { valid, .. },
                    ..
                }) = columns.get_mut(f.out)
                else {
                    return false;
                };
                if f.validity_bit == NONE && all {
                    // A column without nulls (the common case): the validity of all the
                    // staged keys at once, a byte at a time.
                    for (v, m) in valid.iter_mut().zip(mask.iter()) {
                        *v |= m;
                    }
                } else {
                    validity(rows, f.offset, f.width, f.validity_bit, valid);
                }
            }
        }
        for rows in staged.iter_mut() {
            rows.fill(None);
        }
        mask.fill(0);
        true
    }

    /// Writes `value` (its bytes as a fixed-width output stores them; `None`: null) as
    /// output `column`'s cell of key `k`; false if the output is not fixed-width of that
    /// width (the caller builds the column another way).
    pub(crate) fn put_cell(&mut self, column: usize, k: usize, value: Option<&[u8]>) -> bool {
        let Some(Out {
            values:
                Values::Fixed {
                    width,
                    values,
                    valid,
                    ..
                },
            ..
        }) = self.columns.get_mut(column)
        else {
            return false;
        };
        let (Some(byte), bit) = (valid.get_mut(k / 8), 1u8 << (k % 8)) else {
            return false;
        };
        match value {
            Some(v) if v.len() == *width => {
                let Some(dst) = values.as_slice_mut().get_mut(k * *width..(k + 1) * *width) else {
                    return false;
                };
                match (dst.first_chunk_mut::<4>(), v.first_chunk::<4>()) {
                    (Some(d), Some(s)) if *width == 4 => *d = *s,
                    _ => dst.copy_from_slice(v),
                }
                *byte |= bit;
                true
            }
            Some(_) => false,
            None => {
                *byte &= !bit;
                true
            }
        }
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
        deleted: Option<&[u64]>,
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
            if deleted.is_some_and(|d| is_marked(d, row)) || !self.holds_all(&asked.cols, row)? {
                return Ok(false);
            }
            *f = true;
            hits.push((k, row));
        }
        Ok(true)
    }

    /// Prefetches the whole rows (every cache line of each) of `hits` in the row groups of
    /// the asked fixed columns: the lookup prefetched only their first cache line, and long
    /// before. A read runs this over every segment's hits before [`Segment::stage`].
    pub(crate) fn prefetch_hits(&self, asked: &Asked<'_>, hits: &[(usize, u32)]) {
        for &(section, stride) in &asked.groups {
            let bytes = self.raw_section(section);
            for &(_, row) in hits {
                // Each line of a wide row (R5: 400 bytes, 7 lines).
                prefetch_lines(bytes, row as usize * stride, stride);
            }
        }
    }

    /// Stages the rows of `hits` (from this segment's [`Segment::hits`]) in `out`, which
    /// has [accepted](Scattered::accept) `asked`, for [`Scattered::put_fixed`], and writes
    /// their variable-width values. Each row is checked (and its pages verified) here.
    /// False when a column does not fit the output: the caller reads the general way.
    pub(crate) fn stage<'a>(
        &'a self,
        asked: &Asked<'_>,
        hits: &[(usize, u32)],
        out: &mut Scattered<'a>,
    ) -> Result<bool> {
        let Scattered {
            n,
            columns,
            mask,
            staged,
        } = out;
        if staged.len() < asked.groups.len() {
            staged.resize_with(asked.groups.len(), || vec![None; *n]);
        }
        for &(k, _) in hits {
            if let Some(b) = mask.get_mut(k / 8) {
                *b |= 1 << (k % 8);
            }
        }
        for (&(section, stride), rows) in asked.groups.iter().zip(staged.iter_mut()) {
            let view = self.view(section)?;
            for &(k, row) in hits {
                if let Some(r) = rows.get_mut(k) {
                    *r = Some(view.get(row as usize * stride, stride)?);
                }
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

/// The outputs of `members` (distinct columns), borrowed at once: `None` for one out of
/// range.
fn columns_of<'c, 'a>(
    columns: &'c mut [Out<'a>],
    members: &[FixedAt],
) -> Vec<Option<&'c mut Out<'a>>> {
    let mut slots: Vec<Option<&'c mut Out<'a>>> = columns.iter_mut().map(Some).collect();
    members
        .iter()
        .map(|f| slots.get_mut(f.out).and_then(Option::take))
        .collect()
}

/// Whether `row` is marked in `bits` (bit `row % 64` of word `row / 64`); rows past the
/// words count as marked.
#[inline(always)]
fn is_marked(bits: &[u64], row: u32) -> bool {
    bits.get(row as usize / 64)
        .is_none_or(|w| (w >> (row % 64)) & 1 == 1)
}
