//! Two readers and one writer at once: every read at a published snapshot S sees exactly
//! the writes with sequence numbers <= S — never a later one, never a missing one — while
//! the writer keeps inserting partial upserts and deletes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod memtable_util;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use memtable_util::{KEYS, Kt, batch, value_at};
use murr_core::memtable::{Cell, KeyState};

const WRITES: u64 = 3000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Unresolved,
    Deleted,
    Value(Option<i64>),
}

/// What write `s` does: `Err(key)` deletes a key; `Ok(rows, cols)` upserts.
#[allow(clippy::type_complexity)]
fn schedule(s: u64) -> Result<(Vec<(usize, [Option<i64>; 3])>, Vec<usize>), usize> {
    let v = s as i64;
    if s.is_multiple_of(11) {
        return Err((s % 8) as usize);
    }
    let b = (!s.is_multiple_of(3)).then_some(-v); // an explicit null every third write
    let rows = vec![
        ((s % 8) as usize, [Some(v), b, None]),
        (((s * 3 + 1) % 8) as usize, [Some(v), b, None]),
    ];
    let cols = if s.is_multiple_of(2) {
        vec![1, 2]
    } else {
        vec![1]
    };
    Ok((rows, cols))
}

/// For every snapshot 0..=WRITES, per key: state and the cells of columns 1 and 2.
fn expected() -> Vec<Vec<(KeyState, [Expect; 2])>> {
    let mut now = vec![(KeyState::Absent, [Expect::Unresolved; 2]); KEYS];
    let mut all = vec![now.clone()];
    for s in 1..=WRITES {
        match schedule(s) {
            Err(k) => now[k] = (KeyState::Deleted, [Expect::Deleted; 2]),
            Ok((rows, cols)) => {
                for (k, vals) in rows {
                    now[k].0 = KeyState::Live;
                    for &c in &cols {
                        now[k].1[c - 1] = Expect::Value(vals[c - 1]);
                    }
                }
            }
        }
        all.push(now.clone());
    }
    all
}

#[test]
fn readers_see_exactly_the_published_writes() {
    let kt = Kt::Int64;
    let mem = kt.memtable();
    let expected = expected();
    let published = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let keys = kt.keys(&(0..KEYS).collect::<Vec<_>>());

    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..2u64)
            .map(|r| {
                let (mem, expected, published, done, keys) =
                    (&mem, &expected, &published, &done, &keys);
                scope.spawn(move || {
                    let mut reads = 0u64;
                    while !done.load(Ordering::Acquire) || reads < 10 {
                        let top = published.load(Ordering::Acquire);
                        // Reader 1 also reads a little in the past.
                        let snapshot = top.saturating_sub(r * (reads % 5));
                        let lookup = mem.get(keys.as_ref(), &[1, 2], snapshot).unwrap();
                        for (k, want) in expected[snapshot as usize].iter().enumerate() {
                            assert_eq!(lookup.state(k), want.0, "key {k} at {snapshot}");
                            for j in 0..2 {
                                let got = match lookup.cell(k, j) {
                                    Cell::Unresolved => Expect::Unresolved,
                                    Cell::Deleted => Expect::Deleted,
                                    Cell::Resolved(c) => {
                                        Expect::Value(value_at(c.array().unwrap().as_ref(), c.row))
                                    }
                                };
                                assert_eq!(got, want.1[j], "key {k} column {j} at {snapshot}");
                            }
                        }
                        reads += 1;
                    }
                    reads
                })
            })
            .collect();

        for s in 1..=WRITES {
            match schedule(s) {
                Err(k) => mem.delete(s, kt.keys(&[k]).as_ref()).unwrap(),
                Ok((rows, cols)) => mem.insert(s, &batch(kt, &rows, &cols, 0)).unwrap(),
            }
            published.store(s, Ordering::Release);
        }
        done.store(true, Ordering::Release);
        for reader in readers {
            assert!(reader.join().unwrap() >= 10);
        }
    });
    assert_eq!(mem.max_seq(), WRITES);
}
