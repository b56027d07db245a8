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
from harness import Bench, Row, against_base_table, load_average, ratio, rss_mb, warm  # noqa: E402


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
    lines = against_base_table("olly-snapshot benchmark", args.json, load, task, "olly-agg count by service")
    s = "olly-snapshot --json"
    lines += ["", f"- snapshot / agg count by service: {1 / ratio(task, s, 'olly-agg count by service'):.1f}x "
              "(target: within 5x)",
              f"- snapshot peak RSS: {rss_mb(task, s):.1f} MB"]
    with open(args.results, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
