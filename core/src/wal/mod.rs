//! The write-ahead log: an append-only file of opaque records, written before the engine
//! acknowledges a write and read back after a crash to rebuild what was not yet in
//! segments.
//!
//! The byte layout and the recovery rules are in `docs/WAL.md`. In short (RocksDB's log
//! format): the file is a sequence of 32 KiB blocks; a logical record is stored as one
//! physical record (FULL) or cut into FIRST, MIDDLE... and LAST fragments so that no
//! physical record crosses a block; each physical record has a 7-byte header with a masked
//! CRC32. The first record of every log is a header naming the log number and the first
//! sequence number it may hold.
//!
//! - [`WalWriter`] appends records, buffered, and syncs on request.
//! - [`GroupCommit`] lets many threads commit through one writer, sharing fsyncs.
//! - [`WalReader`] reads records back. Damage with nothing valid after it (a write torn by
//!   a crash) ends the log and is reported by [`WalReader::torn_tail`]; damage with a valid
//!   record after it is corruption: an error in [`RecoveryMode::Strict`], skipped and
//!   reported by [`WalReader::skipped`] in [`RecoveryMode::SkipCorrupt`].
//!
//! Records are opaque bytes: the log knows nothing of what the engine puts in them.
//!
//! ```
//! use murr_core::wal::{RecoveryMode, WalReader, WalWriter};
//! let dir = tempfile::tempdir()?;
//! let mut wal = WalWriter::create(dir.path(), 1, 0)?;
//! wal.append(b"hello")?;
//! wal.append(&vec![7u8; 100_000])?; // spans four blocks
//! wal.sync()?;
//!
//! let mut reader = WalReader::open(wal.path(), RecoveryMode::Strict)?;
//! assert_eq!(reader.next_record()?.as_deref(), Some(&b"hello"[..]));
//! assert_eq!(reader.next_record()?.map(|r| r.len()), Some(100_000));
//! assert_eq!(reader.next_record()?, None);
//! assert_eq!(reader.torn_tail(), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod format;
mod group;
mod reader;
mod scan;
mod writer;

pub use format::{BLOCK_SIZE, CRC_MASK, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_RECORD_LEN};
pub use group::{GroupCommit, Numbered};
pub use reader::{RecoveryMode, WalReader};
pub use writer::WalWriter;

/// The file name of log `log_number`: `wal-` and the number as 16 lowercase hex digits, then
/// `.log`, so that names sort in log order.
pub fn file_name(log_number: u64) -> String {
    crate::dir::name(crate::dir::FileKind::Log, log_number)
}

/// The log number of a file named by [`file_name`], or `None` for any other name.
pub fn parse_file_name(name: &str) -> Option<u64> {
    crate::dir::parse(crate::dir::FileKind::Log, name)
}
