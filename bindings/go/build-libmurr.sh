#!/usr/bin/env bash
# Builds libmurr for the Go binding and copies it into bindings/go/lib/ (libmurr.a for the
# default static link, libmurr.so + libmurr.so.0 for the murr_dynamic build tag).
# Run by `go generate` in bindings/go, and by scripts/test-go.sh.
#
# Environment (optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/ of the workspace)
#   MURR_PROFILE      release (default) or debug
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
profile=${MURR_PROFILE:-release}
target_dir=${CARGO_TARGET_DIR:-$root/target}
flags=(--locked -p murr-ffi --manifest-path "$root/Cargo.toml" --target-dir "$target_dir")
[ "$profile" = release ] && flags+=(--release)
cargo build "${flags[@]}"
mkdir -p "$here/lib"
cp -f "$target_dir/$profile/libmurr.a" "$here/lib/libmurr.a"
cp -f "$target_dir/$profile/libmurr.so" "$here/lib/libmurr.so.0"
ln -sf libmurr.so.0 "$here/lib/libmurr.so"
