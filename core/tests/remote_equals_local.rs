//! A remote read (the sans-IO `RemoteSegment` driven over the file's bytes) returns exactly
//! what `Segment::get` returns, for int64 and utf8 keys, full and partial rows, every column
//! type, present, absent, duplicate and null keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use murr_core::segment::Segment;
use remote_util::{COLUMNS, Rng, Stats, get, honest, key_array, open, open_minimal, segment};

fn check(utf8: bool, rows: u64, partial: bool, page: u32, seed: u64) {
    let file = segment(utf8, rows, partial, page, seed);
    let local = Segment::from_bytes(file.clone(), "local").unwrap();
    let mut stats = Stats::default();
    // Odd seeds open from the last 64 bytes only: every page is then fetched.
    let remote = if (seed / 100) % 2 == 1 {
        open_minimal(&file, &mut honest, &mut stats).unwrap()
    } else {
        open(&file, &mut honest, &mut stats).unwrap()
    };
    assert_eq!(remote.schema(), local.schema());
    assert_eq!(remote.row_count(), rows);
    let mut rng = Rng(seed.wrapping_mul(31) | 1);
    for _ in 0..4 {
        let n = rng.below(40) as usize;
        let ks: Vec<Option<u64>> = (0..n)
            .map(|_| (!rng.chance(5)).then(|| rng.below(rows * 2 + 4)))
            .collect();
        let keys = key_array(utf8, &ks);
        let mut cols: Vec<&str> = COLUMNS.iter().copied().filter(|_| rng.chance(50)).collect();
        if rng.chance(30) {
            cols.push("key");
        }
        let want = local.get(keys.as_ref(), &cols).unwrap();
        let got = get(&remote, &file, &keys, &cols, &mut honest, &mut stats).unwrap();
        assert_eq!(
            got, want,
            "utf8 {utf8} rows {rows} partial {partial} keys {ks:?}"
        );
    }
}

#[test]
fn remote_reads_equal_local_reads() {
    for seed in 1..6 {
        for utf8 in [false, true] {
            for partial in [false, true] {
                for (rows, page) in [(0, 512), (1, 512), (50, 512), (700, 512), (3000, 4096)] {
                    check(utf8, rows, partial, page, seed * 100 + rows);
                }
            }
        }
    }
}

#[test]
fn unknown_column_and_wrong_key_type_are_errors() {
    let file = segment(false, 10, false, 512, 3);
    let remote = open(&file, &mut honest, &mut Stats::default()).unwrap();
    let keys = key_array(false, &[Some(2)]);
    assert!(remote.plan_get(keys.as_ref(), &["nope"]).is_err());
    let keys = key_array(true, &[Some(2)]);
    assert!(remote.plan_get(keys.as_ref(), &["i32"]).is_err());
}
