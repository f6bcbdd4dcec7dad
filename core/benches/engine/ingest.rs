//! W3 (docs/WORKLOAD.md): bulk ingest of the canonical rows through `Db::ingest`, from an
//! Arrow stream (batches built in memory beforehand) and from an uncompressed Parquet file
//! written beforehand by the parquet crate, each in a child process of this bench so that
//! its peak memory is its own; then R1 right after the ingest against the same rows
//! loaded through `Db::write`, flushed and compacted, batch by batch in one process.

use std::path::Path;
use std::time::Instant;

use arrow_array::RecordBatchIterator;
use murr_core::db::{Db, Options, SyncPolicy};
use murr_workload as workload;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::fixture::{ONE_FLUSH, create, options, write_rows};
use crate::lsm::{peak_rss, with_peak_anon};
use crate::{KeyBatches, Reader, TABLE, WARMUP, WIDTH, columns, interleave, print_reads};

/// What an ingest child measured.
struct Measured {
    seconds: f64,
    /// Peak growth of anonymous RSS during the ingest, bytes.
    anon: u64,
    /// The child's peak RSS (VmHWM), bytes.
    hwm: u64,
    /// Anonymous RSS before the ingest (the stream's batches), bytes.
    before: u64,
    spills: usize,
    segments: usize,
}

/// Ingests `rows` canonical rows into a new database in `dir`, in this process: `source`
/// is "stream" (100,000-row batches built before the clock starts) or a Parquet path.
/// `mib`: `Options::ingest_memory_bytes` in MiB, 0 for the default. Prints what
/// [`Measured`] holds.
pub fn ingest_child(dir: &Path, source: &str, rows: u64, mib: usize) {
    let mut options = Options::default()
        .with_sync(SyncPolicy::Never)
        .with_background_threads(0);
    if mib > 0 {
        options = options.with_ingest_memory_bytes(mib << 20);
    }
    let db = create(dir, options);
    let stream = (source == "stream").then(|| {
        workload::batches(rows, WIDTH)
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    });
    let before = crate::lsm::anon_rss();
    let mut stats = None;
    let (spent, anon) = with_peak_anon(|| {
        stats = Some(match stream {
            Some(batches) => {
                let reader =
                    RecordBatchIterator::new(batches.into_iter().map(Ok), workload::schema(WIDTH));
                db.ingest(TABLE, reader).unwrap()
            }
            None => db.ingest_file(TABLE, source).unwrap(),
        });
    });
    let stats = stats.unwrap();
    assert_eq!(stats.rows_written, rows);
    db.close().unwrap();
    println!(
        "{} {anon} {} {before} {} {}",
        spent.as_secs_f64(),
        peak_rss(),
        stats.spills,
        stats.segments
    );
}

