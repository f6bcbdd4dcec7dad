//! The copy loops of a scattered read's fixed-width columns (`scatter.rs`,
//! `Scattered::put_fixed`): each column's values from staged row bytes into its output
//! slots, a block of keys at a time, and the validity bits of columns that may be null.

use super::layout::NONE;
use crate::prefetch::prefetch;

/// Bytes per cache line (x86-64, most ARM cores).
const CACHE_LINE: usize = 64;

/// Keys per block of `Scattered::put_fixed`: the staged rows of a block (R5: 32 rows of
/// 400 bytes) stay in L1 while each column copies its values of them.
pub(super) const BLOCK: usize = 32;

/// A fixed column being written: where its values are in a row of its group, and its
/// output values.
pub(super) struct Fixed<'o> {
    pub(super) offset: usize,
    pub(super) width: usize,
    pub(super) dst: &'o mut [u8],
}

impl Fixed<'_> {
    /// Copies this column's value from each staged row of `rows` (keys `first..`) to the
    /// key's slot; false when a value lies beyond its row (left unwritten).
    pub(super) fn put_block(&mut self, rows: &[Option<&[u8]>], first: usize) -> bool {
        match self.width {
            4 => self.put::<4>(rows, first),
            8 => self.put::<8>(rows, first),
            1 => self.put::<1>(rows, first),
            2 => self.put::<2>(rows, first),
            _ => self.put_any(rows, first),
        }
    }

    /// [`Fixed::put_block`] for values `W` bytes wide: a tight loop over the block.
    #[inline(always)]
    fn put<const W: usize>(&mut self, rows: &[Option<&[u8]>], first: usize) -> bool {
        let (slots, _) = self.dst.as_chunks_mut::<W>();
        let Some(slots) = slots.get_mut(first..first + rows.len()) else {
            return false;
        };
        let mut all = true;
        for (d, row) in slots.iter_mut().zip(rows) {
            if let Some(src) = row {
                match src.get(self.offset..).and_then(|s| s.first_chunk::<W>()) {
                    Some(v) => *d = *v,
                    None => all = false,
                }
            }
        }
        all
    }

    /// [`Fixed::put_block`] for values of any width (an embedding's).
    fn put_any(&mut self, rows: &[Option<&[u8]>], first: usize) -> bool {
        let (o, w) = (self.offset, self.width);
        let mut all = true;
        for (i, row) in rows.iter().enumerate() {
            if let Some(src) = row {
                let k = first + i;
                match (src.get(o..o + w), self.dst.get_mut(k * w..(k + 1) * w)) {
                    (Some(s), Some(d)) => d.copy_from_slice(s),
                    _ => all = false,
                }
            }
        }
        all
    }
}

/// Prefetches every cache line of `bytes[at..at + len]` (and its last byte, for a row that
/// does not start on a line).
#[inline(always)]
pub(super) fn prefetch_lines(bytes: &[u8], at: usize, len: usize) {
    let mut line = 0;
    while line < len {
        prefetch(bytes, at + line);
        line += CACHE_LINE;
    }
    prefetch(bytes, at + len.saturating_sub(1));
}

/// Sets the validity bit of each key of `rows` whose row holds a value of the column at
/// `offset`..`offset + width` with validity bit `bit` ([`NONE`]: never null).
pub(super) fn validity(
    rows: &[Option<&[u8]>],
    offset: usize,
    width: usize,
    bit: u32,
    valid: &mut [u8],
) {
    let (byte, mask) = ((bit / 8) as usize, 1u8 << (bit % 8));
    for (k, row) in rows.iter().enumerate() {
        let Some(src) = row else { continue };
        let is_valid = src.len() >= offset + width
            && (bit == NONE || src.get(byte).is_some_and(|b| b & mask != 0));
        if is_valid && let Some(b) = valid.get_mut(k / 8) {
            *b |= 1 << (k % 8);
        }
    }
}
