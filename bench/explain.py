#!/usr/bin/env python3
"""olly-explain's bench entry (issue 14), run alone: bench/run --only explain.

One task over the same 1M generated events: one `olly-agg count by service`
pass (the issue's yardstick: explain within 3x of it), `olly-explain --bad
'status >= 500'` with --fields auto, and jq and mlr programs doing a small
part of the same job (the share of each value of service, region and version
in bad and in other events: three fields, no pairs, no test), in one run.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Bench, Row, against_base_table, load_average, ratio, rss_mb, warm  # noqa: E402

JQ = ('reduce inputs as $e ({}; (if $e.status >= 500 then "bad" else "ok" end) as $b '
      '| .service[$e.service][$b] += 1 | .region[$e.region][$b] += 1 | .version[$e.version][$b] += 1)')
MLR = ('b = $status >= 500 ? "bad" : "ok"; @c["service"][$service][b] += 1; '
       '@c["region"][$region][b] += 1; @c["version"][$version][b] += 1; end { emit @c, "field", "value" }')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    agg, explain = os.path.join(args.bin, "olly-agg"), os.path.join(args.bin, "olly-explain")
    load = load_average()
    warm(args.json)
    bench = Bench()
    task = bench.task("`olly-explain --bad 'status >= 500'` (fields auto) against one `olly-agg count by service` "
                      "pass, and jq/mlr counting three fields' value shares in bad and other events", args.json, [
        Row("olly-agg count by service", [agg, "count", "by", "service", "FILE"], mode="arg", checked=False),
        Row("olly-explain --bad 'status >= 500'", [explain, "--bad", "status >= 500", "FILE"], mode="arg",
            checked=False),
        Row("olly-explain -j 1", [explain, "-j", "1", "--bad", "status >= 500", "FILE"], mode="arg", checked=False),
        Row("jq -n reduce (3 fields)", ["jq", "-n", "-c", JQ], mode="stdin", checked=False),
        Row("mlr put -q (3 fields)", ["mlr", "--ijson", "--ojsonl", "put", "-q", MLR], mode="stdin", checked=False),
    ])
    lines = against_base_table("olly-explain benchmark", args.json, load, task, "olly-agg count by service")
    e = "olly-explain --bad 'status >= 500'"
    lines += ["", f"- explain / agg count by service: {1 / ratio(task, e, 'olly-agg count by service'):.1f}x "
              "(target: within 3x)",
              f"- jq / explain: {ratio(task, e, 'jq -n reduce (3 fields)'):.2f}x; "
              f"mlr / explain: {ratio(task, e, 'mlr put -q (3 fields)'):.2f}x (higher: explain faster)",
              f"- explain peak RSS: {rss_mb(task, e):.1f} MB"]
    with open(args.results, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
