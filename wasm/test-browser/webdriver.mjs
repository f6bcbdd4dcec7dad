// A minimal WebDriver client (W3C protocol over HTTP with Node's fetch; no npm package)
// driving headless Chromium through chromedriver, for the browser demo test.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Chromium's flags: headless, and no attempt to reach the internet (docs/TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--disable-extensions',
  '--disable-default-apps',
  '--no-first-run',
  '--no-default-browser-check',
];

async function freePort() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

/**
 * Starts chromedriver and one headless Chromium session. Resolves to a `Browser`
 * (`goto`, `execute`, `waitFor`, `quit`); `quit()` ends the session (Chromium) and
 * chromedriver.
 */
export async function launch({ chromedriver = 'chromedriver', chromium = '/usr/bin/chromium', args = [] } = {}) {
  const port = await freePort();
  const driver = spawn(chromedriver, [`--port=${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((ok) => driver.once('exit', ok));
  const spawnError = new Promise((_, fail) => driver.once('error', fail));
  const base = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([spawnError, waitReady(base)]);
    const session = await call(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'chrome',
          timeouts: { pageLoad: 60_000, script: 60_000 },
          'goog:chromeOptions': { binary: chromium, args: [...CHROMIUM_ARGS, ...args] },
        },
      },
    });
    return new Browser(base, session.sessionId, driver, exited);
  } catch (e) {
    driver.kill();
    await exited;
    throw e;
  }
}

async function waitReady(base) {
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok && (await res.json()).value?.ready) return;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error('chromedriver did not start');
}

/** One WebDriver command; its `value`, or an Error with the driver's message. */
async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok || json.value?.error) {
    throw new Error(`WebDriver ${method} ${path}: ${json.value?.error ?? res.status}: ${json.value?.message ?? ''}`);
  }
  return json.value;
}

class Browser {
  constructor(base, id, driver, exited) {
    this.base = base;
    this.path = `/session/${id}`;
    this.driver = driver;
    this.exited = exited;
  }

  /** Loads `url` (waits for the load event). */
  goto(url) {
    return call(this.base, 'POST', `${this.path}/url`, { url });
  }

  /** Runs `script` (a function body) in the page; resolves to what it returns (JSON). */
  execute(script, args = []) {
    return call(this.base, 'POST', `${this.path}/execute/sync`, { script, args });
  }

  /** Polls `script` until it returns a truthy value (or `timeoutMs` passes). */
  async waitFor(script, timeoutMs = 60_000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.execute(script);
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${script}`);
      await sleep(100);
    }
  }

  /** Ends the session (closes Chromium) and stops chromedriver. */
  async quit() {
    try {
      await call(this.base, 'DELETE', this.path);
    } finally {
      this.driver.kill();
      await this.exited;
    }
  }
}
