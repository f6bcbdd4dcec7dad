#!/usr/bin/env bash
# Runs murr-core's tests under Miri, the interpreter that detects undefined behaviour
# (out-of-bounds or misaligned accesses, invalid values, use after free, data races) in the
# unsafe code: `zeroed_bits` in core/src/segment/pages.rs, the prefetch hint in
# core/src/prefetch.rs and everything they touch through the reader.
#
# Local only, not CI: it needs the nightly toolchain and takes about 3 minutes on 2 cores
# (the smoke test writes and reads a 3,000-row segment: some 2 minutes under Miri).
# MIRI_SLOW=1 adds core/tests/corruption.rs (7 more minutes; its test that flips every bit
# of a file is skipped: hours under Miri).
#
# Miri cannot run memory maps of files (core/src/segment/backing.rs, `Segment::open`), so
# the tests that open files (core/tests/file_io.rs) are not run here; everything else uses
# `Segment::from_bytes`. The fuzz regression inputs are read from disk, so that test runs
# with isolation off. Extra arguments go to the test binaries, e.g. a test name filter.
#
#   scripts/miri.sh
#   MIRI_SLOW=1 scripts/miri.sh
#   MIRIFLAGS=-Zmiri-many-seeds=0..4 scripts/miri.sh
set -euo pipefail

cd "$(dirname "$0")/.."

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
installed=$(rustup component list --toolchain nightly --installed)
if ! grep -q '^miri' <<<"$installed" || ! grep -q '^rust-src' <<<"$installed"; then
    rustup component add --toolchain nightly miri rust-src
fi
cargo +nightly miri setup

# The library's unit tests, the end-to-end smoke test and the error tests, then the doc
# tests, then the fuzz regression inputs (fuzz/regressions/).
cargo +nightly miri test -p murr-core --lib --test smoke --test errors -- "$@"
cargo +nightly miri test -p murr-core --doc -- "$@"
MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-disable-isolation" \
    cargo +nightly miri test -p murr-core --test fuzz_regressions -- "$@"
if [[ "${MIRI_SLOW:-0}" == 1 ]]; then
    cargo +nightly miri test -p murr-core --test corruption -- --skip every_flipped_bit "$@"
fi
