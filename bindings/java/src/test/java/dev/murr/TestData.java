package dev.murr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The tests' tables: key `key` (utf8 or int64) and float32 columns f0..f{n-1}. */
final class TestData {
  private TestData() {}

  static final ArrowType F32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  static Schema schema(int columns, boolean intKeys) {
    List<Field> fields = new ArrayList<>();
    fields.add(
        new Field(
            "key",
            FieldType.notNullable(intKeys ? new ArrowType.Int(64, true) : new ArrowType.Utf8()),
            null));
    for (int c = 0; c < columns; c++) {
      fields.add(new Field("f" + c, FieldType.notNullable(F32), null));
    }
    return new Schema(fields);
  }

  static String key(long i) {
    return "doc_" + i;
  }

  /** The value of row i, column c, at version v (docs/WORKLOAD.md's formula for v = 0). */
  static float value(long i, int c, int v) {
    return ((i * 31 + c + v * 7L) % 1000) / 1000.0f;
  }

  static String[] columns(int n) {
    String[] out = new String[n];
    for (int c = 0; c < n; c++) {
      out[c] = "f" + c;
    }
    return out;
  }

  /** Rows [start, start + len) at version v; the caller closes the root. */
  static VectorSchemaRoot batch(
      BufferAllocator a, long start, int len, int columns, boolean intKeys, int v) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(columns, intKeys), a);
    root.allocateNew();
    for (int r = 0; r < len; r++) {
      long i = start + r;
      if (intKeys) {
        ((BigIntVector) root.getVector(0)).setSafe(r, i);
      } else {
        ((VarCharVector) root.getVector(0))
            .setSafe(r, key(i).getBytes(StandardCharsets.UTF_8));
      }
      for (int c = 0; c < columns; c++) {
        ((Float4Vector) root.getVector(c + 1)).setSafe(r, value(i, c, v));
      }
    }
    root.setRowCount(len);
    return root;
  }
}
