package dev.murr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The JNI library comes from the resources (as it does from the jar), not the system. */
class LoaderTest {
  @Test
  void loadsFromThePackedResource() {
    String source = MurrDb.nativeLibrarySource();
    assertEquals("resource:dev/murr/native/" + NativeLoader.platform() + "/libmurrjni.so", source);
    assertTrue(NativeLoader.platform().matches("[a-z]+-[a-z0-9_]+"));
  }
}
