//! Random interleavings of partial upserts (any subset of columns, in any order, with
//! explicit nulls and repeated keys), deletes and reads at random snapshots give, for each
//! key type, exactly what a simple model gives: per key and column the newest value at or
//! below the snapshot, hidden by a newer tombstone, unresolved if never written. The merged
//! view for flushing agrees with the model too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use std::collections::BTreeMap;

use arrow_array::Array;
use memtable_util::{ALL, KEYS, Kt, batch, value_at};
use murr_core::memtable::{Cell, KeyState, Memtable};
use proptest::prelude::*;

type Vals = [Option<i64>; 3];

#[derive(Debug, Clone)]
enum Op {
    Write {
        rows: Vec<(usize, Vals)>,
        cols: Vec<usize>,
        key_pos: usize,
    },
    Delete {
        keys: Vec<usize>,
    },
    Read {
        keys: Vec<usize>,
        cols: Vec<usize>,
        back: u64,
    },
}

/// One version of a key: the values of the columns written (`None`: not carried), or a
/// tombstone.
#[derive(Debug, Clone)]
enum Version {
    Row([Option<Option<i64>>; 3]),
    Tombstone,
}

/// What a cell should be: `Resolved(None)` is an explicit null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Resolved(Option<i64>),
    Deleted,
    Unresolved,
}

#[derive(Default)]
struct Model {
    versions: BTreeMap<usize, Vec<(u64, Version)>>,
}

impl Model {
    fn write(&mut self, seq: u64, rows: &[(usize, Vals)], cols: &[usize]) {
        let mut last = BTreeMap::new();
        for (k, vals) in rows {
            last.insert(*k, *vals); // last row wins
        }
        for (k, vals) in last {
            let mut row = [None; 3];
            for &c in cols {
                row[c - 1] = Some(vals[c - 1]);
            }
            self.versions
                .entry(k)
                .or_default()
                .push((seq, Version::Row(row)));
        }
    }

    fn delete(&mut self, seq: u64, keys: &[usize]) {
        for &k in keys {
            self.versions
                .entry(k)
                .or_default()
                .push((seq, Version::Tombstone));
        }
    }

    /// The key's state and its cells for table columns `cols` (0 is the key: resolved to
    /// `Some(0)` when any visible row is above the newest tombstone).
    fn read(&self, key: usize, cols: &[usize], snapshot: u64) -> (KeyState, Vec<Expect>) {
        let mut state = KeyState::Absent;
        let mut cells = vec![Expect::Unresolved; cols.len()];
        let versions = self
            .versions
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (seq, v) in versions.iter().rev() {
            if *seq > snapshot {
                continue;
            }
            match v {
                Version::Tombstone => {
                    if state == KeyState::Absent {
                        state = KeyState::Deleted;
                    }
                    for cell in &mut cells {
                        if *cell == Expect::Unresolved {
                            *cell = Expect::Deleted;
                        }
                    }
                    break;
                }
                Version::Row(row) => {
                    state = KeyState::Live;
                    for (cell, &c) in cells.iter_mut().zip(cols) {
                        if *cell != Expect::Unresolved {
                            continue;
                        }
                        if c == 0 {
                            *cell = Expect::Resolved(Some(0));
                        } else if let Some(v) = row[c - 1] {
                            *cell = Expect::Resolved(v);
                        }
                    }
                }
            }
        }
        (state, cells)
    }
}

fn shuffled(
    items: Vec<usize>,
    len: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence(items, len).prop_flat_map(|v| Just(v).prop_shuffle())
}

fn op() -> impl Strategy<Value = Op> {
    let vals = [
        proptest::option::of(-50i64..50),
        proptest::option::of(-50i64..50),
        proptest::option::of(-50i64..50),
    ];
    prop_oneof![
        4 => (
            proptest::collection::vec((0..KEYS, vals), 0..6),
            shuffled(vec![1, 2, 3], 0..=3),
            0usize..4,
        )
            .prop_map(|(rows, cols, key_pos)| Op::Write { rows, cols, key_pos }),
        1 => proptest::collection::vec(0..KEYS, 0..4).prop_map(|keys| Op::Delete { keys }),
        3 => (
            proptest::collection::vec(0..KEYS, 0..8),
            shuffled(vec![0, 1, 2, 3], 0..=4),
            0u64..6,
        )
            .prop_map(|(keys, cols, back)| Op::Read { keys, cols, back }),
    ]
}

