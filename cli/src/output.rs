//! Record batches to stdout, as `--format` says: a pretty table, JSON lines, CSV or an
//! Arrow IPC stream.

use std::cell::Cell;
use std::io::{BufWriter, IsTerminal, Write};
use std::rc::Rc;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Failure, Result};

/// How `get` and `scan` print rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table for people (every row is held until the end, then printed).
    #[default]
    Table,
    /// One JSON object per line (nulls written as null).
    Json,
    /// CSV with a header row (embeddings written as `[1.0, 2.0]`).
    Csv,
    /// An Arrow IPC stream (refused when stdout is a terminal).
    Arrow,
}

/// The writer behind an [`Output`].
enum Writer {
    Table(Vec<RecordBatch>),
    Json(arrow_json::LineDelimitedWriter<Stdout>),
    Csv(Box<arrow_csv::Writer<Stdout>>),
    Arrow(arrow_ipc::writer::StreamWriter<Stdout>),
}

/// Buffered stdout that remembers whether its reader went away, which the Arrow writers'
/// errors do not always say (the CSV writer keeps only the message).
struct Stdout {
    inner: BufWriter<std::io::Stdout>,
    broken: Rc<Cell<bool>>,
}

impl Stdout {
    /// Notes a broken pipe in `result`.
    fn note<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.broken.set(true);
        }
        result
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
    }
}

/// Batches of one schema on their way to stdout.
pub struct Output {
    schema: SchemaRef,
    writer: Writer,
    /// Set when stdout's reader went away.
    broken: Rc<Cell<bool>>,
}

impl Output {
    /// An output of batches of `schema` in `format`. Fails for `Arrow` when stdout is a
    /// terminal.
    pub fn new(format: Format, schema: SchemaRef) -> Result<Output> {
        let broken = Rc::new(Cell::new(false));
        let stdout = || Stdout {
            inner: BufWriter::new(std::io::stdout()),
            broken: Rc::clone(&broken),
        };
        let writer = match format {
            Format::Table => Writer::Table(Vec::new()),
            Format::Json => Writer::Json(
                arrow_json::WriterBuilder::new()
                    .with_explicit_nulls(true)
                    .build(stdout()),
            ),
            Format::Csv => Writer::Csv(Box::new(arrow_csv::WriterBuilder::new().build(stdout()))),
            Format::Arrow => {
                if std::io::stdout().is_terminal() {
                    return Err(Failure::new(
                        "--format arrow writes binary data; redirect stdout to a file or a pipe",
                    ));
                }
                Writer::Arrow(
                    arrow_ipc::writer::StreamWriter::try_new(stdout(), &schema)
                        .map_err(Failure::output_arrow)?,
                )
            }
        };
        Ok(Output {
            schema,
            writer,
            broken,
        })
    }

    /// Writes `batch` (of the output's schema).
    pub fn write(&mut self, batch: &RecordBatch) -> Result {
        let result = self.write_batch(batch);
        self.checked(result)
    }

    /// A failure to write as a broken pipe when that is what it was.
    fn checked(&self, result: Result) -> Result {
        match result {
            Err(_) if self.broken.get() => Err(Failure::broken_pipe()),
            other => other,
        }
    }

    /// Writes `batch` to the writer.
    fn write_batch(&mut self, batch: &RecordBatch) -> Result {
        match &mut self.writer {
            Writer::Table(batches) => {
                batches.push(batch.clone());
                Ok(())
            }
            Writer::Json(w) => w.write(batch).map_err(Failure::output_arrow),
            Writer::Csv(w) => w.write(&flat(batch)?).map_err(Failure::output_arrow),
            Writer::Arrow(w) => w.write(batch).map_err(Failure::output_arrow),
        }
    }

    /// Writes `batches` up to `limit` rows (all when `None`), then ends the output.
    pub fn write_limited<E>(
        mut self,
        batches: impl Iterator<Item = std::result::Result<RecordBatch, E>>,
        limit: Option<u64>,
    ) -> Result
    where
        Failure: From<E>,
    {
        let mut left = limit.unwrap_or(u64::MAX);
        for batch in batches {
            if left == 0 {
                break;
            }
            let batch = batch?;
            let rows = batch.num_rows() as u64;
            if rows > left {
                self.write(&batch.slice(0, left as usize))?;
                left = 0;
            } else {
                self.write(&batch)?;
                left -= rows;
            }
        }
        self.finish()
    }

    /// Ends the output (prints the table, closes the stream) and flushes stdout.
    pub fn finish(self) -> Result {
        let broken = Rc::clone(&self.broken);
        let result = self.finish_writer();
        match result {
            Err(_) if broken.get() => Err(Failure::broken_pipe()),
            other => other,
        }
    }

    /// Ends the writer's output.
    fn finish_writer(self) -> Result {
        match self.writer {
            Writer::Table(mut batches) => {
                if batches.is_empty() {
                    batches.push(RecordBatch::new_empty(self.schema));
                }
                let table = arrow_cast::pretty::pretty_format_batches(&batches)?;
                let mut out = std::io::stdout().lock();
                writeln!(out, "{table}").map_err(Failure::output)?;
                out.flush().map_err(Failure::output)
            }
            Writer::Json(mut w) => {
                w.finish().map_err(Failure::output_arrow)?;
                w.into_inner().flush().map_err(Failure::output)
            }
            Writer::Csv(w) => w.into_inner().flush().map_err(Failure::output),
            Writer::Arrow(mut w) => {
                w.finish().map_err(Failure::output_arrow)?;
                w.into_inner()
                    .map_err(Failure::output_arrow)?
                    .flush()
                    .map_err(Failure::output)
            }
        }
    }
}

/// `batch` with every nested column (embeddings) as text, which CSV can hold.
fn flat(batch: &RecordBatch) -> Result<RecordBatch> {
    if !batch
        .schema()
        .fields()
        .iter()
        .any(|f| f.data_type().is_nested())
    {
        return Ok(batch.clone());
    }
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        if field.data_type().is_nested() {
            let formatter = ArrayFormatter::try_new(column.as_ref(), &FormatOptions::default())?;
            let text: StringArray = (0..column.len())
                .map(|i| column.is_valid(i).then(|| formatter.value(i).to_string()))
                .collect();
            fields.push(Field::new(field.name(), DataType::Utf8, true));
            columns.push(Arc::new(text));
        } else {
            fields.push(field.as_ref().clone());
            columns.push(Arc::clone(column));
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// A small buffered writer of text to stdout, for the commands' reports.
pub fn text() -> BufWriter<std::io::StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// `value` as pretty JSON on stdout, for `--json`.
pub fn json(value: &serde_json::Value) -> Result {
    let mut out = text();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Failure::output(e.into()))?;
    writeln!(out).map_err(Failure::output)?;
    out.flush().map_err(Failure::output)
}
