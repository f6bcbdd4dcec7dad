//go:build murr_static && !murr_cgoflags

package murr

// With -tags murr_static: the installed libmurr.a, linked into the binary (nothing to ship
// beside it), found with pkg-config (murr-static.pc, installed beside murr.pc; its Libs name
// libmurr.a by path and add -lpthread -ldl -lm, the system libraries the Rust runtime uses).

// #cgo pkg-config: murr-static
import "C"

// Linkage says how this build links libmurr (see link_shared.go).
const Linkage = "static"
