package dev.murr;

import java.nio.ByteBuffer;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Checks the JVM options the binding needs before Arrow Java needs them: Arrow's memory module
 * reads {@code java.nio} internals, which Java 17 allows only with {@code
 * --add-opens=java.base/java.nio=ALL-UNNAMED} (or {@code =org.apache.arrow.memory.core} on the
 * module path). Without it Arrow fails later with an {@code UnsupportedOperationException} or
 * {@code InaccessibleObjectException} and a "Memory was leaked" report; this check fails first,
 * with a message naming the flag.
 */
final class JvmOptions {
  private JvmOptions() {}

  /** The option to add to the java command line for this class path or module path. */
  static String addOpensFlag() {
    Module arrow = BufferAllocator.class.getModule();
    String target = arrow.isNamed() ? arrow.getName() : "ALL-UNNAMED";
    return "--add-opens=java.base/java.nio=" + target;
  }

  /** Whether java.nio is open to Arrow's memory module. */
  static boolean nioOpen() {
    return ByteBuffer.class.getModule().isOpen("java.nio", BufferAllocator.class.getModule());
  }

  /**
   * Throws {@link IllegalStateException} naming the missing option unless java.nio is open to
   * Arrow's memory module.
   */
  static void requireNioOpen() {
    if (!nioOpen()) {
      throw new IllegalStateException(
          "libmurr's Java binding needs the JVM option "
              + addOpensFlag()
              + " (Arrow Java's memory module reads java.nio internals): add it to the java"
              + " command line, to JDK_JAVA_OPTIONS, or to Surefire's argLine");
    }
  }
}
