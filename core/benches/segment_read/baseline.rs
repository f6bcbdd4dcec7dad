//! The in-memory peers of the segment reader, measured in the same run on the same keys.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::xxh3_64;

/// The near-physical limit: an open-addressing hash table (tag + row, load 0.7) over a key
/// arena, row-major values, and the same staged prefetching as the segment reader.
pub struct Prefetched {
    slots: Vec<(u32, u32)>,
    key_offsets: Vec<u32>,
    key_bytes: Vec<u8>,
    values: Vec<f32>,
    width: usize,
    rows: usize,
    row_major: bool,
}

const EMPTY: u32 = u32::MAX;

impl Prefetched {
    /// `row_major`: values row by row (the segment's layout), else one array per column.
    pub fn build(
        rows: u64,
        width: usize,
        row_major: bool,
        key: impl Fn(u64) -> String,
        value: impl Fn(u64, usize) -> f32,
    ) -> Self {
        let n = rows as usize;
        let slot_count = n + n * 3 / 7 + 1;
        let mut slots = vec![(0u32, EMPTY); slot_count];
        let mut key_offsets = Vec::with_capacity(n + 1);
        let mut key_bytes = Vec::new();
        let mut values = Vec::with_capacity(n * width);
        key_offsets.push(0);
        for i in 0..rows {
            let k = key(i);
            let h = xxh3_64(k.as_bytes());
            let mut pos = home(h, slot_count);
            while slots[pos].1 != EMPTY {
                pos = if pos + 1 == slot_count { 0 } else { pos + 1 };
            }
            slots[pos] = (h as u32, i as u32);
            key_bytes.extend_from_slice(k.as_bytes());
            key_offsets.push(key_bytes.len() as u32);
            if row_major {
                values.extend((0..width).map(|c| value(i, c)));
            }
        }
        if !row_major {
            for c in 0..width {
                values.extend((0..rows).map(|i| value(i, c)));
            }
        }
        Prefetched {
            rows: n,
            row_major,
            slots,
            key_offsets,
            key_bytes,
            values,
            width,
        }
    }

    /// Gathers `cols` of `keys` into one column vector each (0.0 for a key not found), and
    /// which keys were found.
    pub fn get<K: AsRef<str>>(&self, keys: &[K], cols: &[usize]) -> (Vec<Vec<f32>>, Vec<bool>) {
        let rows = self.rows_of(keys, cols);
        let n = keys.len();
        let mut found = vec![false; n];
        let mut out: Vec<Vec<f32>> = cols.iter().map(|_| vec![0.0; n]).collect();
        for (i, &r) in rows.iter().enumerate() {
            if r == EMPTY {
                continue;
            }
            found[i] = true;
            if self.row_major {
                let row = &self.values[r as usize * self.width..][..self.width];
                for (o, &c) in out.iter_mut().zip(cols) {
                    o[i] = row[c];
                }
            } else {
                for (o, &c) in out.iter_mut().zip(cols) {
                    o[i] = self.values[c * self.rows + r as usize];
                }
            }
        }
        (out, found)
    }

    /// Copies the whole rows of `keys` one after another (a tensor of `width` floats per
    /// key, zeros for a key not found; row-major tables only), and which keys were found.
    pub fn get_rows<K: AsRef<str>>(&self, keys: &[K]) -> (Vec<f32>, Vec<bool>) {
        let rows = self.rows_of(keys, &[]);
        let w = self.width;
        let mut out = vec![0.0; keys.len() * w];
        let mut found = vec![false; keys.len()];
        for (i, &r) in rows.iter().enumerate() {
            if r != EMPTY && self.row_major {
                found[i] = true;
                out[i * w..(i + 1) * w].copy_from_slice(&self.values[r as usize * w..][..w]);
            }
        }
        (out, found)
    }

    /// The row of each key (`EMPTY` when absent), found with staged prefetching: hash and
    /// slot, probe and row (prefetching the values of `cols`, or the whole row), key bytes,
    /// key comparison.
    fn rows_of<K: AsRef<str>>(&self, keys: &[K], cols: &[usize]) -> Vec<u32> {
        let n = keys.len();
        let sc = self.slots.len();
        let mut probes = Vec::with_capacity(n);
        for k in keys {
            let h = xxh3_64(k.as_ref().as_bytes());
            let pos = home(h, sc);
            prefetch(self.slots.as_ptr().wrapping_add(pos).cast());
            probes.push((h, pos));
        }
        let mut rows = vec![EMPTY; n];
        for (i, &(h, mut pos)) in probes.iter().enumerate() {
            loop {
                let (t, r) = self.slots[pos];
                if r == EMPTY {
                    break;
                }
                if t == h as u32 {
                    rows[i] = r;
                    prefetch(self.key_offsets.as_ptr().wrapping_add(r as usize).cast());
                    if self.row_major {
                        let at = r as usize * self.width;
                        prefetch(self.values.as_ptr().wrapping_add(at).cast());
                    } else {
                        for &c in cols {
                            let at = c * self.rows + r as usize;
                            prefetch(self.values.as_ptr().wrapping_add(at).cast());
                        }
                    }
                    break;
                }
                pos = if pos + 1 == sc { 0 } else { pos + 1 };
            }
        }
        let mut ranges = Vec::with_capacity(n);
        for &r in &rows {
            if r == EMPTY {
                ranges.push((0, 0));
                continue;
            }
            let s = self.key_offsets[r as usize] as usize;
            let e = self.key_offsets[r as usize + 1] as usize;
            prefetch(self.key_bytes.as_ptr().wrapping_add(s));
            ranges.push((s, e));
        }
        for i in 0..n {
            if rows[i] == EMPTY {
                continue;
            }
            let (s, e) = ranges[i];
            if &self.key_bytes[s..e] != keys[i].as_ref().as_bytes() {
                rows[i] = EMPTY; // a tag collision (then the probe would go on; never here)
            }
        }
        rows
    }
}

