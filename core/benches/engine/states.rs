//! R1mem and R1L0 as the issue of reads while data changes defines them: R1 on one
//! table in three states, read alternately: compacted (after the upsert), with 10% of the
//! keys upserted since the last flush (in the memtable over the compacted run), and right
//! after that upsert is flushed (a level-0 segment over the run, which gets a deletion
//! vector), before compaction. Every answer is checked against the upserted values.

use std::path::Path;

use murr_core::db::{Db, Options, SyncPolicy};

use crate::fixture::{ONE_FLUSH, create, write_rows};
use crate::lsm::{copy_dir, upsert, value_after};
use crate::{KeyBatches, Reader, TABLE, WARMUP, WIDTH, columns, interleave_with, print_reads};

fn manual() -> Options {
    Options::default()
        .with_sync(SyncPolicy::Never)
        .with_memtable_bytes(ONE_FLUSH)
        .with_background_threads(0)
        .with_idle_compaction_after(None)
}

/// R1 on the three states (see the module docs).
pub fn states(keys: &KeyBatches, rows: u64, dir: &Path) {
    eprintln!("states: loading {rows} rows, compacting ...");
    let base = dir.join("states-base");
    let db = create(&base, manual());
    write_rows(&db, 0..rows);
    db.compact().unwrap();
    db.close().unwrap();
    drop(db);
    let mem_dir = dir.join("states-mem");
    let l0_dir = dir.join("states-l0");
    copy_dir(&base, &mem_dir);
    copy_dir(&base, &l0_dir);
    eprintln!("states: upserting 10% into each ...");
    let compacted = Db::open(&base, manual()).unwrap();
    upsert(&compacted, rows);
    compacted.compact().unwrap();
    let mem = Db::open(&mem_dir, manual()).unwrap();
    upsert(&mem, rows);
    let l0 = Db::open(&l0_dir, manual()).unwrap();
    upsert(&l0, rows);
    l0.flush().unwrap();
    let s = l0.table_stats(TABLE).unwrap();
    assert_eq!(s.level0_segments, 1);
    let run_segments = s.run_segments;

    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems: [Reader<'_>; 3] = [
        Box::new(|k| compacted.read(TABLE, k, &cols).unwrap()),
        Box::new(|k| mem.read(TABLE, k, &cols).unwrap()),
        Box::new(|k| l0.read(TABLE, k, &cols).unwrap()),
    ];
    let labels = [
        format!("compacted (a run of {run_segments} segments)"),
        format!(
            "R1mem: 10% of the keys ({} rows) upserted, in the memtable",
            rows / 10
        ),
        "R1L0: that upsert flushed (1 level-0 segment + the run, deletion vectors)".to_owned(),
    ];
    eprintln!("states: reading ...");
    let times = interleave_with(&systems, keys, &value_after);
    println!(
        "\n### R1 while data changes: {rows} rows, 1000 random keys x {WIDTH} columns, {} \
         batches\n",
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 0, "compacted");
    drop(systems);
    for d in [compacted, mem, l0] {
        d.close().unwrap();
    }
}
