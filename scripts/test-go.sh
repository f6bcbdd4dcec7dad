#!/usr/bin/env bash
# The Go binding (bindings/go): builds libmurr into bindings/go/lib/ (build-libmurr.sh, the
# script `go generate` runs), checks formatting and go vet, then runs the tests and
# examples:
#   - linked statically (libmurr.a, the default) under the race detector, with
#     GODEBUG=cgocheck=1 (cgo's default pointer checks);
#   - linked statically again with GOEXPERIMENT=cgocheck2 (also traps Go pointers stored
#     into C memory);
#   - linked dynamically (build tag murr_dynamic), after checking the test binary loads
#     libmurr.so.0 and the static one does not;
# then the R1 benchmark on a small table (MURR_BENCH_ROWS=20000, 50 batches).
#
# Environment (all optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
#   MURR_PROFILE      the libmurr build the tests link: debug (default here) or release
set -euo pipefail
# The Go toolchain scripts/setup.sh installed, if the machine has no Go 1.21+ of its own.
. "$(dirname "$0")/go-env.sh"
if ! murr_go_ok; then
    echo "no Go 1.21+ found: run scripts/setup.sh (make test does) to install one" >&2
    exit 1
fi
cd "$(dirname "$0")/../bindings/go"

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
export MURR_PROFILE=${MURR_PROFILE:-debug}
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

step "libmurr ($MURR_PROFILE) into bindings/go/lib (build-libmurr.sh)"
./build-libmurr.sh

step "gofmt, go vet (both linkages)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
    echo "not gofmt-formatted: $unformatted" >&2
    exit 1
fi
go vet ./...
go vet -tags murr_dynamic ./...

step "go test -race (static libmurr.a, GODEBUG=cgocheck=1)"
GODEBUG=cgocheck=1 go test -race -count=1 ./...

step "go test with GOEXPERIMENT=cgocheck2 (static)"
GOEXPERIMENT=cgocheck2 go test -count=1 ./...

step "go test -tags murr_dynamic (libmurr.so)"
bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
go test -c -tags murr_dynamic -o "$bins/dynamic.test" .
go test -c -o "$bins/static.test" .
if ! ldd "$bins/dynamic.test" | grep -q 'libmurr\.so\.0 => .*bindings/go/lib/libmurr\.so\.0'; then
    echo "the murr_dynamic test binary does not load bindings/go/lib/libmurr.so.0" >&2
    ldd "$bins/dynamic.test" >&2
    exit 1
fi
if ldd "$bins/static.test" | grep -q libmurr; then
    echo "the default (static) test binary loads a libmurr shared library" >&2
    exit 1
fi
(cd "$bins" && ./dynamic.test -test.count=1)

step "R1 benchmark, small (MURR_BENCH_ROWS=20000, 50 batches)"
MURR_BENCH_ROWS=20000 go test -count=1 -run '^$' -bench R1 -benchtime 50x .

printf '\nGo tests passed in %ss.\n' "$(( $(date +%s) - start ))"
