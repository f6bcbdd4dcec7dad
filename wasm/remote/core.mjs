// RemoteSegment: reads a segment file by byte range (HTTP Range requests, or any
// `fetchRange`), driving the wasm `RemoteSegmentCore` (core's sans-IO RemoteSegment): open
// from the file's tail, then per read fetch every range it asks for, concurrently, until
// it asks for none. Shared by ./node.mjs and ./web.mjs, which pass the wasm class.

/** The most rounds of fetches one open or read may take (a read takes a few). */
const MAX_ROUNDS = 64;

/** A source over `fetch` of `url`, learning the size from a `bytes=0-0` request. */
async function urlSource(url, init = {}) {
  const get = async (offset, length) => {
    const end = offset + length - 1;
    let res;
    try {
      res = await fetch(url, { ...init, headers: { ...(init.headers ?? {}), Range: `bytes=${offset}-${end}` } });
    } catch (e) {
      // Node's fetch rejects with "fetch failed" and hides the reason in `cause`.
      const cause = e?.cause ? `: ${e.cause.code ?? ''}${e.cause.code ? ' ' : ''}${e.cause.message ?? e.cause}` : '';
      throw new Error(`GET ${url} bytes=${offset}-${end}: ${e?.message ?? e}${cause}`, { cause: e });
    }
    if (res.status === 200) {
      // The server ignored the range: take it from the whole body.
      const all = new Uint8Array(await res.arrayBuffer());
      return { bytes: all.subarray(offset, offset + length), total: all.length };
    }
    if (res.status !== 206) {
      throw new Error(`GET ${url} bytes=${offset}-${end}: HTTP ${res.status}`);
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (!range || Number(range[1]) !== offset) {
      throw new Error(`GET ${url} bytes=${offset}-${end}: bad Content-Range ${res.headers.get('content-range')}`);
    }
    return { bytes, total: range[3] === '*' ? NaN : Number(range[3]) };
  };
  const { total } = await get(0, 1);
  if (!Number.isSafeInteger(total)) throw new Error(`GET ${url}: no file length in Content-Range`);
  return { size: total, fetchRange: async (offset, length) => (await get(offset, length)).bytes };
}

export function defineRemoteSegment(RemoteSegmentCore) {
  return class RemoteSegment {
    /** @private */
    constructor(core, source) {
      this.core = core;
      this.source = source;
      this.bytesFetched = 0;
      this.requests = 0;
      this.busy = null;
    }

    /**
     * Opens the segment at `source`: a URL (fetched with `Range` requests) or
     * `{ size, fetchRange(offset, length) => Promise<Uint8Array> }`. Options: `gap` (merge
     * ranges less than `gap` bytes apart), `name` (in errors), `fetchInit` (for a URL).
     */
    static async open(source, { gap, name, fetchInit } = {}) {
      let counted = 0;
      if (typeof source === 'string' || source instanceof URL) {
        name ??= String(source);
        source = await urlSource(String(source), fetchInit);
        counted = 1; // the request that learned the size
      }
      if (!source || !Number.isSafeInteger(source.size) || typeof source.fetchRange !== 'function') {
        throw new TypeError('source: a URL or { size, fetchRange(offset, length) }');
      }
      name ??= '(fetchRange source)';
      const core = new RemoteSegmentCore(name, gap);
      const seg = new RemoteSegment(core, source);
      seg.name = name;
      seg.requests = counted;
      seg.bytesFetched = counted;
      try {
        let [offset, len] = RemoteSegmentCore.openRange(source.size);
        for (let round = 0; ; round++) {
          if (round >= MAX_ROUNDS) throw new Error('open: too many rounds');
          const bytes = await seg.fetch(offset, len);
          const next = core.open(source.size, offset, bytes);
          if (next === undefined) break;
          [offset, len] = next;
        }
      } catch (e) {
        core.free();
        throw e;
      }
      return seg;
    }

    /** @private One range, counted; a short or long response is an error. */
    async fetch(offset, length) {
      this.requests += 1;
      let got;
      try {
        got = await this.source.fetchRange(offset, length);
      } catch (e) {
        if (e instanceof Error && e.message.startsWith('GET ')) throw e;
        throw new Error(`${this.name}: fetchRange(${offset}, ${length}) failed: ${e?.message ?? e}`, { cause: e });
      }
      const bytes = got instanceof Uint8Array ? got : new Uint8Array(got);
      this.bytesFetched += bytes.length;
      if (bytes.length !== length) {
        throw new Error(`fetch of ${length} bytes at ${offset} returned ${bytes.length}`);
      }
      return bytes;
    }

    schema() { return this.core.schema(); }
    rowCount() { return this.core.rowCount(); }
    get size() { return this.source.size; }
    /** Bytes of verified pages kept for later reads. */
    get keptBytes() { return this.core.keptBytes(); }

    /**
     * Reads `columns` for `keys` (as `SegmentReader.get`): fetches the ranges needed, round by
     * round, each round's concurrently. Resolves to a `GetResult` (call `free()` on it).
     * Reads of one segment run one at a time (a second waits for the first).
     */
    async get(keys, columns) {
      const prev = this.busy;
      const run = (async () => {
        if (prev) await prev.catch(() => {});
        return this.read(keys, columns);
      })();
      this.busy = run;
      return run;
    }

    /** @private */
    async read(keys, columns) {
      const core = this.core;
      core.beginGet(keys, columns);
      for (let round = 0; ; round++) {
        const needed = core.needed();
        if (needed.length === 0) break;
        if (round >= MAX_ROUNDS) throw new Error('get: too many rounds');
        const ranges = [];
        for (let i = 0; i < needed.length; i += 2) ranges.push([needed[i], needed[i + 1]]);
        const fetched = await Promise.all(ranges.map(([o, l]) => this.fetch(o, l)));
        ranges.forEach(([o], i) => core.supply(o, fetched[i]));
      }
      return core.finish();
    }

    /** Frees the wasm memory (the footer and kept pages). */
    free() { this.core.free(); }
  };
}
