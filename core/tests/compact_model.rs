//! Compaction against a model: random inputs (1 to 5 segments, int64 and utf8 keys, partial
//! rows, tombstones, present nulls, columns missing from older segments, random deleted
//! rows), merged with both `drop_tombstones` values, small chunks and small target sizes
//! (many outputs). Every output cell, its presence and every tombstone must be what a
//! newest-first walk over a `BTreeMap` model says, the outputs' key ranges must ascend
//! without overlap and their first and last keys must be right.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod compact_util;

use std::collections::{BTreeMap, BTreeSet};

use compact_util::{Cell, KeyType, Row, read_outputs, run, segment};
use murr_core::compact::{MergeInput, MergeOptions};
use murr_core::segment::SortKey;
use proptest::prelude::*;
use roaring::RoaringBitmap;

/// One input: how many value columns it has, its rows by model key, its deleted rows.
#[derive(Debug, Clone)]
struct Input {
    columns: usize,
    rows: BTreeMap<i64, Row>,
    deleted: Vec<u32>,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        2 => Just(Cell::Absent),
        1 => Just(Cell::Null),
        4 => (0i64..1000).prop_map(Cell::Val),
    ]
}

fn row() -> impl Strategy<Value = Row> {
    prop_oneof![
        1 => Just(Row::Tombstone),
        5 => prop::collection::vec(cell(), 3).prop_map(Row::Cells),
    ]
}

fn input() -> impl Strategy<Value = Input> {
    (
        1usize..=3,
        prop::collection::btree_map(0i64..40, row(), 0..30),
        prop::collection::vec(0u32..32, 0..6),
    )
        .prop_map(|(columns, rows, deleted)| Input {
            columns,
            rows,
            deleted,
        })
}

/// What the merge must write for each key, in key order.
fn model(inputs: &[Input], key: KeyType, drop: bool) -> Vec<(SortKey, Row)> {
    // Each input's live rows, by sort key (the row number is the rank of the sort key).
    let live: Vec<BTreeMap<SortKey, (usize, &Row)>> = inputs
        .iter()
        .map(|input| {
            let sorted: BTreeMap<SortKey, &Row> =
                input.rows.iter().map(|(&n, r)| (key.key(n), r)).collect();
            let deleted: BTreeSet<u32> = input.deleted.iter().copied().collect();
            sorted
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !deleted.contains(&(*i as u32)))
                .map(|(_, (k, r))| (k, (input.columns, r)))
                .collect()
        })
        .collect();
    let keys: BTreeSet<SortKey> = live.iter().flat_map(|m| m.keys().cloned()).collect();
    let mut out = Vec::new();
    for k in keys {
        let mut cells: [Option<Cell>; 3] = [None; 3];
        let mut tomb = false;
        // A row newer than the tombstone makes the key exist, even one that holds no cell.
        let mut any = false;
        for m in &live {
            let Some(&(columns, row)) = m.get(&k) else {
                continue;
            };
            match row {
                Row::Tombstone => {
                    tomb = true;
                    break;
                }
                Row::Cells(cs) => {
                    any = true;
                    for c in 0..columns {
                        if cells[c].is_none() && cs[c] != Cell::Absent {
                            cells[c] = Some(cs[c]);
                        }
                    }
                }
            }
        }
        if tomb && !any {
            if !drop {
                out.push((k, Row::Tombstone));
            }
            continue;
        }
        let fill = if tomb || drop {
            Cell::Null
        } else {
            Cell::Absent
        };
        out.push((
            k,
            Row::Cells(cells.iter().map(|c| c.unwrap_or(fill)).collect()),
        ));
    }
    out
}

fn check(
    mut inputs: Vec<Input>,
    key: KeyType,
    drop: bool,
    chunk_rows: usize,
    target: usize,
) -> Result<(), TestCaseError> {
    // Columns are only ever added: a newer segment has at least the columns of an older one.
    let mut most = 1;
    for input in inputs.iter_mut().rev() {
        most = most.max(input.columns);
        input.columns = most;
    }
    let segments: Vec<_> = inputs
        .iter()
        .map(|i| {
            let rows: Vec<(SortKey, Row)> = i
                .rows
                .iter()
                .map(|(&n, r)| (key.key(n), r.clone()))
                .collect();
            segment(key, i.columns, &rows)
        })
        .collect();
    let deleted: Vec<RoaringBitmap> = inputs
        .iter()
        .map(|i| i.deleted.iter().copied().collect())
        .collect();
    let merge_inputs: Vec<MergeInput<'_>> = segments
        .iter()
        .zip(&deleted)
        .map(|(segment, d)| MergeInput {
            segment,
            deleted: (!d.is_empty()).then_some(d),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let options = MergeOptions {
        target_segment_bytes: target,
        chunk_rows,
        drop_tombstones: drop,
        split_before: Vec::new(),
    };
    let outputs = run(&merge_inputs, key, &options, dir.path()).unwrap();
    let got = read_outputs(&outputs);
    let want = model(&inputs, key, drop);
    prop_assert_eq!(got, want);
    // Exactly the files handed out exist (no temporary files left over).
    prop_assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        outputs.len()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn merge_matches_model(
        inputs in prop::collection::vec(input(), 1..=5),
        utf8 in any::<bool>(),
        drop in any::<bool>(),
        chunk_rows in 1usize..=7,
        target in prop_oneof![0usize..3000, Just(usize::MAX)],
    ) {
        let key = if utf8 { KeyType::Utf8 } else { KeyType::Int64 };
        check(inputs, key, drop, chunk_rows, target)?;
    }
}
