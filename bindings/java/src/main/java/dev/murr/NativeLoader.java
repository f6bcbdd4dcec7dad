package dev.murr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the JNI library: the system property {@code murr.library.path} (a file) when set;
 * else the copy packed in the jar at {@code dev/murr/native/<os>-<arch>/libmurrjni.so},
 * extracted to a temporary file; else {@code System.loadLibrary("murrjni")} from
 * {@code java.library.path}.
 */
final class NativeLoader {
  static final String LIBRARY = "murrjni";
  private static volatile String source;

  private NativeLoader() {}

  /** Where the library was loaded from (a path, or "java.library.path"). */
  static String source() {
    return source;
  }

  /** The resource directory of this platform: "linux-x86_64", "linux-aarch64", ... */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("mac")) {
      os = "darwin";
    } else if (os.startsWith("windows")) {
      os = "windows";
    }
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (arch.equals("amd64") || arch.equals("x86-64")) {
      arch = "x86_64";
    } else if (arch.equals("arm64")) {
      arch = "aarch64";
    }
    return os + "-" + arch;
  }

  static synchronized void load() {
    if (source != null) {
      return;
    }
    String explicit = System.getProperty("murr.library.path");
    if (explicit != null && !explicit.isEmpty()) {
      System.load(Path.of(explicit).toAbsolutePath().toString());
      source = explicit;
      return;
    }
    String file = System.mapLibraryName(LIBRARY);
    String resource = "native/" + platform() + "/" + file;
    try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
      if (in != null) {
        Path tmp = Files.createTempFile("murrjni-", "-" + file);
        tmp.toFile().deleteOnExit();
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        System.load(tmp.toAbsolutePath().toString());
        Files.deleteIfExists(tmp); // the mapping stays; nothing is left behind on disk
        source = "resource:dev/murr/" + resource;
        return;
      }
    } catch (IOException e) {
      throw new UnsatisfiedLinkError("murr: cannot extract " + resource + ": " + e);
    }
    System.loadLibrary(LIBRARY);
    source = "java.library.path";
  }
}
