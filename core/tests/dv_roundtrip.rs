//! Any set of rows survives the Iceberg blob and the `.dv` file unchanged: empty, sparse,
//! dense, and bitmaps holding each kind of Roaring container (array, bitmap, run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use murr_core::dv::DeletionVector;
use proptest::prelude::*;

/// Checks both byte forms of `dv` decode back to it, with `rows` rows in the segment.
fn round_trip(dv: &DeletionVector, rows: u64) {
    let blob = dv.to_iceberg_blob();
    assert_eq!(&DeletionVector::from_iceberg_blob(&blob).unwrap(), dv);
    let file = dv.encode_file(7, rows);
    assert_eq!(
        &DeletionVector::decode_file(&file, "t.dv", 7, rows).unwrap(),
        dv
    );
}

/// The segment row count a vector needs: one past its largest row.
fn rows_for(dv: &DeletionVector) -> u64 {
    dv.bitmap().max().map_or(0, |m| u64::from(m) + 1)
}

/// Row sets of every shape: sparse anywhere below 2^32, clustered in a few 64 Ki chunks,
/// dense ranges (run containers after optimizing, bitmap containers when interleaved).
fn row_sets() -> impl Strategy<Value = Vec<u32>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u32>(), 0..200),
        prop::collection::vec(0u32..200_000, 0..6_000),
        (any::<u32>(), 1u32..100_000)
            .prop_map(|(start, len)| { (start..start.saturating_add(len)).collect() }),
        (0u32..1_000_000, 2u32..4)
            .prop_map(|(start, step)| { (start..start + 70_000).step_by(step as usize).collect() }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_row_set(rows in row_sets(), extra in 0u64..10) {
        let dv = DeletionVector::from_rows(rows.iter().copied());
        let expected: BTreeSet<u32> = rows.into_iter().collect();
        prop_assert_eq!(dv.len(), expected.len() as u64);
        prop_assert!(dv.bitmap().iter().eq(expected.iter().copied()));
        round_trip(&dv, rows_for(&dv) + extra);
    }

    #[test]
    fn union_is_the_set_union(a in row_sets(), b in row_sets()) {
        let (da, db) = (DeletionVector::from_rows(a.clone()), DeletionVector::from_rows(b.clone()));
        let expected: BTreeSet<u32> = a.into_iter().chain(b).collect();
        let u = da.union(&db);
        prop_assert!(u.bitmap().iter().eq(expected.iter().copied()));
        round_trip(&u, rows_for(&u));
    }
}

#[test]
fn each_container_kind() {
    // array (≤ 4096 values), bitmap (> 4096 scattered values), run (a long range).
    let array: Vec<u32> = (0..4096).map(|i| i * 16).collect();
    let bitmap: Vec<u32> = (0..30_000).map(|i| (1 << 16) + i * 2).collect();
    let run: Vec<u32> = ((2 << 16)..(2 << 16) + 60_000).collect();
    let full: Vec<u32> = ((3 << 16)..(4 << 16)).collect();
    for rows in [&array, &bitmap, &run, &full] {
        round_trip(&DeletionVector::from_rows(rows.iter().copied()), 1 << 20);
    }
    let all = DeletionVector::from_rows(
        array
            .iter()
            .chain(&bitmap)
            .chain(&run)
            .chain(&full)
            .copied(),
    );
    round_trip(&all, 1 << 20);
    // The run-optimized blob stores the range as a run: far smaller than its bitmap.
    let ranged = DeletionVector::from_rows(run.iter().copied());
    assert!(ranged.to_iceberg_blob().len() < 64);
}

#[test]
fn extremes() {
    round_trip(&DeletionVector::from_rows([u32::MAX]), 1 << 32);
    round_trip(&DeletionVector::from_rows([0]), 1);
    round_trip(&DeletionVector::new(), 0);
    let mut dv = DeletionVector::new();
    assert!(dv.insert(3));
    assert!(!dv.insert(3));
    assert!(dv.contains(3) && !dv.contains(4));
    assert_eq!((dv.len(), dv.is_empty()), (1, false));
}
