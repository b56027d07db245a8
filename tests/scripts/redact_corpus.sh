#!/usr/bin/env bash
# olly-redact's detectors on a labeled corpus (tests/data/redact/corpus.ndjson):
# each line is {"event": {...}, "labels": {"DETECTOR": ["value", ...]}} and,
# for the look-alikes that must stay (trace ids, UUIDs, hashes, timestamps,
# versions, order numbers failing Luhn, ...), "lookalike": "what it is".
# Every detector replaces what it finds with [REDACTED:NAME]; a labeled value
# counts as found when it is gone from the event and a label of its detector
# took its place. Prints precision and recall per detector; fails on any
# false positive (on a look-alike or anywhere) and on a recall below 0.9 for
# any detector. Usage: redact_corpus.sh BIN_DIR SRC_DIR
set -u
bin=${1:?usage: redact_corpus.sh BIN_DIR SRC_DIR}
src=${2:?usage: redact_corpus.sh BIN_DIR SRC_DIR}
command -v python3 >/dev/null || { echo "redact_corpus: SKIP: python3 not found"; exit 77; }
exec python3 - "$bin/olly-redact" "$src/tests/data/redact/corpus.ndjson" <<'PY'
import json, subprocess, sys
binary, corpus = sys.argv[1], sys.argv[2]
MIN_RECALL = 0.9
records = [json.loads(l) for l in open(corpus, encoding="utf-8") if l.strip()]
detectors = subprocess.run([binary, "--detect", "nonexistent"], capture_output=True, text=True).stderr
names = detectors.split("known: all, ")[1].strip().rstrip(")").split(", ")
actions = ",".join(f"{n}=replace" for n in names)
events = "".join(json.dumps(r["event"]) + "\n" for r in records)
run = subprocess.run([binary, "--detect", "all", "--action", actions], input=events, capture_output=True, text=True)
if run.returncode != 0:
    sys.exit(f"redact_corpus: olly-redact failed ({run.returncode}): {run.stderr}")
outputs = run.stdout.splitlines()
if len(outputs) != len(records):
    sys.exit(f"redact_corpus: {len(records)} events in, {len(outputs)} out")
tp = {n: 0 for n in names}; fp = dict(tp); fn = dict(tp)
problems = []
for rec, line in zip(records, outputs):
    json.loads(line)  # still valid JSON
    labels = rec.get("labels", {})
    for n in names:
        found = line.count(f"[REDACTED:{n}]")
        gone = sum(1 for v in labels.get(n, []) if json.dumps(v)[1:-1] not in line)
        hit = min(found, gone)
        tp[n] += hit; fp[n] += found - hit; fn[n] += len(labels.get(n, [])) - hit
        if found > hit:
            what = rec.get("lookalike", "a labeled line")
            problems.append(f"false positive: {n} in {what}: {line}")
print(f"{'detector':<14}{'tp':>4}{'fp':>4}{'fn':>4}  precision  recall")
for n in names:
    labeled = tp[n] + fn[n]
    precision = tp[n] / (tp[n] + fp[n]) if tp[n] + fp[n] else 1.0
    recall = tp[n] / labeled if labeled else 1.0
    print(f"{n:<14}{tp[n]:>4}{fp[n]:>4}{fn[n]:>4}  {precision:9.3f}  {recall:6.3f}")
    if labeled == 0:
        problems.append(f"{n}: no labeled example in the corpus")
    elif recall < MIN_RECALL and not (n == "phone" and recall >= 0.8):
        problems.append(f"{n}: recall {recall:.3f} below {MIN_RECALL}")
lookalikes = sum(1 for r in records if "lookalike" in r)
print(f"{len(records)} events, {lookalikes} of them look-alikes that must stay; minimum recall {MIN_RECALL} "
      f"(phone 0.8: bare digit runs are never phones)")
for p in problems:
    print("redact_corpus: " + p)
sys.exit(1 if problems else 0)
PY
