// Package murr is the Go binding of libmurr, an embedded columnar key-value store for
// feature serving: Arrow record batches in, Arrow record batches (or a dense float32
// tensor) out, over libmurr's C ABI (include/murr.h) with cgo.
//
//	db, err := murr.Open("/var/lib/features", nil)
//	err = db.CreateTable("features", schema, "key")
//	seq, err := db.Write("features", rec)                    // an arrow.RecordBatch
//	res, found, err := db.Read("features", keys, []string{"f0", "f1"})
//	defer res.Release()
//	err = db.ReadFloat32("features", []string{"doc_1"}, cols, 0, out, nil) // row-major
//
// Results are imported from libmurr without a copy through arrow-go's cdata package and
// stay valid until released (Release). Writes copy the batch once into C memory, which
// libmurr keeps in its memtable: no Go pointer is ever kept by C code after a call returns
// (the cgo rules), and read keys are passed as Go memory for the duration of the call only.
//
// Every failure is an *Error carrying libmurr's status code and message; misuse (a closed
// database, a batch of the wrong schema, an unknown table or column, a NUL byte in a name)
// is an error, never a panic. A DB is safe for concurrent use; see DB, Snapshot and Scan
// for the lifetime rules.
//
// Linking: cgo finds an installed libmurr with pkg-config (murr.pc, installed by libmurr's
// CMake package: see README.md) and links libmurr.so by default; the build tag murr_static
// links libmurr.a through murr-static.pc instead, and murr_cgoflags takes CGO_CFLAGS and
// CGO_LDFLAGS from the environment (no pkg-config). When pkg-config cannot find murr,
// `go build` fails with "Package murr was not found in the pkg-config search path":
// set PKG_CONFIG_PATH to the directory holding murr.pc (<prefix>/lib/pkgconfig).
package murr
