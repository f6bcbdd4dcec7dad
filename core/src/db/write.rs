//! The write path: check, log (group commit), insert into the memtable, publish.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use arrow_array::{Array, RecordBatch, RecordBatchReader};

use super::options::SyncPolicy;
use super::version::TableVersion;
use super::{Db, Inner, flush, record};
use crate::{Error, Result};

impl Db {
    /// Upserts `batch` into `table` by key and returns the write's sequence number.
    ///
    /// The batch carries the key column and any subset of the other columns, in any order,
    /// matched by name, each of the table's type. For each key, the columns carried take
    /// the batch's values (an explicit null writes null); the others keep their values
    /// (a partial upsert). If a key occurs on several rows, the last row wins.
    ///
    /// When this returns, the write is visible to every later read and, under
    /// [`SyncPolicy::Always`], durable. Errors, with nothing written: an unknown table or
    /// column, a wrong type, a missing or null key column, nulls in a column declared not
    /// nullable, a closed database.
    pub fn write(&self, table: &str, batch: &RecordBatch) -> Result<u64> {
        let seq = self.logged(
            table,
            |t| {
                check_nulls(t, batch)?;
                let prepared = t.active.prepare(batch)?;
                Ok((prepared, record::encode_write(t.id, batch)?))
            },
            |t, seq, prepared| {
                t.active.apply(seq, prepared);
                Ok(())
            },
        )?;
        self.inner.metrics.write(batch.num_rows());
        Ok(seq)
    }

    /// Writes every batch of `batches` (an Arrow IPC stream reader, a Parquet record
    /// batch reader...) as [`Db::write`] does, one at a time, so memory stays bounded by
    /// the memtable limit whatever the input's size; returns the last sequence number
    /// (or the current one for an empty stream). Each batch is atomic; the stream as a
    /// whole is not: on an error, the batches before it stay written.
    pub fn write_stream(&self, table: &str, batches: impl RecordBatchReader) -> Result<u64> {
        let mut last = self.inner.publisher.visible();
        for batch in batches {
            last = self.write(table, &batch?)?;
        }
        Ok(last)
    }

    /// Deletes `keys` (an array of the key column's type) from `table` and returns the
    /// delete's sequence number. Blind: nothing is read first, and keys that do not exist
    /// are fine. Errors, with nothing deleted: an unknown table, keys of another type, a
    /// null key, a closed database.
    pub fn delete(&self, table: &str, keys: &dyn Array) -> Result<u64> {
        let seq = self.logged(
            table,
            |t| {
                t.active.check_keys(keys)?;
                Ok(((), record::encode_delete(t.id, keys)?))
            },
            |t, seq, ()| t.active.delete(seq, keys),
        )?;
        self.inner.metrics.delete(keys.len());
        Ok(seq)
    }

    /// The write path shared by writes and deletes. Under the shared gate: `check` the
    /// input against table `table` (nothing happens if it fails) and encode its record; log
    /// the record; `apply` it to the active memtable at its sequence number; publish the
    /// number. Then wait until it is visible, flush if the memtables are full, return it.
    fn logged<P>(
        &self,
        table: &str,
        check: impl FnOnce(&TableVersion) -> Result<(P, Vec<u8>)>,
        apply: impl FnOnce(&TableVersion, u64, P) -> Result<()>,
    ) -> Result<u64> {
        let inner = &self.inner;
        super::worker::throttle(inner, table)?;
        let seq = {
            let _gate = inner.gate.read().unwrap_or_else(PoisonError::into_inner);
            inner.check_writable()?;
            let version = inner.current.load();
            let t = version.table(table)?;
            let (prepared, record) = check(t)?;
            let seq = inner.log(record)?;
            let applied = apply(t, seq, prepared);
            inner.publisher.finish(seq);
            applied?;
            seq
        };
        inner.publisher.wait_for(seq);
        // The write is logged and visible: it has happened, and its result says so. A
        // manual-mode flush that fails here leaves the memtables over their limit, so the
        // next write tries it again; `flush` and `close` report the failure.
        let _ = self.after_write();
        Ok(seq)
    }

    /// When the memtables pass their limit: asks a background thread to flush, or in
    /// manual mode flushes on this thread (unless another thread is flushing).
    fn after_write(&self) -> Result<()> {
        let inner = &self.inner;
        if inner.current.load().active_bytes() < inner.options.memtable_bytes {
            return Ok(());
        }
        if inner.options.background_threads > 0 {
            inner.jobs.request_flush();
            return Ok(());
        }
        if inner.flushing.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let result = {
            let mut meta = inner.meta();
            if inner.current.load().active_bytes() >= inner.options.memtable_bytes {
                flush::flush(inner, &mut meta)
            } else {
                Ok(())
            }
        };
        inner.flushing.store(false, Ordering::Release);
        result
    }
}

impl Inner {
    /// Fails if the database is closed or writes were stopped by a log failure.
    pub(super) fn check_writable(&self) -> Result<()> {
        self.check_open()?;
        match self.stopped.get() {
            Some(reason) => Err(Error::WritesStopped(reason.clone())),
            None => Ok(()),
        }
    }

    /// Logs `record` and returns its sequence number. A failed log write stops all later
    /// writes (what reached the file is unknown) and publishes the number, so that no
    /// reader waits for it.
    pub(super) fn log(&self, record: Vec<u8>) -> Result<u64> {
        let sync = self.options.sync == SyncPolicy::Always;
        let bytes = record.len();
        let numbered = self.wal.load().commit_numbered(record, sync)?;
        if let Err(e) = numbered.result {
            let _ = self.stopped.set(e.to_string());
            self.publisher.finish(numbered.seq);
            return Err(e);
        }
        if !sync {
            self.dirty.store(true, Ordering::Release);
        }
        self.metrics.log(bytes);
        Ok(numbered.seq)
    }
}

/// Fails if `batch` has nulls in a column `table` declares not nullable (the key column
/// is checked, with its row, by the memtable).
fn check_nulls(table: &TableVersion, batch: &RecordBatch) -> Result<()> {
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        if array.null_count() == 0 {
            continue;
        }
        if let Some((i, declared)) = table.schema.column_with_name(field.name())
            && i != table.key
            && !declared.is_nullable()
        {
            return Err(Error::SchemaMismatch(format!(
                "column '{}' of table '{}' is declared not nullable, and the batch has {} \
                 nulls in it",
                field.name(),
                table.name,
                array.null_count()
            )));
        }
    }
    Ok(())
}
