package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --add-opens=java.base/java.nio=ALL-UNNAMED}, opening a database fails at once
 * with a message naming the flag (checked in a forked JVM started without it), instead of
 * Arrow's UnsupportedOperationException and "Memory was leaked" later.
 */
class AddOpensTest {
  /** Run in the forked JVM: opens a database, prints what happened. */
  public static void main(String[] args) {
    try (MurrDb db = MurrDb.open(Path.of(args[0]))) {
      System.out.println("opened: " + db.tables());
    } catch (IllegalStateException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }

  @Test
  void theSurefireJvmHasTheFlag() {
    assertTrue(JvmOptions.nioOpen());
    assertEquals("--add-opens=java.base/java.nio=ALL-UNNAMED", JvmOptions.addOpensFlag());
  }

  @Test
  void withoutTheFlagOpenNamesIt(@TempDir Path dir) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    AddOpensTest.class.getName(),
                    dir.resolve("db").toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(
        out.startsWith(
            "refused: libmurr's Java binding needs the JVM option"
                + " --add-opens=java.base/java.nio=ALL-UNNAMED"),
        out);
    assertFalse(out.contains("Memory was leaked"), out);
    assertFalse(Files.exists(dir.resolve("db")), "nothing is created before the check");
  }
}
