//! Hostile input (standing in for a fuzz target until this branch has `fuzz/`): byte soup
//! after a valid file header, and valid logs with random bytes overwritten, never panic or
//! loop, and never yield a record that is not the original record at that offset.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod wal_util;

use std::sync::OnceLock;

use murr_core::Error;
use murr_core::wal::RecoveryMode;
use proptest::prelude::*;
use wal_util::{Log, read, small_log};

/// The small log, built once.
fn log() -> &'static Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    LOG.get_or_init(small_log)
}

fn reads_only_originals(bytes: &[u8], recs: &[Vec<u8>], offsets: &[u64]) {
    for mode in [RecoveryMode::Strict, RecoveryMode::SkipCorrupt] {
        let got = read(bytes, mode);
        match &got.error {
            None | Some(Error::Corrupt { .. }) => {}
            Some(e) => panic!("{mode:?}: unexpected {e}"),
        }
        for (offset, r) in &got.records {
            let i = offsets.iter().position(|o| o == offset);
            assert!(
                i.is_some_and(|i| recs[i] == *r),
                "{mode:?}: a record at {offset} that was never written"
            );
        }
        let mut last_end = 0;
        for &(start, len) in &got.skipped {
            assert!(start >= last_end && len > 0, "{:?}", got.skipped);
            last_end = start + len;
        }
        assert!(last_end <= bytes.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn soup_after_a_header(seed in any::<u64>(), len in 0usize..80_000, small in any::<bool>()) {
        let (_, bytes, offsets) = log();
        let mut log = bytes[..offsets[0] as usize].to_vec();
        // xorshift64*: proptest's own byte vectors are slow to build in debug.
        let mut x = seed | 1;
        log.extend((0..len).map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
            // A small alphabet makes plausible headers (types 1-4, short lengths) common.
            if small { r % 6 } else { r }
        }));
        reads_only_originals(&log, &[], &[]);
    }

    #[test]
    fn overwritten_bytes(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
        cut in any::<prop::sample::Index>(),
    ) {
        let (recs, bytes, offsets) = log();
        let mut bytes = bytes.clone();
        let header = offsets[0] as usize;
        for (at, value) in edits {
            let at = header + at.index(bytes.len() - header);
            bytes[at] = value;
        }
        let keep = header + cut.index(bytes.len() - header + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        reads_only_originals(&bytes, recs, offsets);
    }
}
