package dev.murr.bench;

import dev.murr.MurrDb;
import dev.murr.Options;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * R1 of docs/WORKLOAD.md from Java (not a test; run by scripts/bench-java.sh): the canonical table
 * (keys doc_{i}, 10 float32 columns f_c = ((i * 31 + c) % 1000) / 1000, written through
 * MurrDb.write in batches of 100,000 rows, flushed, compacted, closed and reopened), then
 * copied once per system (each reads its own copy), then
 * batches of 1000 uniformly random existing keys (SplitMix64 from seed 42, the generator of
 * core's workload::random_rows, so the same keys as the Rust benches) x all 10 columns, one
 * thread. Systems take turns per batch in a rotating order, each timed alone:
 *
 * <ul>
 *   <li>arrow: {@code db.read(table, String[] keys, columns)} returning a VectorSchemaRoot
 *       imported through the C Data Interface, closed inside the timing;
 *   <li>dense float[]: {@code readDense} into a reused float[10000];
 *   <li>dense direct: {@code readDense} into a reused direct FloatBuffer.
 * </ul>
 *
 * The key Strings are built outside the timing; their UTF-8 encoding is inside (it is part
 * of the call). Values are checked outside the timing.
 *
 * <p>{@code R1Bench [--rows N] [--batches B] [--warmup W] [--dir PATH]}
 */
public final class R1Bench {
  static final int WIDTH = 10;
  static final int KEYS = 1000;
  static final String TABLE = "features";

  private R1Bench() {}

  static float value(long i, int c) {
    return ((i * 31 + c) % 1000) / 1000.0f;
  }

  /** core's workload::random_rows: SplitMix64 from a seed, scaled to [0, n). */
  static final class SplitMix {
    long state;
    final long n;

    SplitMix(long seed, long n) {
      this.state = seed;
      this.n = n;
    }

    long next() {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z ^= z >>> 31;
      return unsignedMultiplyHigh(z, n);
    }

    static long unsignedMultiplyHigh(long a, long b) {
      return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }
  }

  static Schema schema() {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("key", FieldType.notNullable(new ArrowType.Utf8()), null));
    ArrowType f32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
    for (int c = 0; c < WIDTH; c++) {
      fields.add(new Field("f" + c, FieldType.notNullable(f32), null));
    }
    return new Schema(fields);
  }

  static void load(MurrDb db, BufferAllocator a, long rows) {
    db.createTable(TABLE, schema(), "key");
    long t0 = System.nanoTime();
    for (long start = 0; start < rows; start += 100_000) {
      int len = (int) Math.min(100_000, rows - start);
      try (VectorSchemaRoot b = VectorSchemaRoot.create(schema(), a)) {
        b.allocateNew();
        VarCharVector k = (VarCharVector) b.getVector(0);
        for (int r = 0; r < len; r++) {
          k.setSafe(r, ("doc_" + (start + r)).getBytes(StandardCharsets.UTF_8));
        }
        for (int c = 0; c < WIDTH; c++) {
          Float4Vector v = (Float4Vector) b.getVector(c + 1);
          for (int r = 0; r < len; r++) {
            v.setSafe(r, value(start + r, c));
          }
        }
        b.setRowCount(len);
        db.write(TABLE, b);
      }
    }
    long t1 = System.nanoTime();
    db.flush();
    long t2 = System.nanoTime();
    db.compact();
    long t3 = System.nanoTime();
    System.out.printf(
        "load: %d rows written in %.2f s (%.2f Mrows/s, batch building included), flush %.2f s,"
            + " compact %.2f s%n",
        rows, (t1 - t0) / 1e9, rows / ((t1 - t0) / 1e3), (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  static double percentile(double[] sorted, double p) {
    return sorted[(int) Math.round((sorted.length - 1) * p)];
  }

  interface System1 {
    void run(String[] keys, long[] rows);
  }

  public static void main(String[] args) throws Exception {
    long rows = 1_000_000;
    int batches = 2000;
    int warmup = 1000;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[++i]);
        case "--batches" -> batches = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path db0 = dir != null ? dir : Files.createTempDirectory("murr-r1-java");
    String[] columns = new String[WIDTH];
    for (int c = 0; c < WIDTH; c++) {
      columns[c] = "f" + c;
    }
    try (BufferAllocator root = new RootAllocator()) {
      try (MurrDb db = MurrDb.open(db0.resolve("db"), new Options().allocator(root))) {
        System.out.printf("loading %d rows ...%n", rows);
        load(db, root, rows);
      }
      // Each system reads its own copy of the database, so that none finds in the CPU caches
      // the rows the one before it read for the same keys (as the Rust abi bench does).
      for (int s = 0; s < 3; s++) {
        copyDir(db0.resolve("db"), db0.resolve("copy" + s));
      }
      try (MurrDb db = MurrDb.open(db0.resolve("copy0"), new Options().allocator(root));
          MurrDb db1 = MurrDb.open(db0.resolve("copy1"), new Options().allocator(root));
          MurrDb db2 = MurrDb.open(db0.resolve("copy2"), new Options().allocator(root))) {
        float[] dense = new float[KEYS * WIDTH];
        FloatBuffer direct =
            ByteBuffer.allocateDirect(4 * KEYS * WIDTH)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        String[] names = {"arrow (VectorSchemaRoot)", "dense float[]", "dense direct FloatBuffer"};
        final float[] lastArrow = new float[1];
        System1[] systems = {
          (keys, rs) -> {
            try (VectorSchemaRoot r = db.read(TABLE, keys, columns)) {
              lastArrow[0] = ((Float4Vector) r.getVector(WIDTH - 1)).get(KEYS - 1);
            }
          },
          (keys, rs) -> db1.readDense(TABLE, keys, columns, Float.NaN, dense, 0, null),
          (keys, rs) -> db2.readDense(TABLE, keys, columns, Float.NaN, direct, null),
        };
        double[][] times = new double[systems.length][batches];
        SplitMix rng = new SplitMix(42, rows);
        String[] keys = new String[KEYS];
        long[] rs = new long[KEYS];
        for (int b = -warmup; b < batches; b++) {
          for (int k = 0; k < KEYS; k++) {
            rs[k] = rng.next();
            keys[k] = "doc_" + rs[k];
          }
          for (int j = 0; j < systems.length; j++) {
            int s = (b + warmup + j) % systems.length;
            long t0 = System.nanoTime();
            systems[s].run(keys, rs);
            long t1 = System.nanoTime();
            if (b >= 0) {
              times[s][b] = (t1 - t0) / 1e3;
            }
            check(s, rs, dense, direct, lastArrow[0]);
          }
        }
        System.out.printf(
            "R1 from Java: %d batches of %d keys x %d float32 columns after %d warm-up batches,"
                + " %d rows%n",
            batches, KEYS, WIDTH, warmup, rows);
        System.out.printf("%-28s %12s %12s %10s%n", "system", "median us", "p99 us", "Mkeys/s");
        for (int s = 0; s < systems.length; s++) {
          double[] t = times[s].clone();
          Arrays.sort(t);
          double med = percentile(t, 0.5);
          System.out.printf(
              "%-28s %12.1f %12.1f %10.2f%n", names[s], med, percentile(t, 0.99), KEYS / med);
        }
      }
      if (root.getAllocatedMemory() != 0) {
        throw new IllegalStateException("Arrow memory left: " + root.getAllocatedMemory());
      }
    } finally {
      if (dir == null) {
        try (var walk = Files.walk(db0)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  static void copyDir(Path from, Path to) throws java.io.IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.getFileName().toString().equals("LOCK") && Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }

  static void check(int system, long[] rs, float[] dense, FloatBuffer direct, float lastArrow) {
    long i = rs[KEYS - 1];
    float want = value(i, WIDTH - 1);
    float got =
        switch (system) {
          case 0 -> lastArrow;
          case 1 -> dense[KEYS * WIDTH - 1];
          default -> direct.get(KEYS * WIDTH - 1);
        };
    if (got != want) {
      throw new AssertionError("system " + system + ": row " + i + " read " + got + ", not " + want);
    }
  }
}
