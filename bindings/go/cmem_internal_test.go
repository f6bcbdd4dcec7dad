package murr

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// What Write and Delete copy into C memory is freed once libmurr releases it: by the time
// the database is closed and freed, every byte is back.
func TestCMemoryReleased(t *testing.T) {
	before := cAlloc.AllocatedBytes()
	opts := DefaultOptions()
	opts.BackgroundThreads = 0
	db, err := Open(t.TempDir(), &opts)
	if err != nil {
		t.Fatal(err)
	}
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	if err := db.CreateTable("t", schema, "k"); err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for round := 0; round < 3; round++ {
		for i := 0; i < 1000; i++ {
			b.Field(0).(*array.StringBuilder).Append(string(rune('a'+i%26)) + "-key")
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		rec := b.NewRecordBatch()
		if _, err := db.Write("t", rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		if round == 1 {
			if err := db.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	kb := array.NewStringBuilder(memory.DefaultAllocator)
	kb.Append("a-key")
	keys := kb.NewArray()
	kb.Release()
	if _, err := db.Delete("t", keys); err != nil {
		t.Fatal(err)
	}
	keys.Release()
	if held := cAlloc.AllocatedBytes() - before; held <= 0 {
		t.Fatalf("libmurr holds %d bytes of written batches before Close; want > 0", held)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after := cAlloc.AllocatedBytes(); after != before {
		t.Fatalf("C memory of written batches: %d bytes before, %d after Close", before, after)
	}
}
