package murr_test

import (
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	murr "github.com/libmurr/libmurr/bindings/go"
)

func TestTables(t *testing.T) {
	db := openTemp(t)
	if names, err := db.Tables(); err != nil || len(names) != 0 {
		t.Fatalf("Tables() = %v, %v on a new database", names, err)
	}
	if err := db.CreateTable("features", featureSchema(3), "key"); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTable("features", featureSchema(3), "key"); err != nil {
		t.Fatalf("CreateTable again with the same schema: %v", err)
	}
	wantStatus(t, db.CreateTable("features", featureSchema(2), "key"), murr.StatusTableExists, "CreateTable with another schema")
	ids := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	if err := db.CreateTable("ids", ids, "id"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, db.CreateTable("x", ids, "nope"), murr.StatusUnknownColumn, "CreateTable with an unknown key column")
	wantStatus(t, db.CreateTable("x", ids, "score"), murr.StatusUnsupported, "CreateTable keyed by a float")
	wantStatus(t, db.CreateTable("a\x00b", ids, "id"), murr.StatusInvalidArgument, "a NUL in a table name")

	names, err := db.Tables()
	if err != nil || !reflect.DeepEqual(names, []string{"features", "ids"}) {
		t.Fatalf("Tables() = %v, %v", names, err)
	}

	s, err := db.TableSchema("features")
	if err != nil {
		t.Fatal(err)
	}
	if s.NumFields() != 4 || s.Field(0).Name != "key" || s.Field(3).Name != "f2" || s.Field(3).Type.ID() != arrow.FLOAT32 {
		t.Fatalf("TableSchema = %v", s)
	}
	if k, ok := s.Metadata().GetValue(murr.KeyMetadata); !ok || k != "key" {
		t.Fatalf("metadata %q = %q, %v", murr.KeyMetadata, k, ok)
	}
	_, err = db.TableSchema("nope")
	wantStatus(t, err, murr.StatusUnknownTable, "TableSchema of an unknown table")

	if err := db.AddColumn("features", arrow.Field{Name: "extra", Type: arrow.PrimitiveTypes.Int32, Nullable: true}); err != nil {
		t.Fatal(err)
	}
	s, err = db.TableSchema("features")
	if err != nil || s.NumFields() != 5 || s.Field(4).Name != "extra" || s.Field(4).Type.ID() != arrow.INT32 {
		t.Fatalf("after AddColumn: %v, %v", s, err)
	}
	wantStatus(t, db.AddColumn("nope", arrow.Field{Name: "e", Type: arrow.PrimitiveTypes.Int32, Nullable: true}), murr.StatusUnknownTable, "AddColumn to an unknown table")

	if err := db.DropTable("ids"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, db.DropTable("ids"), murr.StatusUnknownTable, "DropTable twice")
	if names, _ := db.Tables(); !reflect.DeepEqual(names, []string{"features"}) {
		t.Fatalf("Tables() after DropTable = %v", names)
	}
}
