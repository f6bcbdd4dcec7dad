//! Pages kept between remote reads: a repeated read fetches nothing, a new one less, the
//! keep limit holds, and pages of another open are not taken.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod remote_util;

use murr_core::segment::Segment;
use murr_core::segment::remote::{GetPlan, KeptPages, RemoteSegment};
use remote_util::{Stats, honest, key_array, open_minimal, segment};

/// Drives `plan` over `file`; the bytes fetched and the finished plan's pages.
fn drive(
    mut plan: GetPlan,
    file: &[u8],
) -> (u64, (arrow_array::RecordBatch, Vec<bool>), KeptPages) {
    let mut bytes = 0;
    while !plan.needed().is_empty() {
        for r in plan.needed() {
            bytes += r.len;
            plan.supply(r.offset, &file[r.offset as usize..r.end() as usize])
                .unwrap();
        }
    }
    let (result, kept) = plan.finish_keeping().unwrap();
    (bytes, result, kept)
}

fn opened(file: &[u8]) -> RemoteSegment {
    open_minimal(file, &mut honest, &mut Stats::default()).unwrap()
}

#[test]
fn kept_pages_are_not_fetched_again() {
    let file = segment(true, 20_000, true, 512, 4);
    let local = Segment::from_bytes(file.clone(), "local").unwrap();
    let mut seg = opened(&file);
    let cols = ["s", "i32", "e"];
    let a = key_array(true, &(0..50).map(|k| Some(k * 13)).collect::<Vec<_>>());
    let b = key_array(true, &(0..50).map(|k| Some(k * 17 + 1)).collect::<Vec<_>>());

    let (first, result, kept) = drive(seg.plan_get(a.as_ref(), &cols).unwrap(), &file);
    assert!(first > 0);
    assert_eq!(result, local.get(a.as_ref(), &cols).unwrap());
    let size = kept.bytes();
    seg.keep(kept);
    assert_eq!(seg.kept_bytes(), size);

    // The same read again: nothing to fetch.
    let plan = seg.plan_get(a.as_ref(), &cols).unwrap();
    assert!(plan.needed().is_empty());
    let (again, result, _) = drive(plan, &file);
    assert_eq!(again, 0);
    assert_eq!(result, local.get(a.as_ref(), &cols).unwrap());

    // Other keys: the header and page-table pages are kept.
    let fresh = opened(&file);
    let (cold, _, _) = drive(fresh.plan_get(b.as_ref(), &cols).unwrap(), &file);
    let (warm, result, _) = drive(seg.plan_get(b.as_ref(), &cols).unwrap(), &file);
    assert!(warm < cold, "{warm} >= {cold}");
    assert_eq!(result, local.get(b.as_ref(), &cols).unwrap());
}

#[test]
fn the_limit_and_the_segment_identity_hold() {
    let file = segment(false, 5000, false, 512, 6);
    let keys = key_array(false, &(0..30).map(|k| Some(k * 31)).collect::<Vec<_>>());
    let donor = opened(&file);
    let (_, _, kept) = drive(donor.plan_get(keys.as_ref(), &["s"]).unwrap(), &file);
    let size = kept.bytes();
    assert!(size > 4096);

    // Pages of another open of the same file are not taken.
    let mut other = opened(&file);
    other.keep(kept.clone());
    assert_eq!(other.kept_bytes(), 0);

    let seg = opened(&file);
    let (_, _, kept) = drive(seg.plan_get(keys.as_ref(), &["s"]).unwrap(), &file);
    let mut limited = seg.with_keep_limit(4096);
    limited.keep(kept);
    assert!(limited.kept_bytes() <= 4096 && limited.kept_bytes() > 0);
}

#[test]
fn a_plan_in_progress_lives_beside_a_segment_that_keeps_pages() {
    let file = segment(true, 20_000, true, 512, 4);
    let local = Segment::from_bytes(file.clone(), "local").unwrap();
    let mut seg = opened(&file);
    let cols = ["s", "i32"];
    let a = key_array(true, &(0..40).map(|k| Some(k * 11)).collect::<Vec<_>>());
    let b = key_array(true, &(0..40).map(|k| Some(k * 7 + 3)).collect::<Vec<_>>());

    // Plan `a` takes its first round of pages; meanwhile `b` runs whole and its pages are
    // kept (the segment is mutated while `a` is held); then `a` finishes.
    let mut pa = seg.plan_get(a.as_ref(), &cols).unwrap();
    for r in pa.needed() {
        pa.supply(r.offset, &file[r.offset as usize..r.end() as usize])
            .unwrap();
    }
    let (_, result_b, kept_b) = drive(seg.plan_get(b.as_ref(), &cols).unwrap(), &file);
    seg.keep(kept_b);
    assert!(seg.kept_bytes() > 0);
    let (_, result_a, kept_a) = drive(pa, &file);
    seg.keep(kept_a);
    assert_eq!(result_a, local.get(a.as_ref(), &cols).unwrap());
    assert_eq!(result_b, local.get(b.as_ref(), &cols).unwrap());
    // Both reads' pages are kept: repeating either fetches nothing.
    for keys in [&a, &b] {
        assert!(
            seg.plan_get(keys.as_ref(), &cols)
                .unwrap()
                .needed()
                .is_empty()
        );
    }
}