/// The baseline docs/WORKLOAD.md names: open addressing over 32-byte slots that hold the
/// key inline (tag, row, length and up to 23 key bytes: a probe that finds the slot has
/// the key, no further miss), row-major values, and staged prefetching (hash every key and
/// prefetch its slot; probe and prefetch the row; gather).
pub struct InlineKeys {
    slots: Vec<Slot>,
    values: Vec<f32>,
    width: usize,
}

/// One slot: 32 bytes, aligned so that a slot is one half of a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    tag: u32,
    row: u32,
    len: u8,
    key: [u8; INLINE],
}

const INLINE: usize = 23;

impl InlineKeys {
    /// Keys longer than 23 bytes are refused (the canonical keys are at most 13).
    pub fn build(
        rows: u64,
        width: usize,
        key: impl Fn(u64) -> String,
        value: impl Fn(u64, usize) -> f32,
    ) -> Self {
        let n = rows as usize;
        let slot_count = n + n * 3 / 7 + 1;
        let empty = Slot {
            tag: 0,
            row: EMPTY,
            len: 0,
            key: [0; INLINE],
        };
        let mut slots = vec![empty; slot_count];
        let mut values = Vec::with_capacity(n * width);
        for i in 0..rows {
            let k = key(i);
            let b = k.as_bytes();
            assert!(b.len() <= INLINE, "key {k} is longer than {INLINE} bytes");
            let h = xxh3_64(b);
            let mut pos = home(h, slot_count);
            while slots[pos].row != EMPTY {
                pos = if pos + 1 == slot_count { 0 } else { pos + 1 };
            }
            let mut inline = [0u8; INLINE];
            inline[..b.len()].copy_from_slice(b);
            slots[pos] = Slot {
                tag: h as u32,
                row: i as u32,
                len: b.len() as u8,
                key: inline,
            };
            values.extend((0..width).map(|c| value(i, c)));
        }
        InlineKeys {
            slots,
            values,
            width,
        }
    }

    /// Gathers `cols` of `keys` into one column vector each (0.0 for a key not found), and
    /// which keys were found.
    pub fn get<K: AsRef<str>>(&self, keys: &[K], cols: &[usize]) -> (Vec<Vec<f32>>, Vec<bool>) {
        let n = keys.len();
        let sc = self.slots.len();
        let mut probes = Vec::with_capacity(n);
        for k in keys {
            let h = xxh3_64(k.as_ref().as_bytes());
            let pos = home(h, sc);
            prefetch(self.slots.as_ptr().wrapping_add(pos).cast());
            probes.push((h, pos));
        }
        let mut rows = vec![EMPTY; n];
        for (i, &(h, mut pos)) in probes.iter().enumerate() {
            let b = keys[i].as_ref().as_bytes();
            loop {
                let slot = &self.slots[pos];
                if slot.row == EMPTY {
                    break;
                }
                if slot.tag == h as u32
                    && usize::from(slot.len) == b.len()
                    && &slot.key[..b.len()] == b
                {
                    rows[i] = slot.row;
                    let at = slot.row as usize * self.width;
                    prefetch(self.values.as_ptr().wrapping_add(at).cast());
                    break;
                }
                pos = if pos + 1 == sc { 0 } else { pos + 1 };
            }
        }
        let mut found = vec![false; n];
        let mut out: Vec<Vec<f32>> = cols.iter().map(|_| vec![0.0; n]).collect();
        for (i, &r) in rows.iter().enumerate() {
            if r == EMPTY {
                continue;
            }
            found[i] = true;
            let row = &self.values[r as usize * self.width..][..self.width];
            for (o, &c) in out.iter_mut().zip(cols) {
                o[i] = row[c];
            }
        }
        (out, found)
    }
}

/// The plain peer of docs/WORKLOAD.md: a fast-hash HashMap from key to row plus one Vec per column.
pub struct PlainMap {
    index: FxHashMap<String, u32>,
    columns: Vec<Vec<f32>>,
}

impl PlainMap {
    pub fn build(
        rows: u64,
        width: usize,
        key: impl Fn(u64) -> String,
        value: impl Fn(u64, usize) -> f32,
    ) -> Self {
        let mut index = FxHashMap::default();
        index.reserve(rows as usize);
        for i in 0..rows {
            index.insert(key(i), i as u32);
        }
        let columns = (0..width)
            .map(|c| (0..rows).map(|i| value(i, c)).collect())
            .collect();
        PlainMap { index, columns }
    }

    /// Gathers `cols` of `keys` into one column vector each (0.0 for a key not found), and
    /// which keys were found.
    pub fn get<K: AsRef<str>>(&self, keys: &[K], cols: &[usize]) -> (Vec<Vec<f32>>, Vec<bool>) {
        let rows: Vec<Option<u32>> = keys
            .iter()
            .map(|k| self.index.get(k.as_ref()).copied())
            .collect();
        let out = cols
            .iter()
            .map(|&c| {
                let col = &self.columns[c];
                rows.iter()
                    .map(|r| r.map_or(0.0, |r| col[r as usize]))
                    .collect()
            })
            .collect();
        (out, rows.iter().map(Option::is_some).collect())
    }
}

fn home(h: u64, slots: usize) -> usize {
    ((u128::from(h) * slots as u128) >> 64) as usize
}

#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetch never faults.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    }
}
