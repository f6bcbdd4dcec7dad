//go:build murr_cgoflags

package cabi

// CGO_CFLAGS and CGO_LDFLAGS name the header and the library (see ../../link_cgoflags.go).
// (A blank line keeps this comment out of cgo's preamble, which it would read as C.)

import "C"
