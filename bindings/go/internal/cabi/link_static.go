//go:build murr_static && !murr_cgoflags

package cabi

// #cgo pkg-config: murr-static
import "C"
