#!/usr/bin/env bash
# olly-alert --state survives kill -9 at any moment: the state file is
# written to a temporary file, synced and renamed, so after a kill it is
# the old state or the new one, never a torn file. Kills runs at staggered
# moments (during reading, aggregation and the state write of a state with
# thousands of groups) and checks that every state left behind loads.
# Usage: alert_kill.sh BIN_DIR SRC_DIR
set -u
bin=${1:?usage: alert_kill.sh BIN_DIR SRC_DIR}
src=${2:?usage: alert_kill.sh BIN_DIR SRC_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$src/tests/data/alert/gen.py" groups 3000 > "$work/events.ndjson"
alert() { "$bin/olly-alert" --rule 'count > 1000' --by service --state "$work/state" --now 2026-11-25T00:01:30Z "$@"; }
# A complete state to start from.
alert "$work/events.ndjson" > /dev/null || { echo "alert_kill: the first run failed" >&2; exit 1; }
[ -s "$work/state" ] || { echo "alert_kill: no state written" >&2; exit 1; }
# How long a run takes here, to spread the kills over it.
start=$(date +%s%N)
alert "$work/events.ndjson" > /dev/null
took=$(( ($(date +%s%N) - start) / 1000 ))  # microseconds
kills=0
for i in $(seq 1 40); do
  alert "$work/events.ndjson" > /dev/null 2>&1 &
  pid=$!
  delay=$(( took * i / 40 ))
  sleep "$(printf '0.%06d' "$delay")" 2>/dev/null || sleep 0
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null
  # Whatever was left must load: an empty run reads it (exit 0 or 1, never 2).
  "$bin/olly-alert" --rule 'count > 1000' --by service --state "$work/state" --now 2026-11-25T00:01:30Z < /dev/null > /dev/null
  status=$?
  if [ $status -ge 2 ]; then
    echo "alert_kill: after a kill -9 at ${delay}us the state does not load (exit $status)" >&2
    exit 1
  fi
  ls "$work" | grep -q '\.tmp\.' && rm -f "$work"/.state.tmp.*  # a killed writer's temporary file
done
echo "alert_kill: $kills runs killed at moments spread over a ${took}us run; the state loaded after each"
