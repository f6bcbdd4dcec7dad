// column(name): typed-array views over a result's values in wasm memory equal the Rust
// answers on every non-null row, have the documented types, and keys in every accepted form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentReader } from '../pkg/node/murr.js';
import { goldens, jsKeys, f16 } from './golden.mjs';

const VIEW_TYPES = {
  Int8: Int8Array, Int16: Int16Array, Int32: Int32Array, Int64: BigInt64Array,
  UInt8: Uint8Array, UInt16: Uint16Array, UInt32: Uint32Array, UInt64: BigUint64Array,
  Float16: Uint16Array, Float32: Float32Array, Float64: Float64Array, Date32: Int32Array,
};

/** The view's element type and elements per row for an Arrow type as the schema names it. */
function viewOf(type) {
  const list = /^FixedSizeList\((\d+) x (?:nullable )?(\w+)\)$/.exec(type);
  if (list) return { ctor: VIEW_TYPES[list[2]], size: Number(list[1]), element: list[2] };
  if (type.startsWith('Timestamp')) return { ctor: BigInt64Array, size: 1, element: 'Timestamp' };
  return VIEW_TYPES[type] ? { ctor: VIEW_TYPES[type], size: 1, element: type } : null;
}

/** A view element in the JSON form of the answers. */
function element(x, type) {
  if (typeof x === 'bigint') return x.toString();
  if (type === 'Float16') return f16(x);
  return x;
}

for (const { name, answers, bytes } of goldens()) {
  test(`${name}: typed-array views equal the Rust answer`, () => {
    const r = new SegmentReader(bytes);
    const q = answers.queries[0];
    const res = r.get(jsKeys(q.keys, answers.fields[0].type), q.columns);
    try {
      let checked = 0;
      for (const field of answers.fields) {
        const kind = viewOf(field.type);
        if (!kind) {
          assert.throws(() => res.column(field.name), /no typed-array view/, field.name);
          continue;
        }
        const view = res.column(field.name);
        assert.ok(view instanceof kind.ctor, `${field.name}: ${view.constructor.name}`);
        assert.equal(view.length, q.keys.length * kind.size, field.name);
        q.values[field.name].forEach((want, row) => {
          if (want === null) return;
          const got = Array.from(view.subarray(row * kind.size, (row + 1) * kind.size), (x) => element(x, kind.element));
          assert.deepEqual(kind.size === 1 ? got[0] : got, want, `${field.name} row ${row}`);
        });
        checked++;
      }
      assert.ok(checked > 0);
    } finally {
      res.free();
      r.free();
    }
  });
}

const byName = Object.fromEntries(goldens().map((g) => [g.name, g]));

test('a view aliases wasm memory (no copy) and is stable while nothing grows memory', () => {
  const { bytes } = byName.all_types;
  const r = new SegmentReader(bytes);
  const res = r.get(['k01', 'k02'], ['f64']);
  const a = res.column('f64');
  const b = res.column('f64');
  assert.equal(a.buffer, b.buffer, 'both views are over the wasm memory');
  assert.equal(a.byteOffset, b.byteOffset, 'over the same values');
  assert.deepEqual(Array.from(a), [1 / 3, 2 / 3]);
  res.free();
  r.free();
});

test('int64 keys: BigInt64Array, bigint array and safe-integer numbers give the same rows', () => {
  const { bytes } = byName.int64_key;
  const r = new SegmentReader(bytes);
  const keys = [-5000000004n, 0n, 3n];
  const forms = [BigInt64Array.from(keys), keys, keys.map(Number)];
  const found = forms.map((k) => {
    const res = r.get(k, ['id']);
    const out = Array.from(res.found);
    res.free();
    return out;
  });
  assert.deepEqual(found, [[1, 1, 0], [1, 1, 0], [1, 1, 0]]);
  assert.throws(() => r.get([1.5], ['id']), /int64/);
  assert.throws(() => r.get(['3'], ['id']), /int64/);
  assert.throws(() => r.get([2n ** 64n], ['id']), /int64/);
  assert.throws(() => r.get(new BigUint64Array([1n]), ['id']), /int64/);
  r.free();
});

test('uint64 keys: BigUint64Array and bigints up to 2^64-1', () => {
  const { bytes } = byName.uint64_key;
  const r = new SegmentReader(bytes);
  const res = r.get(new BigUint64Array([2n ** 64n - 1n, 5n]), ['id', 'v']);
  assert.deepEqual(Array.from(res.found), [1, 0]);
  assert.equal(res.column('id')[0], 2n ** 64n - 1n);
  assert.deepEqual(Array.from(res.nulls('id')), [0, 1]);
  res.free();
  assert.throws(() => r.get([-1n], ['id']), /uint64/);
  r.free();
});

test('errors are JS Errors with core messages', () => {
  const { bytes } = byName.all_types;
  const r = new SegmentReader(bytes);
  assert.throws(() => r.get(['k01'], ['no_such_column']), (e) => e instanceof Error && /no_such_column/.test(e.message));
  assert.throws(() => r.get('k01', ['f32']), /array of strings/);
  assert.throws(() => r.get([1n], ['f32']), /strings/);
  const res = r.get(['k01'], ['f32']);
  assert.throws(() => res.column('f64'), /not asked for/);
  res.free();
  r.free();
});

test('utf8 keys: quotes, escapes, non-ASCII, undefined, and a lone surrogate', () => {
  const { bytes } = byName.all_types;
  const r = new SegmentReader(bytes);
  const res = r.get(['k"01', 'k\\01', 'k01\n', 'é😀', undefined, null, 'k01', '', 'k23'], ['key']);
  assert.deepEqual(Array.from(res.found), [0, 0, 0, 0, 0, 0, 1, 0, 1]);
  res.free();
  assert.throws(() => r.get(['k01', 'a\ud800'], ['key']), /key 1 has a lone surrogate/);
  assert.throws(() => r.get(['k01', 5], ['key']), /key 1 is not a string/);
  assert.throws(() => r.get(['k01', 5n], ['key']), /array of strings/);
  assert.throws(() => r.get([{}], ['key']), /key 0 is not a string/);
  r.free();
});
