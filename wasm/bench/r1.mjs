// R1 in Node (BENCHMARKS.md: 1000 random keys x the 10 float32 columns of the workload
// table, 1M rows) through the WASM reader, and the same read natively in Rust in the same
// run (core/examples/r1_native.rs, which also writes the segment).
//
//   node bench/r1.mjs [--rows 1000000] [--batches 2000] [--warmup 200] [--path FILE] [--no-native]
//
// Build the package first (scripts/build-wasm.sh). Per batch of 1000 keys, timed alone:
//   get + views: reader.get(keys, columns), a Float32Array view of each column, free();
//   get + ipc:   reader.get(...), the IPC stream bytes, free() (parsing them not included).
// Keys: SplitMix64 from seed 42, as the Rust side (workload::random_rows); the JS strings
// are built per batch, outside the timing. Prints median and p99 in microseconds, one line per system.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { SegmentReader } from '../pkg/node/murr.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const rows = Number(arg('--rows', 1_000_000));
const batches = Number(arg('--batches', 2000));
const warmup = Number(arg('--warmup', 200));
const path = arg('--path', join(tmpdir(), `murr-r1-${rows}.murr`));
const KEYS = 1000;
const columns = Array.from({ length: 10 }, (_, c) => `f${c}`);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// The native run writes the segment if it is missing, so it goes first.
const cargo = ['run', '--quiet', '--release', '-p', 'murr-core', '--example', 'r1_native', '--',
  '--path', path, '--rows', String(rows), '--batches', String(batches), '--warmup', String(warmup)];
const native = process.argv.includes('--no-native') ? null : spawnSync('cargo', cargo, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (native && native.status !== 0) throw new Error(`cargo ${cargo.join(' ')} failed`);

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

const stats = (times) => {
  const t = Float64Array.from(times).sort();
  const at = (p) => t[Math.round((t.length - 1) * p)];
  return { median_us: +at(0.5).toFixed(1), p99_us: +at(0.99).toFixed(1) };
};

const reader = new SegmentReader(readFileSync(path));
if (reader.rowCount() !== rows) throw new Error(`${path} holds ${reader.rowCount()} rows, not ${rows}`);
const random = randomRows(42, rows);

const systems = {
  'node wasm, get + Float32Array views': (keys) => {
    const res = reader.get(keys, columns);
    let sum = 0;
    for (const c of columns) sum += res.column(c)[0];
    res.free();
    return sum;
  },
  'node wasm, get + IPC stream bytes': (keys) => {
    const res = reader.get(keys, columns);
    const n = res.ipc.length;
    res.free();
    return n;
  },
};
const times = Object.fromEntries(Object.keys(systems).map((s) => [s, []]));
let sink = 0;
for (let b = 0; b < warmup + batches; b++) {
  // Built per batch (not all up front: 2M live strings make V8's major GCs pause reads).
  const keys = Array.from({ length: KEYS }, () => `doc_${random.next().value}`);
  // Take turns, rotating who goes first, so that noise falls on all alike.
  const names = Object.keys(systems);
  for (let k = 0; k < names.length; k++) {
    const name = names[(b + k) % names.length];
    const t = performance.now();
    sink += systems[name](keys);
    const us = (performance.now() - t) * 1000;
    if (b >= warmup) times[name].push(us);
  }
}
reader.free();

if (native) process.stdout.write(native.stdout);
for (const [system, t] of Object.entries(times)) {
  console.log(JSON.stringify({ system, rows, batches, ...stats(t) }));
}
if (Number.isNaN(sink)) console.log('');
