package murr_test

import (
	"strings"
	"testing"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestMetrics(t *testing.T) {
	db := openTemp(t)
	loadFeatures(t, db, 100, 2)
	m, err := db.Metrics()
	if err != nil || !m.Enabled || m.Writes != 1 || m.WriteRows != 100 || m.Reads != 0 {
		t.Fatalf("Metrics after one write = %+v, %v", m, err)
	}
	keys := stringKeys(key(1), "nobody", key(99), "nope")
	defer keys.Release()
	rec, found, err := db.Read("features", keys, columnNames(2))
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	if found[1] || found[3] || !found[0] || !found[2] {
		t.Fatalf("found = %v", found)
	}
	gone := stringKeys(key(5))
	defer gone.Release()
	if _, err := db.Delete("features", gone); err != nil {
		t.Fatal(err)
	}
	m, err = db.Metrics()
	if err != nil {
		t.Fatal(err)
	}
	if m.Reads != 1 || m.ReadKeys != 4 || m.ReadMisses != 2 || m.ReadBytes == 0 {
		t.Fatalf("read counters = %+v", m)
	}
	if m.Deletes != 1 || m.DeleteKeys != 1 || m.LogBytes == 0 || m.MemtableRows != 101 {
		t.Fatalf("write counters = %+v", m)
	}
	var counted uint64
	for _, b := range m.ReadLatencyBuckets {
		counted += b
	}
	if counted != 1 || m.ReadLatencyP50Ns == 0 || m.ReadLatencyP50Ns > m.ReadLatencyP999Ns {
		t.Fatalf("latency = %+v", m)
	}
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := db.Compact(); err != nil {
		t.Fatal(err)
	}
	m, err = db.Metrics()
	if err != nil || m.Flushes != 1 || m.FlushRows != 100 || m.Compactions != 1 || m.SegmentRows != 99 || m.MemtableRows != 0 {
		t.Fatalf("Metrics after flush and compaction = %+v, %v", m, err)
	}
	text, err := db.MetricsPrometheus()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"murr_reads_total 1\n", "murr_read_misses_total 2\n", "murr_compactions_total 1\n", "murr_table_segment_rows{table=\"features\"} 99\n"} {
		if !strings.Contains(text, want) {
			t.Fatalf("no %q in\n%s", want, text)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.Metrics()
	wantStatus(t, err, murr.StatusClosed, "Metrics after Close")
	_, err = db.MetricsPrometheus()
	wantStatus(t, err, murr.StatusClosed, "MetricsPrometheus after Close")
}
