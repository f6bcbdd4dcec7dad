package murr_test

import (
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestWriteRead(t *testing.T) {
	db := openTemp(t)
	const n, width = 200, 4
	if err := db.CreateTable("features", featureSchema(width), "key"); err != nil {
		t.Fatal(err)
	}
	rec := featureBatch(0, n, width, 0)
	seq1, err := db.Write("features", rec)
	if err != nil {
		t.Fatal(err)
	}
	// The batch is the caller's: releasing it and collecting garbage must not touch what
	// libmurr keeps (its own copy in C memory).
	rec.Release()
	runtime.GC()

	keys := stringKeys(key(5), "absent", key(199), key(0))
	defer keys.Release()
	res, found, err := db.Read("features", keys, columnNames(width))
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{true, false, true, true}; !equalBools(found, want) {
		t.Fatalf("found = %v, want %v", found, want)
	}
	for c := 0; c < width; c++ {
		if !res.Column(c).IsNull(1) {
			t.Fatalf("column %d of an absent key is not null", c)
		}
	}
	// Rows 0, 2, 3 of the result against the written values.
	for c := 0; c < width; c++ {
		col := res.Column(c).(*array.Float32)
		for r, i := range map[int]int{0: 5, 2: 199, 3: 0} {
			if col.Value(r) != value(i, c, 0) {
				t.Fatalf("row %d column %d = %v", i, c, col.Value(r))
			}
		}
	}
	res.Release()

	// A partial upsert: only f1 of rows 0..9, at round 1; the key column asked too.
	schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}, {Name: "f1", Type: arrow.PrimitiveTypes.Float32}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := 0; i < 10; i++ {
		b.Field(0).(*array.StringBuilder).Append(key(i))
		b.Field(1).(*array.Float32Builder).Append(value(i, 1, 1))
	}
	part := b.NewRecordBatch()
	b.Release()
	seq2, err := db.Write("features", part)
	part.Release()
	if err != nil {
		t.Fatal(err)
	}
	if seq2 <= seq1 {
		t.Fatalf("sequence numbers %d then %d", seq1, seq2)
	}
	keys2 := stringKeys(key(3), key(20))
	defer keys2.Release()
	res, _, err = db.Read("features", keys2, []string{"f0", "f1", "key"})
	if err != nil {
		t.Fatal(err)
	}
	f0, f1, k := res.Column(0).(*array.Float32), res.Column(1).(*array.Float32), res.Column(2).(*array.String)
	if f0.Value(0) != value(3, 0, 0) || f1.Value(0) != value(3, 1, 1) || f1.Value(1) != value(20, 1, 0) {
		t.Fatalf("after a partial upsert: f0 %v, f1 %v", f0, f1)
	}
	if k.Value(0) != key(3) || k.Value(1) != key(20) {
		t.Fatalf("key column %v", k)
	}
	if res.Schema().Field(2).Name != "key" {
		t.Fatalf("result schema %v", res.Schema())
	}
	res.Release()

	// Deletes, then the same read through the dense API.
	del := stringKeys(key(3), "never-written")
	seq3, err := db.Delete("features", del)
	del.Release()
	if err != nil || seq3 <= seq2 {
		t.Fatalf("Delete: %d, %v", seq3, err)
	}
	out := make([]float32, 2*width)
	found = make([]bool, 2)
	if err := db.ReadFloat32("features", []string{key(3), key(4)}, columnNames(width), -1, out, found); err != nil {
		t.Fatal(err)
	}
	if found[0] || !found[1] || out[0] != -1 || out[width] != value(4, 0, 0) {
		t.Fatalf("after Delete: found %v, out %v", found, out)
	}

	// What was written survives a flush and a compaction.
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Compact(); err != nil {
		t.Fatal(err)
	}
	keys3 := stringKeys(key(150), key(151))
	defer keys3.Release()
	res, _, err = db.Read("features", keys3, columnNames(width))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, res, []int{150, 151}, width, 0)
	res.Release()
}

