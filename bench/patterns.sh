#!/usr/bin/env bash
# bench/patterns.sh [--lines N]: olly-patterns' speed and memory on
# loghub-like lines, beside the shell's naive answer to "what kinds of lines
# are these?" (digits masked with sed, then sort | uniq -c), in one run;
# writes bench/RESULTS-patterns.md.
#
# The lines are the 16 loghub 2k samples' messages (../shared/conformance/
# loghub, cut with each dataset's log_format; not shipped: generated into
# bench/.data at run time) repeated with fresh variable values (every run of
# digits redrawn, seeded) to N lines (default 1000000), and a 5x file for
# peak memory: state is bounded by templates, not lines.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lines=1000000
while (($#)); do
  case "$1" in
    --lines) lines=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/patterns.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
conf=${OLLY_CONFORMANCE:-$root/../shared/conformance}/loghub
if [[ ! -f "$conf/settings.json" ]]; then
  echo "bench/patterns.sh: the loghub samples are not at $conf (set OLLY_CONFORMANCE)" >&2
  exit 2
fi
build="$root/build-bench"
echo "== building olly-patterns (Release, -march=native) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DOLLY_NATIVE=ON -DOLLY_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target olly-patterns >"$build/bench-patterns-build.log" 2>&1 ||
  { tail -30 "$build/bench-patterns-build.log" >&2; exit 1; }
bin="$build/bin/olly-patterns"

data="$here/.data"
mkdir -p "$data"
small="$data/loghub-like-$lines.log"
big="$data/loghub-like-$((lines * 5)).log"
trap 'rm -f "$big"' EXIT
gen() {  # gen N FILE
  python3 - "$conf" "$1" "$2" <<'PY'
import csv, json, os, random, re, sys
conf, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
settings = json.load(open(os.path.join(conf, "settings.json")))
messages = []
for name, s in settings.items():
    with open(os.path.join(conf, s["log_file"] + "_structured_corrected.csv"), encoding="utf-8", newline="") as f:
        messages += [row["Content"] for row in csv.DictReader(f)]
rng = random.Random(42)
digits = re.compile(r"\d+")
def fresh(m):
    return str(rng.randrange(10 ** len(m.group(0))))
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        f.write(digits.sub(fresh, messages[i % len(messages)]) + "\n")
PY
}
[[ -s "$small" ]] || { echo "== generating $lines lines into $small"; gen "$lines" "$small"; }
echo "== generating $((lines * 5)) lines for the memory check"
gen $((lines * 5)) "$big"

measure() {  # measure NAME CMD...: prints "seconds peak_kb"
  local t0 t1 rss
  shift  # NAME only labels the call
  t0=$(date +%s.%N)
  rss=$( { /usr/bin/time -f "%M" "$@" >/dev/null; } 2>&1 | tail -1)
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc) $rss"
}
best() {  # best RUNS NAME CMD...: measure's line of the fastest of RUNS runs (as bench/harness.py: best of 5)
  local runs=$1 line fastest=""
  shift
  for ((r = 0; r < runs; ++r)); do
    line=$(measure "$@")
    if [[ -z $fastest ]] || (($(echo "${line%% *} < ${fastest%% *}" | bc))); then fastest=$line; fi
  done
  echo "$fastest"
}
read -r one_s one_kb < <(best 5 one "$bin" -j 1 "$small")
read -r all_s all_kb < <(best 5 all "$bin" "$small")
read -r shell_s shell_kb < <(measure shell bash -c "sed -E 's/[0-9]+/<*>/g' '$small' | sort | uniq -c | sort -rn")
read -r big_s big_kb < <(measure big "$bin" -j 1 "$big")
templates=$("$bin" "$small" | wc -l)
shell_groups=$(sed -E 's/[0-9]+/<*>/g' "$small" | sort -u | wc -l)

rate=$(echo "$lines / $one_s" | bc)
results="$here/RESULTS-patterns.md"
{
  echo "# olly-patterns: speed on loghub-like lines"
  echo
  echo "$(date -u +%Y-%m-%d), commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores; $lines lines"
  echo "(the 16 loghub 2k samples' messages, variable values redrawn), Release -march=native."
  echo
  echo "Seconds: the fastest of 5 runs for the first two rows, one run for the others."
  echo
  echo "| run | seconds | lines/s | peak RSS MB | result |"
  echo "|---|---:|---:|---:|---|"
  echo "| olly-patterns -j 1 (one core) | $one_s | $rate | $((one_kb / 1024)) | $templates templates |"
  echo "| olly-patterns (all cores) | $all_s | $(echo "$lines / $all_s" | bc) | $((all_kb / 1024)) | the same |"
  echo "| sed digits + sort \| uniq -c | $shell_s | $(echo "$lines / $shell_s" | bc) | $((shell_kb / 1024)) | $shell_groups groups (no templates) |"
  echo "| olly-patterns -j 1 on 5x the lines | $big_s | $(echo "$lines * 5 / $big_s" | bc) | $((big_kb / 1024)) | memory bounded by shapes, not lines |"
  echo
  echo "olly-patterns -j 1 vs the shell pipeline: $(echo "scale=1; $shell_s / $one_s" | bc)x. Published figures for"
  echo "comparison (not run here: Python research code): Brain 46 s per million lines"
  echo "($(echo "scale=0; 46 * $rate / 1000000" | bc)x slower than this run), Drain about twice that."
} > "$results"
cat "$results"
