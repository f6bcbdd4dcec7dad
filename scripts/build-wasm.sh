#!/usr/bin/env bash
# Builds the browser/Node segment reader (wasm/) into wasm/pkg/ (gitignored):
#   wasm/pkg/node/  wasm-bindgen --target nodejs (CommonJS, loads the .wasm synchronously)
#   wasm/pkg/web/   wasm-bindgen --target web    (ES module; call the default export `init`)
# with the size profile [profile.wasm-release] and no wasm-opt (see docs/TOOLCHAIN.md).
# Prints the .wasm's size, raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130 # = the wasm-bindgen crate's version in wasm/Cargo.toml
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    echo "wasm-bindgen $WASM_BINDGEN_VERSION not found: run scripts/setup.sh" \
        "(cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION)" >&2
    exit 1
fi

target_dir=${CARGO_TARGET_DIR:-target}
cargo build -p murr-wasm --target wasm32-unknown-unknown --profile wasm-release --locked
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/murr_wasm.wasm"

rm -rf wasm/pkg
wasm-bindgen --target nodejs --out-dir wasm/pkg/node --out-name murr "$wasm"
wasm-bindgen --target web --out-dir wasm/pkg/web --out-name murr "$wasm"

out=wasm/pkg/node/murr_bg.wasm
printf 'wasm: %s bytes, %s gzipped (%s)\n' "$(wc -c <"$out")" "$(gzip -9c "$out" | wc -c)" "$out"
