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
