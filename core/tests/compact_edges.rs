//! Compaction edge cases: no inputs, every row deleted, every key deleted (with and
//! without dropping tombstones), one input (written back as it is), uint64 keys.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compact_util;

use compact_util::{Cell, KeyType, Row, read_back, read_outputs, run, segment};
use murr_core::compact::{MergeInput, MergeOptions};
use roaring::RoaringBitmap;

fn options(drop: bool) -> MergeOptions {
    MergeOptions {
        drop_tombstones: drop,
        chunk_rows: 3,
        ..MergeOptions::default()
    }
}

fn files(dir: &tempfile::TempDir) -> usize {
    std::fs::read_dir(dir.path()).unwrap().count()
}

fn full(v: i64) -> Row {
    Row::Cells(vec![Cell::Val(v), Cell::Null, Cell::Val(-v)])
}

#[test]
fn no_inputs_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for drop in [false, true] {
        let out = run(&[], KeyType::Int64, &options(drop), dir.path()).unwrap();
        assert!(out.is_empty());
    }
    assert_eq!(files(&dir), 0);
}

#[test]
fn every_row_deleted_writes_nothing() {
    let k = KeyType::Utf8;
    let rows: Vec<_> = (0..10).map(|n| (k.key(n), full(n))).collect();
    let seg = segment(k, 3, &rows);
    let deleted: RoaringBitmap = (0..10).collect();
    let dir = tempfile::tempdir().unwrap();
    let inputs = [MergeInput {
        segment: &seg,
        deleted: Some(&deleted),
    }];
    assert!(
        run(&inputs, k, &options(false), dir.path())
            .unwrap()
            .is_empty()
    );
    assert_eq!(files(&dir), 0);
}

#[test]
fn every_key_deleted() {
    let k = KeyType::Int64;
    let old = segment(
        k,
        3,
        &(0..8).map(|n| (k.key(n), full(n))).collect::<Vec<_>>(),
    );
    let new = segment(
        k,
        3,
        &(0..8)
            .map(|n| (k.key(n), Row::Tombstone))
            .collect::<Vec<_>>(),
    );
    let inputs = [
        MergeInput {
            segment: &new,
            deleted: None,
        },
        MergeInput {
            segment: &old,
            deleted: None,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(&inputs, k, &options(true), dir.path())
            .unwrap()
            .is_empty()
    );
    assert_eq!(files(&dir), 0);
    let out = run(&inputs, k, &options(false), dir.path()).unwrap();
    let want: Vec<_> = (0..8).map(|n| (k.key(n), Row::Tombstone)).collect();
    assert_eq!(read_outputs(&out), want);
}

#[test]
fn one_input_is_written_back() {
    let k = KeyType::Utf8;
    let rows: Vec<_> = (0..20)
        .map(|n| {
            let row = match n % 4 {
                0 => Row::Tombstone,
                1 => Row::Cells(vec![Cell::Absent, Cell::Val(n), Cell::Null]),
                _ => full(n),
            };
            (k.key(n), row)
        })
        .collect();
    let seg = segment(k, 3, &rows);
    let inputs = [MergeInput {
        segment: &seg,
        deleted: None,
    }];
    let dir = tempfile::tempdir().unwrap();
    let out = run(&inputs, k, &options(false), dir.path()).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(read_outputs(&out), read_back(&seg));
}

#[test]
fn uint64_keys() {
    let k = KeyType::UInt64;
    let old = segment(
        k,
        2,
        &(0..30).map(|n| (k.key(n), full(n))).collect::<Vec<_>>(),
    );
    let new = segment(
        k,
        3,
        &(20..40)
            .map(|n| {
                (
                    k.key(n),
                    Row::Cells(vec![Cell::Absent, Cell::Absent, Cell::Val(7)]),
                )
            })
            .collect::<Vec<_>>(),
    );
    let inputs = [
        MergeInput {
            segment: &new,
            deleted: None,
        },
        MergeInput {
            segment: &old,
            deleted: None,
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let out = run(&inputs, k, &options(true), dir.path()).unwrap();
    let got = read_outputs(&out);
    assert_eq!(got.len(), 40);
    for (n, (key, row)) in got.iter().enumerate() {
        let n = n as i64;
        assert_eq!(*key, k.key(n));
        let want = match n {
            0..20 => Row::Cells(vec![Cell::Val(n), Cell::Null, Cell::Null]),
            20..30 => Row::Cells(vec![Cell::Val(n), Cell::Null, Cell::Val(7)]),
            _ => Row::Cells(vec![Cell::Null, Cell::Null, Cell::Val(7)]),
        };
        assert_eq!(*row, want, "key {n}");
    }
}
