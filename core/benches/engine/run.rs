//! R1run: R1 on a table compacted into a run of several segments, against the same rows
//! in one bare segment and the prefetched in-memory baseline; and R1 on a level-0 segment
//! over the run (upserted rows, same values: the run gets deletion vectors).

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use murr_core::db::{Db, Options, SyncPolicy};
use murr_core::segment::Segment;
use murr_workload as workload;

#[path = "../segment_read/baseline.rs"]
#[allow(dead_code)]
pub(crate) mod baseline;

use crate::fixture::{ONE_FLUSH, create, options, segment_files, write_rows};
use crate::{KeyBatches, Reader, TABLE, WARMUP, WIDTH, columns, interleave, print_reads};

/// Bytes of one row of the canonical table in a segment, about (key + 10 float32 + slot).
const ROW_BYTES: u64 = 70;

/// R1run with the run cut into about `segments` segments.
pub fn r1run(keys: &KeyBatches, rows: u64, dir: &Path, segments: u64) {
    let target = (rows * ROW_BYTES / segments.max(1)) as usize;
    eprintln!("R1run: loading {rows} rows, compacting into segments of {target} bytes ...");
    let run_dir = dir.join("run");
    let run = create(
        &run_dir,
        options(SyncPolicy::Never, ONE_FLUSH).with_target_segment_bytes(target),
    );
    write_rows(&run, 0..rows);
    run.flush().unwrap();
    // The one flushed segment, copied before compaction: the same rows in one file.
    let files = segment_files(&run_dir);
    assert_eq!(files.len(), 1);
    let single_path = dir.join("single.bare");
    std::fs::copy(&files[0], &single_path).unwrap();
    let single = Segment::open(&single_path).unwrap();
    // The flushed database, copied before compaction: `Db::read` of one segment.
    let one_dir = dir.join("one");
    copy_dir(&run_dir, &one_dir);
    let one = Db::open(
        &one_dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0),
    )
    .unwrap();
    run.compact().unwrap();
    let run_segments = run.table_stats(TABLE).unwrap().run_segments;

    eprintln!("R1run: a level-0 segment over a copy of the run ...");
    let l0_dir = dir.join("l0run");
    copy_dir(&run_dir, &l0_dir);
    let l0 = Db::open(
        &l0_dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0),
    )
    .unwrap();
    let picked: Vec<u64> = (0..rows).filter(|i| i % 10 == 3).collect();
    for chunk in picked.chunks(100_000) {
        let mut arrays: Vec<ArrayRef> = vec![Arc::new(StringArray::from_iter_values(
            chunk.iter().map(|&i| workload::key(i)),
        ))];
        for c in 0..WIDTH {
            arrays.push(Arc::new(Float32Array::from_iter_values(
                chunk.iter().map(|&i| workload::value(i, c)),
            )));
        }
        l0.write(
            TABLE,
            &RecordBatch::try_new(workload::schema(WIDTH), arrays).unwrap(),
        )
        .unwrap();
    }
    l0.flush().unwrap();

    eprintln!("R1run: building the prefetched baseline ...");
    let pre = baseline::Prefetched::build(rows, WIDTH, true, workload::key, workload::value);
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let idx: Vec<usize> = (0..WIDTH).collect();
    let schema = workload::schema(WIDTH);
    let value_fields = Arc::new(arrow_schema::Schema::new(
        schema.fields().iter().skip(1).cloned().collect::<Vec<_>>(),
    ));
    let systems: [Reader<'_>; 5] = [
        Box::new(|k: &StringArray| {
            let keys: Vec<&str> = k.iter().map(|s| s.unwrap_or_default()).collect();
            let (out, found) = pre.get(&keys, &idx);
            let arrays: Vec<ArrayRef> = out
                .into_iter()
                .map(|v| Arc::new(Float32Array::from(v)) as ArrayRef)
                .collect();
            let batch = RecordBatch::try_new(Arc::clone(&value_fields), arrays).unwrap();
            (batch, found)
        }),
        Box::new(|k: &StringArray| single.get(k, &cols).unwrap()),
        Box::new(|k: &StringArray| one.read(TABLE, k, &cols).unwrap()),
        Box::new(|k: &StringArray| run.read(TABLE, k, &cols).unwrap()),
        Box::new(|k: &StringArray| l0.read(TABLE, k, &cols).unwrap()),
    ];
    let labels = [
        "baseline: prefetched hash + row-major".to_owned(),
        "bare Segment::get (one segment of the same rows)".to_owned(),
        "libmurr Db::read (one segment of the same rows)".to_owned(),
        format!("libmurr Db::read (a run of {run_segments} segments)"),
        "libmurr Db::read (1 level-0 segment + the run, deletion vectors)".to_owned(),
    ];
    eprintln!("R1run: reading ...");
    let times = interleave(&systems, keys);
    println!(
        "\n### R1run: {rows} rows, 1000 random keys x {WIDTH} columns, {} batches\n",
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 0, "baseline");
    drop(systems);
    drop(single);
    std::fs::remove_file(&single_path).unwrap();
    run.close().unwrap();
    one.close().unwrap();
    l0.close().unwrap();
}

/// Copies the files of directory `from` (its lock file aside) into a new directory `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "LOCK" {
            continue;
        }
        // A log file the database's worker deletes meanwhile is not needed.
        match std::fs::copy(e.path(), to.join(e.file_name())) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            r => {
                r.unwrap();
            }
        }
    }
}
