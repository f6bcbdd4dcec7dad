package dev.murr;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Strings as the JNI glue takes them: NUL-terminated UTF-8, lists in one array. */
final class Utf8 {
  private Utf8() {}

  /** A list of NUL-terminated UTF-8 strings: all in {@code bytes}, string i at offsets[i]. */
  static final class Strings {
    final byte[] bytes;
    final int[] offsets;

    Strings(byte[] bytes, int[] offsets) {
      this.bytes = bytes;
      this.offsets = offsets;
    }

    int count() {
      return offsets.length;
    }
  }

  /** {@code s} as NUL-terminated UTF-8; rejects null and strings holding NUL. */
  static byte[] cstring(String what, String s) {
    if (s == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 1];
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) {
        throw new IllegalArgumentException(what + " holds a NUL character: " + s);
      }
      out[i] = b[i];
    }
    return out;
  }

  /** {@code items} encoded as one array; rejects null lists, null items and NULs. */
  static Strings list(String what, String[] items) {
    if (items == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    byte[][] parts = new byte[items.length][];
    int total = 0;
    for (int i = 0; i < items.length; i++) {
      parts[i] = cstring(what, items[i]);
      total += parts[i].length;
    }
    byte[] bytes = new byte[total];
    int[] offsets = new int[items.length];
    int at = 0;
    for (int i = 0; i < parts.length; i++) {
      offsets[i] = at;
      System.arraycopy(parts[i], 0, bytes, at, parts[i].length);
      at += parts[i].length;
    }
    return new Strings(bytes, offsets);
  }

  /** {@link #list(String, String[])} of a {@code List}. */
  static Strings list(String what, List<String> items) {
    if (items == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    return list(what, items.toArray(new String[0]));
  }

  /** Decodes UTF-8 bytes from the glue. */
  static String decode(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
