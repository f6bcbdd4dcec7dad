#!/usr/bin/env bash
# Regenerates include/murr.h, libmurr's C header, from ffi/src/ with cbindgen (configured by
# ffi/cbindgen.toml). The header is checked in; scripts/test.sh regenerates it into a
# temporary file and fails on any difference.
#
#   scripts/gen-header.sh            # writes include/murr.h
#   scripts/gen-header.sh OUT.h      # writes OUT.h instead
#
# Needs cbindgen 0.29 (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-include/murr.h}"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac

if ! command -v cbindgen >/dev/null 2>&1; then
    echo "gen-header: cbindgen not found; run scripts/setup.sh" >&2
    exit 1
fi

# cbindgen warns that it cannot see arrow's FFI_Arrow* types: they are renamed to the
# standard Arrow structs, which the header's prologue declares (see ffi/cbindgen.toml).
# Any other warning is printed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
(cd ffi && cbindgen --quiet --config cbindgen.toml --crate murr-ffi --output "$out" .) 2>"$log" || {
    cat "$log" >&2
    exit 1
}
grep -v "Can't find FFI_Arrow\|not \`no_mangle\`" "$log" >&2 || true
