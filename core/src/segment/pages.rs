//! Lazy page verification: every page of the body has a CRC32 in the page table, and every
//! page of the page table has one in the footer. A read checks the pages it touches the first
//! time it touches them and remembers the answer in a bitset, so opening a segment costs the
//! same at any size and a hot read pays one bit test per range.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};

/// The verification state of one segment's pages.
pub(crate) struct Pages {
    log2: u8,
    body_len: usize,
    table_crcs: Vec<u32>,
    body_ok: Box<[AtomicU32]>,
    table_ok: Box<[AtomicU32]>,
    /// Body pages verified so far, and whether that is all of them: once every page has
    /// been checked (by reads or by a full verification), reads skip the bitset.
    verified: AtomicUsize,
    all_verified: AtomicBool,
}

/// A page whose bytes do not match their checksum: the page's first byte.
#[derive(Debug)]
pub(crate) struct BadPage(pub usize);

impl Pages {
    /// The state for a body of `body_len` bytes, page table at `body_len`, checked by
    /// `table_crcs` (already validated against the footer).
    pub(crate) fn new(log2: u8, body_len: usize, table_crcs: Vec<u32>) -> Self {
        let pages = body_len.div_ceil(1 << log2);
        Pages {
            log2,
            body_len,
            body_ok: zeroed_bits(pages),
            table_ok: zeroed_bits(table_crcs.len()),
            table_crcs,
            verified: AtomicUsize::new(0),
            all_verified: AtomicBool::new(pages == 0),
        }
    }

    /// Checks the pages under `file[offset..offset + len]`, which lies within the body.
    #[inline(always)]
    pub(crate) fn ensure(&self, file: &[u8], offset: usize, len: usize) -> Result<(), BadPage> {
        if self.all_verified.load(Ordering::Relaxed) {
            return Ok(());
        }
        // The hot case: a range within one page that is already verified.
        let first = offset >> self.log2;
        if len != 0 && (offset + len - 1) >> self.log2 == first && is_set(&self.body_ok, first) {
            return Ok(());
        }
        self.ensure_range(file, offset, len)
    }

    #[inline(never)]
    fn ensure_range(&self, file: &[u8], offset: usize, len: usize) -> Result<(), BadPage> {
        if len == 0 {
            return Ok(());
        }
        let first = offset >> self.log2;
        let last = (offset + len - 1) >> self.log2;
        for page in first..=last {
            if !is_set(&self.body_ok, page) {
                self.verify_body_page(file, page)?;
            }
        }
        Ok(())
    }

    /// Checks every page; returns the first bad one.
    pub(crate) fn ensure_all(&self, file: &[u8]) -> Result<(), BadPage> {
        self.ensure(file, 0, self.body_len)
    }

    #[cold]
    fn verify_body_page(&self, file: &[u8], page: usize) -> Result<(), BadPage> {
        let size = 1usize << self.log2;
        let start = page << self.log2;
        let end = (start + size).min(self.body_len);
        // The page's entry in the page table, whose own page is checked first.
        let entry = self.body_len + page * 4;
        let table_page = (page * 4) >> self.log2;
        if !is_set(&self.table_ok, table_page) {
            let t_start = self.body_len + (table_page << self.log2);
            let t_end = (t_start + size).min(self.body_len + self.body_ok_len() * 4);
            let want = self.table_crcs.get(table_page).copied();
            match file.get(t_start..t_end) {
                Some(bytes) if Some(crc32fast::hash(bytes)) == want => {
                    set(&self.table_ok, table_page);
                }
                _ => return Err(BadPage(t_start)),
            }
        }
        let want = file
            .get(entry..entry + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes);
        match file.get(start..end) {
            Some(bytes) if Some(crc32fast::hash(bytes)) == want => {
                if set(&self.body_ok, page)
                    && self.verified.fetch_add(1, Ordering::Relaxed) + 1 == self.body_ok_len()
                {
                    self.all_verified.store(true, Ordering::Relaxed);
                }
                Ok(())
            }
            _ => Err(BadPage(start)),
        }
    }

    fn body_ok_len(&self) -> usize {
        self.body_len.div_ceil(1 << self.log2)
    }
}

/// A zeroed bitset of `bits` bits. Zeroed allocation: the operating system hands out zero
/// pages lazily, so a large bitset costs nothing until it is used.
fn zeroed_bits(bits: usize) -> Box<[AtomicU32]> {
    const _: () = assert!(
        std::mem::align_of::<AtomicU32>() == std::mem::align_of::<u32>()
            && std::mem::size_of::<AtomicU32>() == std::mem::size_of::<u32>()
    );
    let words: Box<[u32]> = vec![0u32; bits.div_ceil(32)].into_boxed_slice();
    let raw = Box::into_raw(words) as *mut [AtomicU32];
    // SAFETY: AtomicU32 has the same size, alignment and bit validity as u32, so a boxed slice
    // of u32 is a valid boxed slice of AtomicU32 with the same layout for deallocation.
    unsafe { Box::from_raw(raw) }
}

#[inline(always)]
fn is_set(bits: &[AtomicU32], i: usize) -> bool {
    bits.get(i / 32)
        .is_some_and(|w| w.load(Ordering::Relaxed) & (1 << (i % 32)) != 0)
}

/// Sets bit `i`; true if this call set it (it was clear).
fn set(bits: &[AtomicU32], i: usize) -> bool {
    bits.get(i / 32)
        .is_some_and(|w| w.fetch_or(1 << (i % 32), Ordering::Relaxed) & (1 << (i % 32)) == 0)
}
