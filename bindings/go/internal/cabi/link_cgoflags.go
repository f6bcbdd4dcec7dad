//go:build murr_cgoflags

package cabi

// CGO_CFLAGS and CGO_LDFLAGS name the header and the library (see ../../link_cgoflags.go).
import "C"
