// Hostile bytes never trap or crash: a truncated file, any flipped byte, random bytes, or
// bytes that are not a segment at all give a JS Error (never a WebAssembly.RuntimeError,
// which is what a Rust panic under panic=abort would become), and the module keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentReader } from '../pkg/node/murr.js';
import { goldens, jsKeys } from './golden.mjs';

// The frozen version-1 and version-2 files are left out: the same shapes as the current ones.
const all = goldens().filter((g) => !/^v[12]_/.test(g.name));

/** Opens `bytes` and reads everything; returns the error, or null when it all worked. */
function readAll(bytes, answers) {
  let r;
  try {
    r = new SegmentReader(bytes);
    r.schema();
    r.rowCount();
    r.keys();
    for (const q of answers.queries) {
      const res = r.get(jsKeys(q.keys, answers.fields[0].type), q.columns);
      res.ipc;
      res.free();
    }
    r.verify();
    return null;
  } catch (e) {
    return e;
  } finally {
    r?.free();
  }
}

function assertCleanError(e, what) {
  assert.ok(e !== null, `${what}: accepted`);
  assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what}: trapped: ${e}`);
  assert.ok(e instanceof Error, `${what}: ${e}`);
}

/** The module still reads a good file correctly. */
function assertStillWorks() {
  const { bytes, answers } = all[0];
  assert.equal(readAll(bytes, answers), null);
}

for (const { name, answers, bytes } of all) {
  test(`${name}: every truncation throws`, () => {
    for (let len = 0; len < bytes.length; len++) {
      assertCleanError(readAll(bytes.subarray(0, len), answers), `${name} truncated to ${len}`);
    }
    assertStillWorks();
  });

  test(`${name}: every flipped byte throws (checksums cover the whole file)`, () => {
    for (let at = 0; at < bytes.length; at++) {
      const b = Uint8Array.from(bytes);
      b[at] ^= 0x5a;
      assertCleanError(readAll(b, answers), `${name} byte ${at} flipped`);
    }
    assertStillWorks();
  });
}

test('random bytes throw', () => {
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const { answers } = all[0];
  for (let n = 0; n < 300; n++) {
    const b = Uint8Array.from({ length: (n * 37) % 3000 }, next);
    assertCleanError(readAll(b, answers), `random ${n}`);
  }
  // A valid trailer over random bytes: passes the first check, fails later.
  const { bytes } = all[0];
  const b = Uint8Array.from(bytes);
  for (let i = 64; i < b.length - 64; i++) b[i] = next();
  assertCleanError(readAll(b, answers), 'random body');
  assertStillWorks();
});

test('not bytes at all throws', () => {
  for (const bad of [undefined, null, 'MURRSEG', 42, {}]) {
    assert.throws(() => new SegmentReader(bad), (e) => !(e instanceof WebAssembly.RuntimeError), String(bad));
  }
  assertStillWorks();
});
