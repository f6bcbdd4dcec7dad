//! The persisted key index: hashing, slot placement and building.
//!
//! Keys hash with XXH3-64 (seed 0) over their index bytes (`crate::keys`): the UTF-8 bytes
//! of a utf8 key, the 8 little-endian bytes of an int64 or uint64 key. A slot is 8 bytes:
//! the hash's low 32 bits (the tag) and the row number, both little-endian u32; an empty
//! slot has row `u32::MAX`.
//! A key's home slot is `(hash * slot_count) >> 64` (the multiply-shift range reduction);
//! collisions probe linearly to the next slot, wrapping at the end.

use super::layout::EMPTY_SLOT;

/// The home slot of `hash` in a table of `slot_count` slots.
#[inline]
pub(crate) fn home_slot(hash: u64, slot_count: u64) -> u64 {
    ((u128::from(hash) * u128::from(slot_count)) >> 64) as u64
}

/// The tag stored with a key: the hash's low 32 bits.
#[inline]
pub(crate) fn tag(hash: u64) -> u32 {
    hash as u32
}

/// The slot count for `rows` keys: a load factor of about 0.7, and always one empty slot.
pub(crate) fn slot_count_for(rows: u64) -> u64 {
    rows + rows * 3 / 7 + 1
}

/// Builds the index section's bytes for keys whose hashes are `hashes` (row i has
/// `hashes[i]`).
pub(crate) fn build_index(hashes: &[u64]) -> Vec<u8> {
    let slot_count = slot_count_for(hashes.len() as u64);
    let mut slots = vec![(0u32, EMPTY_SLOT); slot_count as usize];
    for (row, &h) in hashes.iter().enumerate() {
        let mut pos = home_slot(h, slot_count) as usize;
        while slots.get(pos).is_some_and(|s| s.1 != EMPTY_SLOT) {
            pos = if pos + 1 == slots.len() { 0 } else { pos + 1 };
        }
        if let Some(slot) = slots.get_mut(pos) {
            *slot = (tag(h), row as u32);
        }
    }
    let mut out = Vec::with_capacity(slots.len() * 8);
    for (t, r) in slots {
        out.extend_from_slice(&t.to_le_bytes());
        out.extend_from_slice(&r.to_le_bytes());
    }
    out
}
