//! The merged view for flushing lists keys in ascending order — numeric for int64 (negative
//! keys first) and uint64 (keys past 2^63 last), bytewise for utf8 — each once, with its
//! newest value per column at the snapshot and a tombstone flag; `merged_batch` turns it
//! into one batch with the keys filled in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, UInt64Type};
use arrow_array::{Int64Array, RecordBatch, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use memtable_util::{ALL, KEYS, batch, value_at};
use murr_core::memtable::{Key, Memtable};

#[test]
fn int64_keys_iterate_numerically() {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    let mem = Memtable::new("t", schema.clone(), "id").unwrap();
    let keys = vec![5, -1, i64::MIN, 0, 256, -256, i64::MAX, 1, 255];
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(keys.clone()))]).unwrap();
    mem.insert(1, &batch).unwrap();
    let got: Vec<i64> = mem
        .iter_merged(1)
        .map(|r| match r.key().unwrap() {
            Key::Int64(v) => v,
            k => panic!("{k:?}"),
        })
        .collect();
    let mut want = keys;
    want.sort_unstable();
    assert_eq!(got, want);
    let rows: Vec<_> = mem.iter_merged(1).collect();
    let merged = mem.merged_batch(&rows).unwrap();
    assert_eq!(
        merged
            .column(0)
            .as_primitive::<Int64Type>()
            .values()
            .to_vec(),
        want
    );
}

#[test]
fn uint64_keys_iterate_numerically() {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::UInt64, false)]));
    let mem = Memtable::new("t", schema.clone(), "id").unwrap();
    let keys = vec![u64::MAX, 1 << 63, 0, 256, 255, (1 << 63) - 1, 1];
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(UInt64Array::from(keys.clone()))]).unwrap();
    mem.insert(1, &batch).unwrap();
    let rows: Vec<_> = mem.iter_merged(1).collect();
    let merged = mem.merged_batch(&rows).unwrap();
    let mut want = keys;
    want.sort_unstable();
    assert_eq!(
        merged
            .column(0)
            .as_primitive::<UInt64Type>()
            .values()
            .to_vec(),
        want
    );
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

        let merged: Vec<_> = mem.iter_merged(4).collect();
        let order: Vec<usize> = merged
            .iter()
            .map(|r| kt.index_of(r.key().unwrap()))
            .collect();
        assert_eq!(order, kt.sorted(all.clone()), "{kt:?}");
        let keys: Vec<&[u8]> = merged.iter().map(|r| r.key_bytes()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for (row, &k) in merged.iter().zip(&order) {
            let cell = |c: usize| {
                row.cell(c)
                    .map(|cell| value_at(cell.array().unwrap().as_ref(), cell.row))
            };
            match k {
                0 => assert_eq!((cell(1), cell(3)), (Some(Some(100)), Some(Some(1)))),
                1 => assert_eq!(cell(1), Some(Some(1))),
                3 => {
                    assert!(row.tombstone() && !row.has_values());
                    assert_eq!((cell(1), cell(2), cell(3)), (None, None, None));
                }
                4 => {
                    assert!(row.tombstone() && row.has_values());
                    assert_eq!((cell(1), cell(2), cell(3)), (None, Some(Some(44)), None));
                }
                _ => assert!(!row.tombstone() && cell(2) == Some(None)),
            }
        }
        let batch = mem.merged_batch(&merged).unwrap();
        assert_eq!(batch.num_rows(), KEYS);
        assert_eq!(
            batch.column(0).null_count(),
            0,
            "keys of tombstoned rows are filled"
        );
        assert_eq!(mem.iter_merged(0).count(), 0);
    }
}
