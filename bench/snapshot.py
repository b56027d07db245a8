#!/usr/bin/env python3
"""olly-snapshot's bench entry (issue 14), run alone: bench/run --only snapshot.

Over the same 1M generated events: one `olly-agg count by service` pass (the
issue's yardstick: snapshot within 5x of it), `olly-snapshot --json` (fields
picked, templates, suspects: everything it does) with all cores and with one,
and `olly-explain --bad 'status >= 500'` for reference, in one run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bench, Row, find, load_average, ratio, rss_mb, warm  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    agg, snapshot, explain = (os.path.join(args.bin, v) for v in ("olly-agg", "olly-snapshot", "olly-explain"))
    load = load_average()
    warm(args.json)
    bench = Bench()
    task = bench.task("`olly-snapshot --json` against one `olly-agg count by service` pass", args.json, [
        Row("olly-agg count by service", [agg, "count", "by", "service", "FILE"], mode="arg", checked=False),
        Row("olly-snapshot --json", [snapshot, "--json", "FILE"], mode="arg", checked=False),
        Row("olly-snapshot -j 1 --json", [snapshot, "-j", "1", "--json", "FILE"], mode="arg", checked=False),
        Row("olly-explain --bad 'status >= 500'", [explain, "--bad", "status >= 500", "FILE"], mode="arg",
            checked=False),
    ])
    base = find(task, "olly-agg count by service")
    lines = ["# olly-snapshot benchmark", "",
             f"- Input: {args.json} ({os.path.getsize(args.json) / 1e6:.0f} MB)",
             f"- Load average at start: {load}; at end: {load_average()} (the machine is shared)", "",
             "| command | seconds | x agg count | peak RSS MB |", "|---|---:|---:|---:|"]
    for r in task["rows"]:
        lines.append(f"| `{r['cmd']}` | {r['seconds']:.2f} | {r['seconds'] / base['seconds']:.1f} | "
                     f"{r['rss_kib'] / 1024:.1f} |")
    s = "olly-snapshot --json"
    lines += ["", f"- snapshot / agg count by service: {1 / ratio(task, s, 'olly-agg count by service'):.1f}x "
              "(target: within 5x)",
              f"- snapshot peak RSS: {rss_mb(task, s):.1f} MB"]
    with open(args.results, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
