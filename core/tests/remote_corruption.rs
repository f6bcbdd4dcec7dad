//! Whatever a server does to the bytes it serves — a flipped bit anywhere, a short response
//! — a remote read gives an error or the right answer, never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use arrow_array::{ArrayRef, RecordBatch};
use murr_core::segment::Segment;
use remote_util::{COLUMNS, Serve, Stats, get, key_array, open, open_minimal, segment};

type Answer = (RecordBatch, Vec<bool>);

/// Opens (from the last 64 bytes only with `minimal`) and reads through `serve`.
fn read(file: &[u8], minimal: bool, keys: &ArrayRef, serve: &mut Serve<'_>) -> Option<Answer> {
    let mut stats = Stats::default();
    let seg = if minimal {
        open_minimal(file, serve, &mut stats)
    } else {
        open(file, serve, &mut stats)
    }
    .ok()?;
    let cols: Vec<&str> = COLUMNS.iter().copied().chain(["key"]).collect();
    get(&seg, file, keys, &cols, serve, &mut stats).ok()
}

fn files() -> Vec<(Vec<u8>, ArrayRef, Answer)> {
    let mut out = Vec::new();
    for (utf8, partial) in [(false, true), (true, true), (true, false)] {
        let file = segment(utf8, 40, partial, 512, 11);
        let ks: Vec<Option<u64>> = vec![Some(0), Some(3), Some(78), None, Some(40), Some(40)];
        let keys = key_array(utf8, &ks);
        let local = Segment::from_bytes(file.clone(), "local").unwrap();
        let cols: Vec<&str> = COLUMNS.iter().copied().chain(["key"]).collect();
        let want = local.get(keys.as_ref(), &cols).unwrap();
        out.push((file, keys, want));
    }
    out
}

#[test]
fn every_bit_flip_of_served_bytes_gives_an_error_or_the_right_answer() {
    for (file, keys, want) in files() {
        let mut errors = 0;
        for minimal in [false, true] {
            for at in 0..file.len() as u64 {
                let bit = 1u8 << (at % 8);
                let mut serve = |offset: u64, b: &[u8]| {
                    let mut b = b.to_vec();
                    if let Some(x) = at.checked_sub(offset).and_then(|i| b.get_mut(i as usize)) {
                        *x ^= bit;
                    }
                    b
                };
                match read(&file, minimal, &keys, &mut serve) {
                    Some(got) => assert_eq!(got, want, "flip at {at}"),
                    None => errors += 1,
                }
            }
        }
        assert!(errors > file.len() / 2, "only {errors} flips detected");
    }
}

#[test]
fn every_short_response_gives_an_error_or_the_right_answer() {
    for (file, keys, want) in files() {
        for minimal in [false, true] {
            // Response number `victim` is cut to `keep` of its bytes.
            for victim in 0..12 {
                for cut in [0usize, 1, 63, 64, 511, 512] {
                    let mut n = 0;
                    let mut serve = |_: u64, b: &[u8]| {
                        n += 1;
                        if n - 1 == victim {
                            b[..b.len().saturating_sub(cut).min(b.len())].to_vec()
                        } else {
                            b.to_vec()
                        }
                    };
                    if let Some(got) = read(&file, minimal, &keys, &mut serve) {
                        assert_eq!(got, want, "response {victim} cut by {cut}");
                    }
                }
            }
        }
    }
}
