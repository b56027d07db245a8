#!/usr/bin/env python3
"""Checks olly-parse regex against loghub's ground truth.

    python3 parse/loghub_check.py CONFORMANCE_DIR

For each dataset, the RE2 pattern below is logparser's log_format for it
(settings.json) written out as logparser compiles it: each <Name> becomes a
non-greedy named group, runs of spaces \\s+, the whole anchored and matched
against the stripped line. Every line of <X>_2k.log is parsed with
`olly-parse regex PATTERN` and each field compared with the same column of
<X>_2k.log_structured_corrected.csv (pandas wrote integer columns with a
missing value as floats: 19939.0; a group that did not match is omitted by
olly and empty in the CSV). Prints one summary line per dataset and the
first few differences.
"""
import csv
import json
import subprocess
import sys

PATTERNS = {
    "OpenSSH": r"^\s*(?P<Date>.*?)\s+(?P<Day>.*?)\s+(?P<Time>.*?)\s+(?P<Component>.*?)\s+sshd\[(?P<Pid>.*?)\]:\s+(?P<Content>.*?)\s*$",
    "Linux": r"^\s*(?P<Month>.*?)\s+(?P<Date>.*?)\s+(?P<Time>.*?)\s+(?P<Level>.*?)\s+(?P<Component>.*?)(\[(?P<PID>.*?)\])?:\s+(?P<Content>.*?)\s*$",
    "Zookeeper": r"^\s*(?P<Date>.*?)\s+(?P<Time>.*?)\s+-\s+(?P<Level>.*?)\s+\[(?P<Node>.*?):(?P<Component>.*?)@(?P<Id>.*?)\]\s+-\s+(?P<Content>.*?)\s*$",
}


def normal(column, value):
    if column in ("Pid", "PID", "Id") and value.endswith(".0"):
        return value[:-2]
    return value


def check(root, name, pattern):
    base = f"{root}/loghub/{name}/{name}_2k.log"
    run = subprocess.run(["olly-parse", "regex", pattern, "--errors", "/dev/null", base],
                         capture_output=True, text=True)
    events = [json.loads(line) for line in run.stdout.splitlines()]
    with open(base + "_structured_corrected.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0].keys() if c not in ("LineId", "EventId", "EventTemplate")]
    diffs = []
    fields = 0
    for row, event in zip(rows, events):
        for c in columns:
            fields += 1
            want = normal(c, row[c])
            got = event.get(c, "")
            if got != want:
                diffs.append(f"  line {row['LineId']} {c}: olly {got!r}, loghub {want!r}")
    print(f"{name}: {len(rows)} rows, {len(events)} events, {fields} fields compared, "
          f"{len(diffs)} differ")
    for d in diffs[:5]:
        print(d)


def main():
    root = sys.argv[1]
    for name, pattern in PATTERNS.items():
        check(root, name, pattern)


if __name__ == "__main__":
    main()
