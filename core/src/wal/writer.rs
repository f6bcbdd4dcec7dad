//! Appending to a log: logical records cut into physical records that never cross a block,
//! buffered in memory, written and fsynced on request.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::file_name;
use super::format::{BLOCK_SIZE, HEADER_LEN, Kind, MAX_RECORD_LEN, file_header, record_header};
use crate::{Error, Result};

/// Bytes buffered before they are written to the file.
const BUFFER: usize = 64 * 1024;

/// Appends records to one log file.
///
/// Records are buffered: [`flush`](Self::flush) hands them to the operating system (they
/// survive a crash of the process), [`sync`](Self::sync) also makes them durable (they
/// survive a crash of the machine). After any failed write or sync the writer refuses all
/// further work: what reached the file is unknown, so the log must end there (a reader sees
/// the partial write as a torn tail) and the engine must start a new log.
///
/// ```no_run
/// use murr_core::wal::WalWriter;
/// let mut wal = WalWriter::create("db", 7, 1000)?;
/// wal.append(b"first record")?;
/// wal.append(b"second record")?;
/// wal.sync()?;
/// # Ok::<(), murr_core::Error>(())
/// ```
#[derive(Debug)]
pub struct WalWriter {
    path: PathBuf,
    file: File,
    buf: Vec<u8>,
    len: u64,
    log_number: u64,
    first_seq: u64,
    failed: bool,
}

impl WalWriter {
    /// Creates log `log_number` in `dir` (named [`file_name`]) whose records start at
    /// sequence number `first_seq`, and makes it durable with its header: written under a
    /// temporary name, fsynced, renamed, directory fsynced. So a log file that exists always
    /// has a whole header. An existing log of that number is an error, never overwritten.
    pub fn create(dir: impl AsRef<Path>, log_number: u64, first_seq: u64) -> Result<WalWriter> {
        let path = dir.as_ref().join(file_name(log_number));
        match path.try_exists() {
            Ok(false) => {}
            Ok(true) => {
                return Err(Error::io(
                    &path,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "the log already exists; a log number is never reused",
                    ),
                ));
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut writer = WalWriter {
            path: tmp.clone(),
            file,
            buf: Vec::with_capacity(BUFFER),
            len: 0,
            log_number,
            first_seq,
            failed: false,
        };
        let made = writer
            .append(&file_header(log_number, first_seq))
            .and_then(|_| writer.flush())
            .and_then(|_| writer.file.sync_all().map_err(|e| Error::io(&tmp, e)))
            .and_then(|_| std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e)));
        if let Err(e) = made {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        writer.path = path;
        crate::segment::sync_dir(&writer.path)?;
        Ok(writer)
    }

    /// Appends `record` (at most 1 GiB; longer is [`Error::LimitExceeded`]) to the buffer,
    /// writing full buffers to the file. Returns the byte offset where the record starts
    /// (its FULL or FIRST physical record), which orders records in the log.
    pub fn append(&mut self, record: &[u8]) -> Result<u64> {
        if record.len() > MAX_RECORD_LEN {
            return Err(Error::LimitExceeded(format!(
                "a write-ahead log record of {} bytes; records hold at most {MAX_RECORD_LEN}",
                record.len()
            )));
        }
        self.check()?;
        let mut rest = record;
        let mut start = None;
        loop {
            let room = BLOCK_SIZE - (self.len % BLOCK_SIZE as u64) as usize;
            if room < HEADER_LEN {
                self.put(&[0; HEADER_LEN][..room])?;
                continue;
            }
            let (fragment, after) = rest.split_at(rest.len().min(room - HEADER_LEN));
            let kind = match (start.is_none(), after.is_empty()) {
                (true, true) => Kind::Full,
                (true, false) => Kind::First,
                (false, false) => Kind::Middle,
                (false, true) => Kind::Last,
            };
            let offset = *start.get_or_insert(self.len);
            self.put(&record_header(kind, fragment))?;
            self.put(fragment)?;
            rest = after;
            if after.is_empty() {
                return Ok(offset);
            }
        }
    }

    /// Writes the buffered records to the file (not durably: see [`sync`](Self::sync)).
    pub fn flush(&mut self) -> Result<()> {
        self.check()?;
        if self.buf.is_empty() {
            return Ok(());
        }
        let written = self.file.write_all(&self.buf);
        self.buf.clear();
        written.map_err(|e| self.fail(e))
    }

    /// Writes the buffered records and makes every record appended so far durable
    /// (`fdatasync`).
    pub fn sync(&mut self) -> Result<()> {
        self.flush()?;
        self.file.sync_data().map_err(|e| self.fail(e))
    }

    /// Syncs and closes the log.
    pub fn close(mut self) -> Result<()> {
        self.sync()
    }

    /// The log's length in bytes, counting buffered records: where the next record would
    /// go (before any block padding).
    #[allow(clippy::len_without_is_empty)] // a log is never empty: it starts with its header
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The log file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The log number in the file header.
    pub fn log_number(&self) -> u64 {
        self.log_number
    }

    /// The first sequence number in the file header.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Makes the writer refuse all further work and drops its buffer, for when a thread
    /// panicked while appending (the buffer may end inside a record).
    pub(super) fn poison(&mut self) {
        self.failed = true;
        self.buf.clear();
    }

    /// Replaces the file handle, so that tests can make writes fail.
    #[cfg(test)]
    pub(super) fn replace_file(&mut self, file: File) {
        self.file = file;
    }

    /// Adds bytes to the log, writing the buffer out when it is full.
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.buf.extend_from_slice(bytes);
        self.len += bytes.len() as u64;
        if self.buf.len() >= BUFFER {
            self.flush()?;
        }
        Ok(())
    }

    /// Refuses work after a failure.
    fn check(&self) -> Result<()> {
        if self.failed {
            return Err(Error::io(
                &self.path,
                std::io::Error::other(
                    "an earlier write or sync of this log failed, so what it holds after that \
                     point is unknown; start a new log",
                ),
            ));
        }
        Ok(())
    }

    /// Marks the writer failed and returns the error.
    fn fail(&mut self, e: std::io::Error) -> Error {
        self.failed = true;
        self.buf.clear();
        Error::io(&self.path, e)
    }
}

impl Drop for WalWriter {
    /// Writes out buffered records, best effort and not durably, unless a write failed.
    fn drop(&mut self) {
        if !self.failed && !self.buf.is_empty() {
            let _ = self.file.write_all(&self.buf);
        }
    }
}
