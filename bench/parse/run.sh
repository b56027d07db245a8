#!/usr/bin/env bash
# Throughput of olly-parse on one data file: bench/parse/run.sh BIN_DIR FILE FORMAT [RUNS]
# e.g. bench/parse/run.sh build/bin /tmp/combined.log combined
# Prints MB/s of the best of RUNS (default 3) runs, output to /dev/null.
set -euo pipefail
bin=$1 file=$2 format=$3 runs=${4:-3}
size=$(stat -c %s "$file")
best=
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$bin/olly-parse" "$format" "$file" > /dev/null
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
done
printf '%s %s: %.0f MB/s (%.3f s for %.1f MB)\n' "$format" "$(basename "$file")" \
  "$(echo "$size / 1000000 / $best" | bc -l)" "$best" "$(echo "$size / 1000000" | bc -l)"
