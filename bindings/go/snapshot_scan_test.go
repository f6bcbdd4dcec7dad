package murr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestSnapshot(t *testing.T) {
	db := openTemp(t)
	const width = 2
	loadFeatures(t, db, 10, width)
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	seq := snap.Seq()
	if seq == 0 {
		t.Fatal("Seq() = 0 after a write")
	}
	newer := featureBatch(0, 10, width, 1)
	if _, err := db.Write("features", newer); err != nil {
		t.Fatal(err)
	}
	newer.Release()

	keys := stringKeys(key(4))
	defer keys.Release()
	old, _, err := snap.Read("features", keys, columnNames(width))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, old, []int{4}, width, 0)
	old.Release()
	now, _, err := db.Read("features", keys, columnNames(width))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, now, []int{4}, width, 1)
	now.Release()
	out := make([]float32, width)
	if err := snap.ReadFloat32("features", []string{key(4)}, columnNames(width), 0, out, nil); err != nil || out[1] != value(4, 1, 0) {
		t.Fatalf("snapshot dense read: %v, %v", out, err)
	}
	if snap.Seq() != seq {
		t.Fatal("a snapshot's Seq moved")
	}

	// The database closes with the snapshot open: reads through it then fail with
	// StatusClosed (libmurr's, the handle still allocated), and the handle is freed when the
	// snapshot closes.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, err = snap.Read("features", keys, columnNames(width))
	wantStatus(t, err, murr.StatusClosed, "a snapshot read after DB.Close")
	_, _, err = db.Read("features", keys, columnNames(width))
	wantStatus(t, err, murr.StatusClosed, "a DB read after Close, a snapshot open")
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, snap.Close(), murr.StatusClosed, "second snapshot Close")
	_, _, err = snap.Read("features", keys, columnNames(width))
	wantStatus(t, err, murr.StatusClosed, "a read on a closed snapshot")
	if snap.Seq() != 0 {
		t.Fatal("Seq() of a closed snapshot is not 0")
	}
}

func TestScan(t *testing.T) {
	db := openTemp(t)
	const n, width = 300, 3
	loadFeatures(t, db, n, width)
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Rows written after the snapshot (and still in the memtable): the latest scan sees
	// them, the snapshot's does not.
	more := featureBatch(n, 50, width, 0)
	if _, err := db.Write("features", more); err != nil {
		t.Fatal(err)
	}
	more.Release()

	count := func(r array.RecordReader, wantCols int) int {
		t.Helper()
		defer r.Release()
		rows, last := 0, ""
		for r.Next() {
			rec := r.RecordBatch()
			if int(rec.NumCols()) != wantCols {
				t.Fatalf("a scan batch has %d columns, want %d", rec.NumCols(), wantCols)
			}
			keys := rec.Column(0).(*array.String)
			for i := 0; i < keys.Len(); i++ {
				if keys.Value(i) <= last {
					t.Fatalf("scan keys out of order: %q after %q", keys.Value(i), last)
				}
				last = keys.Value(i)
			}
			rows += int(rec.NumRows())
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	all, err := db.Scan("features", nil)
	if err != nil {
		t.Fatal(err)
	}
	if all.Schema().NumFields() != width+1 {
		t.Fatalf("scan schema %v", all.Schema())
	}
	if got := count(all, width+1); got != n+50 {
		t.Fatalf("scan: %d rows, want %d", got, n+50)
	}
	old, err := snap.Scan("features", []string{"key", "f2"})
	if err != nil {
		t.Fatal(err)
	}
	// The snapshot closes first: its stream stays valid.
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	if got := count(old, 2); got != n {
		t.Fatalf("snapshot scan: %d rows, want %d", got, n)
	}

	_, err = db.Scan("features", []string{"nope"})
	wantStatus(t, err, murr.StatusUnknownColumn, "Scan of an unknown column")
	_, err = db.Scan("nope", nil)
	wantStatus(t, err, murr.StatusUnknownTable, "Scan of an unknown table")

	// A stream opened before Close fails on its next batch; the handle waits for it.
	open, err := db.Scan("features", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if open.Next() {
		t.Fatal("a scan read a batch after DB.Close")
	}
	wantStatus(t, open.Err(), murr.StatusArrow, "Err of a scan after DB.Close")
	t.Logf("scan after close: %v", open.Err())
	open.Release()
}
