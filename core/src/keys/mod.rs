//! Keys: the kinds of key column, which Arrow arrays may look up which kind, and the two
//! byte encodings of a key. Every other module asks here.
//!
//! - **Kinds** ([`KeyKind`]): a table's key column is non-null utf8, int64 or uint64.
//! - **Lookups** ([`KeyKind::accepts`], [`QueryKeys`]): a utf8 key column is looked up by
//!   utf8, large utf8 or utf8 view arrays; an int64 or uint64 column by an array of exactly
//!   its type. Writes ([`KeyKind::check_written`]) take exactly the key column's type.
//! - **Index bytes** ([`index_bytes_i64`], [`index_bytes_u64`], [`hash_key`]): what the
//!   persisted key index and the memtable's hash index hash and compare. A utf8 key is its
//!   UTF-8 bytes; an integer key is its 8 little-endian bytes. These bytes are part of the
//!   segment format (`docs/FORMAT.md`): changing them changes every file.
//! - **Order bytes** ([`order_prefix`]): the memtable's order-preserving encoding, in which
//!   bytewise order is key order: utf8 keys as their bytes, integers as 8 big-endian bytes
//!   with int64's sign bit flipped. Its first 16 bytes key the memtable's sort; it never
//!   leaves memory. ([`decode_index`] turns index bytes back into a [`Key`].)
//! - **Segment order** ([`SortKey`], [`order::KeyRef`], [`order::KeyColumn`]): keys in the
//!   order a segment stores them (utf8 bytewise, integers numerically), the one comparator
//!   of the segment writer, compaction and scans.

mod encoding;
mod kind;
pub(crate) mod order;
mod query;

pub use encoding::Key;
pub(crate) use encoding::{decode_index, hash_key, index_bytes_i64, index_bytes_u64, order_prefix};
pub(crate) use kind::KeyKind;
pub use order::SortKey;
pub(crate) use query::QueryKeys;
