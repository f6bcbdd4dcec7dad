//go:build !murr_dynamic

package murr

// The default: libmurr.a, linked into the Go binary (no shared library to ship). lib/ is
// filled by `go generate` (build-libmurr.sh). -ldl -lm -lpthread are what a Rust
// staticlib needs from libc on Linux.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: ${SRCDIR}/lib/libmurr.a -ldl -lm -lpthread
import "C"

// Linkage says how this build links libmurr: "static" or "dynamic".
const Linkage = "static"
