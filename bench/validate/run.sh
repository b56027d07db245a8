#!/usr/bin/env bash
# olly-validate vs. a compiled ajv (2020-12) validator in Node.js on the same
# NDJSON file. Usage: bench/validate/run.sh BIN_DIR DATA_FILE
# Prints one line per tool and a summary JSON line:
#   {"bench":"validate","olly_s":..,"ajv_s":..,"ratio":..,"olly_invalid":..,"ajv_invalid":..,"olly_peak_mb":..}
# Exit 1 when the invalid counts differ.
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CONTRACT=$HERE/contract.json

if ! command -v node >/dev/null; then
  echo "validate bench: node is not installed; skipped" >&2
  exit 77
fi
if [ ! -d "$HERE/node_modules/ajv" ]; then
  (cd "$HERE" && npm install --no-save --no-audit --no-fund ajv@8 >/dev/null 2>&1) || {
    echo "validate bench: npm install ajv failed; skipped" >&2
    exit 77
  }
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# seconds, peak RSS (KiB) from GNU time when present, else bash's time
measure() {  # measure OUT_FILE CMD...
  local out=$1; shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$out" || true
    read -r secs peak < <(tail -n 1 "$TMP/time")
  else
    local start end
    start=$(date +%s.%N)
    "$@" >"$out" || true
    end=$(date +%s.%N)
    secs=$(echo "$end - $start" | bc)
    peak=0
  fi
}

measure "$TMP/olly.out" "$BIN_DIR/olly-validate" --summary "$CONTRACT" "$DATA"
olly_s=$secs; olly_kb=$peak
olly_invalid=$(grep -o '"invalid":[0-9]*' "$TMP/olly.out" | tail -1 | cut -d: -f2)

measure "$TMP/ajv.out" node "$HERE/ajv_validate.js" "$CONTRACT" "$DATA"
ajv_s=$secs
ajv_invalid=$(grep -o '"invalid":[0-9]*' "$TMP/ajv.out" | cut -d: -f2)

ratio=$(awk -v a="$ajv_s" -v o="$olly_s" 'BEGIN { printf "%.2f", (o > 0 ? a / o : 0) }')
olly_mb=$(awk -v k="$olly_kb" 'BEGIN { printf "%.1f", k / 1024 }')
printf 'olly-validate        %6.2fs  invalid=%s  peak=%s MB\n' "$olly_s" "$olly_invalid" "$olly_mb"
printf 'node+ajv (2020-12)   %6.2fs  invalid=%s\n' "$ajv_s" "$ajv_invalid"
printf '{"bench":"validate","olly_s":%s,"ajv_s":%s,"ratio":%s,"olly_invalid":%s,"ajv_invalid":%s,"olly_peak_mb":%s}\n' \
  "$olly_s" "$ajv_s" "$ratio" "$olly_invalid" "$ajv_invalid" "$olly_mb"
[ "$olly_invalid" = "$ajv_invalid" ] || { echo "validate bench: invalid counts differ" >&2; exit 1; }
