//! R1 in two-system runs (docs/WORKLOAD.md): a compacted table and one baseline alone,
//! alternating batch by batch, so that neither reads with caches a third system emptied.
//! First the baseline the workload names (keys inline in 32-byte slots), then the older
//! peer whose keys sit in an arena (offsets, then bytes: one or two more misses per key).

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::Schema;
use murr_core::db::{Options, SyncPolicy};
use murr_workload as workload;

use crate::fixture::{ONE_FLUSH, create, write_rows};
use crate::run::baseline;
use crate::{KeyBatches, Reader, TABLE, WIDTH, columns, interleave, print_reads};

/// A baseline's answer as a batch of the value columns (as `Db::read` answers).
fn batch(
    fields: &Arc<Schema>,
    (out, found): (Vec<Vec<f32>>, Vec<bool>),
) -> (RecordBatch, Vec<bool>) {
    let arrays: Vec<ArrayRef> = out
        .into_iter()
        .map(|v| Arc::new(Float32Array::from(v)) as ArrayRef)
        .collect();
    (
        RecordBatch::try_new(Arc::clone(fields), arrays).unwrap(),
        found,
    )
}

/// The two two-system runs (see the module docs).
pub fn pair(keys: &KeyBatches, rows: u64, dir: &Path) {
    eprintln!("pair: loading {rows} rows, compacting ...");
    let db = create(
        &dir.join("pair"),
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_memtable_bytes(ONE_FLUSH)
            .with_background_threads(0)
            .with_idle_compaction_after(None),
    );
    write_rows(&db, 0..rows);
    db.compact().unwrap();
    let run_segments = db.table_stats(TABLE).unwrap().run_segments;
    eprintln!("pair: building the baselines ...");
    let inline = baseline::InlineKeys::build(rows, WIDTH, workload::key, workload::value);
    let arena = baseline::Prefetched::build(rows, WIDTH, true, workload::key, workload::value);
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let idx: Vec<usize> = (0..WIDTH).collect();
    let schema = workload::schema(WIDTH);
    let fields = Arc::new(Schema::new(
        schema.fields().iter().skip(1).cloned().collect::<Vec<_>>(),
    ));
    fn strs(k: &StringArray) -> Vec<&str> {
        k.iter().map(|s| s.unwrap_or_default()).collect()
    }
    let libmurr = format!("libmurr Db::read (compacted: a run of {run_segments} segments)");
    for (label, peer) in [
        (
            "baseline: keys inline in 32-byte slots, row-major, prefetched",
            Box::new(|k: &StringArray| batch(&fields, inline.get(&strs(k), &idx))) as Reader<'_>,
        ),
        (
            "peer: keys in an arena (offsets + bytes), row-major, prefetched",
            Box::new(|k: &StringArray| batch(&fields, arena.get(&strs(k), &idx))) as Reader<'_>,
        ),
    ] {
        let systems: [Reader<'_>; 2] = [
            peer,
            Box::new(|k: &StringArray| db.read(TABLE, k, &cols).unwrap()),
        ];
        let times = interleave(&systems, keys);
        println!(
            "\n### R1, two systems alone: {rows} rows, 1000 random keys x {WIDTH} columns, {} batches\n",
            times[0].len()
        );
        print_reads(&[label.to_owned(), libmurr.clone()], &times, 0, "the first");
    }
    db.close().unwrap();
}
