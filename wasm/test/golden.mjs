// Shared helpers of the Node tests: the golden files written by the Rust core
// (tests/golden/, `cargo run -p murr-core --example write_golden`) and the answers the core
// gives for them (NAME.json), and Arrow JS values in the answers' JSON form.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type } from 'apache-arrow';

export const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'golden');

/** Every golden answer file: { name, answers, bytes }. */
export function goldens() {
  return readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const answers = JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
      return { name: f.replace(/\.json$/, ''), answers, bytes: readFileSync(join(GOLDEN, answers.file)) };
    });
}

/** Keys of a query in the JSON form, as the reader takes them for a key column of `type`. */
export function jsKeys(keys, type) {
  if (type === 'Utf8') return keys;
  return keys.map((k) => (k === null ? null : BigInt(k)));
}

/** The stored 64-bit value `i` of a one-chunk vector (BigInt64Array or int32 pairs). */
function raw64(v, i) {
  const data = v.data[0];
  const values = data.values;
  const at = data.offset + i;
  if (values instanceof BigInt64Array) return values[at];
  return (BigInt(values[2 * at + 1]) << 32n) | BigInt(values[2 * at] >>> 0);
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Value `i` of the Arrow JS vector `v` in the JSON form of the golden answers. */
export function toJson(v, i) {
  if (!v.isValid(i)) return null;
  const x = v.get(i);
  switch (v.type.typeId) {
    case Type.Int:
      return v.type.bitWidth === 64 ? BigInt(x).toString() : x;
    case Type.Timestamp:
      // Arrow JS gives a timestamp as float milliseconds: read the stored ticks instead.
      return raw64(v, i).toString();
    case Type.Date:
      // Arrow JS gives a date32 as milliseconds (or a Date): back to days.
      return Number(x instanceof Date ? x.getTime() : x) / 86_400_000;
    case Type.Binary:
      return hex(x);
    case Type.FixedSizeList:
      return Array.from({ length: x.length }, (_, j) => toJson(x, j));
    default:
      return x; // bool, floats (float16 widened), utf8
  }
}

/** A float16's bits as a number. */
export function f16(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
