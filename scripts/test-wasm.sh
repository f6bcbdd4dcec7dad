#!/usr/bin/env bash
# The WASM segment reader's tests: builds wasm/pkg (scripts/build-wasm.sh), installs the
# test dependencies (npm ci: apache-arrow, from wasm/package-lock.json) and runs the Node
# tests (wasm/test/*.test.mjs) against the golden files in tests/golden/, after type-checking
# test/types.ts against the generated TypeScript declarations.
# Installs wasm-bindgen-cli (the exact version of the wasm-bindgen crate) if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # = the wasm-bindgen crate's version in wasm/Cargo.toml
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    echo "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)" >&2
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" >&2
fi
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool not found: run scripts/setup.sh" >&2
        exit 1
    fi
done

# The golden files and the Rust answers beside them are what the core writes and says today.
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
cargo run --quiet --locked -p murr-core --example write_golden -- "$fresh"
if ! diff -r tests/golden "$fresh"; then
    echo "tests/golden is stale: run cargo run -p murr-core --example write_golden -- tests/golden" >&2
    exit 1
fi

# A big segment (~25 MB) for the RemoteSegment test of how little point reads fetch.
cargo run --quiet --locked --release -p murr-core --example write_big -- "$fresh/big.murr" 500000
export MURR_BIG_SEGMENT="$fresh/big.murr"

scripts/build-wasm.sh
cd wasm
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install tsc -p test # the .d.ts files describe the API as the README uses it
node --test test/

# Installed as a user installs it (README "Install"): the packed tarball into a project of
# its own outside the repository, then the Node quick-start against a golden segment.
scratch=$(mktemp -d)
trap 'rm -rf "$fresh" "$scratch"' EXIT
npm pack --silent --pack-destination "$scratch" >/dev/null
tarball=$(ls "$scratch"/libmurr-segment-reader-*.tgz)
arrow_version=$(node -p "require('./package.json').devDependencies['apache-arrow']")
golden=$(pwd)/../tests/golden/all_types.murr
cd "$scratch"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball" "apache-arrow@$arrow_version"
cat > quickstart.mjs <<'JS'
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { SegmentReader } from '@libmurr/segment-reader';
import { RemoteSegment } from '@libmurr/segment-reader/remote';

const bytes = readFileSync(process.argv[2]);
const reader = new SegmentReader(bytes);
const key = reader.schema().key;
const result = reader.get(['k00', 'absent'], [key]);
const found = Array.from(result.found);
const rows = tableFromIPC(result.ipc).numRows;
result.free();
reader.free();
if (found.join() !== '1,0' || rows !== 2) throw new Error(`quick-start: found ${found}, ${rows} rows`);
const seg = await RemoteSegment.open(
  { size: bytes.length, fetchRange: async (o, n) => bytes.subarray(o, o + n) },
  { name: 'all_types.seg' });
const remote = await seg.get(['k00'], [key]);
const remoteFound = Array.from(remote.found);
remote.free();
seg.free();
if (remoteFound.join() !== '1') throw new Error(`quick-start (remote): found ${remoteFound}`);
console.log('installed package: SegmentReader and RemoteSegment read the golden segment');
JS
node quickstart.mjs "$golden"
