#!/usr/bin/env bash
# olly-agg side by side with mlr and jq on the bench file, in one run:
#
#   bench/agg/run.sh BIN_DIR DATA_FILE [--no-baselines]
#
# Tasks (the same result from every tool):
#   p99   count and p99(latency_ms) by service
#   every count by status every 1m   (window = the first 16 characters of an
#         RFC 3339 UTC ts for mlr and jq, their fastest way to the minute)
# and olly-agg -j 1 vs -j 2 on the first task.
# Prints a table on stderr and one NDJSON line per measurement on stdout:
#   {"bench":"agg","task":..,"tool":..,"seconds":..,"mb_per_s":..,"peak_mb":..}
# then {"bench":"agg","ratio":NAME,"value":X,"target":T,"ok":B} lines.
set -uo pipefail
BIN_DIR=$(cd "$1" && pwd)
DATA=$2
BASELINES=1
[ "${3:-}" = "--no-baselines" ] && BASELINES=0
AGG="$BIN_DIR/olly-agg"
[ -x "$AGG" ] || { echo "bench/agg: $AGG not built" >&2; exit 2; }
[ -r "$DATA" ] || { echo "bench/agg: cannot read $DATA" >&2; exit 2; }
MB=$(( $(stat -c %s "$DATA") / 1000000 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A SECS PEAK
# measure NAME TASK TOOL CMD...: best of 3 runs (1 for the slow baselines), output kept for comparison.
measure() {
  local key=$1 task=$2 tool=$3 runs=$4; shift 4
  local best="" peak=0
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" > "$out/$key.out" 2> "$out/$key.err" || {
      echo "bench/agg: $key failed: $(head -c 300 "$out/$key.err")" >&2; return 1; }
    read -r s kb < <(tail -1 "$out/time")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
    peak=$(( kb > peak ? kb : peak ))
  done
  SECS[$key]=$best
  PEAK[$key]=$(( peak / 1024 ))
  awk -v t="$task" -v tool="$tool" -v s="$best" -v mb="$MB" -v p="${PEAK[$key]}" 'BEGIN {
    printf "{\"bench\":\"agg\",\"task\":\"%s\",\"tool\":\"%s\",\"seconds\":%s,\"mb_per_s\":%.1f,\"peak_mb\":%d}\n",
           t, tool, s, (s > 0 ? mb / s : 0), p }'
  printf '%-6s %-44s %8.2fs %8.1f MB/s %6d MB\n' "$task" "$tool" "$best" \
    "$(awk -v mb="$MB" -v s="$best" 'BEGIN{print (s > 0 ? mb / s : 0)}')" "${PEAK[$key]}" >&2
}
ratio() {  # ratio NAME SLOW FAST TARGET
  local v
  v=$(awk -v a="${SECS[$2]}" -v b="${SECS[$3]}" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}')
  local ok=$(awk -v v="$v" -v t="$4" 'BEGIN{print (v >= t ? "true" : "false")}')
  echo "{\"bench\":\"agg\",\"ratio\":\"$1\",\"value\":$v,\"target\":$4,\"ok\":$ok}"
  printf 'ratio  %-44s %8sx (target %sx) %s\n' "$1" "$v" "$4" "$([ "$ok" = true ] && echo ok || echo MISSED)" >&2
}

echo "bench/agg: $DATA ($MB MB), $(nproc) cores" >&2
measure olly_p99 p99 "olly-agg count p99:latency_ms by service" 3 "$AGG" count p99:latency_ms by service "$DATA"
measure olly_p99_j1 p99 "olly-agg -j 1 (same)" 3 "$AGG" -j 1 count p99:latency_ms by service "$DATA"
measure olly_p99_j2 p99 "olly-agg -j 2 (same)" 3 "$AGG" -j 2 count p99:latency_ms by service "$DATA"
measure olly_every every "olly-agg count by status every 1m" 3 "$AGG" count by status every 1m "$DATA"
ratio "olly-agg -j 2 vs -j 1" olly_p99_j1 olly_p99_j2 1.6

if [ "$BASELINES" = 1 ]; then
  if command -v mlr >/dev/null; then
    measure mlr_p99 p99 "mlr stats1 -a count,p99" 1 mlr --ijsonl --ojsonl stats1 -a count,p99 -f latency_ms -g service "$DATA"
    measure mlr_every every "mlr put minute + count -g minute,status" 1 \
      mlr --ijsonl --ojsonl put -q 'emit1 {"minute": substr0($ts, 0, 15), "status": $status}' then count -g minute,status "$DATA"
    ratio "olly-agg vs mlr (count p99 by service)" mlr_p99 olly_p99 40
  fi
  if command -v jq >/dev/null; then
    measure jq_p99 p99 "jq -s group_by(.service)" 1 jq -s -c '
      group_by(.service)[] | (map(.latency_ms) | sort) as $v
      | {service: .[0].service, count: length, p99: $v[(($v | length) - 1) * 0.99 | floor]}' "$DATA"
    # (A streaming `reduce inputs` with one counter per key took over 4 minutes here.)
    measure jq_every every "jq -s group_by([minute, status])" 1 jq -s -c '
      group_by([.ts[0:16], .status])[] | {window: .[0].ts[0:16], status: .[0].status, count: length}' "$DATA"
    ratio "olly-agg vs jq (count p99 by service)" jq_p99 olly_p99 40
  fi
  # The fastest baseline for the windowed task.
  fastest=""
  for k in mlr_every jq_every; do
    [ -n "${SECS[$k]:-}" ] || continue
    if [ -z "$fastest" ] || awk -v a="${SECS[$k]}" -v b="${SECS[$fastest]}" 'BEGIN{exit !(a<b)}'; then fastest=$k; fi
  done
  [ -n "$fastest" ] && ratio "olly-agg vs fastest of mlr/jq (count by status every 1m)" "$fastest" olly_every 10
fi
awk -v p="${PEAK[olly_p99]}" 'BEGIN {
  printf "{\"bench\":\"agg\",\"ratio\":\"olly-agg peak memory MB (count p99 by service)\",\"value\":%d,\"target\":64,\"ok\":%s}\n",
         p, (p < 64 ? "true" : "false") }'
