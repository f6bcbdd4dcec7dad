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

  /**
   * {@code items} encoded as one array; rejects null lists, null items and NULs. ASCII strings
   * (the common case for keys) are written straight into the result, others through {@link
   * String#getBytes}.
   */
  static Strings list(String what, String[] items) {
    if (items == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    byte[][] wide = null;
    int total = 0;
    for (int i = 0; i < items.length; i++) {
      String s = items[i];
      if (s == null) {
        throw new IllegalArgumentException(what + " holds a null");
      }
      if (isAscii(what, s)) {
        total += s.length() + 1;
      } else {
        if (wide == null) {
          wide = new byte[items.length][];
        }
        wide[i] = cstring(what, s);
        total += wide[i].length;
      }
    }
    byte[] bytes = new byte[total];
    int[] offsets = new int[items.length];
    int at = 0;
    for (int i = 0; i < items.length; i++) {
      offsets[i] = at;
      if (wide != null && wide[i] != null) {
        System.arraycopy(wide[i], 0, bytes, at, wide[i].length);
        at += wide[i].length;
      } else {
        String s = items[i];
        int n = s.length();
        for (int j = 0; j < n; j++) {
          bytes[at + j] = (byte) s.charAt(j);
        }
        at += n + 1; // the NUL is already there
      }
    }
    return new Strings(bytes, offsets);
  }

  /** True when every char is ASCII; throws on a NUL. */
  private static boolean isAscii(String what, String s) {
    boolean ascii = true;
    for (int j = 0, n = s.length(); j < n; j++) {
      char c = s.charAt(j);
      if (c == 0) {
        throw new IllegalArgumentException(what + " holds a NUL character: " + s);
      }
      if (c >= 0x80) {
        ascii = false;
      }
    }
    return ascii;
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
