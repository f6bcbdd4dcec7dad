//! The output files of a merge: batches go to a segment writer until the estimated size
//! reaches the target, then the file is finished at the next path and a new one begun.

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_buffer::BooleanBuffer;
use arrow_schema::SchemaRef;

use super::MergeOutput;
use crate::segment::{SegmentWriter, SortKey};
use crate::{Error, Result};

/// The file being written and those finished.
pub(crate) struct Output<F> {
    schema: SchemaRef,
    key: String,
    key_index: usize,
    target: usize,
    next_path: F,
    writer: Option<SegmentWriter>,
    /// The in-memory size of the batches the writer holds: the estimate of the file's size.
    bytes: usize,
    first: Option<SortKey>,
    last: Option<SortKey>,
    done: Vec<MergeOutput>,
}

impl<F: FnMut() -> Result<PathBuf>> Output<F> {
    /// No file yet; files are keyed by column `key` (at `key_index` of `schema`), hold about
    /// `target` bytes and are named by `next_path`.
    pub(crate) fn new(
        schema: SchemaRef,
        key: &str,
        key_index: usize,
        target: usize,
        next_path: F,
    ) -> Self {
        Output {
            schema,
            key: key.to_owned(),
            key_index,
            target,
            next_path,
            writer: None,
            bytes: 0,
            first: None,
            last: None,
            done: Vec::new(),
        }
    }

    /// Writes merged rows (sorted, after every row written before), finishing the file when
    /// it reaches the target size.
    pub(crate) fn push(
        &mut self,
        batch: &RecordBatch,
        present: &[Option<BooleanBuffer>],
        tombstones: Option<&BooleanBuffer>,
    ) -> Result<()> {
        let n = batch.num_rows();
        if n == 0 {
            return Ok(());
        }
        let writer = match &mut self.writer {
            Some(w) => w,
            None => self
                .writer
                .insert(SegmentWriter::new(self.schema.clone(), &self.key)?),
        };
        writer.push_partial(batch, present, tombstones)?;
        let keys = batch.column(self.key_index).as_ref();
        if self.first.is_none() {
            self.first = SortKey::of(keys, 0)?;
        }
        self.last = SortKey::of(keys, n - 1)?;
        self.bytes += batch.get_array_memory_size();
        if self.bytes >= self.target {
            self.finish()?;
        }
        Ok(())
    }

    /// Finishes the file being written, if it has rows.
    pub(crate) fn finish(&mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        self.bytes = 0;
        let (first, last) = (self.first.take(), self.last.take());
        if writer.rows() == 0 {
            return Ok(());
        }
        let (Some(first_key), Some(last_key)) = (first, last) else {
            return Err(Error::SchemaMismatch(format!(
                "a merged row has a null key in column '{}'",
                self.key
            )));
        };
        let path = (self.next_path)()?;
        let info = writer.finish_to_file(path)?;
        self.done.push(MergeOutput {
            info,
            first_key,
            last_key,
        });
        Ok(())
    }

    /// The files written.
    pub(crate) fn into_outputs(self) -> Vec<MergeOutput> {
        self.done
    }
}
