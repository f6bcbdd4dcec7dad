//go:build murr_cgoflags

package murr

// With -tags murr_cgoflags: no pkg-config; the environment names the header and the
// library, e.g. a libmurr.a copied anywhere (a vendored build):
//
//	CGO_CFLAGS="-I/opt/murr/include" \
//	CGO_LDFLAGS="/opt/murr/lib/libmurr.a -lpthread -ldl -lm" go build -tags murr_cgoflags
//
// or CGO_LDFLAGS="-L/opt/murr/lib -lmurr" for libmurr.so.

import "C"

// Linkage says how this build links libmurr (see link_shared.go).
const Linkage = "cgoflags"
