#!/usr/bin/env python3
"""Times olly-filter against jq, gojq, mlr and the bare simdjson floor.

Called by bench/run once the binaries are built and the data file exists:

    harness.py --bin BUILD/bin --data FILE --results OUT.md [--big-lines N]

Every command reads the same file, either as `tool < file` or, for olly and
the floor, also as `cat file | tool`. Its stdout goes into a pipe that this
script drains, counting lines (as `| wc -l` would). Wall clock is measured
around the whole run; peak RSS comes from wait4(2) on the tool's process.
Fast commands run 3 times (best is kept); a command whose first run takes
longer than SLOW_SECONDS runs once, so the whole bench stays within minutes.
Tools doing the same job must agree on the output line count, or this exits 1
without writing the results file.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import time

SLOW_SECONDS = 2.0
REGEX = r"^/api/v[0-9]+/orders/[0-9]+$"


def run_once(argv, input_path, pipe):
    # /usr/bin/time reports the tool's own peak RSS: wait4() on a child of
    # this Python process would also count the RSS it had before exec.
    rss_file = os.path.join(os.path.dirname(os.path.abspath(input_path)), ".rss")
    argv = ["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv
    out_r, out_w = os.pipe()
    start = time.perf_counter()
    cat = None
    if pipe:
        cat = subprocess.Popen(["cat", input_path], stdout=subprocess.PIPE)
        stdin = cat.stdout
    else:
        stdin = open(input_path, "rb")
    proc = subprocess.Popen(argv, stdin=stdin, stdout=out_w)
    os.close(out_w)
    stdin.close()
    lines = 0
    nbytes = 0
    while True:
        chunk = os.read(out_r, 1 << 20)
        if not chunk:
            break
        lines += chunk.count(b"\n")
        nbytes += len(chunk)
    os.close(out_r)
    proc.wait()
    if cat is not None:
        cat.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: FAILED (exit {proc.returncode}): {' '.join(argv[5:])}")
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    return elapsed, rss_kib, lines


def measure(argv, input_path, pipe=False):
    results = [run_once(argv, input_path, pipe)]
    if results[0][0] < SLOW_SECONDS:
        results += [run_once(argv, input_path, pipe) for _ in range(2)]
    best = min(results, key=lambda r: r[0])
    lines = {r[2] for r in results}
    if len(lines) != 1:
        sys.exit(f"bench: FAILED: output line count changed between runs: {' '.join(argv)}")
    return {"seconds": best[0], "rss_kib": max(r[1] for r in results), "lines": best[2],
            "runs": len(results)}


def shell_words(argv):
    out = []
    for a in argv:
        if a and all(c.isalnum() or c in "-_./,=" for c in a):
            out.append(a)
        else:
            out.append("'" + a.replace("'", "'\\''") + "'")
    return " ".join(out)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--big-data", help="a 10x file: only olly-filter's peak memory is measured")
    ap.add_argument("--commit", default="?")
    args = ap.parse_args()

    load_start = load_average()
    data = args.data
    size = os.path.getsize(data)
    mb = size / 1e6
    with open(data, "rb") as f:
        nlines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    olly = os.path.join(args.bin, "olly-filter")
    floor = os.path.join(args.bin, "olly-bench-floor")
    have_olly = os.access(olly, os.X_OK)

    # Warm the page cache so the first tool measured is not penalised.
    with open(data, "rb") as f:
        while f.read(1 << 24):
            pass

    # task -> list of (label, argv, pipe, checked): checked rows must agree.
    # Labels are looked up below (ratios, targets): keep them in step.
    tasks = [
        ("selective filter: `status >= 500`", [
            ("wc -l (reading floor)", ["wc", "-l"], False, False),
            ("floor: simdjson iterate_many", [floor], False, True),
            ("floor, via pipe", [floor], True, True),
            ("olly-filter", [olly, "status >= 500"], False, True),
            ("olly-filter, via pipe", [olly, "status >= 500"], True, True),
            ("jq -c", ["jq", "-c", "select(.status >= 500)"], False, True),
            ("gojq -c", ["gojq", "-c", "select(.status >= 500)"], False, True),
            ("mlr", ["mlr", "--ijsonl", "--ojsonl", "filter", "$status >= 500"], False, True),
        ]),
        (f"regex on a string field: `path =~ \"{REGEX}\"`", [
            ("olly-filter", [olly, f'path =~ "{REGEX}"'], False, True),
            ("jq -c", ["jq", "-c", f'select(.path | test("{REGEX}"))'], False, True),
            ("gojq -c", ["gojq", "-c", f'select(.path | test("{REGEX}"))'], False, True),
            ("mlr", ["mlr", "--ijsonl", "--ojsonl", "filter", f'$path =~ "{REGEX}"'], False, True),
        ]),
        ("projection of three fields: `--select ts,status,latency_ms`", [
            ("olly-filter", [olly, "--select", "ts,status,latency_ms", "true"], False, True),
            ("jq -c", ["jq", "-c", "{ts,status,latency_ms}"], False, True),
            ("gojq -c", ["gojq", "-c", "{ts,status,latency_ms}"], False, True),
            ("mlr", ["mlr", "--ijsonl", "--ojsonl", "cut", "-o", "-f", "ts,status,latency_ms"],
             False, True),
        ]),
    ]

    notes = []
    if not have_olly:
        notes.append(f"olly-filter was not found at {olly}: its rows are skipped.")

    report = {}
    failed = False
    for task, rows in tasks:
        print(f"\n== {task}", flush=True)
        measured = []
        for label, argv, pipe, checked in rows:
            if argv[0] == olly and not have_olly:
                print(f"  {label:32s} skipped (olly-filter not built)", flush=True)
                continue
            r = measure(argv, data, pipe)
            shown = shell_words([os.path.basename(argv[0])] + argv[1:])
            shown = f"cat FILE | {shown}" if pipe else f"{shown} < FILE"
            r.update(label=label, cmd=shown,
                     checked=checked, pipe=pipe)
            measured.append(r)
            print(f"  {label:32s} {r['seconds']:8.3f}s {mb / r['seconds']:9.1f} MB/s "
                  f"{r['rss_kib'] / 1024:8.1f} MB  {r['lines']:>9d} lines  ({r['runs']} runs)",
                  flush=True)
        counts = {r["lines"] for r in measured if r["checked"]}
        if len(counts) > 1:
            failed = True
            print(f"bench: MISMATCH in '{task}': output line counts differ: "
                  + ", ".join(f"{r['label']}={r['lines']}" for r in measured if r["checked"]),
                  file=sys.stderr)
        report[task] = measured

    big = None
    if args.big_data and have_olly:
        big_size = os.path.getsize(args.big_data)
        print(f"\n== peak memory on the 10x file ({big_size / 1e6:.0f} MB)", flush=True)
        elapsed, rss, lines = run_once([olly, "status >= 500"], args.big_data, False)
        big = {"size": big_size, "seconds": elapsed, "rss_kib": rss, "lines": lines}
        print(f"  olly-filter 'status >= 500' {elapsed:.2f}s {rss / 1024:.1f} MB peak RSS", flush=True)

    if failed:
        sys.exit("bench: FAILED: tools disagree on the output count; results not written")

    # ------------------------------------------------------------ report
    def find(task_rows, label):
        for r in task_rows:
            if r["label"] == label:
                return r
        return None

    out = []
    out.append("# olly benchmark results\n")
    out.append(f"- CPU: {cpu_model()} ({os.cpu_count()} cores visible)")
    out.append(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    out.append(f"- olly commit: {args.commit}")
    out.append(f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} "
               "(the machine is shared: a load above the core count slows the long jq/gojq/mlr "
               "runs most and inflates their ratios)")
    out.append(f"- Input: {size / 1e6:.1f} MB, {nlines} lines of NDJSON "
               f"({size / max(nlines, 1):.0f} bytes a line) from `olly-bench-gen`")
    if have_olly:
        out.append(f"- olly-filter: {tool_version([olly, '--version'])}")
    out.append(f"- Tools: {tool_version(['jq', '--version'])}, {tool_version(['gojq', '--version'])}, "
               f"{tool_version(['mlr', '--version'])}")
    out.append("- Method: every command reads the file on stdin (`< FILE`) or through "
               "`cat FILE |`; its output is drained and counted by the harness (as `| wc -l`). "
               f"Wall clock; best of 3 runs, or 1 run when the first takes over {SLOW_SECONDS:.0f} s. "
               "Peak RSS from `/usr/bin/time -f %M`. MB/s = input MB / seconds.")
    out.append("- Ratios are speedups: `vs jq` = jq's seconds / this row's seconds; "
               "`vs floor` = floor's seconds / this row's seconds (1.0 = as fast as the bare "
               "simdjson loop).")
    for n in notes:
        out.append(f"- Note: {n}")
    out.append("")

    for task, rows in report.items():
        jq = find(rows, "jq -c")
        gojq = find(rows, "gojq -c")
        fl = find(rows, "floor: simdjson iterate_many")
        out.append(f"## {task}\n")
        out.append("| tool | command | runs | seconds | MB/s | peak RSS MB | output lines "
                   "| vs jq | vs gojq | vs floor |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            def ratio(base):
                return f"{base['seconds'] / r['seconds']:.2f}x" if base else "-"
            cmd = r["cmd"].replace("|", "\\|")
            out.append(f"| {r['label']} | `{cmd}` | {r['runs']} | {r['seconds']:.3f} | "
                       f"{mb / r['seconds']:.0f} | {r['rss_kib'] / 1024:.1f} | {r['lines']} | "
                       f"{ratio(jq)} | {ratio(gojq)} | {ratio(fl)} |")
        out.append("")

    # Targets from the benchmark issue.
    out.append("## Targets\n")
    out.append("| target | measured | met |")
    out.append("|---|---:|:---:|")
    tasks_by_index = list(report.values())

    def target(desc, rows, label, base_label, want):
        r, b = find(rows, label), find(rows, base_label)
        if not r or not b:
            out.append(f"| {desc} | not measured | - |")
            return
        v = b["seconds"] / r["seconds"]
        out.append(f"| {desc} | {v:.2f}x | {'yes' if v >= want else 'NO'} |")

    t0, t1, t2 = tasks_by_index
    target("olly-filter `status >= 500` >= 20x jq", t0, "olly-filter", "jq -c", 20)
    target("olly-filter `status >= 500` >= 20x gojq", t0, "olly-filter", "gojq -c", 20)
    target("olly-filter `status >= 500` >= 0.5x floor (< FILE)", t0, "olly-filter",
           "floor: simdjson iterate_many", 0.5)
    target("olly-filter `status >= 500` >= 0.5x floor (via pipe)", t0, "olly-filter, via pipe",
           "floor, via pipe", 0.5)
    target("regex filter >= 10x jq", t1, "olly-filter", "jq -c", 10)
    target("projection of three fields >= 10x jq", t2, "olly-filter", "jq -c", 10)
    o = find(t0, "olly-filter")
    if o:
        v = o["rss_kib"] / 1024
        out.append(f"| olly-filter peak RSS on the {size / 1e6:.0f} MB file < 50 MB | {v:.1f} MB | "
                   f"{'yes' if v < 50 else 'NO'} |")
    else:
        out.append("| olly-filter peak RSS < 50 MB | not measured | - |")
    if big:
        v = big["rss_kib"] / 1024
        out.append(f"| olly-filter peak RSS on a 10x file ({big['size'] / 1e6:.0f} MB) < 50 MB | "
                   f"{v:.1f} MB | {'yes' if v < 50 else 'NO'} |")
    else:
        out.append("| olly-filter peak RSS on a 10x file < 50 MB | not measured | - |")
    out.append("")

    with open(args.results, "w") as f:
        f.write("\n".join(out))
    print(f"\nwrote {args.results}")


if __name__ == "__main__":
    main()
