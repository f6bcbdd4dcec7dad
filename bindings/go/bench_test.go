package murr_test

import (
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	murr "github.com/libmurr/libmurr/bindings/go"
	"github.com/libmurr/libmurr/bindings/go/internal/cabi"
)

// BenchmarkR1 is docs/WORKLOAD.md's R1 through the Go binding: the canonical table (keys
// doc_{i}, 10 float32 columns; MURR_BENCH_ROWS rows, default 1,000,000) is loaded through
// DB.Write in batches of 100,000, compacted and closed, then copied once per system (as
// ffi/benches/abi.rs does, so that no system finds in cache the rows another one just read
// for the same keys). Each iteration is one batch of 1000 uniformly random existing keys
// (core's workload::random_rows(42): the Rust bench's keys), all 10 columns, answered by
// each system in a rotating order, each call timed alone and its answer checked outside
// the timing:
//   - read: DB.Read with an Arrow string array of the keys (built outside the timing), the
//     record imported zero-copy and released inside the timing;
//   - dense: DB.ReadFloat32 with the keys as []string into a preallocated 1000 x 10 slice;
//   - c-read, c-dense: the same two C calls (murr_db_read_keys with Arrow keys, the result
//     released in C; murr_db_read_f32 with C strings) made directly through cgo by internal/cabi,
//     with keys and names prepared in C memory outside the timing: the C ABI plus one cgo
//     transition, the floor under the binding. read - c-read and dense - c-dense are what
//     package murr adds.
//
// Before each call every byte of the batch's keys is read, as in abi.rs. The first 200
// iterations are warm-up. Reported: median and p99 microseconds per batch of each system.
//
//	MURR_BENCH_ROWS=1000000 go test -run '^$' -bench R1 -benchtime 2000x
func BenchmarkR1(b *testing.B) {
	const width, batch, warmup = 10, 1000, 200
	rows := 1_000_000
	if s := os.Getenv("MURR_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("MURR_BENCH_ROWS=%q", s)
		}
		rows = n
	}
	root := b.TempDir()
	loadCanonical(b, filepath.Join(root, "load"), rows, width)
	labels := []string{"read", "dense", "c-read", "c-dense"}
	cols := columnNames(width)
	dbs := make([]*murr.DB, 2)
	raw := make([]*cabi.DB, 2)
	for s := range labels {
		dir := filepath.Join(root, labels[s])
		copyDir(b, filepath.Join(root, "load"), dir)
		if s >= 2 {
			db, err := cabi.Open(dir, cols)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			raw[s-2] = db
			continue
		}
		opts := murr.DefaultOptions()
		opts.BackgroundThreads = 0
		db, err := murr.Open(dir, &opts)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		dbs[s] = db
	}
	rng := randomRows(42, uint64(rows))
	times := make([][]float64, len(labels))
	out := make([]float32, batch*width)
	found := make([]bool, batch)
	ids := make([]int, batch)
	names := make([]string, batch)
	b.ResetTimer()
	for it := 0; it < warmup+b.N; it++ {
		for j := range ids {
			ids[j] = int(rng())
			names[j] = key(ids[j])
		}
		keys := stringKeys(names...)
		ckeys, err := cabi.NewKeys(names)
		if err != nil {
			b.Fatal(err)
		}
		for turn := range labels {
			s := (it + turn) % len(labels)
			warmKeys(keys, names)
			var spent time.Duration
			switch s {
			case 0:
				t0 := time.Now()
				res, f, err := dbs[0].Read("features", keys, cols)
				spent = time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				checkCanonical(b, ids, width, f, func(r, c int) float32 {
					return res.Column(c).(*array.Float32).Value(r)
				})
				t1 := time.Now()
				res.Release()
				spent += time.Since(t1)
			case 1:
				t0 := time.Now()
				err := dbs[1].ReadFloat32("features", names, cols, -1, out, found)
				spent = time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				checkCanonical(b, ids, width, found, func(r, c int) float32 { return out[r*width+c] })
			case 2:
				t0 := time.Now()
				err := raw[0].Read(ckeys, found)
				spent = time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				for r, f := range found {
					if !f {
						b.Fatalf("key %s not found", names[r])
					}
				}
			case 3:
				t0 := time.Now()
				err := raw[1].ReadFloat32(ckeys, out, found)
				spent = time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				checkCanonical(b, ids, width, found, func(r, c int) float32 { return out[r*width+c] })
			}
			if it >= warmup {
				times[s] = append(times[s], float64(spent.Nanoseconds())/1e3)
			}
		}
		keys.Release()
		ckeys.Free()
	}
	b.StopTimer()
	for s, label := range labels {
		b.ReportMetric(percentile(times[s], 0.5), label+"-median-us")
		b.ReportMetric(percentile(times[s], 0.99), label+"-p99-us")
	}
	if b.N < 100 {
		return // the testing package's probe run (b.N = 1): nothing to report
	}
	for s := range labels[:2] {
		m, c := percentile(times[s], 0.5), percentile(times[s+2], 0.5)
		b.Logf("%s: median %.1f us, %s %.1f us: the binding adds %+.1f us (%.3fx)", labels[s], m, labels[s+2], c, m-c, m/c)
	}
	b.Logf("R1 through Go (%s link): %d rows, %d batches of %d keys x %d columns", murr.Linkage, rows, b.N, batch, width)
}

