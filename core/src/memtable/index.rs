//! The memtable's storage: an append-only log of entries and a hash index from each key
//! to its newest entry, read without locks while one writer at a time appends.
//!
//! - **Sources** are the writes: one per [`super::Memtable::apply`] or
//!   [`super::Memtable::delete`], holding the written batch (or the deleted keys) and the
//!   write's sequence number.
//! - **Entries** are (key hash, source, row, older): one per key and write. `older` links a
//!   key's entries newest first (by sequence number), so a read walks from the newest
//!   entry down to the first one at or below its snapshot.
//! - **The table** is open addressing with linear probing over `AtomicU64` slots: the
//!   hash's low 32 bits (a tag, so that most probes of an absent key compare no key) and
//!   the newest entry's index + 1 (0: empty). A key absent from the memtable costs one
//!   hash and, at the load factor kept (at most 1/2), about two slot reads.
//!
//! Writers are serialized by a mutex (the log orders writes anyway). A writer fills an
//! entry, then publishes it with one release store (into a slot, or into the `older` link
//! of the entry it follows); readers acquire-load slots and links, so every entry they
//! reach is complete. Entries and sources live in chunks that never move (each chunk is
//! twice the size of the one before, allocated once), so a reader never sees memory
//! freed or moved under it. When the table passes its load factor the writer builds one
//! of twice the size and swaps it in ([`arc_swap::ArcSwap`]); readers that loaded the old
//! one keep a complete table of every write published before their snapshot (a write
//! after the swap is numbered above any snapshot taken before the reader saw the swap).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use arc_swap::ArcSwap;

use super::entry::Source;

/// Entries in the first chunk; chunk `c` holds `ENTRY_BASE << c`.
const ENTRY_BASE: usize = 1024;
/// Sources in the first chunk; chunk `c` holds `SOURCE_BASE << c`.
const SOURCE_BASE: usize = 64;
/// Chunks: enough for `u32::MAX` entries or sources.
const CHUNKS: usize = 33;
/// Slots of a new table.
const FIRST_SLOTS: usize = 1024;
/// "No entry" in an `older` link.
const NONE: u64 = 0;

/// The chunk and offset of item `i` when chunk `c` holds `base << c` items.
#[inline(always)]
fn locate(i: usize, base: usize) -> (usize, usize) {
    let q = i / base + 1;
    let c = (usize::BITS - 1 - q.leading_zeros()) as usize;
    (c, i - base * ((1 << c) - 1))
}

/// One entry: its three words.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// The key's hash ([`crate::segment`]'s XXH3 of its bytes).
    pub(crate) hash: u64,
    /// The write that made it.
    pub(crate) source: u32,
    /// The row of the written batch (or of the deleted keys).
    pub(crate) row: u32,
}

/// A chunk of entries: 3 words each (hash, source << 32 | row, older + 1).
type EntryChunk = Box<[AtomicU64]>;

/// One table: slots of (tag << 32 | entry + 1).
#[derive(Debug)]
pub(crate) struct Table {
    slots: Box<[AtomicU64]>,
}

impl Table {
    fn new(slots: usize) -> Table {
        Table {
            slots: (0..slots).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    #[inline(always)]
    fn home(&self, hash: u64) -> usize {
        ((u128::from(hash) * self.slots.len() as u128) >> 64) as usize
    }

    /// The slot index after `i`, wrapping.
    #[inline(always)]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() { 0 } else { i + 1 }
    }

    /// Prefetches `hash`'s home slot.
    #[inline(always)]
    pub(crate) fn prefetch(&self, hash: u64) {
        if let Some(slot) = self.slots.get(self.home(hash)) {
            crate::prefetch::prefetch_ref(slot);
        }
    }
}

#[inline(always)]
fn tag(hash: u64) -> u64 {
    hash & 0xFFFF_FFFF
}

/// What the writer alone changes.
#[derive(Debug)]
struct Writer {
    entries: usize,
    sources: usize,
    keys: usize,
}

/// The storage (see the module docs).
#[derive(Debug)]
pub(crate) struct Index {
    entries: [OnceLock<EntryChunk>; CHUNKS],
    sources: [OnceLock<Box<[OnceLock<Source>]>>; CHUNKS],
    table: ArcSwap<Table>,
    writer: Mutex<Writer>,
    /// Entries reachable from the table (one per key and write).
    linked: AtomicUsize,
    /// Entries appended (replaced ones included): changes with every insert.
    appended: AtomicUsize,
}

impl Index {
    pub(crate) fn new() -> Index {
        Index {
            entries: std::array::from_fn(|_| OnceLock::new()),
            sources: std::array::from_fn(|_| OnceLock::new()),
            table: ArcSwap::from_pointee(Table::new(FIRST_SLOTS)),
            writer: Mutex::new(Writer {
                entries: 0,
                sources: 0,
                keys: 0,
            }),
            linked: AtomicUsize::new(0),
            appended: AtomicUsize::new(0),
        }
    }

