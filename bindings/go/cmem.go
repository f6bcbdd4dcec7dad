package murr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/memory/mallocator"
)

// cAlloc allocates with C's malloc: memory the Go garbage collector neither scans nor
// owns, which libmurr may keep after a call returns.
var cAlloc = mallocator.NewMallocator()

// toC copies data (buffers, children, dictionary) into C memory. libmurr keeps what it is
// given to write (its memtable shares the batch's buffers) and releases it later, maybe on
// another thread; cgo forbids C keeping pointers to Go memory after a call returns, so
// moved arrays are copied out of the Go heap first. The caller releases the result.
func toC(data arrow.ArrayData) arrow.ArrayData {
	buffers := make([]*memory.Buffer, len(data.Buffers()))
	for i, b := range data.Buffers() {
		if b == nil {
			continue
		}
		c := memory.NewResizableBuffer(cAlloc)
		c.Resize(b.Len())
		copy(c.Bytes(), b.Bytes())
		buffers[i] = c
	}
	children := make([]arrow.ArrayData, len(data.Children()))
	for i, ch := range data.Children() {
		children[i] = toC(ch)
	}
	var out *array.Data
	// Dictionary() is a typed nil (not nil) for arrays without one: go by the type.
	if data.DataType().ID() == arrow.DICTIONARY {
		d := toC(data.Dictionary())
		out = array.NewDataWithDictionary(data.DataType(), data.Len(), buffers, data.NullN(), data.Offset(), d.(*array.Data))
		d.Release()
	} else {
		out = array.NewData(data.DataType(), data.Len(), buffers, children, data.NullN(), data.Offset())
	}
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
	for _, ch := range children {
		ch.Release()
	}
	return out
}

// recordToC copies rec's columns into C memory as one struct array (a record batch in the
// C Data Interface); the caller releases it.
func recordToC(rec arrow.RecordBatch) arrow.Array {
	children := make([]arrow.ArrayData, rec.NumCols())
	for i, col := range rec.Columns() {
		children[i] = toC(col.Data())
	}
	st := arrow.StructOf(rec.Schema().Fields()...)
	data := array.NewData(st, int(rec.NumRows()), []*memory.Buffer{nil}, children, 0, 0)
	for _, ch := range children {
		ch.Release()
	}
	arr := array.MakeFromData(data)
	data.Release()
	return arr
}

// arrowMake makes an array of data (a new reference; data stays the caller's).
func arrowMake(data arrow.ArrayData) arrow.Array {
	return array.MakeFromData(data)
}