fn in_child(dir: &Path, source: &str, rows: u64, mib: usize) -> Measured {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--ingest-child")
        .arg(dir)
        .arg(source)
        .arg(rows.to_string())
        .arg(mib.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<&str> = text.split_whitespace().collect();
    Measured {
        seconds: v[0].parse().unwrap(),
        anon: v[1].parse().unwrap(),
        hwm: v[2].parse().unwrap(),
        before: v[3].parse().unwrap(),
        spills: v[4].parse().unwrap(),
        segments: v[5].parse().unwrap(),
    }
}

/// Writes `rows` canonical rows as an uncompressed Parquet file at `path`.
fn write_parquet(path: &Path, rows: u64) {
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w = ArrowWriter::try_new(file, workload::schema(WIDTH), Some(props)).unwrap();
    for b in workload::batches(rows, WIDTH) {
        w.write(&b.unwrap()).unwrap();
    }
    w.close().unwrap();
}

/// W3 and R1 after it (see the module docs).
/// `ingest_mib`: `Options::ingest_memory_bytes` in MiB (`--ingest-mib`), else the default.
pub fn ingest(rows: u64, keys: &KeyBatches, dir: &Path, ingest_mib: Option<usize>) {
    let mib = ingest_mib.unwrap_or(0);
    let parquet = dir.join("w3.parquet");
    eprintln!("W3: writing {rows} rows as an uncompressed Parquet file ...");
    write_parquet(&parquet, rows);
    let parquet_mb = std::fs::metadata(&parquet).unwrap().len() as f64 / 1e6;
    eprintln!("W3: ingesting from a stream and from the file (child processes) ...");
    let stream_dir = dir.join("w3-stream");
    let from_stream = in_child(&stream_dir, "stream", rows, mib);
    let file_dir = dir.join("w3-parquet");
    let from_file = in_child(&file_dir, parquet.to_str().unwrap(), rows, mib);
    std::fs::remove_file(&parquet).unwrap();
    std::fs::remove_dir_all(&file_dir).unwrap();

    let memory = match ingest_mib {
        Some(m) => format!("ingest_memory_bytes {m} MiB"),
        None => "default options: ingest_memory_bytes 256 MiB".to_owned(),
    };
    println!("\n#### W3: bulk ingest of {rows} rows through `Db::ingest` ({memory})\n");
    println!(
        "| source | s | rows/s | parts spilled | segments | peak heap growth MB | peak RSS (VmHWM) MB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mb = |b: u64| b as f64 / 1e6;
    for (name, m) in [
        (
            format!(
                "Arrow stream (100,000-row batches in memory: {:.0} MB before)",
                mb(from_stream.before)
            ),
            &from_stream,
        ),
        (
            format!("uncompressed Parquet file ({parquet_mb:.0} MB, parquet crate)"),
            &from_file,
        ),
    ] {
        println!(
            "| {name} | {:.2} | {:.0} | {} | {} | {:.0} | {:.0} |",
            m.seconds,
            rows as f64 / m.seconds,
            m.spills,
            m.segments,
            mb(m.anon),
            mb(m.hwm)
        );
    }

    eprintln!("W3: loading the same rows through Db::write, flush, compact ...");
    let compacted_dir = dir.join("w3-compacted");
    let compacted = create(&compacted_dir, options(SyncPolicy::Never, ONE_FLUSH));
    let t0 = Instant::now();
    write_rows(&compacted, 0..rows);
    compacted.flush().unwrap();
    compacted.compact().unwrap();
    let load_s = t0.elapsed().as_secs_f64();
    let ingested = Db::open(
        &stream_dir,
        Options::default()
            .with_sync(SyncPolicy::Never)
            .with_background_threads(0),
    )
    .unwrap();
    ingested.verify().unwrap();
    compacted.verify().unwrap();
    let (si, sc) = (
        ingested.table_stats(TABLE).unwrap(),
        compacted.table_stats(TABLE).unwrap(),
    );
    let names = columns();
    let cols: Vec<&str> = names.iter().map(String::as_str).collect();
    let systems: [Reader<'_>; 2] = [
        Box::new(|k| ingested.read(TABLE, k, &cols).unwrap()),
        Box::new(|k| compacted.read(TABLE, k, &cols).unwrap()),
    ];
    let labels = [
        format!(
            "libmurr right after `Db::ingest` (stream; {} level-0 + {} run segments)",
            si.level0_segments, si.run_segments
        ),
        format!(
            "libmurr `Db::write` + flush + compact ({load_s:.1} s; {} level-0 + {} run segments)",
            sc.level0_segments, sc.run_segments
        ),
    ];
    eprintln!("W3: R1 on both ...");
    let times = interleave(&systems, keys);
    println!(
        "\n#### R1 after W3: 1000 random keys x {WIDTH} columns, N = {rows}, {} batches, alternating\n",
        keys.len() - WARMUP
    );
    print_reads(&labels, &times, 1, "compacted");
    drop(systems);
    ingested.close().unwrap();
    compacted.close().unwrap();
    std::fs::remove_dir_all(&stream_dir).unwrap();
    std::fs::remove_dir_all(&compacted_dir).unwrap();
}
