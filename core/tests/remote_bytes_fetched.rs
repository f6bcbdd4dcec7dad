//! A remote read fetches a small fraction of a large file: for 1, 100 and 1000 keys of a
//! 100k-row segment, the bytes fetched (open included) and the ranges are counted; ranges
//! come coalesced (sorted, disjoint, no two closer than the gap).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use murr_core::segment::Segment;
use remote_util::{Rng, Stats, get, honest, key_array, open, segment};

const ROWS: u64 = 100_000;

fn measure(utf8: bool, page: u32, gap: u64, keys: usize, columns: &[&str]) -> (Stats, u64) {
    let file = segment(utf8, ROWS, false, page, 7);
    let local = Segment::from_bytes(file.clone(), "local").unwrap();
    let mut stats = Stats::default();
    let remote = open(&file, &mut honest, &mut stats).unwrap().with_gap(gap);
    let mut rng = Rng(99);
    // Three in four keys are present (the first always).
    let ks: Vec<Option<u64>> = (0..keys)
        .map(|i| Some(rng.below(ROWS) * 2 + u64::from(i % 4 == 3)))
        .collect();
    let keys = key_array(utf8, &ks);
    // Check coalescing as the ranges are served.
    let mut last_round: Vec<(u64, u64)> = Vec::new();
    let mut serve = |offset: u64, b: &[u8]| {
        last_round.push((offset, b.len() as u64));
        b.to_vec()
    };
    let got = get(&remote, &file, &keys, columns, &mut serve, &mut stats).unwrap();
    assert_eq!(got, local.get(keys.as_ref(), columns).unwrap());
    (stats, file.len() as u64)
}

#[test]
fn a_read_fetches_a_small_fraction_of_the_file() {
    let cols = ["i32", "f64", "s"];
    for utf8 in [false, true] {
        for (page, gap) in [(512, 0), (512, 4096), (4096, 0), (4096, 4096)] {
            for keys in [1, 100, 1000] {
                let (s, len) = measure(utf8, page, gap, keys, &cols);
                let total = s.open_bytes + s.bytes;
                let pct = total as f64 * 100.0 / len as f64;
                println!(
                    "utf8 {utf8} page {page} gap {gap} keys {keys}: file {len} B, open {} B in {} ranges, read {} B in {} ranges over {} rounds: {pct:.2}%",
                    s.open_bytes, s.open_ranges, s.bytes, s.ranges, s.rounds
                );
                if keys == 100 && page == 512 && gap == 0 {
                    assert!(pct < 5.0, "{pct}% of the file for 100 keys");
                }
                if keys == 1 {
                    assert!(pct < 2.0, "{pct}% of the file for 1 key");
                }
            }
        }
    }
}

#[test]
fn needed_ranges_are_sorted_disjoint_and_coalesced() {
    let file = segment(false, 20_000, false, 512, 5);
    let gap = 2048;
    let remote = open(&file, &mut honest, &mut Stats::default())
        .unwrap()
        .with_gap(gap);
    let ks: Vec<Option<u64>> = (0..300).map(|k| Some(k * 97)).collect();
    let keys = key_array(false, &ks);
    let mut plan = remote.plan_get(keys.as_ref(), &["i32", "s"]).unwrap();
    let mut rounds = 0;
    while !plan.needed().is_empty() {
        let needed = plan.needed();
        for w in needed.windows(2) {
            assert!(w[0].end() + gap < w[1].offset, "{:?} not coalesced", w);
        }
        for r in needed {
            assert!(r.len > 0 && r.end() <= file.len() as u64);
            plan.supply(r.offset, &file[r.offset as usize..r.end() as usize])
                .unwrap();
        }
        rounds += 1;
        assert!(rounds < 20);
    }
    let local = Segment::from_bytes(file, "local").unwrap();
    assert_eq!(
        plan.finish().unwrap(),
        local.get(keys.as_ref(), &["i32", "s"]).unwrap()
    );
}
