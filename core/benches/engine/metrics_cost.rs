//! The cost of the engine's metrics on R1: the same flushed table in three databases, one
//! with `Options::metrics` on (the default) and two with it off (the second, an A/A
//! control, shows the noise between two identical systems), read batch by batch in a
//! rotating order. The ratio of the medians is the cost.

use std::path::Path;

use murr_core::db::{Db, SyncPolicy};

use crate::fixture::{ONE_FLUSH, load_flushed, options};
use crate::lsm::copy_dir;
use crate::{
    KeyBatches, Reader, TABLE, WARMUP, WIDTH, columns, interleave, percentile, print_reads,
};

/// R1 with metrics on against R1 with metrics off (see the module docs).
pub fn metrics_cost(keys: &KeyBatches, rows: u64, dir: &Path) {
    eprintln!("metrics: loading {rows} rows ...");
    let base = dir.join("metrics-base");
    load_flushed(&base, rows).close().unwrap();
    // Three copies alike (none is the file the load wrote).
    let [on_dir, off_dir, control_dir] =
        ["metrics-on", "metrics-off", "metrics-off-2"].map(|d| dir.join(d));
    for d in [&on_dir, &off_dir, &control_dir] {
        copy_dir(&base, d);
    }
    let open = |d: &Path, on: bool| {
        let db = Db::open(d, options(SyncPolicy::Never, ONE_FLUSH).with_metrics(on)).unwrap();
        db.verify().unwrap();
        db
    };
    let on = open(&on_dir, true);
    let off = open(&off_dir, false);
    let control = open(&control_dir, false);
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems: [Reader<'_>; 3] = [
        Box::new(|k| off.read(TABLE, k, &cols).unwrap()),
        Box::new(|k| on.read(TABLE, k, &cols).unwrap()),
        Box::new(|k| control.read(TABLE, k, &cols).unwrap()),
    ];
    eprintln!("metrics: reading ...");
    let times = interleave(&systems, keys);
    println!(
        "\n### Metrics cost: R1, {rows} rows, 1000 random keys x {WIDTH} columns, {} batches\n",
        keys.len() - WARMUP
    );
    let labels = [
        "metrics off".to_owned(),
        "metrics on (default)".to_owned(),
        "metrics off, second copy (A/A control)".to_owned(),
    ];
    print_reads(&labels, &times, 0, "off");
    let m = on.metrics().unwrap();
    let off_median = percentile(&times[0], 0.5);
    let on_median = percentile(&times[1], 0.5);
    println!(
        "\ncost: median on / off = {:.4} ({:+.2}%); control / off = {:.4}",
        on_median / off_median,
        (on_median / off_median - 1.0) * 100.0,
        percentile(&times[2], 0.5) / off_median
    );
    println!(
        "the on database's own histogram: {} reads, {} keys, {} misses, p50 {:.1} us, p99 \
         {:.1} us, p99.9 {:.1} us (power-of-two buckets, interpolated)",
        m.reads,
        m.read_keys,
        m.read_misses,
        m.read_latency_percentile(0.5) as f64 / 1e3,
        m.read_latency_percentile(0.99) as f64 / 1e3,
        m.read_latency_percentile(0.999) as f64 / 1e3
    );
    assert_eq!(m.reads, keys.len() as u64);
    assert_eq!(off.metrics().unwrap().reads, 0);
    drop(systems);
    for d in [on, off, control] {
        d.close().unwrap();
    }
}
