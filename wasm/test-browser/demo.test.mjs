// The browser demo (demo/index.html) in headless Chromium: the page reads keys from a big
// remote segment (>= 100 MB) through the package's web entry (RemoteSegment over HTTP
// Range requests to demo/serve.mjs) and shows them in a table. The table must show what
// the Rust core reads for the same keys (core/examples/read_keys.rs), and the bytes the
// server sent must be a small fraction of the file. Run by scripts/test-browser.sh, which
// writes the segment and sets:
//   MURR_BROWSER_SEGMENT  the segment file (core/examples/write_big.rs)
//   MURR_READ_KEYS        the read_keys example's binary
//   CHROMIUM, CHROMEDRIVER  (default /usr/bin/chromium, chromedriver)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../demo/serve.mjs';
import { launch } from './webdriver.mjs';

const segment = process.env.MURR_BROWSER_SEGMENT;
const readKeys = process.env.MURR_READ_KEYS;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COLUMNS = ['f0', 'f5', 'f9'];

/** The table the page shows, its status and its counters. */
const READ_PAGE = `
  const text = (el) => el.textContent;
  return {
    status: document.body.dataset.status,
    message: document.getElementById('status').textContent,
    data: { ...document.body.dataset },
    head: [...document.querySelectorAll('#result thead th')].map(text),
    rows: [...document.querySelectorAll('#result tbody tr')].map((tr) => [...tr.cells].map(text)),
  };`;

test('browser demo: a remote read of a big segment shows the Rust core\'s values and fetches little',
  { skip: !(segment && readKeys) && 'MURR_BROWSER_SEGMENT / MURR_READ_KEYS not set' }, async () => {
    const size = statSync(segment).size;
    assert.ok(size >= 100e6, `the segment has ${size} bytes, fewer than 100 MB`);
    // Keys spread over the file's rows, two absent ones, one repeated.
    const rows = Number(execFileSync(readKeys, [segment, '--rows'], { encoding: 'utf8' }));
    const keys = Array.from({ length: 24 }, (_, i) => `doc_${Math.floor(((i + 0.5) * rows) / 24)}`);
    keys.push(`doc_${rows}`, 'not a key', keys[3]);
    const expected = JSON.parse(execFileSync(readKeys, [segment, COLUMNS.join(','), ...keys], { encoding: 'utf8' }));
    assert.equal(expected.found.filter(Boolean).length, 25, 'the Rust core finds the present keys');

    const srv = await serve({ root, data: { 'big.murr': segment } });
    let browser;
    try {
      browser = await launch({ chromium: process.env.CHROMIUM, chromedriver: process.env.CHROMEDRIVER });
      const q = new URLSearchParams({ segment: '/data/big.murr', keys: keys.join(','), columns: COLUMNS.join(',') });
      await browser.goto(`${srv.origin}/demo/?${q}`);
      await browser.waitFor("return document.body.dataset.status !== 'loading'");
      const page = await browser.execute(READ_PAGE);
      assert.equal(page.status, 'done', page.message);

      assert.deepEqual(page.head, ['key', 'found', ...COLUMNS]);
      assert.equal(page.rows.length, keys.length);
      page.rows.forEach((cells, i) => {
        assert.equal(cells[0], keys[i]);
        assert.equal(cells[1], expected.found[i] ? 'yes' : 'no', `found of ${keys[i]}`);
        COLUMNS.forEach((c, j) => {
          const want = expected.values[c][i];
          const shown = cells[2 + j];
          assert.equal(shown === 'null' ? null : Number(shown), want, `${c} of ${keys[i]}: shown ${shown}`);
        });
      });

      // What the page counted is what the server sent, and a small part of the file.
      assert.equal(Number(page.data.size), size);
      assert.equal(Number(page.data.bytes), srv.stats.bytes, 'bytes: page vs server');
      assert.equal(Number(page.data.requests), srv.stats.requests, 'requests: page vs server');
      const share = srv.stats.bytes / size;
      assert.ok(share < 0.05, `fetched ${srv.stats.bytes} of ${size} bytes`);
      console.log(`browser demo: ${keys.length} keys x ${COLUMNS.length} columns of a ${size}-byte segment: ` +
        `${srv.stats.bytes} bytes (${(100 * share).toFixed(3)} %) in ${srv.stats.requests} requests`);
    } finally {
      await browser?.quit();
      await srv.close();
    }
  });
