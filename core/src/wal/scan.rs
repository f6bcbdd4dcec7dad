//! Reading a log block by block, and looking ahead past damage for the next valid physical
//! record (which decides whether damage is a torn tail or corruption in the middle).

use std::io::{Read, Seek, SeekFrom};

use super::format::{BLOCK_SIZE, Physical, parse};
use crate::{Error, Result};

const BLOCK: u64 = BLOCK_SIZE as u64;

/// A log's bytes, one block at a time. Holds one block (32 KiB) in memory.
pub(crate) struct Blocks<R> {
    source: R,
    name: String,
    file_len: u64,
    cached: Option<u64>,
    /// A block's worth (or the file's, if shorter) of zeroed memory, of which the cached
    /// block uses `len` bytes.
    buf: Vec<u8>,
    len: usize,
    /// Of the last look-ahead: `(from, found)` means no block in `from..found` (or `from..`
    /// when `found` is `None`) starts with a valid record, and block `found` does.
    memo: Option<(u64, Option<u64>)>,
}

impl<R: Read + Seek> Blocks<R> {
    /// Blocks of `source`, called `name` in errors.
    pub(crate) fn new(mut source: R, name: String) -> Result<Self> {
        let file_len = source
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::io(&name, e))?;
        Ok(Blocks {
            source,
            name,
            file_len,
            cached: None,
            buf: vec![0; file_len.min(BLOCK) as usize],
            len: 0,
            memo: None,
        })
    }

    /// The name given at creation.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The file's length in bytes.
    pub(crate) fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The bytes of block `index` present in the file: empty past the end, shorter than a
    /// block for the last one.
    pub(crate) fn block(&mut self, index: u64) -> Result<&[u8]> {
        if self.cached != Some(index) {
            self.cached = None;
            let start = index.saturating_mul(BLOCK);
            let len = self.file_len.saturating_sub(start).min(BLOCK) as usize;
            let buf = self.buf.get_mut(..len).unwrap_or_default();
            if !buf.is_empty() {
                self.source
                    .seek(SeekFrom::Start(start))
                    .and_then(|_| self.source.read_exact(buf))
                    .map_err(|e| Error::io(&self.name, e))?;
            }
            self.len = buf.len();
            self.cached = Some(index);
        }
        Ok(self.buf.get(..self.len).unwrap_or_default())
    }

    /// Parses the physical record at file offset `pos` and applies `f` to it.
    pub(crate) fn at<T>(&mut self, pos: u64, f: impl FnOnce(Physical<'_>) -> T) -> Result<T> {
        let block = self.block(pos / BLOCK)?;
        Ok(f(parse(block, (pos % BLOCK) as usize)))
    }

    /// The first offset at or after `from` that holds a valid physical record, looking only
    /// at `from` itself and at the starts of the blocks after it (where a writer always
    /// starts a record). `None` when there is none: the damage before `from` is a torn tail.
    pub(crate) fn next_valid(&mut self, from: u64) -> Result<Option<u64>> {
        if from >= self.file_len {
            return Ok(None);
        }
        if !from.is_multiple_of(BLOCK) && self.at(from, |p| matches!(p, Physical::Record { .. }))? {
            return Ok(Some(from));
        }
        let first = from.div_ceil(BLOCK);
        if let Some((lo, found)) = self.memo
            && lo <= first
            && found.is_none_or(|f| f >= first)
        {
            return Ok(found.map(|b| b * BLOCK));
        }
        let mut index = first;
        let found = loop {
            if index.saturating_mul(BLOCK) >= self.file_len {
                break None;
            }
            if self.at(index * BLOCK, |p| matches!(p, Physical::Record { .. }))? {
                break Some(index);
            }
            index += 1;
        };
        self.memo = Some((first, found));
        Ok(found.map(|b| b * BLOCK))
    }
}
