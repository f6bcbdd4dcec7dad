package murr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// featureSchema: key (utf8) and width float32 columns f0.., as in docs/WORKLOAD.md.
func featureSchema(width int) *arrow.Schema {
	fields := []arrow.Field{{Name: "key", Type: arrow.BinaryTypes.String}}
	for c := 0; c < width; c++ {
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("f%d", c), Type: arrow.PrimitiveTypes.Float32})
	}
	return arrow.NewSchema(fields, nil)
}

// value is the canonical value of row i, column c (docs/WORKLOAD.md), plus round*1000 so that
// rewrites are told apart.
func value(i, c, round int) float32 {
	return float32((i*31+c)%1000)/1000.0 + float32(round*1000)
}

func key(i int) string { return fmt.Sprintf("doc_%d", i) }

// featureBatch builds rows [start, start+n) of the canonical table at round.
func featureBatch(start, n, width, round int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, featureSchema(width))
	defer b.Release()
	for i := start; i < start+n; i++ {
		b.Field(0).(*array.StringBuilder).Append(key(i))
		for c := 0; c < width; c++ {
			b.Field(c + 1).(*array.Float32Builder).Append(value(i, c, round))
		}
	}
	return b.NewRecordBatch()
}

func stringKeys(keys ...string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(keys, nil)
	return b.NewArray()
}

func columnNames(width int) []string {
	names := make([]string, width)
	for c := range names {
		names[c] = fmt.Sprintf("f%d", c)
	}
	return names
}

// openTemp opens a database in a fresh directory, in manual mode, closed at the end.
func openTemp(t testing.TB) *murr.DB {
	t.Helper()
	opts := murr.DefaultOptions()
	opts.BackgroundThreads = 0
	opts.Sync = murr.SyncNever
	db, err := murr.Open(t.TempDir(), &opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// loadFeatures creates table "features" and writes rows [0, n) at round 0.
func loadFeatures(t testing.TB, db *murr.DB, n, width int) {
	t.Helper()
	if err := db.CreateTable("features", featureSchema(width), "key"); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	rec := featureBatch(0, n, width, 0)
	defer rec.Release()
	if _, err := db.Write("features", rec); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// wantStatus fails unless err is a *murr.Error of status s.
func wantStatus(t *testing.T, err error, s murr.Status, what string) {
	t.Helper()
	var e *murr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: got %v (%T), want a *murr.Error of %v", what, err, err, s)
	}
	if e.Status != s {
		t.Fatalf("%s: got status %v (%q), want %v", what, e.Status, e.Message, s)
	}
}

// checkRows checks that rec holds rows `rows` of round `round` in columns f0..f(width-1).
func checkRows(t *testing.T, rec arrow.RecordBatch, rows []int, width, round int) {
	t.Helper()
	if int(rec.NumRows()) != len(rows) || int(rec.NumCols()) != width {
		t.Fatalf("result is %d x %d, want %d x %d", rec.NumRows(), rec.NumCols(), len(rows), width)
	}
	for c := 0; c < width; c++ {
		col, ok := rec.Column(c).(*array.Float32)
		if !ok {
			t.Fatalf("column %d is %s, want float32", c, rec.Column(c).DataType())
		}
		for r, i := range rows {
			if col.IsNull(r) || col.Value(r) != value(i, c, round) {
				t.Fatalf("row %d column %d: got %v (null %v), want %v", i, c, col.Value(r), col.IsNull(r), value(i, c, round))
			}
		}
	}
}

// wantStatusNoFatal reports (from any goroutine) an error that is not StatusClosed.
func wantStatusNoFatal(t *testing.T, err error) {
	var e *murr.Error
	if !errors.As(err, &e) || e.Status != murr.StatusClosed {
		t.Errorf("got %v, want a StatusClosed error", err)
	}
}
