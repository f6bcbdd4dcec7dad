//! Reading a log back: physical records joined into logical records, with the recovery
//! rules for damage (`docs/WAL.md` §5): damage with nothing valid after it is a torn tail
//! and ends the log; damage with a valid record after it is corruption, an error in
//! [`RecoveryMode::Strict`] and skipped in [`RecoveryMode::SkipCorrupt`].

use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;

use super::format::{BLOCK_SIZE, HEADER_LEN, Kind, MAX_RECORD_LEN, Physical, decode_file_header};
use super::scan::Blocks;
use crate::{Error, Result};

/// What a reader does with corruption in the middle of a log (damage followed by a valid
/// record). Damage at the tail always ends the log cleanly, in both modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryMode {
    /// Corruption is an [`Error::Corrupt`] naming its byte offset; the reader stops there.
    Strict,
    /// Corrupt bytes are skipped up to the next valid record and reported by
    /// [`WalReader::skipped`]; the records in them are lost.
    SkipCorrupt,
}

/// Reads the logical records of one log, in order. Memory: one 32 KiB block plus the
/// record being returned.
///
/// ```no_run
/// use murr_core::wal::{RecoveryMode, WalReader};
/// let mut reader = WalReader::open("db/wal-0000000000000007.log", RecoveryMode::Strict)?;
/// while let Some(record) = reader.next_record()? {
///     // replay `record`
/// }
/// if let Some(end) = reader.torn_tail() {
///     // a crash tore the last write: truncate the file to `end` bytes
/// }
/// # Ok::<(), murr_core::Error>(())
/// ```
pub struct WalReader<R = File> {
    blocks: Blocks<R>,
    mode: RecoveryMode,
    log_number: u64,
    first_seq: u64,
    pos: u64,
    done: bool,
    torn_tail: Option<u64>,
    skipped: Vec<(u64, u64)>,
    record_offset: Option<u64>,
}

impl<R> std::fmt::Debug for WalReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalReader")
            .field("mode", &self.mode)
            .field("log_number", &self.log_number)
            .field("first_seq", &self.first_seq)
            .field("pos", &self.pos)
            .field("torn_tail", &self.torn_tail)
            .field("skipped", &self.skipped)
            .finish_non_exhaustive()
    }
}

/// How to go on after damage.
enum Resume {
    /// A valid record is known to start here.
    At(u64),
    /// Look for the next valid record from here.
    Search(u64),
}

impl WalReader<File> {
    /// Opens the log at `path` and reads its file header.
    pub fn open(path: impl AsRef<Path>, mode: RecoveryMode) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        WalReader::from_reader(file, path.display().to_string(), mode)
    }
}

impl<R: Read + Seek> WalReader<R> {
    /// Reads a log from `source` (a file, or a `Cursor` over bytes), called `name` in
    /// errors, and reads its file header. A missing, damaged or unknown header is an error
    /// in both modes: [`WalWriter::create`](super::WalWriter::create) makes a log durable
    /// with its header before it holds any record.
    pub fn from_reader(source: R, name: impl Into<String>, mode: RecoveryMode) -> Result<Self> {
        let mut blocks = Blocks::new(source, name.into())?;
        let header = blocks.at(0, |p| match p {
            Physical::Record {
                kind: Kind::Full,
                payload,
            } => Ok((payload.to_vec(), HEADER_LEN + payload.len())),
            Physical::Record { kind, .. } => Err(format!(
                "the first record is a {} fragment, not a FULL header record",
                kind.name()
            )),
            Physical::End => Err("the file is empty".to_owned()),
            Physical::Trailer => Err("no header record".to_owned()),
            Physical::Bad { detail, .. } => Err(detail),
        })?;
        let (payload, len) =
            header.map_err(|detail| Error::corrupt(blocks.name(), "WAL file header", detail))?;
        let (log_number, first_seq) = decode_file_header(blocks.name(), &payload)?;
        Ok(WalReader {
            blocks,
            mode,
            log_number,
            first_seq,
            pos: len as u64,
            done: false,
            torn_tail: None,
            skipped: Vec::new(),
            record_offset: None,
        })
    }

