// The demo page's script: opens the segment at ?segment=URL with the package's web entry
// (RemoteSegment over HTTP Range requests), reads ?keys= (comma-separated) x ?columns=
// (comma-separated; default: the first three value columns) and shows them in a table,
// with what the read fetched. Sets <body data-status> to "done" or "error".
import { init, RemoteSegment } from '../remote/web.mjs';

const params = new URLSearchParams(location.search);
const form = document.getElementById('query');
const status = document.getElementById('status');
const table = document.getElementById('result');

const list = (s) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function show(keys, columns, result) {
  const head = document.createElement('tr');
  for (const name of ['key', 'found', ...columns]) head.append(cell('th', name));
  table.tHead.replaceChildren(head);
  // Views over wasm memory: read them before any other call into the module.
  const views = columns.map((c) => ({ values: result.column(c), nulls: result.nulls(c) }));
  const rows = keys.map((key, i) => {
    const tr = document.createElement('tr');
    const found = result.found[i] === 1;
    tr.append(cell('td', key), cell('td', found ? 'yes' : 'no'));
    for (const { values, nulls } of views) {
      const absent = !found || nulls[i] === 1;
      tr.append(cell('td', absent ? 'null' : String(values[i]), absent ? 'absent' : ''));
    }
    return tr;
  });
  table.tBodies[0].replaceChildren(...rows);
}

async function main() {
  const url = params.get('segment') ?? '/data/segment.murr';
  form.segment.value = url;
  await init(); // loads pkg/web/murr_bg.wasm
  const t0 = performance.now();
  const seg = await RemoteSegment.open(url);
  try {
    const opened = { bytes: seg.bytesFetched, requests: seg.requests };
    const fields = seg.schema().fields;
    const keys = params.has('keys') ? list(params.get('keys')) : ['doc_0', 'doc_1', 'doc_2'];
    const columns = params.has('columns') ? list(params.get('columns')) : fields.slice(1, 4).map((f) => f.name);
    form.keys.value = keys.join(',');
    form.columns.value = columns.join(',');
    const result = await seg.get(keys, columns);
    try {
      show(keys, columns, result);
    } finally {
      result.free();
    }
    const ms = performance.now() - t0;
    Object.assign(document.body.dataset, {
      size: seg.size,
      bytes: seg.bytesFetched,
      requests: seg.requests,
      openBytes: opened.bytes,
      openRequests: opened.requests,
    });
    const pct = ((100 * seg.bytesFetched) / seg.size).toFixed(2);
    status.textContent = `${keys.length} keys x ${columns.length} columns of ${seg.rowCount()} rows ` +
      `(${seg.size} bytes): fetched ${seg.bytesFetched} bytes (${pct} %) in ${seg.requests} ` +
      `range requests (open: ${opened.bytes} bytes, ${opened.requests} requests), ${ms.toFixed(0)} ms.`;
  } finally {
    seg.free();
  }
}

main().then(
  () => { document.body.dataset.status = 'done'; },
  (e) => {
    status.textContent = `Error: ${e?.message ?? e}`;
    document.body.dataset.status = 'error';
  },
);
