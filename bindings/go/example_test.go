package murr_test

import (
	"fmt"
	"log"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	murr "github.com/libmurr/libmurr/bindings/go"
)

// A feature table: create it, write a batch, read rows back as Arrow and as a dense
// float32 tensor.
func Example() {
	dir, err := os.MkdirTemp("", "murr-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := murr.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "user", Type: arrow.BinaryTypes.String},
		{Name: "clicks", Type: arrow.PrimitiveTypes.Float32},
		{Name: "age", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)
	if err := db.CreateTable("users", schema, "user"); err != nil {
		log.Fatal(err)
	}

	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"ann", "bob"}, nil)
	b.Field(1).(*array.Float32Builder).AppendValues([]float32{3, 7}, nil)
	b.Field(2).(*array.Int32Builder).AppendValues([]int32{31, 0}, []bool{true, false})
	rec := b.NewRecordBatch()
	defer rec.Release()
	if _, err := db.Write("users", rec); err != nil {
		log.Fatal(err)
	}

	kb := array.NewStringBuilder(memory.DefaultAllocator)
	defer kb.Release()
	kb.AppendValues([]string{"bob", "eve", "ann"}, nil)
	keys := kb.NewArray()
	defer keys.Release()
	res, found, err := db.Read("users", keys, []string{"clicks", "age"})
	if err != nil {
		log.Fatal(err)
	}
	defer res.Release()
	fmt.Println("found:", found)
	fmt.Println("clicks:", res.Column(0))
	fmt.Println("age:", res.Column(1))

	// The dense read: 3 keys x 2 columns, row-major, -1 where there is no value.
	out := make([]float32, 3*2)
	if err := db.ReadFloat32("users", []string{"bob", "eve", "ann"}, []string{"clicks", "age"}, -1, out, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println("tensor:", out)

	_, _, err = db.Read("users", keys, []string{"height"})
	fmt.Println("error:", err)
	// Output:
	// found: [true false true]
	// clicks: [7 (null) 3]
	// age: [(null) (null) 31]
	// tensor: [7 -1 -1 -1 3 31]
	// error: MURR_UNKNOWN_COLUMN: no column 'height' in table 'users'
}

// Scan streams a table in key order as Arrow record batches.
func ExampleDB_Scan() {
	dir, err := os.MkdirTemp("", "murr-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := murr.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	if err := db.CreateTable("scores", schema, "id"); err != nil {
		log.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{30, 10, 20}, nil)
	b.Field(1).(*array.Float64Builder).AppendValues([]float64{0.3, 0.1, 0.2}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	if _, err := db.Write("scores", rec); err != nil {
		log.Fatal(err)
	}

	r, err := db.Scan("scores", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Release()
	for r.Next() {
		batch := r.RecordBatch()
		fmt.Println(batch.Column(0), batch.Column(1))
	}
	if err := r.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [10 20 30] [0.1 0.2 0.3]
}

// A snapshot reads the database as it was when it was taken.
func ExampleDB_Snapshot() {
	dir, err := os.MkdirTemp("", "murr-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := murr.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Float32},
	}, nil)
	if err := db.CreateTable("t", schema, "id"); err != nil {
		log.Fatal(err)
	}
	write := func(v float32) {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).Append(1)
		b.Field(1).(*array.Float32Builder).Append(v)
		rec := b.NewRecordBatch()
		defer rec.Release()
		if _, err := db.Write("t", rec); err != nil {
			log.Fatal(err)
		}
	}
	write(1)
	snap, err := db.Snapshot()
	if err != nil {
		log.Fatal(err)
	}
	defer snap.Close()
	write(2)

	then, now := make([]float32, 1), make([]float32, 1)
	if err := snap.ReadFloat32Int64("t", []int64{1}, []string{"v"}, 0, then, nil); err != nil {
		log.Fatal(err)
	}
	if err := db.ReadFloat32Int64("t", []int64{1}, []string{"v"}, 0, now, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println(then[0], now[0])
	// Output:
	// 1 2
}
