#!/usr/bin/env bash
# Throughput of olly-parse per format, with mlr doing the same job, in one run.
#
#   bench/parse_docs/run.sh BIN_DIR COMBINED_FILE [LOGFMT_FILE]
#
# COMBINED_FILE / LOGFMT_FILE: e.g. `olly-bench-gen -n 1000000 -f combined`
# and `-f logfmt`. syslog and regex inputs are derived from the combined file
# (each line wrapped as an RFC 3164 message); otlp and prom inputs repeat the
# conformance samples (../shared/conformance) when they are present.
# Prints one markdown row per run: MB/s of input (wall and CPU), seconds, peak RSS.
# Inputs are passed as file arguments to every program.
set -euo pipefail
bin=${1:?BIN_DIR}; combined=${2:?COMBINED_FILE}; logfmt=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
conf=${OLLY_CONFORMANCE:-$here/../../../shared/conformance}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
parse="$bin/olly-parse"

run() {  # name, input file, command...
  local name=$1 input=$2; shift 2
  local bytes; bytes=$(stat -c %s "$input")
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" "$input" > /dev/null 2> "$tmp/err" || true
  read -r secs user sys rss_kb < <(tail -1 "$tmp/time")
  awk -v n="$name" -v b="$bytes" -v s="$secs" -v c="$(awk -v u="$user" -v y="$sys" 'BEGIN{print u+y}')" -v r="$rss_kb" \
    'BEGIN { printf "| %-46s | %8.1f | %8.1f | %6.2f | %6.1f |\n", n, (s > 0 ? b / s / 1e6 : 0), (c > 0 ? b / c / 1e6 : 0), s, r / 1024 }'
}

awk '{ printf "Nov 25 02:%02d:%02d web%02d nginx[%d]: %s\n", (NR / 60) % 60, NR % 60, NR % 7, 1000 + NR % 50, $0 }' \
  "$combined" > "$tmp/syslog.log"
regex='^(?P<remote_addr>\S+) \S+ (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+|-)'

# MB/s of wall time, and of CPU time (user+sys: steadier on a shared machine).
echo "| job | MB/s (wall) | MB/s (CPU) | s | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
run "olly-parse combined" "$combined" "$parse" combined
run "mlr --inidx --ifs ' ' --ojsonl cat (combined)" "$combined" mlr --inidx --ifs ' ' --ojsonl cat
run "olly-parse syslog" "$tmp/syslog.log" "$parse" syslog
run "olly-parse regex (combined, 6 captures)" "$combined" "$parse" regex "$regex"
if [[ -n $logfmt ]]; then
  run "olly-parse logfmt" "$logfmt" "$parse" logfmt
  # mlr 6.6 has no --ilogfmt; DKVP with ' ' and '=' is the same job.
  run "mlr --idkvp --ifs ' ' --ips '=' --ojsonl cat" "$logfmt" mlr --idkvp --ifs ' ' --ips '=' --ojsonl cat
fi
if [[ -d $conf ]]; then
  for i in $(seq 2000); do cat "$conf/logs/lnav/logfile_otel_collector.jsonl"; done > "$tmp/otlp.jsonl"
  for i in $(seq 100); do cat "$conf/prometheus/alltypes.237mfs.prom.txt"; done > "$tmp/metrics.prom"
  run "olly-parse otlp (collector lines)" "$tmp/otlp.jsonl" "$parse" otlp
  run "olly-parse prom (alltypes x100)" "$tmp/metrics.prom" "$parse" prom
  "$parse" otlp "$tmp/otlp.jsonl" > "$tmp/events.ndjson"
  run "olly-parse json (otlp events)" "$tmp/events.ndjson" "$parse" json
fi
