//! Property: for any segment (int64 or utf8 keys, full or partial rows, 512 B or 4 KiB
//! pages) and any keys and columns, a remote read driven range by range returns what
//! `Segment::get` returns.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use murr_core::segment::Segment;
use proptest::prelude::*;
use remote_util::{COLUMNS, Stats, get, honest, key_array, open, open_minimal, segment};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn remote_read_equals_local_read(
        utf8 in any::<bool>(),
        partial in any::<bool>(),
        rows in 0u64..1500,
        page in prop::sample::select(vec![512u32, 4096]),
        seed in any::<u64>(),
        minimal in any::<bool>(),
        gap in prop::sample::select(vec![0u64, 100, 4096, 1 << 20]),
        ks in prop::collection::vec(prop::option::weighted(0.95, 0u64..3100), 0..60),
        cols in prop::collection::vec(prop::sample::select(COLUMNS.iter().copied().chain(["key"]).collect::<Vec<_>>()), 0..6),
    ) {
        let file = segment(utf8, rows, partial, page, seed);
        let mut stats = Stats::default();
        let seg = if minimal {
            open_minimal(&file, &mut honest, &mut stats).unwrap()
        } else {
            open(&file, &mut honest, &mut stats).unwrap()
        }
        .with_gap(gap);
        let keys = key_array(utf8, &ks);
        let local = Segment::from_bytes(file.clone(), "local").unwrap();
        let want = local.get(keys.as_ref(), &cols).unwrap();
        let got = get(&seg, &file, &keys, &cols, &mut honest, &mut stats).unwrap();
        prop_assert_eq!(got, want);
    }
}
