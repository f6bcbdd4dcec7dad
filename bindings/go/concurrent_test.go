package murr_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Several goroutines read while one writes: the writer rewrites keys 0..n-1 in rounds
// (every column of a row from the same round, in one batch), flushing and compacting now
// and then; readers (Arrow, dense and snapshot reads) check every row is consistent (all
// its columns of one round) and that the round of a key never goes backwards.
func TestConcurrentReadWrite(t *testing.T) {
	db := openTemp(t)
	const n, width, rounds, readers = 256, 3, 30, 4
	loadFeatures(t, db, n, width)
	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer done.Store(true)
		for r := 1; r <= rounds; r++ {
			rec := featureBatch(0, n, width, r)
			_, err := db.Write("features", rec)
			rec.Release()
			if err == nil && r%10 == 0 {
				err = db.Flush()
			}
			if err == nil && r%15 == 0 {
				err = db.Compact()
			}
			if err != nil {
				errs <- fmt.Errorf("writer, round %d: %w", r, err)
				return
			}
		}
	}()

	// roundOf returns the round of row i from its column-c value, or -1 if inconsistent.
	roundOf := func(i, c int, v float32) int {
		r := int(v / 1000)
		if value(i, c, r) != v {
			return -1
		}
		return r
	}
	cols := columnNames(width)
	for g := 0; g < readers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			seen := make([]int, n)
			out := make([]float32, 16*width)
			for iter := 0; !done.Load() || iter < 20; iter++ {
				rows := make([]int, 16)
				names := make([]string, 16)
				for j := range rows {
					rows[j] = rng.IntN(n)
					names[j] = key(rows[j])
				}
				check := func(j, c int, v float32) error {
					r := roundOf(rows[j], c, v)
					if r < 0 || (c > 0 && r != roundOf(rows[j], 0, out[j*width])) {
						return fmt.Errorf("reader %d: row %d column %d = %v is torn", g, rows[j], c, v)
					}
					if r < seen[rows[j]] {
						return fmt.Errorf("reader %d: row %d went back from round %d to %d", g, rows[j], seen[rows[j]], r)
					}
					seen[rows[j]] = r
					return nil
				}
				switch iter % 3 {
				case 0, 1:
					if err := db.ReadFloat32("features", names, cols, -1, out, nil); err != nil {
						errs <- err
						return
					}
				case 2:
					snap, err := db.Snapshot()
					if err != nil {
						errs <- err
						return
					}
					keys := stringKeys(names...)
					res, _, err := snap.Read("features", keys, cols)
					keys.Release()
					snap.Close()
					if err != nil {
						errs <- err
						return
					}
					for c := 0; c < width; c++ {
						col := res.Column(c).(*array.Float32)
						for j := range rows {
							out[j*width+c] = col.Value(j)
						}
					}
					res.Release()
				}
				for j := range rows {
					for c := 0; c < width; c++ {
						if err := check(j, c, out[j*width+c]); err != nil {
							errs <- err
							return
						}
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Close races reads: each read completes or fails with StatusClosed, never crashes.
func TestCloseRacesReads(t *testing.T) {
	db := openTemp(t)
	loadFeatures(t, db, 50, 2)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := make([]float32, 2)
			for i := 0; i < 200; i++ {
				err := db.ReadFloat32("features", []string{key(i % 50)}, columnNames(2), 0, out, nil)
				if err != nil {
					wantStatusNoFatal(t, err)
					return
				}
			}
		}()
	}
	_ = db.Close()
	wg.Wait()
}
