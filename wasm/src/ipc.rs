//! Record batches and arrays to Arrow IPC stream bytes, which the `apache-arrow` npm package
//! reads with `tableFromIPC`.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{ArrowError, Field, Schema};

/// `batch` as an Arrow IPC stream: the schema, one record batch, the end-of-stream marker.
pub(crate) fn batch_to_stream(batch: &RecordBatch) -> Result<Vec<u8>, ArrowError> {
    let mut writer = StreamWriter::try_new(Vec::new(), batch.schema_ref())?;
    writer.write(batch)?;
    writer.finish()?;
    writer.into_inner()
}

/// One array as a one-column IPC stream, the column named `name`.
pub(crate) fn array_to_stream(
    name: &str,
    array: ArrayRef,
    nullable: bool,
) -> Result<Vec<u8>, ArrowError> {
    let field = Field::new(name, array.data_type().clone(), nullable);
    let batch = RecordBatch::try_new(Arc::new(Schema::new(vec![field])), vec![array])?;
    batch_to_stream(&batch)
}
