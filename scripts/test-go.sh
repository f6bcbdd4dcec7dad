#!/usr/bin/env bash
# The Go binding (bindings/go): installs libmurr with CMake into a scratch prefix
# (scripts/install-libmurr.sh: the release build test-c.sh made, stripped) and links it the
# way bindings/go/README.md says, through pkg-config with PKG_CONFIG_PATH naming the prefix.
# Then gofmt and go vet, and the tests and examples:
#   - linked statically (-tags murr_static: pkg-config murr-static, libmurr.a) under the
#     race detector, with GODEBUG=cgocheck=1 (cgo's default pointer checks);
#   - linked to libmurr.so (the default: pkg-config murr) with GOEXPERIMENT=cgocheck2 (also
#     traps Go pointers stored into C memory), after checking that binary loads the
#     installed libmurr.so.0 and the static one none;
# then the install test: a module in a temp directory requiring the binding (a replace
# directive to this checkout: nothing is published), built and run with each linkage
# (shared, murr_static, murr_cgoflags), and the one-line error when pkg-config cannot find
# murr; last, the R1 benchmark on a small table (MURR_BENCH_ROWS=20000, 50 batches).
#
# Environment (all optional):
#   CARGO_TARGET_DIR  cargo's target directory (default: target/)
set -euo pipefail
# The Go toolchain scripts/setup.sh installed, if the machine has no Go 1.21+ of its own.
. "$(dirname "$0")/go-env.sh"
if ! murr_go_ok; then
    echo "no Go 1.21+ found: run scripts/setup.sh (make test does) to install one" >&2
    exit 1
fi
cd "$(dirname "$0")/.."
root=$(pwd)
cd bindings/go

step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/murr-go-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

step "libmurr installed with CMake into a scratch prefix (scripts/install-libmurr.sh)"
# A fixed prefix, installed afresh each run.
prefix=${CARGO_TARGET_DIR:-$root/target}/go-prefix
rm -rf "$prefix"
"$root/scripts/install-libmurr.sh" "$prefix"
pcdir=$(dirname "$(find "$prefix" -name murr.pc | head -1)")
libdir=$(dirname "$pcdir")
# As the README says: PKG_CONFIG_PATH names the prefix's pkgconfig directory; at run time
# the loader finds libmurr.so.0 through LD_LIBRARY_PATH (or an rpath).
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Go's build cache keys hash neither pkg-config's answer nor the libraries it names (a moved
# prefix leaves stale -L paths, a new libmurr.a a stale link); CGO_CFLAGS they do hash: a
# define carrying this libmurr.a's checksum rebuilds what links it when it changes.
export CGO_CFLAGS="${CGO_CFLAGS:--g -O2} -DMURR_LIB_CKSUM=$(cksum <"$libdir/libmurr.a" | cut -d' ' -f1)"

step "gofmt, go vet (shared and static)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
    echo "not gofmt-formatted: $unformatted" >&2
    exit 1
fi
go vet ./...
go vet -tags murr_static ./...

step "go test -race (-tags murr_static: libmurr.a, GODEBUG=cgocheck=1)"
GODEBUG=cgocheck=1 go test -race -tags murr_static -count=1 ./...

step "go test with GOEXPERIMENT=cgocheck2 (the default: libmurr.so through pkg-config)"
GOEXPERIMENT=cgocheck2 go test -c -o "$tmp/shared.test" .
go test -c -tags murr_static -o "$tmp/static.test" .
if ! ldd "$tmp/shared.test" | grep -c "libmurr\.so\.0 => $libdir/libmurr\.so\.0" >/dev/null; then
    echo "the default test binary does not load $libdir/libmurr.so.0" >&2
    ldd "$tmp/shared.test" >&2
    exit 1
fi
if ldd "$tmp/static.test" | grep -c libmurr >/dev/null; then
    echo "the murr_static test binary loads a libmurr shared library" >&2
    exit 1
fi
(cd "$tmp" && ./shared.test -test.count=1)

step "install test: a module outside the repository requiring the binding (README)"
app=$tmp/app
mkdir -p "$app"
cat >"$app/go.mod" <<MOD
module example.com/murrapp

go 1.25.0

require github.com/libmurr/libmurr/bindings/go v0.0.0

replace github.com/libmurr/libmurr/bindings/go => $root/bindings/go
MOD
cp go.sum "$app/go.sum"
# The quick-start of bindings/go/README.md.
cat >"$app/main.go" <<'GO'
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func main() {
	db, err := murr.Open(os.Args[1], nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user", Type: arrow.BinaryTypes.String},
		{Name: "ctr", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	}, nil)
	if err := db.CreateTable("users", schema, "user"); err != nil {
		log.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"ann", "bob"}, nil)
	b.Field(1).(*array.Float32Builder).AppendValues([]float32{0.5, 0.25}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if _, err := db.Write("users", rec); err != nil {
		log.Fatal(err)
	}
	out := make([]float32, 2)
	if err := db.ReadFloat32("users", []string{"bob", "cid"}, []string{"ctr"}, -1, out, nil); err != nil {
		log.Fatal(err)
	}
	stats, err := db.TableStats("users")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("libmurr %s (%s): %v, %d memtable bytes\n", murr.Version(), murr.Linkage, out, stats.MemtableBytes)
}
GO
(
    cd "$app"
    go mod tidy
    go build -o murrapp .
    ./murrapp "$tmp/db-shared" | tee "$tmp/out"
    grep -q '(shared): \[0.25 -1\]' "$tmp/out"
    go build -tags murr_static -o murrapp-static .
    if ldd murrapp-static | grep -c libmurr >/dev/null; then echo "murr_static links libmurr.so" >&2; exit 1; fi
    env -u LD_LIBRARY_PATH ./murrapp-static "$tmp/db-static" | grep '(static): \[0.25 -1\]'
    # No pkg-config: the environment names libmurr.a.
    PKG_CONFIG_PATH= CGO_CFLAGS="$CGO_CFLAGS -I$prefix/include" CGO_LDFLAGS="$libdir/libmurr.a -lpthread -ldl -lm" \
        go build -tags murr_cgoflags -o murrapp-flags .
    env -u LD_LIBRARY_PATH ./murrapp-flags "$tmp/db-flags" | grep '(cgoflags): \[0.25 -1\]'
    # Without murr.pc on PKG_CONFIG_PATH: pkg-config's message, naming PKG_CONFIG_PATH. (Go
    # does not run pkg-config for a package it has cached: other CGO_CFLAGS miss the cache.)
    if PKG_CONFIG_PATH="$tmp/none" CGO_CFLAGS="-g -O2 -DMURR_UNCACHED=$$" go build -o /dev/null . 2>"$tmp/err"; then
        echo "go build found libmurr without PKG_CONFIG_PATH" >&2; exit 1
    fi
    grep -q "Package murr was not found in the pkg-config search path" "$tmp/err" \
        && grep -q PKG_CONFIG_PATH "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    echo "without PKG_CONFIG_PATH: $(grep -m1 'was not found' "$tmp/err")"
)

step "R1 benchmark, small (MURR_BENCH_ROWS=20000, 50 batches)"
MURR_BENCH_ROWS=20000 go test -count=1 -run '^$' -bench R1 -benchtime 50x .

printf '\nGo tests passed in %ss.\n' "$(( $(date +%s) - start ))"
