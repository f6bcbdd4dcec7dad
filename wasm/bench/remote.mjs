// Bytes and range requests a remote read fetches through the package (RemoteSegment, the
// Node build) over HTTP, from demo/serve.mjs (Range requests, counted by the server):
// 1, 100 and 1000 random keys (workload::random_rows, seed 42) x the 10 float32 columns of
// a workload segment, each read on a fresh open, with the default 4 KiB gap and a 64 KiB
// gap. The server's counts must equal RemoteSegment's; values are checked against the
// workload's formula. Prints a Markdown table; then the wall time of the same reads from
// a file source (`fetchRange` over fs reads, no HTTP: mostly the wasm side's CPU), median
// of 5 fresh opens.
//
//   node bench/remote.mjs SEGMENT_FILE      (scripts/bench-remote.sh writes a 1 GB one)
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { RemoteSegment } from '../remote/node.mjs';
import { serve } from '../demo/serve.mjs';

const path = process.argv[2];
if (!path) {
  console.error('usage: node bench/remote.mjs SEGMENT_FILE');
  process.exit(2);
}
const size = statSync(path).size;
const columns = Array.from({ length: 10 }, (_, c) => `f${c}`);

/** workload::random_rows(seed, n): SplitMix64, scaled to [0, n). */
function* randomRows(seed, n) {
  const M = (1n << 64n) - 1n;
  let state = BigInt(seed);
  for (;;) {
    state = (state + 0x9e3779b97f4a7c15n) & M;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    z ^= z >> 31n;
    yield Number((z * BigInt(n)) >> 64n);
  }
}

/** Reads `n` random keys x all columns on `seg`, checking every value; the wall ms. */
async function timedRead(seg, n) {
  const random = randomRows(42, seg.rowCount());
  const rows = Array.from({ length: n }, () => random.next().value);
  const t0 = performance.now();
  const res = await seg.get(rows.map((i) => `doc_${i}`), columns);
  const ms = performance.now() - t0;
  try {
    if (!Array.from(res.found).every((f) => f === 1)) throw new Error('a key was not found');
    for (let c = 0; c < columns.length; c++) {
      const v = res.column(columns[c]);
      // workload::value(i, c) = ((i * 31 + c) % 1000) / 1000
      rows.forEach((i, j) => {
        if (v[j] !== Math.fround(((i * 31 + c) % 1000) / 1000)) throw new Error(`f${c} of doc_${i}: ${v[j]}`);
      });
    }
  } finally {
    res.free();
  }
  return ms;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srv = await serve({ root, data: { 'seg.murr': path } });
const url = `${srv.origin}/data/seg.murr`;
const mb = (b) => (b / 1e6).toFixed(b < 1e6 ? 3 : 1);
const pct = (b) => `${((100 * b) / size).toFixed(b * 1000 < size ? 4 : 2)} %`;
try {
  console.log(`segment: ${path}, ${size} bytes`);
  console.log('\n| gap | keys | open: bytes / requests | read: bytes | read: requests | read % of file | read ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const gap of [undefined, 65536]) {
    for (const n of [1, 100, 1000]) {
      srv.reset();
      const seg = await RemoteSegment.open(url, { gap });
      try {
        const open = { bytes: seg.bytesFetched, requests: seg.requests };
        const ms = await timedRead(seg, n);
        if (srv.stats.bytes !== seg.bytesFetched || srv.stats.requests !== seg.requests) {
          throw new Error(`server sent ${srv.stats.bytes} bytes in ${srv.stats.requests} requests, ` +
            `RemoteSegment counted ${seg.bytesFetched} in ${seg.requests}`);
        }
        const read = { bytes: seg.bytesFetched - open.bytes, requests: seg.requests - open.requests };
        console.log(`| ${gap ?? 4096} | ${n} | ${open.bytes} / ${open.requests} | ${read.bytes} (${mb(read.bytes)} MB) | ` +
          `${read.requests} | ${pct(read.bytes)} | ${ms.toFixed(0)} |`);
      } finally {
        seg.free();
      }
    }
  }
} finally {
  await srv.close();
}

// The same reads from the file directly: no HTTP, so the time is mostly wasm CPU.
const fh = await open(path);
try {
  const source = {
    size,
    fetchRange: async (offset, length) => {
      const buf = new Uint8Array(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
  };
  console.log('\n| source | keys | read ms (median of 5) |');
  console.log('|---|---:|---:|');
  for (const n of [1, 100, 1000]) {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const seg = await RemoteSegment.open(source);
      try {
        times.push(await timedRead(seg, n));
      } finally {
        seg.free();
      }
    }
    times.sort((a, b) => a - b);
    console.log(`| file, 4 KiB gap | ${n} | ${times[2].toFixed(1)} |`);
  }
} finally {
  await fh.close();
}
