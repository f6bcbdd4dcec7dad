#!/usr/bin/env bash
# Not part of the tests (`make bench-remote`): bytes and range requests of remote reads of
# 1, 100 and 1000 keys through the WASM package over HTTP (wasm/bench/remote.mjs), from a
# workload segment of ROWS rows (default 15M: ~1.05 GB) written to a temp dir and deleted
# afterwards. Needs ~1.1 GB of disk in $TMPDIR and ~3 GB of memory while writing.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-15000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

target_dir=${CARGO_TARGET_DIR:-target}
cargo build --quiet --locked --release -p murr-core --example write_big
echo "writing $ROWS rows to $tmp/seg.murr" >&2
"$target_dir/release/examples/write_big" "$tmp/seg.murr" "$ROWS"
scripts/build-wasm.sh
cd wasm
node bench/remote.mjs "$tmp/seg.murr"
