//go:build murr_dynamic

package murr

// With the build tag murr_dynamic: libmurr.so, found through an rpath to lib/ (filled by
// `go generate`), then the usual search path (LD_LIBRARY_PATH, ld.so.conf). To link an
// installed libmurr instead, leave lib/ empty and add CGO_LDFLAGS="-L<dir>".

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/lib -lmurr -Wl,-rpath,${SRCDIR}/lib
import "C"

// Linkage says how this build links libmurr: "static" or "dynamic".
const Linkage = "dynamic"
