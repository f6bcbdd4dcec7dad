//! Snapshots: a read view fixed at one sequence number.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow_array::{Array, RecordBatch};
use arrow_schema::SchemaRef;

use super::read;
use super::version::Version;
use crate::metrics::recorder::Recorder;
use crate::{Error, Result};

/// A consistent read view of a database (see [`crate::db::Db::snapshot`]): reads through
/// it see exactly the writes at or below [`Snapshot::seq`], across every table, however
/// long it is kept. It holds the memtables and segments it reads (memory and open files)
/// until dropped. `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    version: Arc<Version>,
    seq: u64,
    closed: Arc<AtomicBool>,
    dir: String,
    metrics: Arc<Recorder>,
}

impl Snapshot {
    pub(crate) fn new(
        version: Arc<Version>,
        seq: u64,
        closed: Arc<AtomicBool>,
        dir: String,
        metrics: Arc<Recorder>,
    ) -> Self {
        Snapshot {
            version,
            seq,
            closed,
            dir,
            metrics,
        }
    }

    /// The sequence number of the newest write the snapshot sees.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The tables as of the snapshot.
    pub fn tables(&self) -> Result<Vec<String>> {
        self.check_open()?;
        Ok(self.version.names())
    }

    /// A table's schema as of the snapshot.
    pub fn schema(&self, table: &str) -> Result<SchemaRef> {
        self.check_open()?;
        Ok(Arc::clone(&self.version.table(table)?.schema))
    }

    /// Reads as [`crate::db::Db::read`] does, as of the snapshot.
    pub fn read(
        &self,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
    ) -> Result<(RecordBatch, Vec<bool>)> {
        self.check_open()?;
        super::metrics::batch_read(&self.metrics, keys, || {
            read::read(self.version.table(table)?, self.seq, keys, columns)
        })
    }

    /// Reads as [`crate::db::Db::read_f32`] does, as of the snapshot.
    pub fn read_f32(
        &self,
        table: &str,
        keys: &dyn Array,
        columns: &[&str],
        fill: f32,
        out: &mut [f32],
    ) -> Result<Vec<bool>> {
        self.check_open()?;
        let out_len = out.len();
        super::metrics::dense_read(&self.metrics, keys, out_len, || {
            super::dense::read_f32(
                self.version.table(table)?,
                self.seq,
                keys,
                columns,
                fill,
                out,
            )
        })
    }

    /// Scans as [`crate::db::Db::scan`] does, as of the snapshot.
    pub fn scan(&self, table: &str, columns: &[&str]) -> Result<super::Scan> {
        self.check_open()?;
        super::Scan::new(
            Arc::clone(self.version.table(table)?),
            self.seq,
            columns,
            Arc::clone(&self.closed),
            self.dir.clone(),
        )
    }

    fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed {
                path: self.dir.clone(),
            });
        }
        Ok(())
    }
}
