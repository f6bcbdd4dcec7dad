//! The two byte encodings of a key (see the module's docs): the index bytes that segments
//! and the memtable hash and compare, and the memtable's order-preserving bytes.

use xxhash_rust::xxh3::xxh3_64;

use super::KeyKind;

/// Int64's sign bit, flipped in the order encoding so that negative keys sort first.
const SIGN: u64 = 1 << 63;

/// A key, decoded from its index bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    /// A utf8 key.
    Utf8(&'a str),
    /// An int64 key.
    Int64(i64),
    /// A uint64 key.
    UInt64(u64),
}

/// The index bytes of an int64 key: its 8 little-endian bytes.
#[inline(always)]
pub(crate) fn index_bytes_i64(v: i64) -> [u8; 8] {
    v.to_le_bytes()
}

/// The index bytes of a uint64 key: its 8 little-endian bytes.
#[inline(always)]
pub(crate) fn index_bytes_u64(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

/// The hash of a key's index bytes (XXH3-64, seed 0): the persisted key index's hash and
/// the memtable's.
#[inline]
pub(crate) fn hash_key(index_bytes: &[u8]) -> u64 {
    xxh3_64(index_bytes)
}

/// An integer key's index bytes as a number (0 if `bytes` is not 8 bytes long, which
/// cannot happen for the index bytes of an integer key).
#[inline]
fn index_u64(bytes: &[u8]) -> u64 {
    bytes.try_into().ok().map(u64::from_le_bytes).unwrap_or(0)
}

/// Decodes a key given by its index bytes; `None` if `bytes` are not the index bytes of a
/// key of `kind`.
#[inline]
pub(crate) fn decode_index(kind: KeyKind, bytes: &[u8]) -> Option<Key<'_>> {
    Some(match kind {
        KeyKind::Utf8 => Key::Utf8(std::str::from_utf8(bytes).ok()?),
        KeyKind::Int64 => Key::Int64(i64::from_le_bytes(bytes.try_into().ok()?)),
        KeyKind::UInt64 => Key::UInt64(u64::from_le_bytes(bytes.try_into().ok()?)),
    })
}

/// The first 16 bytes of the order encoding of a key given by its index bytes, as a number
/// (zero-padded): a smaller prefix is a smaller key; equal prefixes compare the whole keys.
#[inline]
pub(crate) fn order_prefix(kind: KeyKind, index_bytes: &[u8]) -> u128 {
    match kind {
        KeyKind::Utf8 => {
            let mut word = [0u8; 16];
            let n = index_bytes.len().min(16);
            if let (Some(w), Some(src)) = (word.get_mut(..n), index_bytes.get(..n)) {
                w.copy_from_slice(src);
            }
            u128::from_be_bytes(word)
        }
        // An integer's order encoding read big-endian is the integer (int64's sign bit
        // flipped): its 8 bytes, then 8 zero bytes.
        KeyKind::Int64 => u128::from(index_u64(index_bytes) ^ SIGN) << 64,
        KeyKind::UInt64 => u128::from(index_u64(index_bytes)) << 64,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn order_prefixes_sort_as_the_keys() {
        let ints = [i64::MIN, -256, -2, -1, 0, 1, 7, 255, 256, i64::MAX];
        let prefixes: Vec<_> = ints
            .iter()
            .map(|&v| order_prefix(KeyKind::Int64, &index_bytes_i64(v)))
            .collect();
        assert!(prefixes.windows(2).all(|w| w[0] < w[1]), "{prefixes:?}");
        for &v in &ints {
            let index = index_bytes_i64(v);
            assert_eq!(decode_index(KeyKind::Int64, &index), Some(Key::Int64(v)));
        }
        let uints = [0u64, 1, 255, 256, 1 << 63, u64::MAX];
        let prefixes: Vec<_> = uints
            .iter()
            .map(|&v| order_prefix(KeyKind::UInt64, &index_bytes_u64(v)))
            .collect();
        assert!(prefixes.windows(2).all(|w| w[0] < w[1]));
        let strs: [&[u8]; 5] = [b"", b"B", b"a", b"ab", "\u{e9}".as_bytes()];
        let prefixes: Vec<_> = strs
            .iter()
            .map(|s| order_prefix(KeyKind::Utf8, s))
            .collect();
        assert!(prefixes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn index_bytes_are_little_endian() {
        assert_eq!(
            index_bytes_i64(-2),
            [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(index_bytes_u64(258), [2, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            order_prefix(KeyKind::Utf8, b"ab"),
            u128::from_be_bytes(*b"ab\0\0\0\0\0\0\0\0\0\0\0\0\0\0")
        );
        assert_eq!(decode_index(KeyKind::UInt64, b"short"), None);
        assert_eq!(decode_index(KeyKind::Utf8, b"ab"), Some(Key::Utf8("ab")));
    }
}
