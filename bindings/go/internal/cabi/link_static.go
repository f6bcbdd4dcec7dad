//go:build !murr_dynamic

package cabi

// #cgo CFLAGS: -I${SRCDIR}/../../../../include
// #cgo LDFLAGS: ${SRCDIR}/../../lib/libmurr.a -ldl -lm -lpthread
import "C"
