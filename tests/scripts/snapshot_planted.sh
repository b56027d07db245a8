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
for seed in 1 2 3; do
  out=$($gen --seed $seed --events 20000 --scenario incident | "$bin/olly-snapshot" --json) || { echo "snapshot_planted: seed $seed: exit $?" >&2; status=1; continue; }
  echo "$out" | python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.strip()]
assert len(lines) == 1, lines
s = json.loads(lines[0])["snapshot"]
assert s["events"] == 20000, s["events"]
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
' || { echo "snapshot_planted: seed $seed: planted incident not found:
$out" >&2; status=1; }
done
[ $status = 0 ] && echo "snapshot_planted: picked fields, planted pair first, new template, late error rise, explain next (3 seeds)"
exit $status
