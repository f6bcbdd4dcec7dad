package murr_test

import (
	"errors"
	"strings"
	"testing"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestVersionAndStatus(t *testing.T) {
	if v := murr.Version(); strings.Count(v, ".") != 2 {
		t.Fatalf("Version() = %q, want major.minor.patch", v)
	}
	if got := murr.StatusUnknownTable.String(); got != "MURR_UNKNOWN_TABLE" {
		t.Fatalf("StatusUnknownTable.String() = %q", got)
	}
	if got := murr.Status(9999).String(); got != "MURR_UNKNOWN" {
		t.Fatalf("Status(9999).String() = %q", got)
	}
	t.Logf("libmurr %s, linked %s", murr.Version(), murr.Linkage)
}

func TestOptions(t *testing.T) {
	d := murr.DefaultOptions()
	if d.Sync != murr.SyncAlways || !d.CreateIfMissing || d.BackgroundThreads != 1 {
		t.Fatalf("DefaultOptions() = %+v, not libmurr's defaults", d)
	}
	o := d
	o.CreateIfMissing = false
	_, err := murr.Open(t.TempDir()+"/missing", &o)
	if err == nil {
		t.Fatal("Open of a missing directory with CreateIfMissing false succeeded")
	}
	// nil options are the defaults.
	db, err := murr.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLockedAndReopen(t *testing.T) {
	dir := t.TempDir()
	db, err := murr.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = murr.Open(dir, nil)
	wantStatus(t, err, murr.StatusLocked, "second Open of one directory")
	if !errors.Is(err, murr.ErrLocked) || errors.Is(err, murr.ErrClosed) {
		t.Fatalf("errors.Is does not match statuses: %v", err)
	}
	loadFeatures(t, db, 10, 2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = murr.Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	res, found, err := db.Read("features", stringKeys(key(3), key(7)), columnNames(2))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if !found[0] || !found[1] {
		t.Fatalf("found = %v after reopen", found)
	}
	checkRows(t, res, []int{3, 7}, 2, 0)
}

// Every call on a closed database is an error of StatusClosed, never a crash.
func TestClosed(t *testing.T) {
	db, err := murr.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	loadFeatures(t, db, 10, 2)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, db.Close(), murr.StatusClosed, "second Close")
	wantStatus(t, db.Flush(), murr.StatusClosed, "Flush")
	wantStatus(t, db.Compact(), murr.StatusClosed, "Compact")
	_, err = db.Tables()
	wantStatus(t, err, murr.StatusClosed, "Tables")
	_, err = db.TableSchema("features")
	wantStatus(t, err, murr.StatusClosed, "TableSchema")
	wantStatus(t, db.CreateTable("x", featureSchema(1), "key"), murr.StatusClosed, "CreateTable")
	rec := featureBatch(0, 3, 2, 1)
	defer rec.Release()
	_, err = db.Write("features", rec)
	wantStatus(t, err, murr.StatusClosed, "Write")
	keys := stringKeys(key(1))
	defer keys.Release()
	_, err = db.Delete("features", keys)
	wantStatus(t, err, murr.StatusClosed, "Delete")
	_, _, err = db.Read("features", keys, columnNames(2))
	wantStatus(t, err, murr.StatusClosed, "Read")
	out := make([]float32, 2)
	wantStatus(t, db.ReadFloat32("features", []string{key(1)}, columnNames(2), 0, out, nil), murr.StatusClosed, "ReadFloat32")
	_, err = db.Snapshot()
	wantStatus(t, err, murr.StatusClosed, "Snapshot")
	_, err = db.Scan("features", nil)
	wantStatus(t, err, murr.StatusClosed, "Scan")
}