func TestInt64Keys(t *testing.T) {
	db := openTemp(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	if err := db.CreateTable("t", schema, "id"); err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := int64(0); i < 50; i++ {
		b.Field(0).(*array.Int64Builder).Append(i * 10)
		if i%7 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(float64(i) / 2)
		}
		b.Field(2).(*array.StringBuilder).Append("n" + string(rune('a'+i%26)))
		b.Field(3).(*array.BooleanBuilder).Append(i%2 == 0)
	}
	rec := b.NewRecordBatch()
	b.Release()
	if _, err := db.Write("t", rec); err != nil {
		t.Fatal(err)
	}
	rec.Release()

	kb := array.NewInt64Builder(memory.DefaultAllocator)
	kb.AppendValues([]int64{30, 5, 70}, nil)
	keys := kb.NewArray()
	kb.Release()
	defer keys.Release()
	res, found, err := db.Read("t", keys, []string{"score", "name", "ok"})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if !equalBools(found, []bool{true, false, true}) {
		t.Fatalf("found = %v", found)
	}
	score, name, ok := res.Column(0).(*array.Float64), res.Column(1).(*array.String), res.Column(2).(*array.Boolean)
	if score.Value(0) != 1.5 || !score.IsNull(2) || name.Value(0) != "nd" || name.Value(2) != "nh" || ok.Value(0) || ok.Value(2) || !ok.IsNull(1) {
		t.Fatalf("score %v name %v ok %v", score, name, ok)
	}

	// A slice of a key array (offset 1): the binding passes the offset on.
	sliced := array.NewSlice(keys, 1, 3)
	defer sliced.Release()
	res2, found2, err := db.Read("t", sliced, []string{"score"})
	if err != nil {
		t.Fatal(err)
	}
	defer res2.Release()
	if res2.NumRows() != 2 || !equalBools(found2, []bool{false, true}) {
		t.Fatalf("sliced keys: %d rows, found %v", res2.NumRows(), found2)
	}

	out := make([]float32, 6)
	fnd := make([]bool, 3)
	if err := db.ReadFloat32Int64("t", []int64{30, 5, 40}, []string{"score", "ok"}, 9, out, fnd); err != nil {
		t.Fatal(err)
	}
	if want := []float32{1.5, 0, 9, 9, 2, 1}; !equalFloats(out, want) || !equalBools(fnd, []bool{true, false, true}) {
		t.Fatalf("dense int64 read: %v %v, want %v", out, fnd, want)
	}

	ikeys := array.NewInt64Builder(memory.DefaultAllocator)
	ikeys.AppendValues([]int64{30}, nil)
	del := ikeys.NewArray()
	ikeys.Release()
	if _, err := db.Delete("t", del); err != nil {
		t.Fatal(err)
	}
	del.Release()
	if err := db.ReadFloat32Int64("t", []int64{30}, []string{"score"}, 9, out, fnd); err != nil || fnd[0] {
		t.Fatalf("after Delete: found %v, %v", fnd[0], err)
	}
}

