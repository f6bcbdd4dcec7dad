//go:build murr_dynamic

package cabi

// #cgo CFLAGS: -I${SRCDIR}/../../../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../lib -lmurr -Wl,-rpath,${SRCDIR}/../../lib
import "C"
