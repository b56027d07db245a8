#!/usr/bin/env bash
# Accuracy of `olly patterns` on the 16 loghub 2k samples
# (../shared/conformance/loghub, corrected templates of Khan et al., ICSE
# 2022, as the ground truth). For each dataset: the message of each line is
# cut out with the dataset's log_format from settings.json exactly as
# logpai/logparser does (lines whose header does not match are left out),
# mined with `olly patterns --tag` and the dataset's masks from settings.json
# (one set of settings for every dataset), and scored:
#
#   grouping accuracy (GA): a line is right when the set of lines sharing its
#     template equals the set sharing its true template (logparser's measure);
#   parsing accuracy (PA): the template text equals the true one (whitespace
#     collapsed);
#   shuffled GA: the same lines in a seeded random order (order independence).
#
# Prints the table; fails when a dataset's GA is below Drain's published
# figure, the mean GA below MIN_MEAN, or the shuffled GA differs by more
# than .01. Without the conformance data it prints SKIP (exit 77).
# Usage: patterns_loghub.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
SRC_DIR=$2
CONF=${OLLY_CONFORMANCE:-$SRC_DIR/../shared/conformance}/loghub
if [ ! -f "$CONF/settings.json" ]; then
  echo "SKIP: the loghub samples are not at $CONF (set OLLY_CONFORMANCE)"
  exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed"
  exit 77
fi
exec python3 - "$BIN_DIR/olly-patterns" "$CONF" <<'PY'
import csv, json, os, random, re, subprocess, sys, tempfile

olly, conf = sys.argv[1:3]
MIN_MEAN = 0.98  # the issue asks .98 (Brain .983)

# Drain's grouping accuracy as published (loghub benchmark, He et al.).
DRAIN = {"HDFS": .998, "Hadoop": .948, "Spark": .920, "Zookeeper": .967, "BGL": .963, "HPC": .887,
         "Thunderbird": .955, "Windows": .997, "Linux": .690, "Android": .911, "HealthApp": .780,
         "Apache": 1.0, "Proxifier": .527, "OpenSSH": .788, "OpenStack": .733, "Mac": .787}

def format_regex(log_format):
    # logpai/logparser's generate_logformat_regex: literal pieces are regex
    # fragments with runs of spaces as \s+; each <Name> is a lazy group.
    regex = ""
    for k, piece in enumerate(re.split(r"(<[^<>]+>)", log_format)):
        if k % 2 == 0:
            regex += re.sub(" +", r"\\s+", piece)
        else:
            regex += "(?P<%s>.*?)" % piece.strip("<").strip(">")
    return re.compile("^" + regex + "$")

def contents(name, setting):
    rx = format_regex(setting["log_format"])
    out = []
    with open(os.path.join(conf, setting["log_file"]), encoding="utf-8", errors="replace", newline="") as f:
        for line in f.read().splitlines():
            m = rx.search(line.strip())
            if m:
                out.append(m.group("Content"))
    return out

def truth(name, setting):
    path = os.path.join(conf, setting["log_file"] + "_structured_corrected.csv")
    with open(path, encoding="utf-8", newline="") as f:
        return [(row["Content"], row["EventTemplate"]) for row in csv.DictReader(f)]

def mine(lines, masks, tmp):
    path = os.path.join(tmp, "content.log")
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    args = [olly, "--tag", "--errors", os.path.join(tmp, "errors.ndjson")]
    for i, m in enumerate(masks):
        args += ["--mask", "r%d=%s" % (i, m)]
    out = subprocess.run(args + [path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("olly-patterns failed (%d): %s" % (out.returncode, out.stderr))
    tagged = [json.loads(l) for l in out.stdout.splitlines()]
    # Lines olly rejects (empty messages) are a group of their own.
    ids, templates, k = [], [], 0
    for line in lines:
        if line.strip() == "":
            ids.append("(empty)"); templates.append("")
            continue
        ids.append(tagged[k]["template_id"]); templates.append(tagged[k]["template"])
        k += 1
    if k != len(tagged):
        sys.exit("olly-patterns wrote %d events for %d lines" % (len(tagged), k))
    return ids, templates

def grouping_accuracy(parsed, true):
    by_parsed, by_true = {}, {}
    for i, (p, t) in enumerate(zip(parsed, true)):
        by_parsed.setdefault(p, []).append(i)
        by_true.setdefault(t, []).append(i)
    right = 0
    for p, members in by_parsed.items():
        ts = {true[i] for i in members}
        if len(ts) == 1 and len(by_true[next(iter(ts))]) == len(members):
            right += len(members)
    return right / len(parsed)

def norm(t):
    return " ".join(t.split())

settings = json.load(open(os.path.join(conf, "settings.json")))
rng = random.Random(20261204)
failures = []
rows = []
with tempfile.TemporaryDirectory() as tmp:
    for name, setting in settings.items():
        lines = contents(name, setting)
        gt = truth(name, setting)
        if len(lines) != len(gt) or any(a != b for a, (b, _) in zip(lines, gt)):
            # The ground truth's own cut of the messages decides.
            lines = [c for c, _ in gt]
        true = [t for _, t in gt]
        ids, templates = mine(lines, setting["regex"], tmp)
        ga = grouping_accuracy(ids, true)
        pa = sum(norm(a) == norm(b) for a, b in zip(templates, true)) / len(true)
        order = list(range(len(lines)))
        rng.shuffle(order)
        sids, _ = mine([lines[i] for i in order], setting["regex"], tmp)
        sga = grouping_accuracy(sids, [true[i] for i in order])
        rows.append((name, len(lines), len(set(true)), len(set(ids)), ga, pa, sga))
        if ga + 1e-9 < DRAIN[name]:
            failures.append("%s: GA %.3f is below Drain's %.3f" % (name, ga, DRAIN[name]))
        if abs(ga - sga) > 0.01:
            failures.append("%s: GA %.3f in order but %.3f shuffled" % (name, ga, sga))

print("%-12s %6s %6s %6s %7s %7s %7s %7s" % ("dataset", "lines", "true", "mined", "GA", "Drain", "PA", "GA-shuf"))
for name, n, nt, nm, ga, pa, sga in rows:
    print("%-12s %6d %6d %6d %7.3f %7.3f %7.3f %7.3f" % (name, n, nt, nm, ga, DRAIN[name], pa, sga))
mean = sum(r[4] for r in rows) / len(rows)
print("%-12s %6s %6s %6s %7.3f %7.3f %7.3f %7.3f" % ("mean", "", "", "", mean, sum(DRAIN.values()) / len(DRAIN),
      sum(r[5] for r in rows) / len(rows), sum(r[6] for r in rows) / len(rows)))
if mean < MIN_MEAN:
    failures.append("mean GA %.3f is below %.3f" % (mean, MIN_MEAN))
for f in failures:
    print("FAIL: " + f)
sys.exit(1 if failures else 0)
PY
