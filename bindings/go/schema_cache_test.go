package murr_test

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Results of one shape reuse an imported schema; a table recreated with another type under
// the same names must not read with the old one.
func TestResultSchemaFollowsTable(t *testing.T) {
	db := openTemp(t)
	for round, typ := range []arrow.DataType{arrow.PrimitiveTypes.Float32, arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Int16} {
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "id", Type: arrow.PrimitiveTypes.Int64},
			{Name: "v", Type: typ, Nullable: true},
		}, nil)
		if err := db.CreateTable("t", schema, "id"); err != nil {
			t.Fatal(err)
		}
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		b.Field(0).(*array.Int64Builder).Append(1)
		switch fb := b.Field(1).(type) {
		case *array.Float32Builder:
			fb.Append(1.5)
		case *array.Float64Builder:
			fb.Append(2.5)
		case *array.Int16Builder:
			fb.Append(3)
		}
		rec := b.NewRecordBatch()
		b.Release()
		if _, err := db.Write("t", rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		kb := array.NewInt64Builder(memory.DefaultAllocator)
		kb.Append(1)
		keys := kb.NewArray()
		kb.Release()
		for i := 0; i < 2; i++ { // the second read hits the cache
			res, _, err := db.Read("t", keys, []string{"v"})
			if err != nil {
				t.Fatal(err)
			}
			if !arrow.TypeEqual(res.Column(0).DataType(), typ) || res.Schema().Field(0).Type.ID() != typ.ID() {
				t.Fatalf("round %d: read v as %s, the table has %s", round, res.Column(0).DataType(), typ)
			}
			if got := res.Column(0).ValueStr(0); got != []string{"1.5", "2.5", "3"}[round] {
				t.Fatalf("round %d: v = %s", round, got)
			}
			res.Release()
		}
		keys.Release()
		if err := db.DropTable("t"); err != nil {
			t.Fatal(err)
		}
	}
}
