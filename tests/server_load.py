#!/usr/bin/env python3
"""Load test of a running `murr serve` (scripts/test-server.sh runs it): CLIENTS threads,
each with its own keep-alive HTTP connection and its own keys, mix JSON writes (30%) and
JSON fetches (70%) for SECONDS seconds over loopback. Every answer must be 200, every fetch
must return exactly what that client last wrote for the key (read-your-writes: a write is
applied when its answer arrives), and at the end every written key must read back. The
server's resident memory minus its memtables (the /metrics gauge) must stay flat: it may
not grow by more than GROWTH_MB between the first quarter of the run and its end.

    tests/server_load.py URL PID [--token T] [--clients 8] [--seconds 60] [--growth-mb 64]

Standard library only. Exit status 0 when every check held; the summary goes to stdout.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse

TABLE = "load"
KEYS_PER_CLIENT = 5000


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Client:
    def __init__(self, url: str, token):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, doc=None):
        body = None if doc is None else json.dumps(doc)
        self.conn.request(method, path, body=body, headers=self.headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        return resp.status, raw


def memtable_bytes(client: Client) -> int:
    status, raw = client.call("GET", "/metrics")
    if status != 200:
        raise RuntimeError(f"/metrics answered {status}")
    total = 0
    for line in raw.decode().splitlines():
        if line.startswith("murr_table_memtable_bytes"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("pid", type=int)
    ap.add_argument("--token")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--growth-mb", type=float, default=64)
    a = ap.parse_args()

    admin = Client(a.url, a.token)
    schema = {"key": "id", "columns": {"id": {"dtype": "utf8", "nullable": False}, "v": {"dtype": "int64"}}}
    status, raw = admin.call("PUT", f"/api/v1/table/{TABLE}", schema)
    if status not in (200, 201):
        print(f"create table: {status} {raw[:200]!r}", file=sys.stderr)
        return 1

    errors = []
    counts = [[0, 0] for _ in range(a.clients)]  # writes, fetches
    expected = [dict() for _ in range(a.clients)]
    deadline = time.monotonic() + a.seconds
    stop = threading.Event()

    def work(w: int):
        rng = random.Random(w)
        c = Client(a.url, a.token)
        mine = expected[w]
        version = 0
        try:
            while time.monotonic() < deadline and not errors:
                if not mine or rng.random() < 0.3:
                    version += 1
                    ids = [f"c{w}_{rng.randrange(KEYS_PER_CLIENT)}" for _ in range(50)]
                    values = [version * 100000 + i for i in range(len(ids))]
                    status, raw = c.call("PUT", f"/api/v1/table/{TABLE}/write",
                                         {"columns": {"id": ids, "v": values}})
                    if status != 200:
                        errors.append(f"client {w} write: {status} {raw[:200]!r}")
                        return
                    mine.update(zip(ids, values))  # a later duplicate in the batch wins
                    counts[w][0] += 1
                else:
                    ids = rng.sample(sorted(mine), min(100, len(mine))) if len(mine) < 200 else \
                        [rng.choice(list(mine)) for _ in range(100)]
                    ids.append(f"c{w}_absent")
                    status, raw = c.call("POST", f"/api/v1/table/{TABLE}/fetch",
                                         {"keys": ids, "columns": ["v"]})
                    if status != 200:
                        errors.append(f"client {w} fetch: {status} {raw[:200]!r}")
                        return
                    got = json.loads(raw)["columns"]["v"]
                    want = [mine.get(k) for k in ids]
                    if got != want:
                        bad = [(k, g, x) for k, g, x in zip(ids, got, want) if g != x][:3]
                        errors.append(f"client {w} read something else than it wrote: {bad}")
                        return
                    counts[w][1] += 1
        except Exception as e:  # a dropped connection, a timeout: a failure of the test
            errors.append(f"client {w}: {type(e).__name__}: {e}")

    samples = []  # (seconds, rss, memtable)

    def sample():
        mon = Client(a.url, a.token)
        start = time.monotonic()
        while not stop.is_set():
            try:
                samples.append((time.monotonic() - start, rss_bytes(a.pid), memtable_bytes(mon)))
            except Exception as e:
                errors.append(f"sampler: {e}")
                return
            stop.wait(1.0)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(a.clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    stop.set()
    sampler.join()

    # Every written key reads back with its last value.
    for w, mine in enumerate(expected):
        ids = sorted(mine)
        for i in range(0, len(ids), 1000):
            chunk = ids[i:i + 1000]
            status, raw = admin.call("POST", f"/api/v1/table/{TABLE}/fetch", {"keys": chunk, "columns": ["v"]})
            if status != 200 or json.loads(raw)["columns"]["v"] != [mine[k] for k in chunk]:
                errors.append(f"client {w}: a write was lost (final check, status {status})")
                break

    writes = sum(c[0] for c in counts)
    fetches = sum(c[1] for c in counts)
    print(f"{a.clients} clients, {elapsed:.1f} s: {writes} writes ({writes * 50} rows), "
          f"{fetches} fetches ({fetches * 101} keys), {(writes + fetches) / elapsed:.0f} requests/s, "
          f"{sum(len(m) for m in expected)} keys checked at the end")
    growth = None
    if len(samples) >= 4:
        q = samples[len(samples) // 4]
        last = samples[-1]
        base, end = q[1] - q[2], last[1] - last[2]
        growth = (end - base) / 2**20
        print(f"server RSS {q[1] / 2**20:.0f} MB at {q[0]:.0f} s -> {last[1] / 2**20:.0f} MB at {last[0]:.0f} s; "
              f"memtables {q[2] / 2**20:.1f} -> {last[2] / 2**20:.1f} MB; growth without them {growth:+.1f} MB "
              f"(limit {a.growth_mb:.0f})")
        if growth > a.growth_mb:
            errors.append(f"server memory grew {growth:.1f} MB beside its memtables")
    elif a.seconds >= 4:
        errors.append("too few memory samples")
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
