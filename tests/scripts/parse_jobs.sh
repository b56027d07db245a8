#!/usr/bin/env bash
# olly-parse -j N must write exactly what one thread writes: the same events
# in the same order, the same --errors records with the same line numbers,
# the same --stats counts, and under --strict the same stopping point. Each
# line format is run over files built from tests/data (with bad, blank and
# CRLF lines and a last line without newline mixed in) with blocks of a few
# hundred bytes, so every block boundary case is met many times.
#
#   tests/scripts/parse_jobs.sh BIN_DIR SRC_DIR
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
SRC_DIR=$(cd "$2" && pwd)
parse="$BIN_DIR/olly-parse"
data="$SRC_DIR/tests/data/parse"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 passed=0

# FILE made of SRC repeated, with hostile lines between the copies.
make_input() {
  local src=$1 out=$2
  : > "$out"
  for i in $(seq 1 40); do
    cat "$src" >> "$out"
    printf 'not a line of this format %d\n\n   \t\ncrlf junk\r\n' "$i" >> "$out"
  done
  printf 'last line without newline' >> "$out"
}

check() {  # name, then the olly-parse arguments (FILE last)
  local name=$1; shift
  local args=("$@")
  "$parse" -j 1 --errors "$tmp/e1" --stats "${args[@]}" > "$tmp/o1" 2> "$tmp/s1" || echo "exit $?" >> "$tmp/o1"
  "$parse" -j 3 --block-size 333 --errors "$tmp/e2" --stats "${args[@]}" > "$tmp/o2" 2> "$tmp/s2" ||
    echo "exit $?" >> "$tmp/o2"
  # --stats: all but the timing and memory fields must agree.
  sed -E 's/"seconds":.*//; s/written to .*//' "$tmp/s1" > "$tmp/t1"
  sed -E 's/"seconds":.*//; s/written to .*//' "$tmp/s2" > "$tmp/t2"
  if cmp -s "$tmp/o1" "$tmp/o2" && cmp -s "$tmp/e1" "$tmp/e2" && cmp -s "$tmp/t1" "$tmp/t2"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL parse_jobs/$name: -j 3 differs from -j 1 (olly-parse ${args[*]})"
    diff "$tmp/o1" "$tmp/o2" | head -5 || true
    diff "$tmp/e1" "$tmp/e2" | head -5 || true
    diff "$tmp/t1" "$tmp/t2" | head -5 || true
  fi
}

make_input "$data/access.log" "$tmp/access.log"
make_input "$data/app.logfmt" "$tmp/app.logfmt"
make_input "$data/syslog.log" "$tmp/syslog.log"
make_input "$data/newyear.log" "$tmp/newyear.log"
[ "$(wc -c < "$tmp/access.log")" -gt 3000 ] || { echo "parse_jobs: inputs too small"; exit 1; }

check combined combined "$tmp/access.log"
check combined-two-files combined "$tmp/access.log" "$tmp/access.log"
check combined-keep-raw combined --keep-raw "$tmp/access.log"
check common common "$tmp/access.log"
check logfmt logfmt "$tmp/app.logfmt"
check logfmt-infer logfmt --infer-types --time-field ts "$tmp/app.logfmt"
check syslog syslog --year 2026 "$tmp/syslog.log"
check syslog-now syslog "$tmp/syslog.log"
check syslog-new-year syslog --year 2025 "$tmp/newyear.log" "$tmp/newyear.log"
check auto-new-year auto --year 2025 "$tmp/newyear.log"
check regex regex '^(?P<client>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3})' "$tmp/access.log"
check auto auto "$tmp/access.log"
check strict combined --strict "$tmp/access.log"

echo "parse_jobs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
