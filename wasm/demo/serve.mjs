// A small static HTTP server for the browser demo (demo/index.html) and its test: serves
// the package directory (wasm/: demo/, remote/, pkg/web/) and segment files under /data/,
// with single-range `Range` requests (206 + Content-Range; 416 past the end), and counts
// the requests and body bytes of the /data/ files (what a remote read fetched).
//
//   node demo/serve.mjs SEGMENT_FILE [--port 8080]   then open the URL it prints
//
// Or from a test: `const srv = await serve({ root, data: { 'big.murr': path } })`.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

/**
 * A single range of a `size`-byte file from a `Range` header: `[start, end]` (inclusive),
 * `null` to serve the whole file (no header, or several ranges, which a server may
 * ignore), or `'unsatisfiable'`.
 */
export function parseRange(header, size) {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [first, last] = [m[1], m[2]];
  if (first === '' && last === '') return 'unsatisfiable';
  if (first === '') {
    // A suffix: the last `last` bytes.
    const n = Number(last);
    return n === 0 || size === 0 ? 'unsatisfiable' : [Math.max(0, size - n), size - 1];
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start >= size || start > end ? 'unsatisfiable' : [start, end];
}

/**
 * Starts the server on 127.0.0.1 (`port` 0: any free port). `root`: the directory served
 * at `/`; `data`: `{ name: path }` served at `/data/name` (by range, from disk).
 * Resolves to `{ origin, stats: { requests, bytes }, reset(), close() }`.
 */
export async function serve({ root, data = {}, port = 0 }) {
  const top = resolve(root);
  const stats = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path.startsWith('/data/')) {
      const file = data[path.slice('/data/'.length)];
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      stats.requests += 1;
      sendFile(req, res, file, 'application/octet-stream', head, (n) => {
        stats.bytes += n;
      });
      return;
    }
    const file = resolve(top, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (file !== top && !file.startsWith(top + sep)) {
      res.writeHead(403).end();
      return;
    }
    sendFile(req, res, file, TYPES[extname(file)] ?? 'application/octet-stream', head, () => {});
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
  // Idle keep-alive connections must not hold close() open.
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stats,
    reset() {
      stats.requests = 0;
      stats.bytes = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((ok) => server.close(() => ok()));
    },
  };
}

/** Sends `file` (or its requested range); `count(n)` gets the body bytes sent. */
function sendFile(req, res, file, type, head, count) {
  let size;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  const range = parseRange(req.headers.range, size);
  const common = { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'no-store' };
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const [start, end] = range ?? [0, size - 1];
  const len = size === 0 ? 0 : end - start + 1;
  const headers = { ...common, 'Content-Length': len };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (head || len === 0) {
    res.end();
    return;
  }
  count(len);
  createReadStream(file, { start, end })
    .on('error', () => res.destroy())
    .pipe(res);
}

// As a command: serve the package directory and one segment, print the demo's URL.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--port');
  const port = i >= 0 ? Number(args.splice(i, 2)[1]) : 8080;
  const [segment] = args;
  if (!segment || !Number.isInteger(port)) {
    console.error('usage: node demo/serve.mjs SEGMENT_FILE [--port 8080]');
    process.exit(2);
  }
  const name = basename(segment);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const srv = await serve({ root, data: { [name]: segment }, port });
  console.log(`${srv.origin}/demo/?segment=/data/${encodeURIComponent(name)}`);
  process.on('SIGINT', () => srv.close().then(() => process.exit(0)));
}
