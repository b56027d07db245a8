#!/usr/bin/env bash
# Throughput of olly-parse on one file, for a quick look while working on a
# parser (bench/run's parse section is the reference measurement):
#
#   bench/parse/run.sh BIN_DIR FILE FORMAT [RUNS]
#   bench/parse/run.sh build/bin bench/.data/events-1000000-42.logfmt logfmt
#
# FORMAT is any olly-parse format; for regex, also set OLLY_PARSE_REGEX=PATTERN.
# Prints MB/s of the best of RUNS (default 3) runs (output to /dev/null),
# and the peak RSS of the last run.
set -euo pipefail
bin=$1 file=$2 format=$3 runs=${4:-3}
args=("$format")
[[ $format == regex ]] && args+=("${OLLY_PARSE_REGEX:?set OLLY_PARSE_REGEX to the pattern}")
size=$(stat -c %s "$file")
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
best=
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$tmp" "$bin/olly-parse" "${args[@]}" "$file" > /dev/null
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
done
printf '%s %s: %.0f MB/s (%.3f s for %.1f MB), peak RSS %.1f MB\n' "$format" "$(basename "$file")" \
  "$(echo "$size / 1000000 / $best" | bc -l)" "$best" "$(echo "$size / 1000000" | bc -l)" \
  "$(echo "$(tail -1 "$tmp") / 1024" | bc -l)"
