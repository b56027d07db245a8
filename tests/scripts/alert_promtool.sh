#!/usr/bin/env bash
# Prometheus as the oracle of olly-alert --test: for rules with a PromQL
# equivalent (a threshold with for, one with keep_firing_for, series going up
# and down), this writes the same rules, input series and expected alerts
# twice, as a Prometheus rules file + promtool test file and as an olly rules
# file + olly test file, and requires both `promtool test rules` and
# `olly-alert --test` to pass.
#
#   tests/scripts/alert_promtool.sh BIN_DIR SRC_DIR      (exit 77: skipped)
#
# The correspondence. Sample i of a series is at time i x interval in both.
# Prometheus evaluates `load > 20` at time T on the latest sample at or
# before T, so sample i is judged at T = i x interval. olly-alert evaluates
# `max(load) > 20` at the end of each window of `every` (= interval here)
# over the samples inside it, so sample i is judged at (i + 1) x interval.
# Hence olly's eval_time = Prometheus' eval_time + one interval, and for,
# keep_firing_for and resolving shift alike (a pending alert fires once
# T - active_at >= for in both; keep_firing_for counts from the first
# evaluation that found the condition false in both). This holds for series
# without gaps: Prometheus carries a sample forward for up to 5m (lookback)
# where olly-alert sees an empty window, so these series have none.
# Annotations are left out: Prometheus renders them again at each
# evaluation, olly-alert keeps those of the firing event.
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
export PATH="$BIN_DIR:$PATH"
if ! command -v promtool >/dev/null; then
  echo "SKIP alert_promtool: promtool not installed (Debian package prometheus)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
interval_min=1

prom_rules=$tmp/prom_rules.yml
prom_test=$tmp/prom_test.yml
olly_rules=$tmp/olly_rules.yaml
olly_test=$tmp/olly_test.yaml
printf 'groups:\n  - name: oracle\n    rules:\n' >"$prom_rules"
printf 'rules:\n' >"$olly_rules"
printf 'rule_files: [prom_rules.yml]\nevaluation_interval: %sm\ntests:\n' "$interval_min" >"$prom_test"
printf 'rule_files: [olly_rules.yaml]\nevaluation_interval: %sm\ntests:\n' "$interval_min" >"$olly_test"

# rule NAME METRIC THRESHOLD EXTRA: EXTRA is "for: 2m", "keep_firing_for: 3m" or "".
rule() {
  local name=$1 metric=$2 threshold=$3 extra=$4
  {
    echo "      - alert: $name"
    echo "        expr: $metric > $threshold"
    [ -n "$extra" ] && echo "        $extra"
    echo "        labels: {severity: page}"
  } >>"$prom_rules"
  {
    echo "  - name: $name"
    echo "    condition: max($metric) > $threshold"
    echo "    by: host"
    echo "    every: ${interval_min}m"
    [ -n "$extra" ] && echo "    $extra"
    echo "    severity: page"
  } >>"$olly_rules"
}

# check NAME METRIC VALUES "T:firing T: ...": at each Prometheus eval time T
# (minutes), the alert fires for host web-1 ("firing") or not at all ("").
check() {
  local name=$1 metric=$2 values=$3 expect=$4 file shift t state
  for file in "$prom_test" "$olly_test"; do
    shift=0
    [ "$file" = "$olly_test" ] && shift=$interval_min
    {
      echo "  - name: $name"
      echo "    interval: ${interval_min}m"
      echo "    input_series:"
      echo "      - series: '$metric{host=\"web-1\"}'"
      echo "        values: '$values'"
      echo "    alert_rule_test:"
      for item in $expect; do
        t=${item%%:*}
        state=${item#*:}
        echo "      - eval_time: $((t + shift))m"
        echo "        alertname: $name"
        if [ "$state" = firing ]; then
          echo "        exp_alerts:"
          echo "          - exp_labels: {host: web-1, severity: page}"
        else
          echo "        exp_alerts: []"
        fi
      done
    } >>"$file"
  done
}

# A threshold with for: pending at 1m, firing from 3m, resolved at 5m.
rule HighLoad load 20 "for: 2m"
check HighLoad load '5 30x3 5x3' "0: 1: 2: 3:firing 4:firing 5: 6:"

# keep_firing_for: firing at 1m, false from 3m, kept firing to 5m, resolved at 6m.
rule ErrorSpike errors 10 "keep_firing_for: 3m"
check ErrorSpike errors '0 50 50 0x5' "0: 1:firing 2:firing 3:firing 4:firing 5:firing 6: 7:"

# Flapping without for: each up and each down is seen at once.
rule Flappy flaps 10 ""
check Flappy flaps '0 50 0 50 0 50 0' "0: 1:firing 2: 3:firing 4: 5:firing 6:"

# Flapping with for: the pending alert starts over each time; it never fires,
# until the series stays up long enough.
rule FlappyFor flapsfor 10 "for: 2m"
check FlappyFor flapsfor '0 50 50 0 50 50 0 50x3 0' "1: 2: 3: 4: 5: 6: 7: 8: 9:firing 10:firing 11:"

status=0
if ! out=$(cd "$tmp" && promtool test rules prom_test.yml 2>&1); then
  echo "alert_promtool: promtool test rules failed (the expectations are wrong):"
  echo "$out"
  status=1
fi
if ! out=$(cd "$tmp" && olly-alert --test olly_test.yaml 2>&1); then
  echo "alert_promtool: olly-alert --test disagrees with Prometheus:"
  echo "$out"
  status=1
fi
[ $status -eq 0 ] && echo "alert_promtool: promtool and olly-alert agree on $(grep -c '^  - name:' "$olly_test") tests"
exit $status
