package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The status constants of {@link MurrException} are copied by hand from murr.h: each must be
 * the number libmurr names "MURR_" + its name (murr_status_name), every code 1..17 must have
 * one, and one past the last is "MURR_UNKNOWN". A drifted copy fails here.
 */
class StatusCodesTest {
  static final int LAST = 17;

  static String libraryName(int status) {
    return new String(Native.statusName(status), StandardCharsets.UTF_8);
  }

  @Test
  void constantsMatchTheLibrary() throws IllegalAccessException {
    Map<Integer, String> byCode = new HashMap<>();
    for (Field f : MurrException.class.getDeclaredFields()) {
      int m = f.getModifiers();
      if (f.getType() != int.class || !Modifier.isPublic(m) || !Modifier.isStatic(m)) {
        continue;
      }
      int code = f.getInt(null);
      assertEquals("MURR_" + f.getName(), libraryName(code), "MurrException." + f.getName());
      assertEquals(null, byCode.put(code, f.getName()), "two constants for " + code);
    }
    assertEquals("MURR_OK", libraryName(0));
    for (int s = 1; s <= LAST; s++) {
      assertTrue(byCode.containsKey(s), "no MurrException constant for status " + s);
    }
    assertEquals(16, MurrException.UNKNOWN); // codes are appended after it
    assertEquals("MURR_UNKNOWN", libraryName(LAST + 1));
  }

  @Test
  void exceptionsNameTheirStatusAsTheLibraryDoes() {
    for (int s = 0; s <= LAST + 1; s++) {
      MurrException e = new MurrException(s, "m");
      assertEquals(s, e.status());
      assertEquals(libraryName(s), e.statusName());
      assertEquals(libraryName(s) + ": m", e.getMessage());
    }
  }
}
