//! Writes the workload table (`docs/WORKLOAD.md`: keys `workload::key(i)`, 10 float32 columns
//! `f0`..`f9`) of `ROWS` rows (default 500000, ~25 MB) to `PATH`, for the WASM package's
//! `RemoteSegment` test of how few bytes point reads fetch (`scripts/test-wasm.sh`).
//!
//! ```text
//! cargo run --release -p murr-core --example write_big -- PATH [ROWS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use murr_core::segment::SegmentWriter;
use murr_workload as workload;

const COLUMNS: usize = 10;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: write_big PATH [ROWS]");
    let rows: u64 = args.next().map_or(500_000, |r| r.parse().expect("ROWS"));
    let mut w = SegmentWriter::new(workload::schema(COLUMNS), "key").unwrap();
    let mut start = 0;
    while start < rows {
        let len = (rows - start).min(100_000) as usize;
        w.push(&workload::batch(start, len, COLUMNS).unwrap())
            .unwrap();
        start += len as u64;
    }
    w.finish_to_file(&path).unwrap();
}
