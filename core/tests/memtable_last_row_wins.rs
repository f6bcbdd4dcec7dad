//! Within one batch the last row of a key wins, for every column the batch carries
//! (including an explicit null), and columns it leaves out keep their older values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use memtable_util::{ALL, batch, value_at};
use murr_core::memtable::{Cell, KeyState};

#[test]
fn last_row_of_a_key_wins_within_a_batch() {
    for kt in ALL {
        let mem = kt.memtable();
        mem.insert(
            1,
            &batch(kt, &[(0, [Some(1), Some(1), Some(1)])], &[1, 2, 3], 0),
        )
        .unwrap();
        // Key 0 three times, key 1 once; column "c" (3) left out.
        let rows = [
            (0, [Some(10), Some(10), None]),
            (1, [Some(5), Some(5), None]),
            (0, [Some(20), Some(20), None]),
            (0, [None, Some(30), None]),
        ];
        mem.insert(2, &batch(kt, &rows, &[2, 1], 1)).unwrap();
        assert_eq!(mem.len(), 3, "one entry per key and write");

        let keys = kt.keys(&[0, 1]);
        let lookup = mem.get(keys.as_ref(), &[1, 2, 3], 2).unwrap();
        let values: Vec<Option<Option<i64>>> = (0..3)
            .map(|j| match lookup.cell(0, j) {
                Cell::Resolved(c) => Some(value_at(c.array().unwrap().as_ref(), c.row)),
                _ => None,
            })
            .collect();
        assert_eq!(
            values,
            vec![Some(None), Some(Some(30)), Some(Some(1))],
            "{kt:?}"
        );
        assert_eq!(lookup.state(1), KeyState::Live);
        assert!(matches!(lookup.cell(1, 2), Cell::Unresolved));

        let merged = memtable_util::merged(kt, &mem, 2);
        assert_eq!(merged.len(), 2);
        let out = lookup.to_batch().unwrap();
        assert_eq!(value_at(out.column(1).as_ref(), 0), Some(30));
        assert_eq!(value_at(out.column(0).as_ref(), 0), None);
    }
}
