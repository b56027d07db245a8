#!/usr/bin/env bash
# olly-snapshot on generated data with a planted, time-boxed incident
# (tests/gen/explain_events.py --scenario incident): the fields it picks, the
# planted pair as its first suspect, the incident's message as a new template,
# the error rate rising in a late bucket, and explain as the next command.
# Usage: snapshot_planted.sh BIN_DIR SRC_DIR
set -u
bin=${1:?usage: snapshot_planted.sh BIN_DIR SRC_DIR}
src=${2:?}
command -v python3 >/dev/null || { echo "snapshot_planted: skipped: no python3"; exit 77; }
gen="python3 $src/tests/gen/explain_events.py"
status=0
# Each seed twice: whole, and with the first pass sampling 1 MB of the 5 MB
# and the suspects' baseline counted on 1 MB of it (as they sample 8 MiB
# and 64 MiB of a bigger input).
for run in 1 2 3 1s 2s 3s; do
  seed=${run%s}
  sample=()
  [[ $run == *s ]] && sample=(--profile-sample 1000000 --baseline-sample 1000000)
  out=$($gen --seed $seed --events 20000 --scenario incident | "$bin/olly-snapshot" "${sample[@]}" --json) || { echo "snapshot_planted: seed $run: exit $?" >&2; status=1; continue; }
  echo "$out" | python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.strip()]
assert len(lines) == 1, lines
s = json.loads(lines[0])["snapshot"]
assert s["events"] == 20000, s["events"]
sus = s["suspects"]
assert sus["bad_events"] + sus["baseline_events"] == 20000, sus
sampled = sys.argv[1].endswith("s")
assert (sus["baseline_counted"] < 0.35 * sus["baseline_events"]) if sampled else (sus["baseline_counted"] == sus["baseline_events"]), sus
f = s["fields"]
assert f == {"error": "status >= 500", "latency": "latency_ms", "by": "service", "message": "msg"}, f
top = s["suspects"]["top"][0]
assert top["kind"] == "over", top
fields = dict(top["fields"], **top["aliases"])
assert fields.get("version") == "2.8.0" and (fields.get("region") == "ap-southeast-2" or fields.get("cluster") == "syd1"), top
new = [t["template"] for t in s["new_templates"]]
assert any(t.startswith("connection refused by") for t in new), new
assert not any("request completed" in t for t in new), new
errs, vol = s["time"]["errors"], s["time"]["volume"]
n = len(vol)
early = sum(errs[: n // 2]) / max(1, sum(vol[: n // 2]))
late = sum(errs[-n // 4 :]) / max(1, sum(vol[-n // 4 :]))
assert late > 2 * early, (early, late)
assert s["next"].startswith("olly explain --bad "), s["next"]
assert any("connection refused" in x for x in s["narrative"]), s["narrative"]
' "$run" || { echo "snapshot_planted: seed $run: planted incident not found:
$out" >&2; status=1; }
done

# Out of time order and sampled: the first 2000 events (200 s) moved to a
# quarter of the way in, where none of the sample's three 32 KiB ranges (at
# the start, the middle and the end) reads them. The report still has the
# exact time range, and a note says how many events went to the first bucket.
events=$($gen --seed 4 --events 20000 --scenario incident | python3 -c '
import sys
lines = sys.stdin.readlines()
moved, rest = lines[:2000], lines[2000:]
at = len(rest) // 4
sys.stdout.writelines(rest[:at] + moved + rest[at:])')
whole=$(echo "$events" | "$bin/olly-snapshot" --json --profile-sample 0) || { echo "snapshot_planted: shuffled, whole: exit $?" >&2; status=1; }
sampled=$(echo "$events" | "$bin/olly-snapshot" --json --profile-sample 100000) || { echo "snapshot_planted: shuffled, sampled: exit $?" >&2; status=1; }
python3 -c '
import json, sys
w = json.loads(sys.argv[1])["snapshot"]
s = json.loads(sys.argv[2])["snapshot"]
assert (s["time"]["first"], s["time"]["last"]) == (w["time"]["first"], w["time"]["last"]), (s["time"], w["time"])
assert sum(s["time"]["volume"]) == sum(w["time"]["volume"]) == 20000
assert not any("outside the time range" in n for n in w["missing"]), w["missing"]
notes = [n for n in s["missing"] if "outside the time range the first pass sampled" in n]
assert len(notes) == 1 and int(notes[0].split()[0]) > 0, s["missing"]
' "$whole" "$sampled" || { echo "snapshot_planted: shuffled input, sampled first pass: exact time range and note expected:
$sampled" >&2; status=1; }
[ $status = 0 ] && echo "snapshot_planted: picked fields, planted pair first, new template, late error rise, explain next (3 seeds, whole and sampled, the suspects' baseline too); exact time range out of time order"
exit $status
