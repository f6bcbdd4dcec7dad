//! A segment's key filter, kept in memory: a split-block Bloom filter over the tags of its
//! key index, so that a read rules out most keys the segment does not hold by probing one
//! small block (a few hundred kilobytes per 100,000 keys, which stay in cache) instead of a
//! slot of the index (a cache miss into a table several times larger).
//!
//! The engine builds one for each level-0 segment when it opens it (a flush opens its new
//! segment on the flushing thread; `Db::open` opens the ones the manifest lists): a read of
//! a table with level-0 segments asks each of them only the keys its filter passes. Nothing
//! is stored on disk: the filter derives from the index section, whose pages are verified
//! (CRC32) as it is read, so a damaged index is an error, never a filter that hides keys.
//!
//! A key's filter bits derive from its index tag (the low 32 bits of its XXH3 hash,
//! [`super::hash::tag`]): the tag times an odd 64-bit constant gives a block (from the high
//! half) and, through eight odd 32-bit multipliers, one bit in each of the block's eight
//! 32-bit words (from the low half). At [`BITS_PER_KEY`] bits per key about 0.5% of the
//! absent keys pass.

use super::hash::tag;
use super::layout::EMPTY_SLOT;
use super::reader::Segment;
use crate::Result;

/// Filter bits per key.
pub(crate) const BITS_PER_KEY: usize = 12;

/// Spreads a tag over 64 bits (a bijection: odd multiplier).
const SPREAD: u64 = 0x9e37_79b9_7f4a_7c15;

/// One odd multiplier per word of a block: its bit is the top 5 bits of the product.
const WORD_SALT: [u32; 8] = [
    0x2545_f491,
    0x9e37_79b1,
    0x85eb_ca77,
    0xc2b2_ae3d,
    0x27d4_eb2f,
    0x1656_67b1,
    0xd3a2_646d,
    0xfd70_46c5,
];

/// The bit each of a block's eight words gets for in-block hash `h`.
#[inline(always)]
fn block_masks(h: u32) -> [u32; 8] {
    WORD_SALT.map(|salt| 1u32 << (h.wrapping_mul(salt) >> 27))
}

/// Whether each of `words` has its bit of `masks` set: every word tested, without a
/// branch per word (half of an absent key's first words pass, so a branch on each would
/// mispredict; eight tests and one branch vectorize).
#[inline(always)]
fn block_holds(words: &[u32; 8], masks: [u32; 8]) -> bool {
    let mut all = true;
    for (w, m) in words.iter().zip(masks) {
        all &= w & m != 0;
    }
    all
}

/// The block, of `blocks`, of a key whose spread hash is `x` (its high half picks it).
#[inline(always)]
fn block_of(x: u64, blocks: usize) -> usize {
    (((x >> 32) * blocks as u64) >> 32) as usize
}

/// Blocks for `keys` keys at [`BITS_PER_KEY`] (at least one).
fn blocks_for(keys: usize) -> usize {
    keys.saturating_mul(BITS_PER_KEY).div_ceil(256).max(1)
}

/// 256 bits: one bit per word is set for a key.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Block([u32; 8]);

/// A split-block Bloom filter over key tags (see the module docs).
#[derive(Debug)]
pub(crate) struct KeyFilter {
    blocks: Box<[Block]>,
}

impl KeyFilter {
    /// An empty filter sized for `keys` keys.
    fn with_keys(keys: usize) -> KeyFilter {
        KeyFilter {
            blocks: vec![Block::default(); blocks_for(keys)].into_boxed_slice(),
        }
    }

    /// The block index and the in-block hash of `tag`.
    #[inline(always)]
    fn place(&self, tag: u32) -> (usize, u32) {
        let x = u64::from(tag).wrapping_mul(SPREAD);
        (block_of(x, self.blocks.len()), x as u32)
    }

    /// Adds a key by its tag.
    fn insert(&mut self, tag: u32) {
        let (b, h) = self.place(tag);
        if let Some(block) = self.blocks.get_mut(b) {
            for (word, mask) in block.0.iter_mut().zip(block_masks(h)) {
                *word |= mask;
            }
        }
    }

    /// Whether a key of hash `hash` may be in the segment (false: it is not).
    #[inline]
    pub(crate) fn may_contain(&self, hash: u64) -> bool {
        let (b, h) = self.place(tag(hash));
        match self.blocks.get(b) {
            Some(block) => block_holds(&block.0, block_masks(h)),
            None => true,
        }
    }

    /// Hints the CPU to load the block of a key of hash `hash`.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        let (b, _) = self.place(tag(hash));
        if let Some(block) = self.blocks.get(b) {
            crate::prefetch::prefetch_ref(block);
        }
    }

    /// The filter's size in bytes.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        std::mem::size_of_val(&*self.blocks)
    }
}

impl Segment {
    /// Builds the segment's key filter from its key index (every page of the index is
    /// read and verified).
    pub(crate) fn key_filter(&self) -> Result<KeyFilter> {
        let rows = usize::try_from(self.footer.row_count).unwrap_or(usize::MAX);
        let mut filter = KeyFilter::with_keys(rows);
        let index = self.view(self.footer.index_section)?;
        let bytes = index.get(0, index.bytes.len())?;
        for slot in bytes.chunks_exact(8) {
            let (t, row) = slot.split_at(4);
            let (Ok(t), Ok(row)) = (<[u8; 4]>::try_from(t), <[u8; 4]>::try_from(row)) else {
                continue;
            };
            if u32::from_le_bytes(row) != EMPTY_SLOT {
                filter.insert(u32::from_le_bytes(t));
            }
        }
        Ok(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::hash_key;

    fn filter_of(keys: &[String]) -> KeyFilter {
        let mut f = KeyFilter::with_keys(keys.len());
        for k in keys {
            f.insert(tag(hash_key(k.as_bytes())));
        }
        f
    }

    #[test]
    fn every_inserted_key_passes() {
        let keys: Vec<String> = (0..50_000).map(|i| format!("key_{i}")).collect();
        let f = filter_of(&keys);
        for k in &keys {
            assert!(f.may_contain(hash_key(k.as_bytes())), "{k}");
        }
    }

    #[test]
    fn most_absent_keys_are_ruled_out() {
        let keys: Vec<String> = (0..50_000).map(|i| format!("key_{i}")).collect();
        let f = filter_of(&keys);
        let passed = (0..100_000)
            .filter(|i| f.may_contain(hash_key(format!("other_{i}").as_bytes())))
            .count();
        // About 0.5% at 12 bits per key; 2% would mean the bits are badly spread.
        assert!(passed < 2_000, "{passed} of 100000 absent keys passed");
        assert!(f.bytes() >= 50_000 * BITS_PER_KEY / 8);
    }

    #[test]
    fn an_empty_filter_passes_nothing() {
        let f = KeyFilter::with_keys(0);
        assert!(!f.may_contain(hash_key(b"x")));
    }
}