    /// Entries reachable: one per (key, write).
    pub(crate) fn len(&self) -> usize {
        self.linked.load(Ordering::Acquire)
    }

    /// Entries appended so far (a count that changes with every insert).
    pub(crate) fn appended(&self) -> usize {
        self.appended.load(Ordering::Acquire)
    }

    /// Bytes of the table's slots.
    pub(crate) fn table_bytes(&self) -> usize {
        self.table.load().slots.len() * 8
    }

    /// The current table, for a batch of lookups.
    pub(crate) fn table(&self) -> arc_swap::Guard<Arc<Table>> {
        self.table.load()
    }

    /// Source `i`.
    #[inline]
    pub(crate) fn source(&self, i: u32) -> Option<&Source> {
        let (c, o) = locate(i as usize, SOURCE_BASE);
        self.sources.get(c)?.get()?.get(o)?.get()
    }

    /// Entry `i`'s words, if the chunk exists.
    #[inline(always)]
    fn words(&self, i: usize) -> Option<&[AtomicU64]> {
        let (c, o) = locate(i, ENTRY_BASE);
        self.entries.get(c)?.get()?.get(o * 3..o * 3 + 3)
    }

    /// Entry `i`.
    #[inline]
    pub(crate) fn entry(&self, i: u32) -> Option<Entry> {
        let w = self.words(i as usize)?;
        let hash = w.first()?.load(Ordering::Relaxed);
        let sr = w.get(1)?.load(Ordering::Relaxed);
        Some(Entry {
            hash,
            source: (sr >> 32) as u32,
            row: sr as u32,
        })
    }

    /// The entry older than entry `i` for the same key.
    #[inline]
    pub(crate) fn older(&self, i: u32) -> Option<u32> {
        let link = self.words(i as usize)?.get(2)?.load(Ordering::Acquire);
        (link != NONE).then(|| (link - 1) as u32)
    }

    /// Prefetches the entry that `hash`'s home slot points to, if its tag matches (the
    /// slot itself should be in cache: [`Table::prefetch`]), and returns it.
    #[inline]
    pub(crate) fn prefetch_candidate(&self, table: &Table, hash: u64) -> Option<u32> {
        let slot = table.slots.get(table.home(hash))?;
        let s = slot.load(Ordering::Acquire);
        if s != 0 && s >> 32 == tag(hash) {
            let i = (s as u32).wrapping_sub(1);
            if let Some(first) = self.words(i as usize).and_then(<[AtomicU64]>::first) {
                crate::prefetch::prefetch_ref(first);
            }
            return Some(i);
        }
        None
    }

    /// The newest entry of the key with hash `hash` for which `same(entry)` holds (it
    /// compares the entry's key with the one looked for), in `table`.
    #[inline]
    pub(crate) fn find(
        &self,
        table: &Table,
        hash: u64,
        same: impl Fn(Entry) -> bool,
    ) -> Option<u32> {
        let mut pos = table.home(hash);
        for _ in 0..table.slots.len() {
            let slot = table.slots.get(pos)?.load(Ordering::Acquire);
            if slot == 0 {
                return None;
            }
            if slot >> 32 == tag(hash) {
                let i = (slot as u32).wrapping_sub(1);
                if let Some(e) = self.entry(i)
                    && e.hash == hash
                    && same(e)
                {
                    return Some(i);
                }
            }
            pos = table.next(pos);
        }
        None
    }

    /// Takes the writer's lock: appends happen one writer at a time.
    pub(crate) fn lock(&self) -> Appender<'_> {
        let writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        Appender {
            index: self,
            writer,
            table: self.table.load_full(),
        }
    }
}

/// The writer of an [`Index`], holding its lock.
pub(crate) struct Appender<'a> {
    index: &'a Index,
    writer: MutexGuard<'a, Writer>,
    /// The current table (only this writer swaps it: loaded once per lock).
    table: Arc<Table>,
}