fn check_read(
    kt: Kt,
    mem: &Memtable,
    model: &Model,
    keys: &[usize],
    cols: &[usize],
    snapshot: u64,
) {
    let key_array = kt.keys(keys);
    let lookup = mem.get(key_array.as_ref(), cols, snapshot).unwrap();
    assert_eq!(lookup.len(), keys.len());
    let batch = lookup.to_batch().unwrap();
    assert_eq!(batch.num_rows(), keys.len());
    for (i, &k) in keys.iter().enumerate() {
        let (state, expected) = model.read(k, cols, snapshot);
        assert_eq!(lookup.state(i), state, "key {k} at {snapshot}");
        for (j, &c) in cols.iter().enumerate() {
            let got = match lookup.cell(i, j) {
                Cell::Unresolved => Expect::Unresolved,
                Cell::Deleted => Expect::Deleted,
                Cell::Resolved(cell) => {
                    let array = cell.array().unwrap();
                    if c == 0 {
                        assert_eq!(
                            array.slice(cell.row, 1).to_data(),
                            key_array.slice(i, 1).to_data()
                        );
                        Expect::Resolved(Some(0))
                    } else {
                        Expect::Resolved(value_at(array.as_ref(), cell.row))
                    }
                }
            };
            assert_eq!(got, expected[j], "key {k} column {c} at {snapshot}");
            let assembled = batch.column(j);
            match expected[j] {
                Expect::Resolved(v) if c != 0 => assert_eq!(value_at(assembled.as_ref(), i), v),
                Expect::Resolved(_) => assert!(assembled.is_valid(i)),
                Expect::Deleted | Expect::Unresolved => assert!(assembled.is_null(i)),
            }
        }
    }
}

fn check_merged(kt: Kt, mem: &Memtable, model: &Model, snapshot: u64) {
    let rows = memtable_util::merged(kt, mem, snapshot);
    let got: Vec<usize> = rows.iter().map(|r| r.key).collect();
    let visible: Vec<usize> = model
        .versions
        .iter()
        .filter(|(_, v)| v.iter().any(|(s, _)| *s <= snapshot))
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(got, kt.sorted(visible), "merged key order at {snapshot}");
    let cols = [0, 1, 2, 3];
    for (row, &k) in rows.iter().zip(&got) {
        let (state, expected) = model.read(k, &cols, snapshot);
        let all_resolved = expected.iter().all(|e| matches!(e, Expect::Resolved(_)));
        assert_eq!(
            row.tombstone,
            !all_resolved && expected.contains(&Expect::Deleted),
            "key {k}"
        );
        assert_eq!(row.has_values, state == KeyState::Live);
        for &c in &cols[1..] {
            let got = row.cells[c];
            let want = match expected[c] {
                Expect::Resolved(v) => Some(v),
                Expect::Deleted | Expect::Unresolved => None,
            };
            assert_eq!(got, want, "merged key {k} column {c}");
        }
    }
}

fn run(kt: Kt, ops: &[Op]) {
    let mem = kt.memtable();
    let mut model = Model::default();
    let mut seq = 0u64;
    for (n, op) in ops.iter().enumerate() {
        match op {
            Op::Write {
                rows,
                cols,
                key_pos,
            } => {
                seq += 1 + (n as u64 % 2); // gaps: sequence numbers are shared by tables
                mem.insert(seq, &batch(kt, rows, cols, *key_pos)).unwrap();
                model.write(seq, rows, cols);
            }
            Op::Delete { keys } => {
                seq += 1;
                mem.delete(seq, kt.keys(keys).as_ref()).unwrap();
                model.delete(seq, keys);
            }
            Op::Read { keys, cols, back } => {
                check_read(kt, &mem, &model, keys, cols, seq.saturating_sub(*back));
            }
        }
        assert_eq!(mem.max_seq(), seq);
    }
    check_read(
        kt,
        &mem,
        &model,
        &(0..KEYS).collect::<Vec<_>>(),
        &[0, 1, 2, 3],
        seq,
    );
    check_merged(kt, &mem, &model, seq);
    check_merged(kt, &mem, &model, seq.saturating_sub(3));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn memtable_matches_model(ops in proptest::collection::vec(op(), 0..40)) {
        for kt in ALL {
            run(kt, &ops);
        }
    }
}
