// RemoteSegment (remote/node.mjs): reads by byte range give the Rust core's answers for
// every golden file, over a `fetchRange` and over HTTP (a local server with Range support);
// point reads of a big segment fetch a small part of it; hostile servers (flipped bytes,
// short responses) reject with an Error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { RemoteSegment } from '../remote/node.mjs';
import { goldens, jsKeys, toJson } from './golden.mjs';

/** A source over `bytes`, optionally altering each response. */
function bufferSource(bytes, alter = (b) => b) {
  return {
    size: bytes.length,
    fetchRange: async (offset, length) => alter(new Uint8Array(bytes.subarray(offset, offset + length)), offset),
  };
}

/** An HTTP server of `bytes` on 127.0.0.1 with Range support; `alter` changes bodies. */
async function serve(bytes, alter = (b) => b) {
  const server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, { 'Content-Length': bytes.length });
      res.end(bytes);
      return;
    }
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (a > b || a >= bytes.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
      res.end();
      return;
    }
    const end = Math.min(b, bytes.length - 1);
    const body = alter(Buffer.from(bytes.subarray(a, end + 1)), a);
    res.writeHead(206, { 'Content-Range': `bytes ${a}-${end}/${bytes.length}`, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/seg.murr`, close: () => new Promise((r) => server.close(r)) };
}

async function checkQueries(seg, answers) {
  assert.equal(seg.rowCount(), answers.row_count);
  assert.deepEqual(seg.schema(), { key: answers.key, fields: answers.fields });
  const keyType = answers.fields[0].type;
  for (const q of answers.queries) {
    const res = await seg.get(jsKeys(q.keys, keyType), q.columns);
    try {
      assert.equal(res.numRows, q.keys.length);
      assert.deepEqual(Array.from(res.found, Boolean), q.found);
      const t = tableFromIPC(res.ipc);
      assert.deepEqual(t.schema.fields.map((f) => f.name), q.columns);
      for (const c of q.columns) {
        const v = t.getChild(c);
        const got = Array.from({ length: t.numRows }, (_, i) => toJson(v, i));
        assert.deepEqual(got, q.values[c], `column ${c}`);
        assert.deepEqual(Array.from(res.nulls(c), Boolean), q.values[c].map((x) => x === null), `nulls of ${c}`);
      }
    } finally {
      res.free();
    }
  }
}

for (const { name, answers, bytes } of goldens()) {
  test(`remote ${name}: every query over fetchRange equals the Rust answer (twice: kept pages)`, async () => {
    const seg = await RemoteSegment.open(bufferSource(bytes), { gap: 0 });
    try {
      await checkQueries(seg, answers);
      const before = seg.bytesFetched;
      await checkQueries(seg, answers); // the same reads again, from kept pages
      assert.equal(seg.bytesFetched, before, 'repeated reads fetch nothing (pages kept)');
    } finally {
      seg.free();
    }
  });

  test(`remote ${name}: every query over HTTP Range requests equals the Rust answer`, async () => {
    const srv = await serve(bytes);
    try {
      const seg = await RemoteSegment.open(srv.url);
      try {
        await checkQueries(seg, answers);
        assert.equal(seg.size, bytes.length);
      } finally {
        seg.free();
      }
    } finally {
      await srv.close();
    }
  });
}

test('remote: an unknown column and keys of the wrong type reject with an Error', async () => {
  const { bytes } = goldens().find((g) => g.name === 'all_types');
  const seg = await RemoteSegment.open(bufferSource(bytes));
  try {
    await assert.rejects(seg.get(['k00'], ['no such column']), Error);
    await assert.rejects(seg.get([1n], ['key']), Error);
    const res = await seg.get(['k00'], ['key']); // still usable
    assert.deepEqual(Array.from(res.found), [1]);
    res.free();
  } finally {
    seg.free();
  }
});

test('remote: errors name the URL, the cause and the segment', async () => {
  // A port nothing listens on: Node's fetch says only "fetch failed"; the error must say more.
  const gone = await serve(new Uint8Array(0));
  const url = gone.url;
  await gone.close();
  await assert.rejects(RemoteSegment.open(url), (e) => {
    assert.ok(e.message.startsWith(`GET ${url} bytes=0-0: `), e.message);
    assert.match(e.message, /ECONNREFUSED/);
    return true;
  });
  // A fetchRange that throws is named with its arguments.
  const failing = { size: 4096, fetchRange: async () => { throw new Error('disk on fire'); } };
  await assert.rejects(RemoteSegment.open(failing, { name: 'features.seg' }), /features\.seg: fetchRange\(\d+, \d+\) failed: disk on fire/);
  // An unknown column names the segment once, quoted.
  const { bytes } = goldens().find((g) => g.name === 'all_types');
  const seg = await RemoteSegment.open(bufferSource(bytes), { name: 'all_types.seg' });
  try {
    await assert.rejects(seg.get(['k00'], ['no such column']), (e) => {
      assert.match(e.message, /segment 'all_types\.seg'/);
      assert.doesNotMatch(e.message, /segment segment/);
      return true;
    });
  } finally {
    seg.free();
  }
});

test('remote: a non-segment, a 404 and a short file reject with an Error', async () => {
  await assert.rejects(RemoteSegment.open(bufferSource(new Uint8Array(1000).fill(7))), Error);
  await assert.rejects(RemoteSegment.open(bufferSource(new Uint8Array(10))), Error);
  const srv = await serve(new Uint8Array(0));
  try {
    await assert.rejects(RemoteSegment.open(srv.url), Error);
  } finally {
    await srv.close();
  }
});

// Hostile: every served byte range with one byte flipped, or cut short: the open or the
// read rejects with an Error (never a trap, never a hang).
const victim = goldens().find((g) => g.name === 'all_types');

async function hostileRead(source) {
  const seg = await RemoteSegment.open(source);
  try {
    const res = await seg.get(victim.answers.queries[0].keys, victim.answers.queries[0].columns);
    res.free();
  } finally {
    seg.free();
  }
}

test('remote hostile: flipped bytes in a response reject with an Error', async () => {
  const size = victim.bytes.length;
  // Flip byte `at` of the file in whatever response holds it.
  for (let at = 0; at < size; at += 7) {
    const source = bufferSource(victim.bytes, (b, offset) => {
      if (at >= offset && at < offset + b.length) b[at - offset] ^= 0x5a;
      return b;
    });
    try {
      await hostileRead(source);
      // A flip in bytes the read never checks (another column's pages) may go unseen.
    } catch (e) {
      assert.ok(e instanceof Error, `flip at ${at}: ${e}`);
    }
  }
});

test('remote hostile: a server flipping bytes / cutting responses short rejects', async () => {
  const flip = await serve(victim.bytes, (b) => {
    if (b.length > 1) b[b.length >> 1] ^= 0xff;
    return b;
  });
  const short = await serve(victim.bytes, (b) => (b.length > 1 ? b.subarray(0, b.length - 1) : b));
  try {
    await assert.rejects(hostileRead(flip.url), Error);
    await assert.rejects(hostileRead(short.url), Error);
  } finally {
    await flip.close();
    await short.close();
  }
  // A fetchRange answering short (or empty, or too long) rejects too.
  for (const alter of [(b) => b.subarray(0, b.length >> 1), () => new Uint8Array(0), (b) => new Uint8Array(b.length + 3)]) {
    await assert.rejects(hostileRead(bufferSource(victim.bytes, alter)), Error);
  }
  // Random bytes in place of every response.
  await assert.rejects(hostileRead(bufferSource(victim.bytes, (b) => b.map(() => (Math.random() * 256) | 0))), Error);
});

// A big segment (scripts/test-wasm.sh writes it: core/examples/write_big.rs; MURR_BIG_SEGMENT):
// point reads of 1, 100, 1000 keys fetch a small part of the file.
const big = process.env.MURR_BIG_SEGMENT;
test('remote big: point reads fetch a small fraction of the file', { skip: !big && 'MURR_BIG_SEGMENT not set' }, async () => {
  const bytes = readFileSync(big);
  const srv = await serve(bytes);
  try {
    const columns = Array.from({ length: 10 }, (_, c) => `f${c}`);
    const report = [];
    for (const n of [1, 100, 1000]) {
      const seg = await RemoteSegment.open(srv.url);
      try {
        const rows = seg.rowCount();
        const open = { bytes: seg.bytesFetched, requests: seg.requests };
        // Keys spread over the file (workload::key(i) = "k" + i zero-padded as the writer does).
        const keys = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * rows) / n));
        const names = keys.map(workloadKey);
        const res = await seg.get(names, columns);
        try {
          assert.ok(Array.from(res.found).every((f) => f === 1), 'every key found');
          const f0 = res.column('f0').slice();
          assert.equal(f0.length, n);
          // workload::value(i, 0) = (i * 31 % 1000) / 1000
          keys.forEach((k, j) => assert.equal(f0[j], Math.fround(((k * 31) % 1000) / 1000), `f0 of ${k}`));
        } finally {
          res.free();
        }
        const read = { bytes: seg.bytesFetched - open.bytes, requests: seg.requests - open.requests };
        report.push({ keys: n, fileBytes: bytes.length, open, read, fraction: (seg.bytesFetched / bytes.length).toFixed(4) });
        assert.ok(seg.bytesFetched < bytes.length * { 1: 0.01, 100: 0.1, 1000: 0.75 }[n], `${n} keys fetched ${seg.bytesFetched} of ${bytes.length}`);
      } finally {
        seg.free();
      }
    }
    console.log(`# remote big: ${JSON.stringify(report)}`);
  } finally {
    await srv.close();
  }
});

/** workload::key(i), as core/src/workload.rs writes it. */
function workloadKey(i) {
  return `doc_${i}`;
}
