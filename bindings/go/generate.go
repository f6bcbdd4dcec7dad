package murr

// Builds libmurr (cargo build --release -p murr-ffi) and copies libmurr.a and libmurr.so
// into lib/, where the cgo flags of link_static.go and link_dynamic.go find them.
//go:generate ./build-libmurr.sh
