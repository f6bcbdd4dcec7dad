#!/usr/bin/env bash
# The WASM package in headless Chromium: the demo page (wasm/demo/) reads keys from a
# ~108 MB remote segment through the package's web entry (RemoteSegment over HTTP Range
# requests to wasm/demo/serve.mjs) and shows them in a table; wasm/test-browser/ drives
# Chromium through chromedriver (WebDriver over HTTP, no npm package) and checks the table
# against the Rust core (core/examples/read_keys.rs) and the bytes the server sent.
# Needs chromium and chromium-driver (scripts/setup.sh installs them with apt) and Node 18+.
# Everything it starts is stopped on exit; the segment lives in a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
if [ -z "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ] || ! command -v node >/dev/null 2>&1; then
    echo "chromium, chromedriver or node not found: run scripts/setup.sh" >&2
    exit 1
fi
export CHROMIUM CHROMEDRIVER

tmp=$(mktemp -d)
group=""
cleanup() {
    # The test's process group: node, chromedriver and Chromium, if any is still there.
    if [ -n "$group" ]; then kill -- "-$group" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Absolute: the test runs from wasm/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
cargo build --quiet --locked --release -p murr-core --example write_big --example read_keys
# 1.7M rows of the workload table (10 float32 columns): ~108 MB (format 3), written in ~2 s.
"$target_dir/release/examples/write_big" "$tmp/big.murr" 1700000
export MURR_BROWSER_SEGMENT="$tmp/big.murr"
export MURR_READ_KEYS="$target_dir/release/examples/read_keys"

scripts/build-wasm.sh

# In its own process group (setsid), so that the trap can stop whatever it started.
(cd wasm && exec setsid node --test test-browser/) &
group=$!
wait "$group"
