//! Writes the seed logs of the `wal_read` fuzz target into `fuzz/seeds/wal_read/` (or the
//! directory given): logs written by `WalWriter` with short records, records that span
//! blocks (FIRST / MIDDLE / LAST fragments), an empty log, and one cut short mid-record.
//! Each seed must read back with `WalReader` before it is written.
use std::io::Cursor;
use std::path::PathBuf;

use murr_core::wal::{RecoveryMode, WalReader, WalWriter};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn log(records: &[Vec<u8>]) -> Res<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let mut w = WalWriter::create(dir.path(), 7, 100)?;
    for r in records {
        w.append(r)?;
    }
    w.sync()?;
    drop(w);
    let entry = std::fs::read_dir(dir.path())?
        .next()
        .ok_or("the writer made no file")??;
    Ok(std::fs::read(entry.path())?)
}

fn main() -> Res<()> {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/wal_read"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir)?;
    let short: Vec<Vec<u8>> = (0..20u8).map(|i| vec![i; usize::from(i) * 3]).collect();
    let long = vec![(0..70_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>(), b"after".to_vec()];
    let edge = vec![vec![1u8; 32 * 1024 - 7 - 35 - 7 - 3], vec![2u8; 10]];
    let seeds = [
        ("short.log", log(&short)?),
        ("spanning.log", log(&long)?),
        ("block_edge.log", log(&edge)?),
        ("empty.log", log(&[])?),
    ];
    for (name, bytes) in &seeds {
        let mut r = WalReader::from_reader(Cursor::new(bytes), *name, RecoveryMode::Strict)?;
        let mut n = 0;
        while r.next_record()?.is_some() {
            n += 1;
        }
        std::fs::write(dir.join(name), bytes)?;
        println!("{name}: {} bytes, {n} records", bytes.len());
    }
    let torn = &seeds[1].1[..seeds[1].1.len() - 100];
    std::fs::write(dir.join("torn.log"), torn)?;
    println!("torn.log: {} bytes", torn.len());
    Ok(())
}
