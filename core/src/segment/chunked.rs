//! Writing a file in whole chunks at offsets that are multiples of the chunk size.
//!
//! A file system with large folios (ext4 and xfs on Linux 6.x) caches a buffered write in
//! folios as large as the write allows, aligned to their size. [`std::io::BufWriter`] writes
//! its buffer when the next write does not fit, so its writes end a few bytes short of the
//! buffer's size and every later write starts unaligned: the page cache holds a small folio
//! at each seam, and the 2 MiB around it cannot be mapped with one page-table entry. A
//! segment written by [`ChunkedWriter`] reaches the file system in chunks of exactly
//! `chunk` bytes, each starting at a multiple of `chunk` (the last one shorter).

use std::io::{self, Write};

/// A buffered writer whose writes to `W` are whole chunks at multiples of the chunk size.
pub(crate) struct ChunkedWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
    chunk: usize,
}

impl<W: Write> ChunkedWriter<W> {
    /// A writer of `chunk`-byte chunks (at least 1) to `inner`, which is at offset 0.
    pub(crate) fn new(chunk: usize, inner: W) -> Self {
        let chunk = chunk.max(1);
        ChunkedWriter {
            inner,
            buf: Vec::with_capacity(chunk),
            chunk,
        }
    }

    /// Writes what is buffered (the last, shorter chunk) and returns the inner writer.
    pub(crate) fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for ChunkedWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.buf.is_empty() && bytes.len() >= self.chunk {
            // Whole chunks straight from the caller's bytes, without a copy.
            let whole = bytes.len() - bytes.len() % self.chunk;
            let (now, _) = bytes.split_at(whole);
            self.inner.write_all(now)?;
            return Ok(whole);
        }
        let room = self.chunk - self.buf.len();
        let (now, _) = bytes.split_at(room.min(bytes.len()));
        self.buf.extend_from_slice(now);
        if self.buf.len() == self.chunk {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(now.len())
    }

    /// Writes the buffered bytes, a chunk shorter than the others: call it once, at the end
    /// (bytes written after it start a chunk at an unaligned offset).
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            self.inner.write_all(&self.buf)?;
            self.buf.clear();
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use proptest::prelude::*;

    /// Records the length of every write it receives, and the bytes.
    #[derive(Default)]
    struct Record {
        writes: Vec<usize>,
        bytes: Vec<u8>,
    }

    impl Write for Record {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes.push(bytes.len());
            self.bytes.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    proptest! {
        /// Whatever the sizes of the caller's writes, the inner writer gets the same bytes,
        /// every write but the last a whole number of chunks starting at a multiple of the
        /// chunk size.
        #[test]
        fn writes_whole_chunks(
            chunk in 1usize..64,
            parts in proptest::collection::vec(0usize..200, 0..40),
        ) {
            let mut w = ChunkedWriter::new(chunk, Record::default());
            let mut expected = Vec::new();
            for (i, &len) in parts.iter().enumerate() {
                let part: Vec<u8> = (0..len).map(|b| (b + i) as u8).collect();
                w.write_all(&part).unwrap();
                expected.extend_from_slice(&part);
            }
            let inner = w.into_inner().unwrap();
            prop_assert_eq!(&inner.bytes, &expected);
            let mut at = 0;
            for (i, &len) in inner.writes.iter().enumerate() {
                prop_assert!(len > 0);
                prop_assert_eq!(at % chunk, 0, "write {} starts at {}", i, at);
                if i + 1 < inner.writes.len() {
                    prop_assert_eq!(len % chunk, 0, "write {} has {} bytes", i, len);
                }
                at += len;
            }
        }
    }

    #[test]
    fn bufwriter_would_not() {
        // The reason for this module: BufWriter's writes drift off the chunk boundaries.
        let mut w = io::BufWriter::with_capacity(8, Record::default());
        for _ in 0..4 {
            w.write_all(&[1, 2, 3]).unwrap();
        }
        let inner = w.into_inner().map_err(|e| e.into_error()).unwrap();
        assert_eq!(inner.writes, vec![6, 6]);
        let mut w = ChunkedWriter::new(8, Record::default());
        for _ in 0..4 {
            w.write_all(&[1, 2, 3]).unwrap();
        }
        assert_eq!(w.into_inner().unwrap().writes, vec![8, 4]);
    }
}
