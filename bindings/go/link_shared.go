//go:build !murr_static && !murr_cgoflags

package murr

// The default: an installed libmurr.so, found with pkg-config (murr.pc, installed by the
// CMake package: see README.md). PKG_CONFIG_PATH names its directory when the prefix is
// not one pkg-config searches; at run time the loader finds libmurr.so.0 (ld.so.conf,
// LD_LIBRARY_PATH, or an rpath: CGO_LDFLAGS="-Wl,-rpath,<prefix>/lib"). When pkg-config
// cannot find murr, `go build` fails with pkg-config's own message: "Package murr was not
// found in the pkg-config search path. Perhaps you should add the directory containing
// `murr.pc' to the PKG_CONFIG_PATH environment variable".

// #cgo pkg-config: murr
import "C"

// Linkage says how this build links libmurr: "shared" (the default, pkg-config murr),
// "static" (-tags murr_static, pkg-config murr-static) or "cgoflags" (-tags murr_cgoflags,
// CGO_CFLAGS and CGO_LDFLAGS name everything).
const Linkage = "shared"
