package murr_test

import (
	"testing"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestTableStats(t *testing.T) {
	db := openTemp(t)
	if err := db.CreateTable("features", featureSchema(2), "key"); err != nil {
		t.Fatal(err)
	}
	s, err := db.TableStats("features")
	if err != nil || s != (murr.TableStats{}) {
		t.Fatalf("TableStats of an empty table = %+v, %v", s, err)
	}
	rec := featureBatch(0, 100, 2, 0)
	defer rec.Release()
	if _, err := db.Write("features", rec); err != nil {
		t.Fatal(err)
	}
	if s, err = db.TableStats("features"); err != nil || s.MemtableBytes == 0 || s.Segments != 0 {
		t.Fatalf("TableStats after a write = %+v, %v", s, err)
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	s, err = db.TableStats("features")
	if err != nil || s.Segments != 1 || s.Level0Segments != 1 || s.SegmentRows != 100 || s.SegmentBytes == 0 || s.MemtableBytes != 0 {
		t.Fatalf("TableStats after a flush = %+v, %v", s, err)
	}
	_, err = db.TableStats("nope")
	wantStatus(t, err, murr.StatusUnknownTable, "TableStats of an unknown table")
	_, err = db.TableStats("a\x00b")
	wantStatus(t, err, murr.StatusInvalidArgument, "a NUL in a table name")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.TableStats("features")
	wantStatus(t, err, murr.StatusClosed, "TableStats after Close")
}
