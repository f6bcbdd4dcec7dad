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
 * extracted to a temporary file; else from {@code java.library.path}: {@code
 * System.loadLibrary("murr")} (a {@code libmurr.so} built with the JNI glue, as
 * {@code libmurrjni.so} is, under the C library's name), checked to have the JNI entry points
 * (the plain C {@code libmurr.so} has none), then {@code System.loadLibrary("murrjni")}.
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
    UnsatisfiedLinkError asMurr;
    try {
      System.loadLibrary("murr");
      Native.version(); // links a native method: fails on the plain C libmurr
      source = "java.library.path:murr";
      return;
    } catch (UnsatisfiedLinkError e) {
      asMurr = e;
    }
    try {
      System.loadLibrary(LIBRARY);
    } catch (UnsatisfiedLinkError e) {
      e.addSuppressed(asMurr);
      throw e;
    }
    source = "java.library.path:" + LIBRARY;
  }
}
