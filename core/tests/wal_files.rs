//! Log files: `create` leaves exactly `wal-{number:016x}.log` holding a durable header (no
//! temporary file) and never overwrites a log; names parse back to numbers; a file that is
//! missing, empty, not a log, or a log of a newer version gives an error naming the file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use std::io::Cursor;

use murr_core::Error;
use murr_core::wal::{CRC_MASK, RecoveryMode, WalReader, WalWriter, file_name, parse_file_name};
use wal_util::NAME;

#[test]
fn create_makes_one_named_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let wal = WalWriter::create(dir.path(), 0xAB, 42).unwrap();
    assert_eq!(wal.path(), dir.path().join("wal-00000000000000ab.log"));
    assert_eq!(
        (wal.log_number(), wal.first_seq(), wal.len()),
        (0xAB, 42, 35)
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["wal-00000000000000ab.log"]);
    // Durable before any record: the header is in the file.
    assert_eq!(std::fs::metadata(wal.path()).unwrap().len(), 35);
    drop(wal);

    match WalWriter::create(dir.path(), 0xAB, 0) {
        Err(Error::Io { path, source }) => {
            assert!(path.ends_with("wal-00000000000000ab.log"), "{path}");
            assert_eq!(source.kind(), std::io::ErrorKind::AlreadyExists);
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    let reader = WalReader::open(dir.path().join(file_name(0xAB)), RecoveryMode::Strict).unwrap();
    assert_eq!((reader.log_number(), reader.first_seq()), (0xAB, 42));
}

#[test]
fn file_names_round_trip() {
    for n in [0, 1, 0xAB, u64::MAX] {
        assert_eq!(parse_file_name(&file_name(n)), Some(n));
    }
    assert_eq!(file_name(1), "wal-0000000000000001.log");
    for bad in [
        "wal-1.log",
        "wal-00000000000000AB.log",
        "wal-00000000000000ab.log.tmp",
        "seg-00000000000000ab.log",
        "wal-+000000000000001.log",
    ] {
        assert_eq!(parse_file_name(bad), None, "{bad}");
    }
}

#[test]
fn missing_file_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(file_name(3));
    match WalReader::open(&path, RecoveryMode::Strict) {
        Err(Error::Io { path: p, source }) => {
            assert_eq!(p, path.display().to_string());
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// A log whose header record holds `payload`, with a valid checksum.
fn with_header(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut typed = vec![kind];
    typed.extend_from_slice(payload);
    let mut out = (crc32fast::hash(&typed) ^ CRC_MASK).to_le_bytes().to_vec();
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.push(kind);
    out.extend_from_slice(payload);
    out
}

fn header(version: u32) -> Vec<u8> {
    let mut p = b"MURRWAL\0".to_vec();
    p.extend_from_slice(&version.to_le_bytes());
    p.extend_from_slice(&7u64.to_le_bytes());
    p.extend_from_slice(&8u64.to_le_bytes());
    p
}

fn open(bytes: Vec<u8>) -> Result<WalReader<Cursor<Vec<u8>>>, Error> {
    WalReader::from_reader(Cursor::new(bytes), NAME, RecoveryMode::SkipCorrupt)
}

#[test]
fn bad_headers() {
    let good = open(with_header(1, &header(1))).unwrap();
    assert_eq!((good.log_number(), good.first_seq()), (7, 8));

    let mut not_a_log = header(1);
    not_a_log[0] = b'X';
    let mut long = header(1);
    long.push(0);
    let mut bad_crc = with_header(1, &header(1));
    bad_crc[0] ^= 1;
    for (what, bytes, says) in [
        ("empty", vec![], "empty"),
        (
            "short",
            with_header(1, &header(1))[..20].to_vec(),
            "ends inside",
        ),
        ("zeros", vec![0; 100], "zero"),
        ("bad crc", bad_crc, "checksum"),
        ("bad magic", with_header(1, &not_a_log), "bad magic"),
        ("FIRST", with_header(2, &header(1)), "FIRST"),
        ("too long", with_header(1, &long), "29 bytes"),
    ] {
        match open(bytes) {
            Err(Error::Corrupt {
                file,
                section,
                detail,
            }) => {
                assert_eq!((file.as_str(), section.as_str()), (NAME, "WAL file header"));
                assert!(detail.contains(says), "{what}: {detail}");
            }
            other => panic!("{what}: expected a corrupt header, got {other:?}"),
        }
    }
    // A newer version is not corruption, even if its header is longer.
    let mut v2 = header(2);
    v2.extend_from_slice(&[0; 10]);
    match open(with_header(1, &v2)) {
        Err(Error::UnsupportedVersion {
            file,
            found,
            supported,
        }) => assert_eq!((file.as_str(), found, supported), (NAME, 2, 1)),
        other => panic!("expected UnsupportedVersion, got {other:?}"),
    }
}