// Misuse is an error with the right status, never a panic.
func TestMisuse(t *testing.T) {
	db := openTemp(t)
	loadFeatures(t, db, 20, 3)

	wrong := featureBatch(0, 5, 4, 0) // a column f3 the table does not have
	defer wrong.Release()
	_, err := db.Write("features", wrong)
	wantStatus(t, err, murr.StatusUnknownColumn, "Write of a column the table does not have")
	// f0 as float64 instead of float32.
	ws := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}, {Name: "f0", Type: arrow.PrimitiveTypes.Float64}}, nil)
	wb := array.NewRecordBuilder(memory.DefaultAllocator, ws)
	wb.Field(0).(*array.StringBuilder).Append(key(1))
	wb.Field(1).(*array.Float64Builder).Append(1)
	wtype := wb.NewRecordBatch()
	wb.Release()
	defer wtype.Release()
	_, err = db.Write("features", wtype)
	wantStatus(t, err, murr.StatusSchemaMismatch, "Write of a column of another type")
	_, err = db.Write("nope", wrong)
	wantStatus(t, err, murr.StatusUnknownTable, "Write to an unknown table")
	_, err = db.Write("features", nil)
	wantStatus(t, err, murr.StatusInvalidArgument, "Write of nil")

	keys := stringKeys(key(1))
	defer keys.Release()
	_, _, err = db.Read("features", keys, []string{"f0", "nope"})
	wantStatus(t, err, murr.StatusUnknownColumn, "Read of an unknown column")
	_, _, err = db.Read("nope", keys, []string{"f0"})
	wantStatus(t, err, murr.StatusUnknownTable, "Read of an unknown table")
	_, _, err = db.Read("features", keys, []string{"f\x000"})
	wantStatus(t, err, murr.StatusInvalidArgument, "a NUL in a column name")
	_, _, err = db.Read("features", nil, []string{"f0"})
	wantStatus(t, err, murr.StatusInvalidArgument, "Read of nil keys")

	ib := array.NewInt64Builder(memory.DefaultAllocator)
	ib.Append(1)
	ikeys := ib.NewArray()
	ib.Release()
	defer ikeys.Release()
	_, _, err = db.Read("features", ikeys, []string{"f0"})
	wantStatus(t, err, murr.StatusSchemaMismatch, "int64 keys on a utf8 table")
	_, err = db.Delete("features", ikeys)
	wantStatus(t, err, murr.StatusSchemaMismatch, "Delete of int64 keys on a utf8 table")

	fb := array.NewFloat32Builder(memory.DefaultAllocator)
	fb.Append(1)
	fkeys := fb.NewArray()
	fb.Release()
	defer fkeys.Release()
	_, _, err = db.Read("features", fkeys, []string{"f0"})
	wantStatus(t, err, murr.StatusSchemaMismatch, "float keys")

	nb := array.NewStringBuilder(memory.DefaultAllocator)
	nb.Append(key(1))
	nb.AppendNull()
	nkeys := nb.NewArray()
	nb.Release()
	defer nkeys.Release()
	// A null key reads as absent (the validity bitmap crosses to C with the keys).
	nres, nfound, err := db.Read("features", nkeys, []string{"f0"})
	if err != nil || !equalBools(nfound, []bool{true, false}) || !nres.Column(0).IsNull(1) || nres.Column(0).IsNull(0) {
		t.Fatalf("a read with a null key: found %v, %v", nfound, err)
	}
	nres.Release()
	_, err = db.Delete("features", nkeys)
	wantStatus(t, err, murr.StatusSchemaMismatch, "Delete of a null key")

	out := make([]float32, 5)
	wantStatus(t, db.ReadFloat32("features", []string{key(1), key(2)}, columnNames(3), 0, out, nil), murr.StatusInvalidArgument, "a dense out too small")
	out = make([]float32, 6)
	wantStatus(t, db.ReadFloat32("features", []string{key(1), key(2)}, columnNames(3), 0, out, make([]bool, 1)), murr.StatusInvalidArgument, "a dense found too small")
	wantStatus(t, db.ReadFloat32("features", []string{key(1)}, []string{"key"}, 0, out, nil), murr.StatusSchemaMismatch, "a dense read of a utf8 column")
	wantStatus(t, db.ReadFloat32("features", []string{"a\x00"}, []string{"f0"}, 0, out, nil), murr.StatusInvalidArgument, "a NUL in a dense key")
	wantStatus(t, db.ReadFloat32Int64("features", []int64{1}, []string{"f0"}, 0, out, nil), murr.StatusSchemaMismatch, "int64 dense keys on a utf8 table")

	// Empty reads are fine.
	res, found, err := db.Read("features", stringKeys(), []string{"f0"})
	if err != nil || res.NumRows() != 0 || len(found) != 0 {
		t.Fatalf("an empty read: %v, %v", res, err)
	}
	res.Release()
	if err := db.ReadFloat32("features", nil, columnNames(3), 0, nil, nil); err != nil {
		t.Fatalf("an empty dense read: %v", err)
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
