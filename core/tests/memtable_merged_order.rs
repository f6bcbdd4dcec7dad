//! The merged view for flushing (`Memtable::merged_chunks`) lists keys in ascending order —
//! numeric for int64 (negative keys first) and uint64 (keys past 2^63 last), bytewise for
//! utf8 — each once, with its newest value per column at the snapshot and a tombstone flag,
//! the key column filled in for every row.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use std::sync::Arc;

use arrow_array::{Int64Array, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use memtable_util::{ALL, KEYS, batch, merged, merged_int_keys};
use murr_core::memtable::Memtable;

#[test]
fn int64_keys_iterate_numerically() {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    let mem = Memtable::new("t", schema.clone(), "id").unwrap();
    let keys = vec![5, -1, i64::MIN, 0, 256, -256, i64::MAX, 1, 255];
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(keys.clone()))]).unwrap();
    mem.insert(1, &batch).unwrap();
    let mut want: Vec<i128> = keys.into_iter().map(i128::from).collect();
    want.sort_unstable();
    assert_eq!(merged_int_keys(&mem, 1), want);
}

#[test]
fn uint64_keys_iterate_numerically() {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::UInt64, false)]));
    let mem = Memtable::new("t", schema.clone(), "id").unwrap();
    let keys = vec![u64::MAX, 1 << 63, 0, 256, 255, (1 << 63) - 1, 1];
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(UInt64Array::from(keys.clone()))]).unwrap();
    mem.insert(1, &batch).unwrap();
    let mut want: Vec<i128> = keys.into_iter().map(i128::from).collect();
    want.sort_unstable();
    assert_eq!(merged_int_keys(&mem, 1), want);
}

#[test]
fn merged_rows_hold_newest_values_and_tombstones() {
    for kt in ALL {
        let mem = kt.memtable();
        let all: Vec<usize> = (0..KEYS).collect();
        let rows: Vec<_> = all
            .iter()
            .map(|&k| (k, [Some(k as i64), None, Some(1)]))
            .collect();
        mem.insert(1, &batch(kt, &rows, &[1, 2, 3], 0)).unwrap();
        mem.delete(2, kt.keys(&[3, 4]).as_ref()).unwrap();
        mem.insert(3, &batch(kt, &[(4, [None, Some(44), None])], &[2], 0))
            .unwrap();
        mem.insert(4, &batch(kt, &[(0, [Some(100), None, None])], &[1], 0))
            .unwrap();
        // Seq 5 is above the snapshot: invisible.
        mem.insert(5, &batch(kt, &[(1, [Some(-7), None, None])], &[1], 0))
            .unwrap();

        let merged = merged(kt, &mem, 4);
        let order: Vec<usize> = merged.iter().map(|r| r.key).collect();
        assert_eq!(order, kt.sorted(all.clone()), "{kt:?}");
        for row in &merged {
            let cell = |c: usize| row.cells[c];
            match row.key {
                0 => assert_eq!((cell(1), cell(3)), (Some(Some(100)), Some(Some(1)))),
                1 => assert_eq!(cell(1), Some(Some(1))),
                3 => {
                    assert!(row.tombstone && !row.has_values);
                    assert_eq!((cell(1), cell(2), cell(3)), (None, None, None));
                }
                4 => {
                    assert!(row.tombstone && row.has_values);
                    assert_eq!((cell(1), cell(2), cell(3)), (None, Some(Some(44)), None));
                }
                _ => assert!(!row.tombstone && cell(2) == Some(None)),
            }
        }
        assert_eq!(merged.len(), KEYS);
        assert!(memtable_util::merged(kt, &mem, 0).is_empty());
    }
}