// loadCanonical writes the canonical table into a new database at dir, compacts and
// closes it.
func loadCanonical(b *testing.B, dir string, rows, width int) {
	opts := murr.DefaultOptions()
	opts.BackgroundThreads = 0
	opts.Sync = murr.SyncNever
	opts.MemtableBytes = 4 << 30
	db, err := murr.Open(dir, &opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateTable("features", featureSchema(width), "key"); err != nil {
		b.Fatal(err)
	}
	for start := 0; start < rows; start += 100_000 {
		rec := featureBatch(start, min(100_000, rows-start), width, 0)
		_, err := db.Write("features", rec)
		rec.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Compact(); err != nil {
		b.Fatal(err)
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
}

// copyDir copies the files of a closed database (not its LOCK).
func copyDir(b *testing.B, from, to string) {
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if d.Name() == "LOCK" {
			return nil
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		w, err := os.Create(dst)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, src); err != nil {
			w.Close()
			return err
		}
		return w.Close()
	})
	if err != nil {
		b.Fatal(err)
	}
}

var warmSink uint64

// warmKeys reads every byte of a batch's keys, in both forms.
func warmKeys(keys arrow.Array, names []string) {
	var sum uint64
	for _, buf := range keys.Data().Buffers() {
		if buf != nil {
			for _, c := range buf.Bytes() {
				sum += uint64(c)
			}
		}
	}
	for _, s := range names {
		for i := 0; i < len(s); i++ {
			sum += uint64(s[i])
		}
	}
	warmSink += sum
}

func checkCanonical(b *testing.B, ids []int, width int, found []bool, got func(r, c int) float32) {
	for r, i := range ids {
		if !found[r] {
			b.Fatalf("key %s not found", key(i))
		}
		for c := 0; c < width; c++ {
			if v := got(r, c); v != value(i, c, 0) {
				b.Fatalf("row %d column %d: %v, want %v", i, c, v, value(i, c, 0))
			}
		}
	}
}

func percentile(t []float64, p float64) float64 {
	if len(t) == 0 {
		return 0
	}
	s := slices.Clone(t)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p+0.5)]
}

// randomRows is core's workload::random_rows: SplitMix64 from seed, each output scaled to
// [0, n) by a 128-bit multiply, so this benchmark reads the keys ffi/benches/abi.rs reads.
func randomRows(seed, n uint64) func() uint64 {
	state := seed
	return func() uint64 {
		state += 0x9E3779B97F4A7C15
		z := state
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		hi, _ := bits.Mul64(z, n)
		return hi
	}
}
