package murr_test

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// A uint64-keyed table: keys above 2^63 written, dense-read back exactly (an absent key
// gets the fill), read as Arrow, deleted; int64 keys do not look it up.
func TestUint64Keys(t *testing.T) {
	db := openTemp(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "v", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	}, nil)
	if err := db.CreateTable("u", schema, "k"); err != nil {
		t.Fatal(err)
	}
	keys := []uint64{0, 1, math.MaxInt64, 1 << 63, 1<<63 + 5, math.MaxUint64}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i, k := range keys {
		b.Field(0).(*array.Uint64Builder).Append(k)
		b.Field(1).(*array.Float32Builder).Append(float32(10 + i))
	}
	rec := b.NewRecordBatch()
	b.Release()
	if _, err := db.Write("u", rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()

	ask := []uint64{math.MaxUint64, 1 << 63, 42, 1<<63 + 5, 0, math.MaxInt64}
	out := make([]float32, len(ask))
	found := make([]bool, len(ask))
	if err := db.ReadFloat32Uint64("u", ask, []string{"v"}, -1, out, found); err != nil {
		t.Fatal(err)
	}
	if want := []float32{15, 13, -1, 14, 10, 12}; !equalFloats(out, want) || !equalBools(found, []bool{true, true, false, true, true, true}) {
		t.Fatalf("dense uint64 read: %v %v, want %v", out, found, want)
	}

	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()

	kb := array.NewUint64Builder(memory.DefaultAllocator)
	kb.AppendValues([]uint64{math.MaxUint64}, nil)
	del := kb.NewArray()
	kb.Release()
	if _, err := db.Delete("u", del); err != nil {
		t.Fatal(err)
	}
	res, fnd, err := db.Read("u", del, []string{"k", "v"})
	if err != nil {
		t.Fatal(err)
	}
	if fnd[0] {
		t.Fatalf("key 2^64-1 found after its delete")
	}
	res.Release()
	res, fnd, err = snap.Read("u", del, []string{"k", "v"})
	if err != nil {
		t.Fatal(err)
	}
	if !fnd[0] || res.Column(0).(*array.Uint64).Value(0) != math.MaxUint64 {
		t.Fatalf("the snapshot lost key 2^64-1: %v %v", fnd, res)
	}
	res.Release()
	del.Release()
	if err := snap.ReadFloat32Uint64("u", ask[:1], []string{"v"}, -1, out, found); err != nil || out[0] != 15 {
		t.Fatalf("snapshot dense read: %v %v", out[0], err)
	}

	err = db.ReadFloat32Int64("u", []int64{1}, []string{"v"}, 0, out, nil)
	wantStatus(t, err, murr.StatusSchemaMismatch, "int64 keys on a uint64 table")
	if !strings.Contains(err.Error(), "int64 keys given for a uint64 key column") {
		t.Fatalf("message: %v", err)
	}
}
