package murr

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/cdata"
)

// KeyMetadata is the schema metadata entry of TableSchema that names the key column.
const KeyMetadata = "murr.key"

// CreateTable creates table with the fields of schema, keyed by its column keyColumn
// (utf8, int64 or uint64). Creating a table that exists with the same schema does nothing;
// with another schema it fails with StatusTableExists.
func (db *DB) CreateTable(table string, schema *arrow.Schema, keyColumn string) error {
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	ckey, err := cString(keyColumn, "key column")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ckey))
	cs := exportSchema(schema)
	defer freeSchema(cs)
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_create_table(db.ptr, ctable, cs, ckey, &c.e))
}

// DropTable drops table and its data; snapshots taken before keep reading it.
func (db *DB) DropTable(table string) error {
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_drop_table(db.ptr, ctable, &c.e))
}

// Tables returns the names of the tables, in creation order.
func (db *DB) Tables() ([]string, error) {
	if !db.h.acquire() {
		return nil, db.closedError()
	}
	defer db.h.release()
	var list C.murr_string_list_t
	var c call
	if err := c.check(C.murr_db_tables(db.ptr, &list, &c.e)); err != nil {
		return nil, err
	}
	defer C.murr_string_list_free(&list)
	names := make([]string, int(list.count))
	if list.count > 0 {
		items := unsafe.Slice(list.items, int(list.count))
		for i, s := range items {
			names[i] = C.GoString(s)
		}
	}
	return names, nil
}

// TableSchema returns the schema of table: one field per column (the key column not
// nullable), with the metadata entry KeyMetadata naming the key column.
func (db *DB) TableSchema(table string) (*arrow.Schema, error) {
	ctable, err := cString(table, "table name")
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(ctable))
	if !db.h.acquire() {
		return nil, db.closedError()
	}
	defer db.h.release()
	cs := (*C.struct_ArrowSchema)(C.calloc(1, C.sizeof_struct_ArrowSchema))
	defer C.free(unsafe.Pointer(cs))
	var c call
	if err := c.check(C.murr_db_table_schema(db.ptr, ctable, cs, &c.e)); err != nil {
		return nil, err
	}
	// Imports a copy and releases the C schema, even on failure.
	s, err := cdata.ImportCArrowSchema((*cdata.CArrowSchema)(unsafe.Pointer(cs)))
	if err != nil {
		return nil, newError(StatusArrow, "importing the schema of table %q: %v", table, err)
	}
	return s, nil
}

// AddColumn adds field (which must be nullable) at the end of table's schema; rows
// written before read null in it.
func (db *DB) AddColumn(table string, field arrow.Field) error {
	ctable, err := cString(table, "table name")
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(ctable))
	// The field is exported as the one child of a struct schema.
	cs := exportSchema(arrow.NewSchema([]arrow.Field{field}, nil))
	defer freeSchema(cs)
	child := unsafe.Slice(cs.children, 1)[0]
	if !db.h.acquire() {
		return db.closedError()
	}
	defer db.h.release()
	var c call
	return c.check(C.murr_db_add_column(db.ptr, ctable, child, &c.e))
}

// exportSchema exports schema as a struct ArrowSchema in C memory (arrow-go's export
// allocates every part of it with malloc); free it with freeSchema.
func exportSchema(schema *arrow.Schema) *C.struct_ArrowSchema {
	cs := (*C.struct_ArrowSchema)(C.calloc(1, C.sizeof_struct_ArrowSchema))
	cdata.ExportArrowSchema(schema, (*cdata.CArrowSchema)(unsafe.Pointer(cs)))
	return cs
}

// freeSchema releases and frees a schema of exportSchema.
func freeSchema(cs *C.struct_ArrowSchema) {
	C.murrgo_release_schema(cs)
	C.free(unsafe.Pointer(cs))
}
