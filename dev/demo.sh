#!/usr/bin/env bash
# Builds olly and runs the incident-triage demo (SCENARIOS.md, 1) on the
# sample data shipped in tests/data (written by us).
set -euo pipefail
cd "$(dirname "$0")/.."
bash dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
export PATH="$PWD/build/bin:$PATH"
cd tests/data
run() { printf '\n$ %s\n' "$1"; bash -c "$1"; }
# The demo's own files, removed however it ends.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/olly-demo-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export tmp

nginx='$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_addr'
export nginx

echo "== 03:00, checkout errors spiked. The nginx access log, minute by minute, per upstream:"
run 'olly parse combined --format-string "$nginx" access.log \
  | olly filter '"'"'path =~ "^/api/checkout" && ts >= "2026-11-25T02:40:00Z"'"'"' \
  | olly agg count '"'"'count_if(status >= 500)'"'"' p99:request_time by upstream_addr every 2m \
  | olly view'

echo
echo "== One line of the rotated log was cut mid-write: it was counted, not lost. Keep it aside:"
run 'olly parse combined --format-string "$nginx" --errors $tmp/bad.ndjson access.log > /dev/null; cat $tmp/bad.ndjson'

echo
echo "== Who is failing? The error rate per upstream over the whole log:"
run 'olly parse combined --format-string "$nginx" access.log 2>/dev/null \
  | olly agg count '"'"'count_if(status >= 500)/count as error_rate'"'"' by upstream_addr'

echo
echo "== The service's own JSON logs: the slow failures, with their trace ids, in seconds:"
run 'olly filter '"'"'status >= 500 && upstream == "10.0.3.7"'"'"' requests.ndjson \
  | olly eval --set latency_s='"'"'latency_ms / 1000'"'"' \
  | olly filter '"'"'latency_s > 1.5'"'"' --select ts,trace_id,error.type,latency_s --limit 4'

echo
echo "== Do these events still honour their data contract? (exit 1 and a list when not)"
olly schema infer requests.ndjson > "$tmp/contract.json"
run 'olly validate --summary $tmp/contract.json requests.ndjson && echo "contract holds"'

echo
echo "== Would it have paged? The SLO burn-rate check (99.9%, the SRE workbook's windows) over the same logs:"
run 'olly alert --slo 99.9 --bad '"'"'status >= 500'"'"' --by service requests.ndjson \
  | olly filter --select state,at,severity,labels.slo_window,group,burn.long true; echo "olly alert exited ${PIPESTATUS[0]} (1: an alert fired)"'

echo
echo "== And the cron audit of the ssh log: one page when the attack starts, one resolved when it ends:"
run 'olly alert --rules alert/ssh.yaml alert/auth.ndjson | olly filter --select state,at,annotations.summary true | olly view'

echo
echo "== What do the failures share? olly explain names the suspect, with the numbers behind it:"
run 'olly explain --bad '"'"'status >= 500'"'"' --fields service,path,method,host,upstream,region --summary --top 1 requests.ndjson | olly view'
