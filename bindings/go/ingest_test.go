package murr_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// readRows reads columns f0..f(width-1) of rows for keys, checked against round.
func readRows(t *testing.T, db *murr.DB, rows []int, width, round int) {
	t.Helper()
	names := make([]string, len(rows))
	for r, i := range rows {
		names[r] = key(i)
	}
	keys := stringKeys(names...)
	defer keys.Release()
	res, found, err := db.Read("features", keys, columnNames(width))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	for r, f := range found {
		if !f {
			t.Fatalf("key %s not found", names[r])
		}
	}
	checkRows(t, res, rows, width, round)
}

func TestIngest(t *testing.T) {
	db := openTemp(t)
	const width = 3
	if err := db.CreateTable("features", featureSchema(width), "key"); err != nil {
		t.Fatal(err)
	}
	// Three batches: rows 0..99 at round 0, 100..199 at round 0, then 50..59 again at
	// round 1 (a key repeated in the stream takes its last row).
	recs := []arrow.RecordBatch{featureBatch(0, 100, width, 0), featureBatch(100, 100, width, 0), featureBatch(50, 10, width, 1)}
	reader, err := array.NewRecordReader(featureSchema(width), recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		rec.Release()
	}
	if err := db.Ingest("features", reader); err != nil {
		t.Fatal(err)
	}
	// The reader stays the caller's.
	reader.Release()
	runtime.GC()
	readRows(t, db, []int{0, 49, 60, 100, 199}, width, 0)
	readRows(t, db, []int{50, 55, 59}, width, 1)

	// A partial ingest: only f1 of rows 0..9 at round 2; f0 and f2 keep their values.
	schema := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}, {Name: "f1", Type: arrow.PrimitiveTypes.Float32}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	for i := 0; i < 10; i++ {
		b.Field(0).(*array.StringBuilder).Append(key(i))
		b.Field(1).(*array.Float32Builder).Append(value(i, 1, 2))
	}
	part := b.NewRecordBatch()
	b.Release()
	partReader, err := array.NewRecordReader(schema, []arrow.RecordBatch{part})
	part.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer partReader.Release()
	if err := db.Ingest("features", partReader); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, width)
	if err := db.ReadFloat32("features", []string{key(3)}, columnNames(width), -1, out, nil); err != nil {
		t.Fatal(err)
	}
	if out[0] != value(3, 0, 0) || out[1] != value(3, 1, 2) || out[2] != value(3, 2, 0) {
		t.Fatalf("after a partial ingest: %v", out)
	}

	// An unknown table.
	again := featureBatch(0, 1, width, 0)
	defer again.Release()
	r, _ := array.NewRecordReader(featureSchema(width), []arrow.RecordBatch{again})
	defer r.Release()
	wantStatus(t, db.Ingest("nope", r), murr.StatusUnknownTable, "Ingest into an unknown table")
	wantStatus(t, db.Ingest("features", nil), murr.StatusInvalidArgument, "Ingest of a nil reader")
}

func TestIngestFile(t *testing.T) {
	db := openTemp(t)
	const width = 2
	if err := db.CreateTable("features", featureSchema(width), "key"); err != nil {
		t.Fatal(err)
	}
	// An Arrow IPC file of two batches, the second rewriting rows 10..19 at round 1.
	path := filepath.Join(t.TempDir(), "features.arrow")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(featureSchema(width)))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []arrow.RecordBatch{featureBatch(0, 50, width, 0), featureBatch(10, 10, width, 1)} {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.IngestFile("features", path); err != nil {
		t.Fatal(err)
	}
	readRows(t, db, []int{0, 9, 20, 49}, width, 0)
	readRows(t, db, []int{10, 19}, width, 1)

	// A missing file; a file that is not Arrow IPC.
	wantStatus(t, db.IngestFile("features", filepath.Join(t.TempDir(), "absent.arrow")), murr.StatusIO, "IngestFile of a missing file")
	text := filepath.Join(t.TempDir(), "text.csv")
	if err := os.WriteFile(text, []byte("key,f0,f1\ndoc_0,1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, db.IngestFile("features", text), murr.StatusInvalidArgument, "IngestFile of a CSV file")
	readRows(t, db, []int{0, 20}, width, 0)
}

// errReader yields its batches, then fails.
func errReader(schema *arrow.Schema, recs []arrow.RecordBatch, err error) array.RecordReader {
	return array.ReaderFromIter(schema, func(yield func(arrow.RecordBatch, error) bool) {
		for _, rec := range recs {
			if !yield(rec, nil) {
				return
			}
		}
		yield(nil, err)
	})
}

func TestIngestAllOrNothing(t *testing.T) {
	db := openTemp(t)
	const width = 2
	loadFeatures(t, db, 20, width)

	// f0 as float64: the table's f0 is float32. Nothing is ingested, not even the first,
	// matching batch.
	good := featureBatch(0, 20, width, 1)
	defer good.Release()
	wrong := arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}, {Name: "f0", Type: arrow.PrimitiveTypes.Float64}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, wrong)
	b.Field(0).(*array.StringBuilder).Append(key(1))
	b.Field(1).(*array.Float64Builder).Append(42)
	bad := b.NewRecordBatch()
	b.Release()
	defer bad.Release()
	r, err := array.NewRecordReader(wrong, []arrow.RecordBatch{bad})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	wantStatus(t, db.Ingest("features", r), murr.StatusSchemaMismatch, "Ingest of a float64 column")
	readRows(t, db, []int{0, 1, 19}, width, 0)

	// The reader fails after a good batch: an Arrow error naming it, nothing ingested.
	failing := errReader(featureSchema(width), []arrow.RecordBatch{good}, errors.New("disk on fire"))
	defer failing.Release()
	err = db.Ingest("features", failing)
	wantStatus(t, err, murr.StatusArrow, "Ingest of a failing reader")
	if !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("the reader's error is not in %q", err)
	}
	readRows(t, db, []int{0, 1, 19}, width, 0)
}

func TestIngestClosed(t *testing.T) {
	db, err := murr.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	loadFeatures(t, db, 10, 2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rec := featureBatch(0, 3, 2, 1)
	defer rec.Release()
	r, err := array.NewRecordReader(featureSchema(2), []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	wantStatus(t, db.Ingest("features", r), murr.StatusClosed, "Ingest")
	wantStatus(t, db.IngestFile("features", filepath.Join(t.TempDir(), "x.arrow")), murr.StatusClosed, "IngestFile")
}
