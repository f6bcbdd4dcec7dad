//! The native backing of a segment: a read-only memory map wrapped in an Arrow buffer, so
//! that the same reader serves mapped files and bytes in memory. Maps are advised to use
//! huge pages where the file system offers them (see [`map_file`]).

use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

use arrow_buffer::Buffer;

use crate::{Error, Result};

/// Maps `path` read-only into an Arrow [`Buffer`] that keeps the map alive.
/// The length of `file` (at `path`), which must be a regular file: a directory or a device
/// is named as such, not left to fail inside mmap ("No such device").
fn regular_len(file: &std::fs::File, path: &Path) -> Result<u64> {
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "a directory, not a segment file (for a database directory, open it with Db::open)",
            ),
        ));
    }
    if !meta.is_file() {
        return Err(Error::io(
            path,
            std::io::Error::other("not a regular file; a segment is a regular file"),
        ));
    }
    Ok(meta.len())
}

pub(crate) fn map_file(path: &Path) -> Result<Buffer> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = regular_len(&file, path)?;
    if len == 0 {
        return Ok(Buffer::from_vec(Vec::<u8>::new()));
    }
    // SAFETY: libmurr writes a segment under a temporary name and renames it into place; it
    // never writes to a segment file again. A file changed by another program while mapped
    // could change bytes under us: segment directories belong to libmurr alone.
    let map = unsafe { memmap2::MmapOptions::new().map(&file) }.map_err(|e| Error::io(path, e))?;
    // Random: no readahead of 4 KiB pages around each fault. HugePage: where the file
    // system keeps large folios (ext4, xfs on Linux 6.x), a fault reads a 2 MiB folio and
    // maps it with one page-table entry, so that random reads over a table larger than
    // the TLB's reach miss it far less (10M rows in 67 segments, R1 read after the pages
    // were evicted: 220-240 us with 4 KiB mappings, 181-185 us with 580 of 700 MB mapped
    // in 2 MiB pages). The price: a cold fault reads 2 MiB instead of 4 KiB.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Random);
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    let map = Arc::new(map);
    let ptr = NonNull::new(map.as_ptr().cast_mut()).ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::other("memory map returned a null pointer"),
        )
    })?;
    let len = map.len();
    // SAFETY: `ptr` points to `len` readable bytes owned by `map`, which the buffer keeps
    // alive through the Arc until its last clone is dropped.
    Ok(unsafe { Buffer::from_custom_allocation(ptr, len, map) })
}

/// Reads `path` into anonymous memory advised to use transparent huge pages (where the
/// system offers them), sealed read-only, in an Arrow [`Buffer`]. Random reads from huge
/// pages pay far fewer TLB misses than from a heap `Vec` (see `BENCHMARKS.md`).
pub(crate) fn load_file(path: &Path) -> Result<Buffer> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = regular_len(&file, path)?;
    let len = usize::try_from(len).map_err(|_| {
        Error::io(
            path,
            std::io::Error::other("file larger than the address space"),
        )
    })?;
    if len == 0 {
        return Ok(Buffer::from_vec(Vec::<u8>::new()));
    }
    let mut map = memmap2::MmapMut::map_anon(len).map_err(|e| Error::io(path, e))?;
    #[cfg(target_os = "linux")]
    let _ = map.advise(memmap2::Advice::HugePage);
    file.read_exact(&mut map).map_err(|e| Error::io(path, e))?;
    let map = Arc::new(map.make_read_only().map_err(|e| Error::io(path, e))?);
    let ptr = NonNull::new(map.as_ptr().cast_mut()).ok_or_else(|| {
        Error::io(
            path,
            std::io::Error::other("memory map returned a null pointer"),
        )
    })?;
    // SAFETY: `ptr` points to `len` readable bytes owned by `map` (anonymous memory no one
    // else can write), which the buffer keeps alive through the Arc.
    Ok(unsafe { Buffer::from_custom_allocation(ptr, len, map) })
}
