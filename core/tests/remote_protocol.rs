//! The steps of the remote protocol and their misuse: the tail fetch, the exact footer
//! range when the tail does not hold it, and the errors of bad tails, misplaced or useless
//! supplies and an early finish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use murr_core::segment::remote::{ByteRange, OPEN_FETCH_LEN, OpenStep, RemoteSegment};
use remote_util::{key_array, segment};

fn ready(step: OpenStep) -> RemoteSegment {
    match step {
        OpenStep::Ready(seg) => *seg,
        OpenStep::Need(r) => panic!("needs {r:?}"),
    }
}

#[test]
fn open_asks_for_the_tail_then_exactly_the_footer() {
    let file = segment(true, 5000, true, 512, 1);
    let len = file.len() as u64;
    assert_eq!(
        RemoteSegment::open_range(len),
        ByteRange {
            offset: len - OPEN_FETCH_LEN,
            len: OPEN_FETCH_LEN
        }
    );
    assert_eq!(
        RemoteSegment::open_range(100),
        ByteRange {
            offset: 0,
            len: 100
        }
    );
    // From the last 64 bytes only: the footer's exact range is asked for.
    let tail = &file[file.len() - 64..];
    let OpenStep::Need(r) = RemoteSegment::open(len, len - 64, tail, "t").unwrap() else {
        panic!("the footer is not in the trailer");
    };
    assert_eq!(r.end(), len);
    let seg = ready(RemoteSegment::open(len, r.offset, &file[r.offset as usize..], "t").unwrap());
    assert_eq!(seg.row_count(), 5000);
    assert_eq!(seg.file_len(), len);
    // The whole file as the tail: only its last 64 KiB before the footer are kept.
    let seg = ready(RemoteSegment::open(len, 0, &file, "t").unwrap());
    let keys = key_array(true, &[Some(2), Some(3)]);
    let plan = seg.plan_get(keys.as_ref(), &["s", "i32"]).unwrap();
    assert!(!plan.needed().is_empty());
    // A file under 64 KiB comes whole with the first fetch: a read needs nothing more.
    let small = segment(true, 200, true, 512, 1);
    assert!((small.len() as u64) < OPEN_FETCH_LEN);
    let seg = ready(RemoteSegment::open(small.len() as u64, 0, &small, "t").unwrap());
    let plan = seg.plan_get(keys.as_ref(), &["s", "i32"]).unwrap();
    assert!(plan.is_done() && plan.needed().is_empty());
    let (batch, found) = plan.finish().unwrap();
    assert_eq!((batch.num_rows(), found.len()), (2, 2));
}

#[test]
fn bad_tails_are_errors() {
    let file = segment(false, 100, false, 512, 2);
    let len = file.len() as u64;
    // Too short a file, a tail that does not reach the end, one shorter than the trailer.
    assert!(RemoteSegment::open(79, 0, &[0; 79], "t").is_err());
    assert!(RemoteSegment::open(len, 0, &file[..file.len() - 1], "t").is_err());
    assert!(RemoteSegment::open(len, len - 10, &file[file.len() - 10..], "t").is_err());
    assert!(RemoteSegment::open(len + 1, 1, &file, "t").is_err());
    let mut bad = file.clone();
    let n = bad.len();
    bad[n - 70] ^= 1; // in the footer
    assert!(RemoteSegment::open(len, 0, &bad, "t").is_err());
}

#[test]
fn misplaced_useless_and_early_calls_are_errors() {
    let file = segment(false, 20_000, false, 512, 3);
    let len = file.len() as u64;
    let r = RemoteSegment::open_range(len);
    let seg = ready(RemoteSegment::open(len, r.offset, &file[r.offset as usize..], "t").unwrap());
    let keys = key_array(false, &[Some(10), Some(11)]);
    let mut plan = seg.plan_get(keys.as_ref(), &["i32"]).unwrap();
    let needed = plan.needed();
    assert!(!needed.is_empty() && !plan.is_done());
    // Beyond the file, and bytes holding no needed page.
    assert!(plan.supply(len - 10, &[0; 20]).is_err());
    assert!(plan.supply(len - 10, &[0; 10]).is_err());
    let first = needed[0];
    assert!(plan.supply(first.offset, &[]).is_err());
    let bytes = &file[first.offset as usize..first.end() as usize];
    assert!(plan.supply(first.offset + 1, &bytes[1..]).is_err());
    // A flipped bit in a needed page.
    let mut flipped = bytes.to_vec();
    flipped[0] ^= 0x10;
    let mut other = seg.plan_get(keys.as_ref(), &["i32"]).unwrap();
    let e = other.supply(first.offset, &flipped).unwrap_err();
    assert!(e.to_string().contains("checksum"), "{e}");
    // An early finish.
    assert!(plan.finish().is_err());
}

#[test]
fn segments_and_plans_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<RemoteSegment>();
    send_sync::<murr_core::segment::remote::GetPlan>();
    send_sync::<murr_core::segment::remote::KeptPages>();
}
