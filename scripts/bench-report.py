"""Writes the tables of `make bench` into BENCHMARKS.md and plots the scaling chart.

    bench-report.py --json scaling.jsonl --chart PNG --benchmarks BENCHMARKS.md
                    --command CMD --batches B rows-N.md ...

The section between the markers BEGIN and END of BENCHMARKS.md is replaced (appended when the
file has no markers yet): the machine (CPU model, cores, memory), the date, the commit, the
command, then each run's tables in order of N. The chart: libmurr's R1 latency (median,
p99) and O1 (open; open + first R1) against N, log-log, one panel each.
"""

import argparse
import datetime
import json
import os
import re
import subprocess

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN = "<!-- make bench: begin (written by scripts/bench.sh; edit the script, not this) -->"
END = "<!-- make bench: end -->"


def machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kib = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
    kernel = os.uname().release
    return f"{model}, {os.cpu_count()} cores, {kib / 2**20:.1f} GiB, Linux {kernel}"


def commit():
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True).stdout.strip()
    # The files this script writes do not count.
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                            ":!BENCHMARKS.md", ":!BENCHMARKS-scaling.png"],
                           capture_output=True, text=True).stdout.strip()
    return sha + (" plus uncommitted changes" if dirty else "")


def chart(points, path):
    points = sorted(points, key=lambda p: p["rows"])
    n = [p["rows"] for p in points]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=110)
    a.plot(n, [p["r1_median_us"] for p in points], "o-", label="median")
    a.plot(n, [p["r1_p99_us"] for p in points], "s--", label="p99")
    a.set_title("R1: 1000 keys x 10 float32 columns")
    a.set_ylabel("microseconds per batch")
    b.plot(n, [p["o1_open_ms"] for p in points], "o-", label="Db::open")
    b.plot(n, [p["o1_first_ms"] for p in points], "s--", label="open + first R1")
    b.set_title("O1: open of a closed table")
    b.set_ylabel("milliseconds")
    for ax in (a, b):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows (N)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        ax.set_xticks(n)
        ax.set_xticklabels([f"{x / 1e6:g}M" for x in n])
        ax.minorticks_off()
    fig.suptitle("libmurr scaling (make bench)")
    fig.tight_layout()
    fig.savefig(path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json", required=True)
    p.add_argument("--chart", required=True)
    p.add_argument("--benchmarks", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--batches", required=True)
    p.add_argument("runs", nargs="+")
    a = p.parse_args()

    def rows_of(path):
        return int(re.search(r"rows-(\d+)\.md$", path).group(1))

    runs = sorted(a.runs, key=rows_of)
    with open(a.json) as f:
        points = [json.loads(l) for l in f if l.strip()]
    chart(points, a.chart)
    scaling = "\n".join(
        f"| {p['rows']:,} | {p['r1_median_us']:.1f} | {p['r1_p99_us']:.1f} | "
        f"{p['o1_open_ms']:.3f} | {p['o1_first_ms']:.3f} |"
        for p in sorted(points, key=lambda p: p["rows"]))
    with open(os.path.join(os.path.dirname(__file__), "bench-method.md")) as f:
        method = f.read().strip()
    body = [
        BEGIN,
        "## The suite: `make bench` (issue 7)",
        "",
        f"**Command:** `{a.command}` ({a.batches} measured batches per read workload, after a "
        "warm-up of 200 batches and then of 250-batch windows until every system's median "
        "over a window is within 10% of its medians over the two windows before; each table "
        f"gives its warm-up). **Machine:** {machine()}. "
        f"**Date:** {datetime.date.today().isoformat()}. **Commit:** `{commit()}`. "
        "The machine is shared and noisy: read the ratios to the baseline, measured in the "
        "same run.",
        "",
        method,
        "",
        "### Scaling: libmurr R1 and O1 against N",
        "",
        "![R1 and O1 against N](BENCHMARKS-scaling.png)",
        "",
        "| rows | R1 median us | R1 p99 us | Db::open ms | open + first R1 ms |",
        "|---:|---:|---:|---:|---:|",
        scaling,
    ]
    for r in runs:
        with open(r) as f:
            body.append(f.read().rstrip())
    body.append(END)
    section = "\n".join(body) + "\n"
    with open(a.benchmarks) as f:
        text = f.read()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(a.benchmarks, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
