#!/usr/bin/env python3
"""Times olly's verbs against jq, gojq, mlr and node+ajv; writes one report.

Called by bench/run once the binaries are built and the data files exist:

    harness.py --bin BUILD/bin [--bench-bin BUILD/bench] --json F --combined F --logfmt F --syslog F
               --day F --logs F --spans F --contract bench/validate/contract.json --results OUT.md
               [--big-data F] [--big-spans F --big-json F --big-logs F]
               [--ajv-script bench/validate/ajv_validate.js]
    harness.py --only correlate --bin BUILD/bin --json F --logs F --spans F --results OUT.md
               [--big-spans F --big-json F --big-logs F]

Sections, one per benchmark issue: filter (olly-filter, input on stdin, as
`tool < FILE` and `cat FILE | tool`), parse (olly-parse), agg (olly-agg),
validate (olly-validate), alert, engine and correlate (olly-correlate traces
and join); all but filter get the file as an argument, as a user would type
it (olly-agg only splits a regular file across threads). `--only correlate`
runs the correlate section alone and writes a report of its own.
Every command's stdout goes into a pipe drained by `wc -l` (or, for the
small outputs a task compares, by this script), so writing output is part
of the cost. Wall clock is measured around the whole run; peak RSS comes from /usr/bin/time -f %M.
Fast commands run FAST_RUNS times (best is kept); a command whose first run takes
longer than SLOW_SECONDS runs once, so the whole bench stays within minutes.
Tools doing the same job must agree (output line counts, and for agg and
validate the counts inside the output), or this exits 1 without writing the
results file.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time

SLOW_SECONDS = 2.0
# The shared host's cores change speed from one second to the next (a run
# of the same command takes 0.4 s or 0.8 s): the best of 5 is the tool's.
FAST_RUNS = 5
FILTER_REGEX = r"^/api/v[0-9]+/orders/[0-9]+$"
# nginx combined with four named captures: RE2 runs its one-pass engine for
# up to 4 groups (5+ fall back to a slower one), so a pipeline would keep to 4.
PARSE_REGEX = r'^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) '
MEMORY_LIMIT_MB = 64


class Row:
    """One command of a task. `argv` may hold the token FILE (the input path)."""

    def __init__(self, label, argv, mode="stdin", checked=True, ok_codes=(0,), keep=False,
                 devnull=False):
        # devnull: stdout goes to /dev/null (no pipe, lines not counted).
        self.label, self.argv, self.mode, self.checked = label, argv, mode, checked
        self.ok_codes, self.keep, self.devnull = ok_codes, keep, devnull


def run_once(row, input_path):
    # /usr/bin/time reports the tool's own peak RSS: wait4() on a child of
    # this Python process would also count the RSS it had before exec.
    rss_file = os.path.join(os.path.dirname(os.path.abspath(input_path)), ".rss")
    argv = [input_path if a == "FILE" else a for a in row.argv]
    argv = ["/usr/bin/time", "-f", "%U %S %M", "-o", rss_file] + argv
    out_r, out_w = os.pipe()
    start = time.perf_counter()
    cat = None
    if row.mode == "pipe":
        cat = subprocess.Popen(["cat", input_path], stdout=subprocess.PIPE)
        stdin = cat.stdout
    elif row.mode == "stdin":
        stdin = open(input_path, "rb")
    else:
        stdin = open(os.devnull, "rb")
    if row.devnull:
        os.close(out_w)
        out_w = os.open(os.devnull, os.O_WRONLY)
    proc = subprocess.Popen(argv, stdin=stdin, stdout=out_w)
    os.close(out_w)
    stdin.close()
    lines = None if row.devnull else 0
    kept = []
    if row.devnull:
        pass
    elif row.keep:
        # Small outputs that the task compares across tools.
        while True:
            chunk = os.read(out_r, 1 << 20)
            if not chunk:
                break
            lines += chunk.count(b"\n")
            kept.append(chunk)
    else:
        # A real `wc -l` drains the pipe: Python's own read-and-count loop
        # costs about half a core on 350 MB of output, which would be taken
        # from the tool under test on a 2-core machine.
        wc = subprocess.run(["wc", "-l"], stdin=out_r, stdout=subprocess.PIPE, check=True)
        lines = int(wc.stdout.split()[0])
    os.close(out_r)
    proc.wait()
    if cat is not None:
        cat.wait()
    elapsed = time.perf_counter() - start
    if proc.returncode not in row.ok_codes:
        sys.exit(f"bench: FAILED (exit {proc.returncode}): {' '.join(argv[5:])}")
    with open(rss_file) as f:
        fields = f.read().split()
    rss_kib = int(fields[-1])
    cpu = float(fields[-3]) + float(fields[-2])  # user + system seconds: what a loaded machine distorts least
    return elapsed, rss_kib, lines, b"".join(kept), cpu


def measure(row, input_path):
    results = [run_once(row, input_path)]
    if results[0][0] < SLOW_SECONDS:
        results += [run_once(row, input_path) for _ in range(FAST_RUNS - 1)]
    best = min(results, key=lambda r: r[0])
    if len({r[2] for r in results}) != 1:
        sys.exit(f"bench: FAILED: output line count changed between runs: {' '.join(row.argv)}")
    return {"seconds": best[0], "rss_kib": max(r[1] for r in results), "lines": best[2],
            "runs": len(results), "output": best[3], "cpu": min(r[4] for r in results)}


def shell_words(argv):
    out = []
    for a in argv:
        if a and all(c.isalnum() or c in "-_./,=:" for c in a):
            out.append(a)
        else:
            out.append("'" + a.replace("'", "'\\''") + "'")
    return " ".join(out)


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shown_command(row):
    # Paths inside the repository are shown relative to its root.
    argv = [os.path.basename(row.argv[0])] + [
        os.path.relpath(a, REPO) if a.startswith(REPO + os.sep) else a for a in row.argv[1:]]
    words = shell_words(argv)
    if row.mode == "pipe":
        words = f"cat FILE | {words}"
    elif row.mode == "stdin":
        words = f"{words} < FILE"
    return words + (" > /dev/null" if row.devnull else "")


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


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def json_lines(data):
    return [json.loads(line) for line in data.decode().splitlines() if line.strip()]


# ------------------------------------------------------------------ agreement checks
# Each returns None when the tools agree, else a message. They compare what
# the tools computed, not how they print it.

def check_counts_by_service(rows):
    """count p99 by service: the per-service counts must be equal; p99 is
    compared loosely (olly's sketch has 1% relative error and the tools pick
    the rank differently) and its spread is reported."""
    counts, p99s = {}, {}
    for r in rows:
        by = {}
        p = {}
        for ev in json_lines(r["output"]):
            count = ev.get("count", ev.get("latency_ms_count"))
            by[ev["service"]] = count
            p[ev["service"]] = next(v for k, v in ev.items() if "p99" in k)
        counts[r["label"]] = by
        p99s[r["label"]] = p
    first = next(iter(counts.values()))
    for label, by in counts.items():
        if by != first:
            return f"per-service counts differ: {label} gives {by}, another tool {first}"
    spread = 0.0
    for service in first:
        vals = [p[service] for p in p99s.values()]
        spread = max(spread, (max(vals) - min(vals)) / max(min(vals), 1e-9))
    return None, f"the tools' p99 values agree within {spread * 100:.1f}% per service"


def check_counts_by_minute_status(rows):
    tables = {}
    for r in rows:
        t = {}
        for ev in json_lines(r["output"]):
            window = ev.get("window_start", ev.get("window", ev.get("ts", ev.get("minute"))))
            t[(window[:16], str(ev["status"]))] = ev["count"]
        tables[r["label"]] = t
    first_label, first = next(iter(tables.items()))
    for label, t in tables.items():
        if t != first:
            diff = sorted(set(t.items()) ^ set(first.items()))[:4]
            return f"(minute, status) counts differ between {first_label} and {label}: {diff}"
    return None, f"all tools give the same {len(first)} (minute, status) counts"


def check_invalid_count(rows):
    found = {}
    for r in rows:
        evs = [ev for ev in json_lines(r["output"]) if "invalid" in ev]
        if not evs:
            return f"{r['label']} printed no invalid count"
        found[r["label"]] = evs[-1]["invalid"]
        r["invalid"] = evs[-1]["invalid"]
    if len(set(found.values())) > 1:
        return f"invalid counts differ: {found}"
    return None, f"both count {next(iter(found.values()))} invalid events"


# ------------------------------------------------------------------ the bench

class Bench:
    def __init__(self):
        self.sections = []   # (title, intro lines, [task])
        self.targets = []    # (section, description, measured, met or None)
        self.failed = False

    def task(self, title, data, rows, baselines=(), check=None, want_lines=None):
        """Runs rows on data; baselines name the rows the ratio columns compare to."""
        size = os.path.getsize(data)
        print(f"\n== {title}", flush=True)
        measured = []
        for row in rows:
            r = measure(row, data)
            r.update(label=row.label, cmd=shown_command(row), checked=row.checked)
            measured.append(r)
            print(f"  {row.label:40s} {r['seconds']:8.3f}s {size / 1e6 / r['seconds']:9.1f} MB/s "
                  f"{r['rss_kib'] / 1024:8.1f} MB  {'-' if r['lines'] is None else r['lines']:>9} lines  ({r['runs']} runs)",
                  flush=True)
        counts = {r["lines"] for r in measured if r["checked"]}
        if len(counts) > 1:
            self.fail(f"'{title}': output line counts differ: "
                      + ", ".join(f"{r['label']}={r['lines']}" for r in measured if r["checked"]))
        if want_lines is not None:
            for r in measured:
                if r["checked"] and r["lines"] != want_lines:
                    self.fail(f"'{title}': {r['label']} wrote {r['lines']} lines for "
                              f"{want_lines} input lines")
        note = None
        if check:
            result = check(measured)
            if isinstance(result, str):
                self.fail(f"'{title}': {result}")
            else:
                note = result[1]
                print(f"  agreement: {note}", flush=True)
        task = {"title": title, "size": size, "rows": measured, "baselines": list(baselines),
                "note": note}
        return task

    def fail(self, message):
        self.failed = True
        print(f"bench: MISMATCH in {message}", file=sys.stderr, flush=True)

    def target(self, section, desc, value, want, unit="x", below=False):
        if value is None:
            self.targets.append((section, desc, "not measured", None))
            return
        met = value < want if below else value >= want
        shown = f"{value:.1f} MB" if unit == "MB" else (
            f"{value:.0f} MB/s" if unit == "MB/s" else f"{value:.2f}x")
        self.targets.append((section, desc, shown, met))


def find(task, label):
    for r in task["rows"]:
        if r["label"] == label:
            return r
    return None


def ratio(task, label, base_label):
    r, b = find(task, label), find(task, base_label)
    return b["seconds"] / r["seconds"] if r and b else None


def mb_per_s(task, label):
    r = find(task, label)
    return task["size"] / 1e6 / r["seconds"] if r else None


def against_base_table(title, data_path, load_at_start, task, base_label):
    """The head and the table of a bench run alone (explain, snapshot): each
    row's seconds as a multiple of the base row's (one olly-agg pass)."""
    base = find(task, base_label)
    lines = [f"# {title}", "",
             f"- Input: {data_path} ({os.path.getsize(data_path) / 1e6:.0f} MB)",
             f"- Load average at start: {load_at_start}; at end: {load_average()} (the machine is shared)", "",
             "| command | seconds | x agg count | peak RSS MB |", "|---|---:|---:|---:|"]
    for r in task["rows"]:
        lines.append(f"| `{r['cmd']}` | {r['seconds']:.2f} | {r['seconds'] / base['seconds']:.1f} | "
                     f"{r['rss_kib'] / 1024:.1f} |")
    return lines


def rss_mb(task, label):
    r = find(task, label)
    return r["rss_kib"] / 1024 if r else None


def view_section(bench, view, json_path, rows=100_000):
    """olly-view's table against mlr's pretty-printer on the first 100k events (issue 15)."""
    S = "view"
    head = os.path.join(os.path.dirname(os.path.abspath(json_path)), f"view-{rows}.json")
    with open(json_path, "rb") as src, open(head, "wb") as dst:
        for i, line in enumerate(src):
            if i >= rows:
                break
            dst.write(line)
    warm(head)
    # Output to a pipe; olly-view is not on a terminal here, so its table has no width limit
    # (mlr's neither); both pad every column to its widest value.
    task = bench.task(f"`olly-view` table of {rows} events against `mlr --ijsonl --opprint cat`", head, [
        Row("olly-view", [view, "FILE"], mode="arg", checked=False),
        Row("mlr --ijsonl --opprint cat", ["mlr", "--ijsonl", "--opprint", "cat", "FILE"], mode="arg",
            checked=False),
    ], baselines=["mlr --ijsonl --opprint cat"])
    bench.target(S, f"olly-view table of {rows} events >= 10x `mlr --opprint cat`",
                 ratio(task, "olly-view", "mlr --ijsonl --opprint cat"), 10)
    os.remove(head)
    return task


# jq doing olly-redact's masking of the detectors that occur in the bench's
# events (the IPv4 upstream of every event) and the common ones (email, card
# numbers, JWTs): every string value through `walk` and `sub` (jq has no
# validators: no Luhn or octet checks, so it does less than olly).
JQ_REDACT = ('walk(if type == "string" then '
             'sub("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}"; "[REDACTED:email]"; "g") '
             '| sub("\\\\b(?:[0-9]{1,3}\\\\.){3}[0-9]{1,3}\\\\b"; "[REDACTED:ipv4]"; "g") '
             '| sub("\\\\b(?:[0-9][ -]?){12,18}[0-9]\\\\b"; "[REDACTED:card]"; "g") '
             '| sub("eyJ[A-Za-z0-9_-]+\\\\.eyJ[A-Za-z0-9_-]+\\\\.[A-Za-z0-9_-]*"; "[REDACTED:jwt]"; "g") '
             'else . end)')


def redact_section(bench, redact, json_path, rows=100_000, jq_rows=20_000):
    """olly-redact --detect all (issue 16): MB/s on the bench's events, and against jq's walk/sub."""
    S = "redact"
    here = os.path.dirname(os.path.abspath(json_path))
    heads = {}
    with open(json_path, "rb") as src:
        lines = [line for _, line in zip(range(rows), src)]
    for n in (rows, jq_rows):
        heads[n] = os.path.join(here, f"redact-{n}.json")
        with open(heads[n], "wb") as dst:
            dst.writelines(lines[:n])
    warm(heads[rows])
    speed = bench.task(f"`olly-redact --detect all` over {rows} events", heads[rows], [
        Row("olly-redact --detect all", [redact, "--detect", "all", "FILE"], mode="arg"),
        Row("olly-redact --detect all -j 1", [redact, "--detect", "all", "-j", "1", "FILE"], mode="arg"),
    ], want_lines=rows)
    warm(heads[jq_rows])
    versus = bench.task(f"`olly-redact --detect all` against jq `walk` with `sub` over {jq_rows} events",
                        heads[jq_rows], [
        Row("olly-redact --detect all", [redact, "--detect", "all", "FILE"], mode="arg"),
        Row("jq -c walk/sub", ["jq", "-c", JQ_REDACT, "FILE"], mode="arg"),
    ], baselines=["jq -c walk/sub"], want_lines=jq_rows)
    bench.target(S, "`olly-redact --detect all` >= 150 MB/s", mb_per_s(speed, "olly-redact --detect all"), 150,
                 unit="MB/s")
    bench.target(S, "`olly-redact --detect all` >= 20x jq walk/sub",
                 ratio(versus, "olly-redact --detect all", "jq -c walk/sub"), 20)
    for path in heads.values():
        os.remove(path)
    return [speed, versus]


def write_table(out, task):
    bases = task["baselines"]
    mb = task["size"] / 1e6
    out.append(f"### {task['title']}\n")
    out.append("| tool | command | runs | seconds | MB/s | peak RSS MB | output lines |"
               + "".join(f" vs {b} |" for b in bases))
    out.append("|---|---|---:|---:|---:|---:|---:|" + "---:|" * len(bases))
    for r in task["rows"]:
        cells = []
        for b in bases:
            base = find(task, b)
            cells.append(f"{base['seconds'] / r['seconds']:.2f}x" if base else "-")
        cmd = r["cmd"].replace("|", "\\|")
        out.append(f"| {r['label'].replace('|', chr(92) + '|')} | `{cmd}` | {r['runs']} | "
                   f"{r['seconds']:.3f} | {mb / r['seconds']:.0f} | {r['rss_kib'] / 1024:.1f} | "
                   f"{'-' if r['lines'] is None else r['lines']} |" + "".join(f" {c} |" for c in cells))
    out.append("")
    if task["note"]:
        out.append(f"Agreement: {task['note']}.\n")

def write_targets(out, bench, section):
    out.append("Targets:\n")
    out.append("| target | measured | met |")
    out.append("|---|---:|:---:|")
    for s, desc, shown, met in bench.targets:
        if s == section:
            out.append(f"| {desc} | {shown} | {'-' if met is None else 'yes' if met else '**NO**'} |")
    out.append("")


# ------------------------------------------------------------------ correlate

# jq's fastest form for "one line per trace with its duration and span
# count": keep three fields per span, group once. (A `reduce` into an object
# keyed by trace id is quadratic in jq 1.6: 170 s for 100k spans.)
JQ_TRACES = ("[inputs | [.trace_id, .start_time_unix_nano, .end_time_unix_nano]] | group_by(.[0])[]"
             " | {trace_id: .[0][0], span_count: length,"
             " duration_ms: (((map(.[2]) | max) - (map(.[1]) | min)) / 1e6)}")
# The peak RSS on the 10x files may be at most this many times that on the
# 1M files: state bounded by the active traces / the window, not the input.
CORRELATE_GROWTH = 1.5


def correlate_section(bench, args, binary):
    """olly-correlate traces and join, with their baselines and their peak
    memory on 10x files. Returns what correlate_report writes."""
    correlate, agg, olly = binary["olly-correlate"], binary["olly-agg"], binary["olly-filter"]
    S = "correlate"
    warm(args.spans)
    traces = bench.task("`olly-correlate traces` over 1M spans, against jq and `olly-agg count by trace_id`",
                        args.spans, [
        Row("olly-correlate traces", [correlate, "traces", "FILE"], mode="arg"),
        Row("olly-agg count by trace_id", [agg, "count", "by", "trace_id", "FILE"], mode="arg"),
        Row("jq -n group_by trace_id", ["jq", "-n", "-c", JQ_TRACES, "FILE"], mode="arg"),
    ], baselines=["jq -n group_by trace_id", "olly-agg count by trace_id"])
    warm(args.json)
    warm(args.logs)
    join = bench.task("`olly-correlate join` of 1M requests and their 1M log lines, against one "
                      "`olly-filter` pass over both", args.json, [
        Row("olly-correlate join", [correlate, "join", "--key", "trace_id", "--within", "1s", "FILE", args.logs],
            mode="arg", checked=False),
        Row("olly-filter over both", [olly, "trace_id != \"\"", "FILE", args.logs], mode="arg", checked=False),
        Row("olly-filter -j 1 over both", [olly, "-j", "1", "trace_id != \"\"", "FILE", args.logs], mode="arg",
            checked=False),
    ], baselines=["olly-filter over both", "olly-filter -j 1 over both"])
    pairs = find(join, "olly-correlate join")["lines"]
    if pairs != count_lines(args.logs):
        bench.fail(f"'{join['title']}': {pairs} pairs for {count_lines(args.logs)} log lines (each has one request)")

    big = {}
    if args.big_spans and args.big_json and args.big_logs:
        for name, row, data in (
                ("traces", Row("olly-correlate traces", [correlate, "traces", "FILE"], mode="arg", devnull=True),
                 args.big_spans),
                ("join", Row("olly-correlate join", [correlate, "join", "--key", "trace_id", "--within", "1s",
                                                     "FILE", args.big_logs], mode="arg", devnull=True),
                 args.big_json)):
            size = os.path.getsize(data) + (os.path.getsize(args.big_logs) if name == "join" else 0)
            print(f"\n== olly-correlate {name} peak memory on the 10x input ({size / 1e6:.0f} MB)", flush=True)
            elapsed, rss, _, _, _ = run_once(row, data)
            big[name] = {"size": size, "seconds": elapsed, "rss_kib": rss, "cmd": shown_command(row)}
            print(f"  olly-correlate {name} {elapsed:.2f}s {rss / 1024:.1f} MB peak RSS", flush=True)

    bench.target(S, "traces >= 10x jq (duration and span count by trace_id)",
                 ratio(traces, "olly-correlate traces", "jq -n group_by trace_id"), 10)
    bench.target(S, "traces within 2x of `olly-agg count by trace_id` (time ratio >= 0.5)",
                 ratio(traces, "olly-correlate traces", "olly-agg count by trace_id"), 0.5)
    bench.target(S, "join within 3x of one olly-filter pass over both inputs (time ratio >= 0.33)",
                 ratio(join, "olly-correlate join", "olly-filter over both"), 1 / 3)
    for name, task, label in (("traces", traces, "olly-correlate traces"), ("join", join, "olly-correlate join")):
        small = rss_mb(task, label)
        desc = (f"{name} peak RSS on the 10x input <= {CORRELATE_GROWTH}x that on the 1M input "
                f"({small:.1f} MB): bounded by {'the active traces' if name == 'traces' else 'the window'}")
        if name in big:
            bench.target(S, desc, big[name]["rss_kib"] / 1024, small * CORRELATE_GROWTH, unit="MB", below=True)
        else:
            bench.target(S, desc, None, 0)
    return {"traces": traces, "join": join, "big": big}


def correlate_report(out, bench, result):
    out.append("## correlate (olly-correlate)\n")
    out.append("traces: `olly-bench-gen --format spans` writes spans as `olly parse otlp` does (traces of "
               "1 to 15 spans, 64 traces open at once, their spans interleaved). olly-correlate traces "
               "writes one event per trace (root, duration, services, error origin, critical path); the jq "
               "program computes only the duration and span count per trace_id, and olly-agg only the "
               "count: every row writes one line per trace. join: the requests (`--format json`) and a "
               "log line for each (`--format logs`, same seed: the request's trace_id, 0-255 ms later, so "
               "out of order within --lateness) joined on trace_id within 1s: one pair per request. "
               "olly-filter reads both files and writes every line (`trace_id != \"\"`): the cost of "
               "reading, parsing the key and writing the same bytes; it uses both cores (-j), join one.\n")
    write_table(out, result["traces"])
    write_table(out, result["join"])
    for name, b in result["big"].items():
        out.append(f"10x input ({b['size'] / 1e6:.0f} MB, generated and deleted by `bench/run`): `{b['cmd']}` "
                   f"took {b['seconds']:.2f} s with a peak RSS of {b['rss_kib'] / 1024:.1f} MB.\n")
    write_targets(out, bench, "correlate")


def report_header(out, args, load_start, total, inputs, nlines, tools):
    out.append(f"- CPU: {cpu_model()} ({os.cpu_count()} cores visible)")
    out.append(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    out.append(f"- olly commit: {args.commit}")
    out.append(f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} "
               "(the machine is shared: a load above the core count slows the long jq/gojq/mlr "
               "runs most and inflates their ratios)")
    out.append(f"- Measuring took {total / 60:.1f} minutes.")
    out.append(f"- Inputs, from `olly-bench-gen --seed {args.seed}`: "
               + "; ".join(f"{k} {os.path.getsize(p) / 1e6:.1f} MB, {nlines[k]} lines"
                           for k, p in inputs.items()))
    out.append(f"- Tools: {tools}")


def correlate_only(args):
    """bench/run --only correlate: the correlate section alone, in its own report."""
    load_start = load_average()
    started = time.perf_counter()
    binary = {name: os.path.join(args.bin, name) for name in ("olly-filter", "olly-agg", "olly-correlate")}
    missing = [n for n, p in binary.items() if not os.access(p, os.X_OK)]
    if missing:
        sys.exit(f"bench: not built: {', '.join(missing)}")
    bench = Bench()
    result = correlate_section(bench, args, binary)
    if bench.failed:
        sys.exit("bench: FAILED: tools disagree on the output; results not written")
    total = time.perf_counter() - started
    inputs = {"json": args.json, "logs": args.logs, "spans": args.spans}
    out = ["# olly benchmark results: correlate only (`bench/run --only correlate`)\n"]
    report_header(out, args, load_start, total, inputs, {k: count_lines(p) for k, p in inputs.items()},
                  f"{tool_version([binary['olly-correlate'], '--version'])}, {tool_version(['jq', '--version'])}")
    out.append("")
    correlate_report(out, bench, result)
    with open(args.results, "w") as f:
        f.write("\n".join(out))
    print(f"\nwrote {args.results} ({total / 60:.1f} minutes of measuring)")

def sample_only(args):
    """bench/run --only sample: olly-sample against olly-filter on the same events (issue 16:
    sample at least 0.8x filter's speed), in its own report."""
    load_start = load_average()
    started = time.perf_counter()
    binary = {name: os.path.join(args.bin, name) for name in ("olly-filter", "olly-sample")}
    missing = [n for n, p in binary.items() if not os.access(p, os.X_OK)]
    if missing:
        sys.exit(f"bench: not built: {', '.join(missing)}")
    olly, sample = binary["olly-filter"], binary["olly-sample"]
    bench = Bench()
    warm(args.json)
    task = bench.task("`olly-sample` against `olly-filter` on the same events", args.json, [
        Row("olly-filter 'status >= 500'", [olly, "status >= 500"], checked=False),
        # The keyed sample reads trace_id too, five fields past status: its
        # twin filter reads the same two fields (and writes about as many lines).
        Row("olly-filter 'status >= 500 || trace_id < \"1\"'", [olly, 'status >= 500 || trace_id < "1"'],
            checked=False),
        Row("olly-sample --rate 0.1", [sample, "--rate", "0.1"], checked=False),
        Row("olly-sample --rate 0.1 --key trace_id --keep", [sample, "--rate", "0.1", "--key", "trace_id",
                                                             "--keep", "status >= 500"], checked=False),
        Row("olly-sample --limit 100/s --by service", [sample, "--limit", "100/s", "--by", "service"],
            checked=False),
    ], baselines=["olly-filter 'status >= 500'"])
    same_fields = "olly-filter 'status >= 500 || trace_id < \"1\"'"
    bench.target("sample", "`olly-sample --rate 0.1` (reads no field) at least 0.8x olly-filter's speed (reads status)",
                 ratio(task, "olly-sample --rate 0.1", "olly-filter 'status >= 500'"), 0.8)
    bench.target("sample", "`olly-sample --rate 0.1 --key trace_id --keep` at least 0.8x olly-filter's speed "
                 "(both read status and trace_id)",
                 ratio(task, "olly-sample --rate 0.1 --key trace_id --keep", same_fields), 0.8)
    # Shown, not a target: against the filter that reads status alone.
    out_extra = ratio(task, "olly-sample --rate 0.1 --key trace_id --keep", "olly-filter 'status >= 500'")
    total = time.perf_counter() - started
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# olly-sample alone (bench/run --only sample), {when}, commit {args.commit}\n",
           f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} (shared machine)",
           f"- Input: {os.path.getsize(args.json) / 1e6:.1f} MB, {count_lines(args.json)} lines; "
           f"{total:.0f} s of measuring",
           "- --limit reads events in order on one thread (its buckets are sequential); the other rows "
           "use -j (the cores)\n"]
    for r in task["rows"]:
        out.append(f"- `{r['cmd']}`: {r['seconds']:.3f} s, {task['size'] / 1e6 / r['seconds']:.0f} MB/s, "
                   f"peak RSS {r['rss_kib'] / 1024:.1f} MB, {r['lines']} lines out ({r['runs']} runs)")
    for section, desc, shown, met in bench.targets:
        out.append(f"- {section}: {desc}: {shown} ({'met' if met else 'NOT met'})")
    shown = f"{out_extra:.2f}x" if out_extra else "not measured"
    out.append(f"- shown, not a target: the keyed sample against the filter that reads status alone: {shown}")
    with open(args.results, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


def extract_only(args):
    """bench/run --only extract: olly-eval's extract() against jq's capture on the same events
    (issue 18: extract at least 10x jq's capture), with plain --set and reshaping beside them,
    in its own report."""
    load_start = load_average()
    started = time.perf_counter()
    binary = {name: os.path.join(args.bin, name) for name in ("olly-filter", "olly-eval")}
    missing = [n for n, p in binary.items() if not os.access(p, os.X_OK)]
    if missing:
        sys.exit(f"bench: not built: {', '.join(missing)}")
    olly_eval = binary["olly-eval"]
    bench = Bench()
    warm(args.json)
    # The same object from both: two named groups. Most user agents match
    # neither browser; jq's capture gives no output there (the event would
    # be dropped), so `// null` sets null as extract() does and the rows
    # write the same lines.
    olly_row = "olly-eval extract() named groups"
    jq_row = "jq capture()"
    task = bench.task("`extract()` against jq's `capture` on the same events", args.json, [
        Row(olly_row, [olly_eval, "--set", r'u=extract(http.user_agent, "(?P<b>Firefox|Chrome)/(?P<v>\S+)")',
                       "FILE"], mode="arg"),
        Row("olly-eval extract() first group",
            [olly_eval, "--set", r'u=extract(http.user_agent, "(Firefox|Chrome)/(\S+)")', "FILE"], mode="arg"),
        Row("olly-eval replace()",
            [olly_eval, "--set", r'p=replace(path, "/[0-9]+", "/:id")', "FILE"], mode="arg"),
        Row("olly-eval --set n=status (no function)", [olly_eval, "--set", "n=status", "FILE"], mode="arg"),
        # Reshaping (issue 18, item 5): the event read into a tree and written back.
        Row("olly-eval --drop http.user_agent --rename path=route", [olly_eval, "--drop", "http.user_agent",
                                                                     "--rename", "path=route", "FILE"], mode="arg"),
        Row("olly-eval --flatten", [olly_eval, "--flatten", "FILE"], mode="arg"),
        Row(jq_row, ["jq", "-c", r'.u = ((.http.user_agent | capture("(?<b>Firefox|Chrome)/(?<v>\\S+)")) // null)',
                     "FILE"], mode="arg"),
    ], baselines=[jq_row])
    bench.target("extract", "`extract` at least 10x jq's `capture`", ratio(task, olly_row, jq_row), 10)
    total = time.perf_counter() - started
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# extract() alone (bench/run --only extract), {when}, commit {args.commit}\n",
           f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} (shared machine)",
           f"- Input: {os.path.getsize(args.json) / 1e6:.1f} MB, {count_lines(args.json)} lines; "
           f"{total:.0f} s of measuring; {tool_version(['jq', '--version'])}\n"]
    for r in task["rows"]:
        out.append(f"- `{r['cmd']}`: {r['seconds']:.3f} s, {task['size'] / 1e6 / r['seconds']:.0f} MB/s, "
                   f"peak RSS {r['rss_kib'] / 1024:.1f} MB, {r['lines']} lines out ({r['runs']} runs)")
    for section, desc, shown, met in bench.targets:
        out.append(f"- {section}: {desc}: {shown} ({'met' if met else 'NOT met'})")
    with open(args.results, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


def sort_only(args):
    """bench/run --only sort: olly-sort against GNU sort on the same lines (issue 18: within 2x).
    GNU sort cannot read JSON fields; ts is the first field of the bench events, so a whole-line
    byte sort (LC_ALL=C) orders them the same way and is a fair byte-key baseline."""
    load_start = load_average()
    started = time.perf_counter()
    olly = os.path.join(args.bin, "olly-sort")
    if not os.access(olly, os.X_OK):
        sys.exit("bench: not built: olly-sort")
    bench = Bench()
    warm(args.json)
    gnu = "LC_ALL=C sort FILE"
    task = bench.task("`olly-sort` against GNU `sort` on the same lines", args.json, [
        Row(gnu, ["env", "LC_ALL=C", "sort", "FILE"], mode="file"),
        Row("olly-sort -k ts --memory 2G", [olly, "-k", "ts", "--memory", "2G", "FILE"], mode="file"),
        Row("olly-sort -k ts --memory 64M (external merge)", [olly, "-k", "ts", "--memory", "64M", "FILE"],
            mode="file"),
        Row("olly-sort -k -latency_ms --head 10", [olly, "-k", "-latency_ms", "--head", "10", "FILE"], mode="file",
            checked=False),
    ], baselines=[gnu])
    bench.target("sort", "`olly-sort -k ts` within 2x of GNU sort's time",
                 ratio(task, "olly-sort -k ts --memory 2G", gnu), 0.5)
    bench.target("sort", "`olly-sort -k ts --memory 64M` (external merge) within 2x of GNU sort's time",
                 ratio(task, "olly-sort -k ts --memory 64M (external merge)", gnu), 0.5)
    total = time.perf_counter() - started
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"# olly-sort alone (bench/run --only sort), {when}, commit {args.commit}\n",
           f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} (shared machine)",
           f"- Input: {os.path.getsize(args.json) / 1e6:.1f} MB, {count_lines(args.json)} lines; "
           f"{total:.0f} s of measuring",
           "- GNU sort uses its default threads and buffer; olly-sort reads and sorts on one thread. "
           "Ratios are GNU sort's time over the row's (1.0: as fast; 0.5: twice as slow)\n"]
    for r in task["rows"]:
        out.append(f"- `{r['cmd']}`: {r['seconds']:.3f} s, {task['size'] / 1e6 / r['seconds']:.0f} MB/s, "
                   f"peak RSS {r['rss_kib'] / 1024:.1f} MB, {r['lines']} lines out ({r['runs']} runs)")
    for section, desc, shown, met in bench.targets:
        out.append(f"- {section}: {desc}: {shown} ({'met' if met else 'NOT met'})")
    with open(args.results, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--bench-bin", help="where olly-bench-floor is (default: BIN/../bench)")
    ap.add_argument("--json", required=True)
    ap.add_argument("--combined")
    ap.add_argument("--logfmt")
    ap.add_argument("--syslog")
    ap.add_argument("--day", help="NDJSON events spread over one day (olly-alert)")
    ap.add_argument("--contract")
    ap.add_argument("--logs", help="a log line per event of --json (olly-correlate join)")
    ap.add_argument("--spans", help="OTLP span events (olly-correlate traces)")
    ap.add_argument("--big-spans", help="10x --spans: olly-correlate traces' peak memory")
    ap.add_argument("--big-json", help="10x --json: olly-correlate join's peak memory (with --big-logs)")
    ap.add_argument("--big-logs", help="10x --logs, the log lines of --big-json")
    ap.add_argument("--seed", default="42")
    ap.add_argument("--ajv-script", help="node script validating with ajv; omitted: no ajv row")
    ap.add_argument("--results", required=True)
    ap.add_argument("--big-data", help="a 10x file: only olly-filter's peak memory is measured")
    ap.add_argument("--commit", default="?")
    ap.add_argument("--only", choices=["correlate", "view", "redact", "sample", "extract", "sort"],
                    help="run one section alone (on a loaded machine), print its targets and write them to --results")
    args = ap.parse_args()
    if args.only == "sample":
        sample_only(args)
        return
    if args.only == "extract":
        extract_only(args)
        return
    if args.only == "sort":
        sort_only(args)
        return
    if args.only == "correlate" and not (args.logs and args.spans):
        ap.error("--logs and --spans are required with --only correlate")
    if args.only == "correlate":
        correlate_only(args)
        return
    if args.only in ("view", "redact"):
        bench = Bench()
        binary = {name: os.path.join(args.bin, name) for name in ("olly-view", "olly-redact")}
        if args.only == "view":
            only_tasks = [view_section(bench, binary["olly-view"], args.json)]
        else:
            only_tasks = redact_section(bench, binary["olly-redact"], args.json)
        if bench.failed:
            sys.exit("bench: FAILED")
        when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        out = [f"# olly-{args.only} alone (bench/run --only {args.only}), {when}, commit {args.commit}, "
               f"load {load_average()} (a shared machine: other builds may be running)\n"]
        for task in only_tasks:
            for r in task["rows"]:
                cpu_rate = task['size'] / 1e6 / r['cpu'] if r['cpu'] > 0 else float("inf")
                out.append(f"- `{r['cmd']}`: {r['seconds']:.3f} s, {task['size'] / 1e6 / r['seconds']:.1f} MB/s "
                           f"(CPU time {r['cpu']:.2f} s: {cpu_rate:.0f} MB per CPU-second), "
                           f"peak RSS {r['rss_kib'] / 1024:.1f} MB, {r['lines']} lines out ({r['runs']} runs)")
        for section, desc, shown, met in bench.targets:
            out.append(f"- {section}: {desc}: {shown} ({'met' if met else 'NOT met'})")
        with open(args.results, "w") as f:
            f.write("\n".join(out) + "\n")
        print("\n".join(out))
        return

    for name in ("combined", "logfmt", "syslog", "day", "contract", "logs", "spans"):
        if getattr(args, name) is None:
            ap.error(f"--{name} is required (except with --only)")

    load_start = load_average()
    started = time.perf_counter()
    bench_bin = args.bench_bin or os.path.join(args.bin, os.pardir, "bench")
    binary = {name: os.path.join(args.bin, name) for name in
              ("olly-filter", "olly-parse", "olly-agg", "olly-validate", "olly-eval", "olly-alert",
               "olly-view", "olly-correlate")}
    binary["olly-bench-floor"] = os.path.join(bench_bin, "olly-bench-floor")
    missing = [n for n, p in binary.items() if not os.access(p, os.X_OK)]
    if missing:
        sys.exit(f"bench: not built: {', '.join(missing)}")
    olly, floor = binary["olly-filter"], binary["olly-bench-floor"]
    parse, agg, validate = binary["olly-parse"], binary["olly-agg"], binary["olly-validate"]
    evaluate = binary["olly-eval"]
    alert = binary["olly-alert"]
    inputs = {"json": args.json, "combined": args.combined, "logfmt": args.logfmt,
              "syslog": args.syslog}
    nlines = {k: count_lines(p) for k, p in inputs.items()}
    bench = Bench()
    notes = []

    # ------------------------------------------------------------ filter
    warm(args.json)
    filter_tasks = [
        bench.task("selective filter: `status >= 500`", args.json, [
            Row("wc -l (reading floor)", ["wc", "-l"], checked=False),
            Row("floor: simdjson iterate_many", [floor]),
            Row("floor, via pipe", [floor], mode="pipe"),
            Row("olly-filter", [olly, "status >= 500"]),
            Row("olly-filter, via pipe", [olly, "status >= 500"], mode="pipe"),
            Row("jq -c", ["jq", "-c", "select(.status >= 500)"]),
            Row("gojq -c", ["gojq", "-c", "select(.status >= 500)"]),
            Row("mlr", ["mlr", "--ijsonl", "--ojsonl", "filter", "$status >= 500"]),
        ], baselines=["jq -c", "gojq -c", "floor: simdjson iterate_many"]),
        bench.task(f"regex on a string field: `path =~ \"{FILTER_REGEX}\"`", args.json, [
            Row("olly-filter", [olly, f'path =~ "{FILTER_REGEX}"']),
            Row("jq -c", ["jq", "-c", f'select(.path | test("{FILTER_REGEX}"))']),
            Row("gojq -c", ["gojq", "-c", f'select(.path | test("{FILTER_REGEX}"))']),
            Row("mlr", ["mlr", "--ijsonl", "--ojsonl", "filter", f'$path =~ "{FILTER_REGEX}"']),
        ], baselines=["jq -c", "gojq -c"]),
        bench.task("projection of three fields: `--select ts,status,latency_ms`", args.json, [
            Row("olly-filter", [olly, "--select", "ts,status,latency_ms", "true"]),
            Row("jq -c", ["jq", "-c", "{ts,status,latency_ms}"]),
            Row("gojq -c", ["gojq", "-c", "{ts,status,latency_ms}"]),
            Row("mlr", ["mlr", "--ijsonl", "--ojsonl", "cut", "-o", "-f", "ts,status,latency_ms"]),
        ], baselines=["jq -c", "gojq -c"]),
    ]
    big = None
    if args.big_data:
        big_size = os.path.getsize(args.big_data)
        print(f"\n== olly-filter peak memory on the 10x file ({big_size / 1e6:.0f} MB)", flush=True)
        elapsed, rss, _, _, _ = run_once(Row("olly-filter", [olly, "status >= 500"]), args.big_data)
        big = {"size": big_size, "seconds": elapsed, "rss_kib": rss}
        print(f"  olly-filter 'status >= 500' {elapsed:.2f}s {rss / 1024:.1f} MB peak RSS", flush=True)

    t0, t1, t2 = filter_tasks
    S = "filter"
    bench.target(S, "`status >= 500` >= 20x jq", ratio(t0, "olly-filter", "jq -c"), 20)
    bench.target(S, "`status >= 500` >= 20x gojq", ratio(t0, "olly-filter", "gojq -c"), 20)
    bench.target(S, "`status >= 500` >= 0.5x the floor (< FILE)",
                 ratio(t0, "olly-filter", "floor: simdjson iterate_many"), 0.5)
    bench.target(S, "`status >= 500` >= 0.5x the floor (via pipe)",
                 ratio(t0, "olly-filter, via pipe", "floor, via pipe"), 0.5)
    bench.target(S, "regex filter >= 10x jq", ratio(t1, "olly-filter", "jq -c"), 10)
    bench.target(S, "projection of three fields >= 10x jq", ratio(t2, "olly-filter", "jq -c"), 10)
    bench.target(S, f"peak RSS on the {t0['size'] / 1e6:.0f} MB file < 50 MB",
                 rss_mb(t0, "olly-filter"), 50, unit="MB", below=True)
    bench.target(S, f"peak RSS on a 10x file ({big['size'] / 1e6:.0f} MB) < 50 MB" if big
                 else "peak RSS on a 10x file < 50 MB",
                 big["rss_kib"] / 1024 if big else None, 50, unit="MB", below=True)

    # ------------------------------------------------------------ parse
    S = "parse"
    warm(args.combined)
    combined = bench.task("nginx combined: `olly-parse combined`", args.combined, [
        Row("olly-parse combined", [parse, "combined", "FILE"], mode="arg"),
        Row("mlr nidx", ["mlr", "--inidx", "--ifs", " ", "--ojsonl", "cat", "FILE"], mode="arg"),
        Row("olly-parse -j 1 combined > /dev/null", [parse, "-j", "1", "combined", "FILE"], mode="arg",
            checked=False, devnull=True),
        Row("olly-parse combined > /dev/null", [parse, "combined", "FILE"], mode="arg",
            checked=False, devnull=True),
        Row("mlr nidx > /dev/null", ["mlr", "--inidx", "--ifs", " ", "--ojsonl", "cat", "FILE"],
            mode="arg", checked=False, devnull=True),
    ], baselines=["mlr nidx", "mlr nidx > /dev/null"], want_lines=nlines["combined"])
    warm(args.logfmt)
    logfmt = bench.task("logfmt: `olly-parse logfmt`", args.logfmt, [
        Row("olly-parse logfmt", [parse, "logfmt", "FILE"], mode="arg"),
        Row("mlr dkvp", ["mlr", "--idkvp", "--ifs", " ", "--ips", "=", "--ojsonl", "cat", "FILE"],
            mode="arg"),
        Row("olly-parse -j 1 logfmt > /dev/null", [parse, "-j", "1", "logfmt", "FILE"], mode="arg",
            checked=False, devnull=True),
        Row("olly-parse logfmt > /dev/null", [parse, "logfmt", "FILE"], mode="arg", checked=False,
            devnull=True),
        Row("mlr dkvp > /dev/null", ["mlr", "--idkvp", "--ifs", " ", "--ips", "=", "--ojsonl",
                                     "cat", "FILE"], mode="arg", checked=False, devnull=True),
    ], baselines=["mlr dkvp", "mlr dkvp > /dev/null"], want_lines=nlines["logfmt"])
    warm(args.syslog)
    syslog = bench.task("RFC 5424 syslog: `olly-parse syslog`", args.syslog, [
        Row("olly-parse syslog", [parse, "syslog", "FILE"], mode="arg"),
        Row("olly-parse -j 1 syslog > /dev/null", [parse, "-j", "1", "syslog", "FILE"], mode="arg",
            checked=False, devnull=True),
        Row("olly-parse syslog > /dev/null", [parse, "syslog", "FILE"], mode="arg", checked=False,
            devnull=True),
    ], want_lines=nlines["syslog"])
    regex = bench.task("regex, 4 named captures over the combined file: `olly-parse regex`",
                       args.combined, [
        Row("olly-parse regex", [parse, "regex", PARSE_REGEX, "FILE"], mode="arg"),
        Row("olly-parse -j 1 regex > /dev/null", [parse, "-j", "1", "regex", PARSE_REGEX, "FILE"],
            mode="arg", checked=False, devnull=True),
        Row("olly-parse regex > /dev/null", [parse, "regex", PARSE_REGEX, "FILE"], mode="arg",
            checked=False, devnull=True),
    ], want_lines=nlines["combined"])
    # Each parse target twice: output drained through a pipe (the method of
    # every section, and how a pipeline runs) and written to /dev/null (the
    # parser alone). Neither hides the other.
    for task, name, mlr, want in ((combined, "combined", "mlr nidx", 300),
                                  (logfmt, "logfmt", "mlr dkvp", 300),
                                  (syslog, "syslog", None, 150), (regex, "regex", None, 150)):
        what = "`parse regex` (4 captures)" if name == "regex" else f"`parse {name}`"
        for sink, suffix in (("through a pipe", ""), ("to /dev/null", " > /dev/null")):
            bench.target(S, f"{what} >= {want} MB/s, output {sink}",
                         mb_per_s(task, f"olly-parse {name}{suffix}"), want, unit="MB/s")
            if mlr:
                bench.target(S, f"{what} >= 10x mlr, output {sink}",
                             ratio(task, f"olly-parse {name}{suffix}", f"{mlr}{suffix}"), 10)
    parse_rss = max(rss_mb(t, r["label"]) for t in (combined, logfmt, syslog, regex)
                    for r in t["rows"] if r["label"].startswith("olly"))
    bench.target(S, f"olly-parse peak RSS < {MEMORY_LIMIT_MB} MB (largest of the four)", parse_rss,
                 MEMORY_LIMIT_MB, unit="MB", below=True)

    # ------------------------------------------------------------ agg
    S = "agg"
    warm(args.json)
    p99 = bench.task("`olly-agg count p99:latency_ms by service`", args.json, [
        Row("olly-agg", [agg, "count", "p99:latency_ms", "by", "service", "FILE"], mode="arg",
            keep=True),
        Row("olly-agg -j 1", [agg, "-j", "1", "count", "p99:latency_ms", "by", "service", "FILE"],
            mode="arg", keep=True),
        Row("olly-agg -j 2", [agg, "-j", "2", "count", "p99:latency_ms", "by", "service", "FILE"],
            mode="arg", keep=True),
        Row("mlr stats1", ["mlr", "--ijsonl", "--ojsonl", "stats1", "-a", "count,p99", "-f",
                           "latency_ms", "-g", "service", "FILE"], mode="arg", keep=True),
        # jq's fastest form here: keep two fields per event, group once. (Slurping
        # whole events is slower; appending to per-key arrays in `reduce` is
        # quadratic.)
        Row("jq -n group_by", ["jq", "-n", "-c",
            "[inputs | [.service, .latency_ms]] | group_by(.[0])[] | (map(.[1]) | sort) as $v"
            " | {service: .[0][0], count: length, p99: $v[(($v | length) - 1) * 0.99 | floor]}",
            "FILE"], mode="arg", keep=True),
    ], baselines=["mlr stats1", "jq -n group_by", "olly-agg -j 1"],
        check=check_counts_by_service)
    every = bench.task("`olly-agg count by status every 1m`", args.json, [
        Row("olly-agg", [agg, "count", "by", "status", "every", "1m", "FILE"], mode="arg",
            keep=True),
        Row("mlr count -g minute,status", ["mlr", "--ijsonl", "--ojsonl", "cut", "-f", "ts,status",
            "then", "put", "$ts = substr0($ts, 0, 15)", "then", "count", "-g", "ts,status", "FILE"],
            mode="arg", keep=True),
        # The minute is the first 16 characters of an RFC 3339 UTC ts: the
        # fastest way to a window for both; `reduce` into nested objects beat
        # `group_by` for jq.
        Row("jq -n reduce", ["jq", "-n", "-c",
            "reduce inputs as $e ({}; .[$e.ts[0:16]][$e.status | tostring] += 1)"
            " | to_entries[] | .key as $w | .value | to_entries[]"
            " | {window: $w, status: .key, count: .value}", "FILE"], mode="arg", keep=True),
    ], baselines=["mlr count -g minute,status", "jq -n reduce"],
        check=check_counts_by_minute_status)
    bench.target(S, "`count p99(latency_ms) by service` >= 40x mlr",
                 ratio(p99, "olly-agg", "mlr stats1"), 40)
    bench.target(S, "`count p99(latency_ms) by service` >= 40x jq",
                 ratio(p99, "olly-agg", "jq -n group_by"), 40)
    bench.target(S, f"`count p99(latency_ms) by service` peak RSS < {MEMORY_LIMIT_MB} MB",
                 rss_mb(p99, "olly-agg"), MEMORY_LIMIT_MB, unit="MB", below=True)
    fastest = min(("mlr count -g minute,status", "jq -n reduce"),
                  key=lambda label: find(every, label)["seconds"])
    bench.target(S, f"`count by status every 1m` >= 10x the fastest of mlr/jq ({fastest})",
                 ratio(every, "olly-agg", fastest), 10)
    bench.target(S, "`-j 2` >= 1.7x `-j 1` (count p99 by service, regular file)",
                 ratio(p99, "olly-agg -j 2", "olly-agg -j 1"), 1.7)

    # ------------------------------------------------------------ validate
    S = "validate"
    rows = [Row("olly-validate --summary", [validate, "--summary", args.contract, "FILE"],
                mode="arg", checked=False, ok_codes=(0, 1), keep=True)]
    if args.ajv_script:
        rows.append(Row("node + ajv 8 (2020-12)", ["node", args.ajv_script, args.contract, "FILE"],
                        mode="arg", checked=False, keep=True))
    else:
        notes.append("validate: node or ajv is missing, so olly-validate ran without its baseline.")
    warm(args.json)
    val = bench.task("`olly-validate` against `bench/validate/contract.json`", args.json, rows,
                     baselines=["node + ajv 8 (2020-12)"] if args.ajv_script else [],
                     check=check_invalid_count)
    olly_val = find(val, "olly-validate --summary")
    invalid = olly_val.get("invalid")
    bench.target(S, "olly-validate >= 3x node+ajv (same invalid count)",
                 ratio(val, "olly-validate --summary", "node + ajv 8 (2020-12)"), 3)
    bench.target(S, f"olly-validate peak RSS < {MEMORY_LIMIT_MB} MB",
                 rss_mb(val, "olly-validate --summary"), MEMORY_LIMIT_MB, unit="MB", below=True)

    # ------------------------------------------------------------ engine: -j on every verb
    S = "engine"
    warm(args.json)
    jobs_rows = []
    for verb, argv in (("olly-filter", [olly, "status >= 500", "FILE"]),
                       ("olly-eval", [evaluate, "--set", "latency_s=latency_ms/1000", "FILE"]),
                       ("olly-validate", [validate, args.contract, "FILE"])):
        for j in ("1", "2"):
            jobs_rows.append(Row(f"{verb} -j {j} > /dev/null", [argv[0], "-j", j] + argv[1:], mode="arg",
                                 checked=False, devnull=True, ok_codes=(0, 1)))
    engine = bench.task("one runner: `-j 2` against `-j 1` on a regular file", args.json, jobs_rows)
    for verb in ("olly-filter", "olly-eval", "olly-validate"):
        bench.target(S, f"{verb} `-j 2` >= 1.7x `-j 1` (regular file, to /dev/null)",
                     ratio(engine, f"{verb} -j 2 > /dev/null", f"{verb} -j 1 > /dev/null"), 1.7)
    bench.target(S, "olly-agg `-j 2` >= 1.7x `-j 1` (count p99 by service)",
                 ratio(p99, "olly-agg -j 2", "olly-agg -j 1"), 1.7)

    # ------------------------------------------------------------ alert
    S = "alert"
    warm(args.json)
    # The same windows and groups as the alert rule computes; alert exits 1 when it fires.
    thr = bench.task("`olly-alert --rule 'p99(latency_ms) > 500' --by service --every 1m` against "
                     "`olly-agg` computing the same windows", args.json, [
        Row("olly-agg count p99:latency_ms by service every 1m", [agg, "count", "p99:latency_ms", "by",
            "service", "every", "1m", "FILE"], mode="arg", checked=False, devnull=True),
        Row("olly-alert --rule 'p99(latency_ms) > 500'", [alert, "--rule", "p99(latency_ms) > 500", "--by",
            "service", "--every", "1m", "FILE"], mode="arg", checked=False, devnull=True, ok_codes=(0, 1)),
    ])
    bench.target(S, "threshold rule within 1.5x of olly-agg on the same windows (time ratio >= 0.67)",
                 ratio(thr, "olly-alert --rule 'p99(latency_ms) > 500'",
                       "olly-agg count p99:latency_ms by service every 1m"), 1 / 1.5)
    warm(args.day)
    slo = bench.task("the default burn-rate check (six windows, 5m to 3d) over 1M events of one day, "
                     "against one `olly-agg count` pass", args.day, [
        Row("olly-agg count", [agg, "count", "FILE"], mode="arg", checked=False, devnull=True),
        Row("olly-alert --slo 99.9 --bad 'status >= 500'", [alert, "--slo", "99.9", "--bad", "status >= 500",
            "FILE"], mode="arg", checked=False, devnull=True, ok_codes=(0, 1)),
    ])
    bench.target(S, "burn-rate check within 3x of one olly-agg count pass (time ratio >= 0.33)",
                 ratio(slo, "olly-alert --slo 99.9 --bad 'status >= 500'", "olly-agg count"), 1 / 3)
    bench.target(S, f"olly-alert burn-rate peak RSS < {MEMORY_LIMIT_MB} MB",
                 rss_mb(slo, "olly-alert --slo 99.9 --bad 'status >= 500'"), MEMORY_LIMIT_MB, unit="MB",
                 below=True)

    view_section(bench, binary["olly-view"], args.json)
    correlated = correlate_section(bench, args, binary)

    if bench.failed:
        sys.exit("bench: FAILED: tools disagree on the output; results not written")
    total = time.perf_counter() - started

    # ------------------------------------------------------------ report
    out = []
    out.append("# olly benchmark results\n")
    out.append(f"- CPU: {cpu_model()} ({os.cpu_count()} cores visible)")
    out.append(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    out.append(f"- olly commit: {args.commit}")
    out.append(f"- Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} "
               "(the machine is shared: a load above the core count slows the long jq/gojq/mlr "
               "runs most and inflates their ratios)")
    out.append(f"- Measuring took {total / 60:.1f} minutes.")
    out.append("- Inputs, from `olly-bench-gen --seed 42` (the same events in every format): "
               + "; ".join(f"{k} {os.path.getsize(p) / 1e6:.1f} MB, {nlines[k]} lines"
                           for k, p in inputs.items()))
    out.append(f"- olly: {tool_version([olly, '--version'])}; tools: "
               f"{tool_version(['jq', '--version'])}, {tool_version(['gojq', '--version'])}, "
               f"{tool_version(['mlr', '--version'])}, node {tool_version(['node', '--version'])}")
    out.append("- Method: filter reads the file on stdin (`< FILE`) or through `cat FILE |`; parse, "
               "agg and validate get it as an argument. Output goes through a pipe to `wc -l` "
               "(the small outputs a task compares are read by the harness). Wall clock; best of "
               f"{FAST_RUNS} runs, or 1 run when the first takes "
               f"over {SLOW_SECONDS:.0f} s. Peak RSS from `/usr/bin/time -f %M`. "
               "MB/s = input MB / seconds.")
    out.append("- Ratios are speedups: `vs X` = X's seconds / this row's seconds.")
    for n in notes:
        out.append(f"- Note: {n}")
    out.append("")

    def table(task):
        write_table(out, task)

    def targets(section):
        write_targets(out, bench, section)

    out.append("## filter (olly-filter)\n")
    out.append("`wc -l` is how fast the machine reads the file at all; the floor "
               "(`olly-bench-floor`) is a bare simdjson On-Demand loop doing only `status >= 500`. "
               "All rows of a task must write the same number of lines (the projection compares "
               "counts only: the tools format numbers differently).\n")
    for t in filter_tasks:
        table(t)
    if big:
        out.append(f"10x file ({big['size'] / 1e6:.0f} MB, generated and deleted by `bench/run`): "
                   f"`olly-filter 'status >= 500'` took {big['seconds']:.2f} s with a peak RSS of "
                   f"{big['rss_kib'] / 1024:.1f} MB.\n")
    targets("filter")

    out.append("## parse (olly-parse)\n")
    out.append(f"The same {nlines['combined']} events as nginx combined, logfmt (values holding a space, `=` or `\"` "
               "quoted, as go-logfmt writes them) and RFC 5424 syslog lines. mlr 6.6 has no "
               "logfmt reader: `--idkvp --ifs ' ' --ips '='` is its fastest near-equivalent (it "
               "splits quoted values at their spaces, so it does less than olly); nidx with a "
               "space separator stands in for combined (fields split at spaces, no parsing of "
               "the time, request or quotes). Every olly-parse row must write one event per "
               "input line (nothing rejected). Rows ending `> /dev/null` write to /dev/null instead "
               "of the pipe to `wc -l`: the parser alone. olly-parse writes about 2.5 times its "
               "input as JSON, so the pipe costs it more than it costs the filter: the kernel "
               "copies every byte into the pipe and out again, and `wc` counts them, on the same "
               "two cores (olly grows its stdout pipe to 1 MiB); the targets are checked both ways. olly-parse reads a regular file with "
               "all cores (`-j`, default the number of cores: 2 here), writing the events in input "
               "order; the `-j 1` rows show one core. mlr runs its reader, mapper and writer on "
               "goroutines, so it uses both cores too.\n")
    for t in (combined, logfmt, syslog, regex):
        table(t)
    out.append(f"Regex pattern: `{PARSE_REGEX}`\n")
    targets("parse")

    out.append("## agg (olly-agg)\n")
    out.append("Each tool computes the same result from the NDJSON file; the harness checks that "
               "the per-group counts are identical. p99: olly-agg uses a mergeable sketch (1% "
               "relative error), mlr and jq sort the values. olly-agg without `-j` uses all cores "
               f"({os.cpu_count()} here).\n")
    table(p99)
    table(every)
    targets("agg")

    out.append("## validate (olly-validate)\n")
    out.append("`bench/validate/contract.json` is a JSON Schema (2020-12) for the generated "
               "events, stricter than the traffic: unknown error types, latency past the 30 s "
               "timeout and responses over 32 KiB are violations"
               + (f" ({invalid} events, {invalid / nlines['json'] * 100:.2f}%)" if invalid is not None else "")
               + ". The baseline is `bench/validate/ajv_validate.js`: Node reads the file in 1 MiB "
               "chunks, `JSON.parse`s each line and runs one compiled ajv validator "
               "(`allErrors: false`, formats off). The invalid counts must agree.\n")
    table(val)
    targets("validate")

    out.append("## alert\n")
    table(thr)
    table(slo)
    targets("alert")
    out.append("## engine (one runner, -j on every verb)\n")
    out.append("filter, eval and validate read regular files with the runner's ordered parallel map "
               "(byte ranges at line boundaries, output written in input order, byte for byte `-j 1`'s); "
               "agg's ordered fold is in the agg section.\n")
    table(engine)
    targets("engine")

    correlate_report(out, bench, correlated)

    out.append("## Targets\n")
    out.append("| issue | target | measured | met |")
    out.append("|---|---|---:|:---:|")
    for s, desc, shown, met in bench.targets:
        out.append(f"| {s} | {desc} | {shown} | {'-' if met is None else 'yes' if met else '**NO**'} |")
    missed = [(s, d, v) for s, d, v, m in bench.targets if m is False]
    out.append("")
    if missed:
        out.append("Missed: " + "; ".join(f"{s}: {d} (measured {v})" for s, d, v in missed) + ".")
    else:
        out.append("Every target was met in this run.")
    out.append("")

    with open(args.results, "w") as f:
        f.write("\n".join(out))
    print(f"\nwrote {args.results} ({total / 60:.1f} minutes of measuring)")


if __name__ == "__main__":
    main()