    /// The next logical record, or `None` at the end of the log (after which
    /// [`torn_tail`](Self::torn_tail) is final). After an error the reader is finished and
    /// returns `None`.
    pub fn next_record(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        // The logical record being joined: where its FIRST fragment starts, and its bytes.
        let mut pending: Option<(u64, Vec<u8>)> = None;
        loop {
            let here = self.pos;
            let step = self.blocks.at(here, |p| match p {
                Physical::Record { kind, payload } => Step::Record(kind, payload.len()),
                Physical::Trailer => Step::Trailer,
                Physical::End => Step::End,
                Physical::Bad { detail, next } => Step::Bad(detail, next),
            })?;
            let block_start = here - here % BLOCK_SIZE as u64;
            let (start, detail, resume) = match step {
                Step::Trailer => {
                    self.pos = block_start + BLOCK_SIZE as u64;
                    continue;
                }
                Step::End => match pending {
                    None => {
                        self.done = true;
                        return Ok(None);
                    }
                    Some((start, _)) => (
                        start,
                        "the file ends before the record's LAST fragment".to_owned(),
                        Resume::Search(here),
                    ),
                },
                Step::Bad(detail, next) => (
                    pending.as_ref().map_or(here, |(start, _)| *start),
                    format!("physical record at byte {here}: {detail}"),
                    Resume::Search(
                        next.map_or(block_start + BLOCK_SIZE as u64, |n| block_start + n as u64),
                    ),
                ),
                Step::Record(kind, len) => {
                    let end = here + (HEADER_LEN + len) as u64;
                    match (kind, pending.take()) {
                        (Kind::Full, None) => {
                            let data = self.payload(here, len)?.to_vec();
                            self.pos = end;
                            self.record_offset = Some(here);
                            return Ok(Some(data));
                        }
                        (Kind::First, None) => {
                            let data = self.payload(here, len)?.to_vec();
                            self.pos = end;
                            pending = Some((here, data));
                            continue;
                        }
                        (Kind::Middle | Kind::Last, Some((start, mut bytes))) => {
                            if bytes.len() + len > MAX_RECORD_LEN {
                                (
                                    start,
                                    format!("the record grows past {MAX_RECORD_LEN} bytes"),
                                    Resume::Search(end),
                                )
                            } else {
                                self.join(&mut bytes, here, len)?;
                                self.pos = end;
                                if kind == Kind::Last {
                                    self.record_offset = Some(start);
                                    return Ok(Some(bytes));
                                }
                                pending = Some((start, bytes));
                                continue;
                            }
                        }
                        (Kind::Full | Kind::First, Some((start, _))) => (
                            start,
                            format!(
                                "no LAST fragment: a {} record starts at byte {here}",
                                kind.name()
                            ),
                            Resume::At(here),
                        ),
                        (Kind::Middle | Kind::Last, None) => (
                            here,
                            format!("a {} fragment without a FIRST", kind.name()),
                            Resume::Search(end),
                        ),
                    }
                }
            };
            if !self.damaged(start, detail, resume)? {
                return Ok(None);
            }
            // The damaged record's fragments are dropped with it.
            pending = None;
        }
    }

    /// Handles damage starting at `start`. Returns whether reading goes on (from
    /// `self.pos`); `false` means a torn tail ended the log. Strict corruption is an error.
    fn damaged(&mut self, start: u64, detail: String, resume: Resume) -> Result<bool> {
        let next = match resume {
            Resume::At(pos) => Some(pos),
            Resume::Search(from) => self.blocks.next_valid(from)?,
        };
        let Some(next) = next else {
            self.torn_tail = Some(start);
            self.done = true;
            return Ok(false);
        };
        match self.mode {
            RecoveryMode::Strict => {
                self.done = true;
                Err(Error::corrupt(
                    self.blocks.name(),
                    format!("WAL record at byte {start}"),
                    format!("{detail}; a valid record follows at byte {next}"),
                ))
            }
            RecoveryMode::SkipCorrupt => {
                match self.skipped.last_mut() {
                    Some((offset, len)) if *offset + *len == start => *len = next - *offset,
                    _ => self.skipped.push((start, next - start)),
                }
                self.pos = next;
                Ok(true)
            }
        }
    }

    /// The payload of the valid physical record of `len` bytes at `pos`, just parsed.
    fn payload(&mut self, pos: u64, len: usize) -> Result<&[u8]> {
        let at = (pos % BLOCK_SIZE as u64) as usize + HEADER_LEN;
        let block = self.blocks.block(pos / BLOCK_SIZE as u64)?;
        Ok(block.get(at..at + len).unwrap_or_default())
    }

    /// Appends the payload of the fragment of `len` bytes at `pos` to `bytes`. Grows by
    /// doubling, but never past what the rest of the file could hold, so that crafted input
    /// cannot make a reader allocate more than the file's size.
    fn join(&mut self, bytes: &mut Vec<u8>, pos: u64, len: usize) -> Result<()> {
        if bytes.capacity() - bytes.len() < len {
            let rest = self.blocks.file_len().saturating_sub(pos) as usize;
            bytes.reserve_exact(bytes.len().max(len).min(rest.max(len)));
        }
        bytes.extend_from_slice(self.payload(pos, len)?);
        Ok(())
    }

    /// The log number in the file header.
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// The first sequence number the log may hold, from the file header.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// The byte offset where the last record returned starts (where its FULL or FIRST
    /// physical record begins).
    pub fn record_offset(&self) -> Option<u64> {
        self.record_offset
    }

    /// Once [`next_record`](Self::next_record) has returned `None`: the offset where valid
    /// data ends if the log ends in damage with nothing valid after it (a write torn by a
    /// crash). The log should be truncated to this length before anything is appended.
    /// `None` when the log ends cleanly.
    pub fn torn_tail(&self) -> Option<u64> {
        self.torn_tail
    }

    /// In [`RecoveryMode::SkipCorrupt`]: the byte ranges skipped as corrupt, as
    /// `(offset, length)`, in file order. Every record that starts inside one is lost.
    pub fn skipped(&self) -> &[(u64, u64)] {
        &self.skipped
    }
}

/// What lies at the reading position, not borrowing the block buffer.
enum Step {
    /// A valid physical record of this type and payload length.
    Record(Kind, usize),
    /// A block trailer.
    Trailer,
    /// The end of the file, at a record boundary.
    End,
    /// Damage: what is wrong, and where in the block the next record would start.
    Bad(String, Option<usize>),
}

impl<R: Read + Seek> Iterator for WalReader<R> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}
