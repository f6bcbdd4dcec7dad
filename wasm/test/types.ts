// Type-checked (not run) by `tsc -p test` in scripts/test-wasm.sh: the package's
// declarations (wasm-bindgen's plus the custom section in wasm/src/reader.rs) describe the
// API as the README uses it.
import { SegmentReader, type SegmentSchema, type ColumnView, type GetResult } from '@libmurr/segment-reader';
import init, { SegmentReader as WebReader } from '@libmurr/segment-reader/web';

export function node(bytes: Uint8Array): number {
  const reader = new SegmentReader(bytes);
  const schema: SegmentSchema = reader.schema();
  const names: string[] = schema.fields.map((f) => f.name);
  const result: GetResult = reader.get(['a', null, undefined], names);
  const view: ColumnView = result.column(names[1]);
  const ints = reader.get(new BigInt64Array([1n]), [schema.key]);
  const found: Uint8Array = result.found;
  const ipc: Uint8Array = result.ipc;
  result.free();
  ints.free();
  reader.free();
  return view.length + found.length + ipc.length + reader.rowCount();
}

export async function web(bytes: Uint8Array): Promise<number> {
  await init();
  const reader = new WebReader(bytes);
  return reader.rowCount();
}

import { RemoteSegment, type RangeSource } from '@libmurr/segment-reader/remote';

export async function remote(url: string, source: RangeSource): Promise<number> {
  const seg = await RemoteSegment.open(url, { gap: 1 << 16, fetchInit: { headers: { 'x-a': 'b' } } });
  const other = await RemoteSegment.open(source, { name: 'mine' });
  const schema: SegmentSchema = seg.schema();
  const result: GetResult = await seg.get(['doc_1'], [schema.fields[1].name]);
  const view: ColumnView = result.column(schema.fields[1].name);
  const n = view.length + seg.bytesFetched + seg.requests + seg.size + seg.keptBytes + other.rowCount();
  result.free();
  seg.free();
  other.free();
  return n;
}
