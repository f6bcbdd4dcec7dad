package murr

// #include "shim.h"
import "C"

import (
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/cdata"
)

// schemaCacheMax bounds how many result shapes a database remembers.
const schemaCacheMax = 256

// schemaCache imports the schemas of read results once per shape. Importing an
// ArrowSchema (names, formats, metadata of every column) measured ~10 us of a 1000-key,
// 10-column read; comparing its fingerprint (every byte that decides the imported schema,
// written by murrgo_schema_fingerprint) with a known one is cheap, and equal fingerprints
// import to equal schemas, so a hit reuses the schema imported before.
type schemaCache struct {
	mu sync.RWMutex
	m  map[string]*arrow.Schema
}

// fpBufs recycles the buffers fingerprints are written into.
var fpBufs = sync.Pool{New: func() any { b := make([]byte, 1024); return &b }}

// importRecord imports the struct array and schema libmurr filled (zero-copy: the record's
// buffers are libmurr's, freed when the record is released). The schema is always
// released; the array too on failure.
func (c *schemaCache) importRecord(out *C.struct_ArrowArray, outSchema *C.struct_ArrowSchema) (arrow.RecordBatch, error) {
	bp := fpBufs.Get().(*[]byte)
	defer fpBufs.Put(bp)
	n := int(C.murrgo_schema_fingerprint(outSchema, (*C.uint8_t)(unsafe.Pointer(&(*bp)[0])), C.size_t(len(*bp))))
	if n > len(*bp) {
		*bp = make([]byte, n)
		C.murrgo_schema_fingerprint(outSchema, (*C.uint8_t)(unsafe.Pointer(&(*bp)[0])), C.size_t(n))
	}
	fp := (*bp)[:n]
	c.mu.RLock()
	schema := c.m[string(fp)]
	c.mu.RUnlock()
	if schema != nil {
		C.murrgo_release_schema(outSchema)
		rec, err := cdata.ImportCRecordBatchWithSchema((*cdata.CArrowArray)(unsafe.Pointer(out)), schema)
		if err != nil {
			C.murrgo_release_array(out)
			return nil, err
		}
		return rec, nil
	}
	rec, err := cdata.ImportCRecordBatch((*cdata.CArrowArray)(unsafe.Pointer(out)), (*cdata.CArrowSchema)(unsafe.Pointer(outSchema)))
	if err != nil {
		C.murrgo_release_array(out)
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]*arrow.Schema)
	}
	if len(c.m) < schemaCacheMax {
		c.m[string(fp)] = rec.Schema()
	}
	c.mu.Unlock()
	return rec, nil
}
