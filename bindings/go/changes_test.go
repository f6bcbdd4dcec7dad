package murr_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// The change feed: writes and a delete from 0 and from the middle, its schema and end
// sequence number; without retention a start older than the last flush is
// ErrChangesNotRetained.
func TestChanges(t *testing.T) {
	db := openTemp(t)
	const n, width = 20, 2
	loadFeatures(t, db, n, width)
	keys := stringKeys(key(3), key(4))
	del, err := db.Delete("features", keys)
	keys.Release()
	if err != nil {
		t.Fatal(err)
	}
	if oldest, err := db.ChangesOldestSince(); err != nil || oldest != 0 {
		t.Fatalf("ChangesOldestSince = %d, %v", oldest, err)
	}

	r, err := db.Changes("features", 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range r.Schema().Fields() {
		names = append(names, f.Name)
	}
	if want := "[_seq _op key f0 f1 _present]"; fmtList(names) != want {
		t.Fatalf("columns %v, want %s", names, want)
	}
	if end, ok := r.Schema().Metadata().GetValue("murr.changes.end_seq"); !ok || end != strconv.FormatUint(del, 10) {
		t.Fatalf("end_seq %q (%v), want %d", end, ok, del)
	}
	writes, deletes := 0, 0
	var writeSeq uint64
	for r.Next() {
		rec := r.RecordBatch()
		seqs := rec.Column(0).(*array.Uint64)
		ops := rec.Column(1).(*array.String)
		vals := rec.Column(3).(*array.Float32)
		present := rec.Column(5).(*array.FixedSizeList)
		bits := present.ListValues().(*array.Boolean)
		for i := 0; i < int(rec.NumRows()); i++ {
			switch ops.Value(i) {
			case "write":
				writes++
				writeSeq = seqs.Value(i)
				if !bits.Value(2*i) || !bits.Value(2*i+1) || vals.Value(i) != value(i, 0, 0) {
					t.Fatalf("write row %d: present %v %v, f0 %v", i, bits.Value(2*i), bits.Value(2*i+1), vals.Value(i))
				}
			case "delete":
				deletes++
				if seqs.Value(i) != del || bits.Value(2*i) || !vals.IsNull(i) {
					t.Fatalf("delete row %d", i)
				}
			default:
				t.Fatalf("op %q", ops.Value(i))
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	r.Release()
	if writes != n || deletes != 2 {
		t.Fatalf("%d writes, %d deletes", writes, deletes)
	}

	later, err := db.Changes("features", writeSeq)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for later.Next() {
		rows += int(later.RecordBatch().NumRows())
	}
	later.Release()
	if rows != 2 {
		t.Fatalf("from the middle: %d rows, want 2", rows)
	}

	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	_, err = db.Changes("features", 0)
	if !errors.Is(err, murr.ErrChangesNotRetained) {
		t.Fatalf("an old start: %v", err)
	}
	_, err = db.Changes("nope", 0)
	wantStatus(t, err, murr.StatusUnknownTable, "an unknown table")
}

func fmtList(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