impl Appender<'_> {
    /// Prefetches what inserting a key of hash `hash` touches first: its home slot.
    #[inline]
    pub(crate) fn prefetch(&self, hash: u64) {
        self.table.prefetch(hash);
    }

    /// Appends a source; returns its number, or `None` past `u32::MAX` sources.
    pub(crate) fn push_source(&mut self, source: Source) -> Option<u32> {
        let i = self.writer.sources;
        let n = u32::try_from(i).ok()?;
        let (c, o) = locate(i, SOURCE_BASE);
        let chunk = self
            .index
            .sources
            .get(c)?
            .get_or_init(|| (0..SOURCE_BASE << c).map(|_| OnceLock::new()).collect());
        chunk.get(o)?.set(source).ok()?;
        self.writer.sources += 1;
        Some(n)
    }

    /// Inserts an entry for `row` of source `source` (sequence number `seq`), the key
    /// hashing to `hash`; `same(e)` says whether entry `e` has the same key and `seq_of`
    /// gives an entry's sequence number. An older entry of the same write (a key repeated
    /// in one batch) is replaced: the last row wins. Returns false past `u32::MAX - 1`
    /// entries (nothing inserted).
    pub(crate) fn insert(
        &mut self,
        hash: u64,
        source: u32,
        row: u32,
        seq: u64,
        same: impl Fn(Entry) -> bool,
        seq_of: impl Fn(Entry) -> u64,
    ) -> bool {
        let (done, full) = self.link(hash, source, row, seq, same, seq_of);
        if full {
            self.grow();
        }
        self.index
            .appended
            .store(self.writer.entries, Ordering::Release);
        done
    }

    fn link(
        &mut self,
        hash: u64,
        source: u32,
        row: u32,
        seq: u64,
        same: impl Fn(Entry) -> bool,
        seq_of: impl Fn(Entry) -> u64,
    ) -> (bool, bool) {
        let i = self.writer.entries;
        if i >= u32::MAX as usize - 1 {
            return (false, false);
        }
        let (c, o) = locate(i, ENTRY_BASE);
        let Some(chunk) = self.index.entries.get(c).map(|cell| {
            cell.get_or_init(|| {
                (0..3 * (ENTRY_BASE << c))
                    .map(|_| AtomicU64::new(0))
                    .collect()
            })
        }) else {
            return (false, false);
        };
        let Some(words) = chunk.get(o * 3..o * 3 + 3) else {
            return (false, false);
        };
        self.writer.entries += 1;
        let i = i as u32;
        let link = u64::from(i) + 1;
        let set = |older: Option<u32>| {
            if let [h, sr, old] = words {
                h.store(hash, Ordering::Relaxed);
                sr.store(u64::from(source) << 32 | u64::from(row), Ordering::Relaxed);
                old.store(older.map_or(NONE, |o| u64::from(o) + 1), Ordering::Relaxed);
            }
        };
        let index = self.index;
        let table = &*self.table;
        let mut pos = table.home(hash);
        loop {
            let Some(slot) = table.slots.get(pos) else {
                return (false, false);
            };
            let s = slot.load(Ordering::Relaxed);
            if s == 0 {
                set(None);
                slot.store(tag(hash) << 32 | link, Ordering::Release);
                index.linked.fetch_add(1, Ordering::AcqRel);
                self.writer.keys += 1;
                return (true, self.writer.keys * 2 > table.slots.len());
            }
            if s >> 32 == tag(hash) {
                let head = (s as u32).wrapping_sub(1);
                if let Some(e) = index.entry(head)
                    && e.hash == hash
                    && same(e)
                {
                    // Newest first: skip entries of newer writes (writers may apply out of
                    // sequence order), then link in, replacing an entry of this write.
                    let mut before: Option<u32> = None;
                    let mut at = Some(head);
                    while let Some(a) = at
                        && index.entry(a).is_some_and(|e| seq_of(e) > seq)
                    {
                        before = Some(a);
                        at = index.older(a);
                    }
                    let replaced =
                        at.is_some_and(|a| index.entry(a).is_some_and(|e| seq_of(e) == seq));
                    let older = if replaced {
                        at.and_then(|a| index.older(a))
                    } else {
                        at
                    };
                    set(older);
                    match before {
                        None => slot.store(s & !0xFFFF_FFFF | link, Ordering::Release),
                        Some(b) => {
                            if let Some(w) = index.words(b as usize).and_then(|w| w.get(2)) {
                                w.store(link, Ordering::Release);
                            }
                        }
                    }
                    if !replaced {
                        index.linked.fetch_add(1, Ordering::AcqRel);
                    }
                    return (true, false);
                }
            }
            pos = table.next(pos);
        }
    }

    /// Builds a table of twice the slots holding every key's newest entry, and swaps it in.
    fn grow(&mut self) {
        let old = &*self.table;
        let table = Table::new(old.slots.len() * 2);
        for s in old.slots.iter() {
            let s = s.load(Ordering::Relaxed);
            if s == 0 {
                continue;
            }
            let Some(e) = self.index.entry((s as u32).wrapping_sub(1)) else {
                continue;
            };
            let mut pos = table.home(e.hash);
            while let Some(slot) = table.slots.get(pos) {
                if slot.load(Ordering::Relaxed) == 0 {
                    slot.store(s, Ordering::Relaxed);
                    break;
                }
                pos = table.next(pos);
            }
        }
        self.table = Arc::new(table);
        self.index.table.store(Arc::clone(&self.table));
    }
}

#[cfg(test)]
mod tests {
    use super::locate;

    #[test]
    fn chunks_tile_the_indices() {
        let mut expect = (0, 0);
        for i in 0..100_000 {
            assert_eq!(locate(i, 64), expect, "{i}");
            expect.1 += 1;
            if expect.1 == 64 << expect.0 {
                expect = (expect.0 + 1, 0);
            }
        }
    }
}
