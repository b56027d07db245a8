#!/usr/bin/env bash
# Runs olly's libFuzzer targets (tests/fuzz, README there).
#
#   dev/fuzz.sh --list            the targets
#   dev/fuzz.sh TARGET MINUTES    build what is needed, seed, run TARGET (MINUTES may be 0.5)
#   dev/fuzz.sh all MINUTES       every target in turn
#
# The build is build-fuzz (clang, -DOLLY_FUZZ=ON: libolly and the targets
# only, ASan+UBSan); clang and libFuzzer are installed with apt when missing.
# Seeds are copied at run time into build-fuzz/corpus/TARGET from tests/data
# and ../shared/conformance (never committed); findings (the reproducers) go
# to build-fuzz/findings/TARGET/. Exit status 1 when a target found
# something (the reproducer's path is printed), 2 on usage errors.
# Reproduce one: build-fuzz/fuzz/fuzz_TARGET build-fuzz/findings/TARGET/crash-...
#
# OLLY_FUZZ_SEED=N fixes libFuzzer's seed (default 0: a new one each run).
# CI uses seed 1, so its 15 seconds are the start of what
# `OLLY_FUZZ_SEED=1 dev/fuzz.sh all 1` explores here: run that before
# pushing, and CI's fuzzing finds nothing it did not (targets with threads
# excepted: their coverage can vary with scheduling). Exploration runs
# leave the seed unset.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=$src/build-fuzz
conformance=${OLLY_CONFORMANCE:-$src/../shared/conformance}
fuzz_seed=${OLLY_FUZZ_SEED:-0}
[[ $fuzz_seed =~ ^[0-9]+$ ]] || { echo "dev/fuzz.sh: OLLY_FUZZ_SEED must be a number, not '$fuzz_seed'" >&2; exit 2; }

targets() {
  for f in "$src"/tests/fuzz/fuzz_*.cpp; do
    f=${f##*/fuzz_}
    echo "${f%.cpp}"
  done
}

usage() {
  echo "usage: dev/fuzz.sh --list | TARGET MINUTES | all MINUTES" >&2
  echo "targets: $(targets | tr '\n' ' ')" >&2
  exit 2
}

if [ "${1:-}" = "--list" ]; then
  targets
  exit 0
fi
[ $# -eq 2 ] || usage
target=${1#fuzz_}
minutes=$2
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); if (m !~ /^[0-9]*\.?[0-9]+$/ || s < 1) exit 1; print s }') ||
  { echo "dev/fuzz.sh: MINUTES must be a positive number, not '$minutes'" >&2; exit 2; }
if [ "$target" != all ] && ! targets | grep -qx "$target"; then
  echo "dev/fuzz.sh: no target '$target'" >&2
  usage
fi

# clang and libFuzzer (Debian 12: clang 14).
need=()
command -v clang++ >/dev/null || need+=(clang)
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a /usr/lib/llvm-*/lib/libFuzzer.a 2>/dev/null)" ] ||
  need+=(libfuzzer-14-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "dev/fuzz.sh: installing ${need[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

build_targets() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    launcher=()
    command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    CC=clang CXX=clang++ cmake -S "$src" -B "$build" -DOLLY_FUZZ=ON "${launcher[@]}" >/dev/null
  fi
  cmake --build "$build" -j2 --target "$@" >/dev/null
}

# Copies file into the corpus, cut to 16 KiB, after the bytes of the hex
# prefix (a target's selector byte): seed DIR PREFIX FILE...
seed() {
  local dir=$1 prefix=$2
  shift 2
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    local name
    name=$(printf '%s' "$prefix$f" | cksum | cut -d' ' -f1)
    { [ -z "$prefix" ] || printf "\\x$prefix"; head -c 16384 "$f"; } > "$dir/seed-$name"
  done
}

# seed_text DIR TEXT...: one seed per argument.
seed_text() {
  local dir=$1
  shift
  local t
  for t in "$@"; do
    printf '%s' "$t" > "$dir/seed-$(printf '%s' "$t" | cksum | cut -d' ' -f1)"
  done
}

have_conformance() {
  if [ -d "$conformance" ]; then return 0; fi
  echo "dev/fuzz.sh: $conformance absent: seeding from tests/data only" >&2
  return 1
}

seed_corpus() {
  local t=$1 dir=$build/corpus/$1 d=$src/tests/data c=$conformance
  mkdir -p "$dir"
  case $t in
    runner)
      seed "$dir" 00 "$d"/*.ndjson "$d"/hostile/* "$d"/runner/*.ndjson "$d"/validate/*.ndjson "$d"/agg/*.ndjson
      seed "$dir" 1d "$d"/hostile/crlf-no-final-newline.ndjson "$d"/runner/mixed.ndjson  # gzip, 8-byte ranges
      seed "$dir" 0e "$d"/hostile/nul.ndjson "$d"/runner/mixed2.ndjson                    # zstd, 4-byte ranges
      seed "$dir" 13 "$d"/hostile/mixed.ndjson "$d"/three.ndjson                          # plain, 5-byte ranges
      ;;
    parse_lines)
      # The selector byte indexes kChoices in fuzz_parse_lines.cpp.
      seed "$dir" 00 "$d"/parse/*.logfmt
      seed "$dir" 01 "$d"/parse/app.logfmt
      seed "$dir" 02 "$d"/parse/access.log "$d"/parse/site.log "$d"/parse/extras.log "$d"/parse/timed.log
      seed "$dir" 03 "$d"/parse/common.log
      seed "$dir" 04 "$d"/parse/timed.log
      seed "$dir" 05 "$d"/parse/access.log
      seed "$dir" 06 "$d"/parse/syslog.log "$d"/parse/auth.log "$d"/parse/rsyslog.log "$d"/parse/newyear.log
      seed "$dir" 07 "$d"/parse/syslog.log
      seed "$dir" 08 "$d"/parse/*.csv
      seed "$dir" 09 "$d"/parse/orders.csv
      seed "$dir" 0a "$d"/parse/events.tsv
      seed "$dir" 0b "$d"/parse/app.log "$d"/parse/hello.log
      seed "$dir" 0c "$d"/parse/app.logfmt
      seed "$dir" 0d "$d"/parse/pods.log "$d"/parse/pods-hostile.log
      seed "$dir" 0e "$d"/parse/apache_error.log
      if have_conformance; then
        seed "$dir" 00 "$c"/logfmt/logfile_logfmt.0
        seed "$dir" 06 "$c"/logs/*syslog* "$c"/loghub/Linux* 2>/dev/null || true
        seed "$dir" 0e "$c"/loghub/Apache/Apache_2k.log
      fi
      ;;
    parse_docs)
      seed "$dir" 00 "$d"/parse/trace.json
      seed "$dir" 01 "$d"/parse/metrics.prom
      seed "$dir" 02 "$d"/parse/app.ndjson "$d"/parse/trace.json "$d"/requests.ndjson "$d"/validate/*.schema.json
      if have_conformance; then
        seed "$dir" 00 "$c"/otlp/*.json
        seed "$dir" 01 "$c"/prometheus/*.txt "$c"/prometheus/*.prom
        seed "$dir" 02 "$c"/otlp/*.json
      fi
      ;;
    parse_auto)
      seed "$dir" "" "$d"/parse/* "$d"/requests.ndjson "$d"/access.log
      if have_conformance; then
        seed "$dir" "" "$c"/logfmt/logfile_logfmt.0 "$c"/otlp/*.json "$c"/prometheus/*.txt "$c"/logs/* "$c"/loghub/*
      fi
      ;;
    expr)
      local e
      while IFS= read -r e; do
        [ -n "$e" ] && seed_text "$dir" "$e"
      done < <(grep -ohE "'[^']+'" "$src"/tests/cli/filter/*/cmd "$src"/tests/cli/eval/*/cmd 2>/dev/null | tr -d "'" | sort -u | head -300)
      seed_text "$dir" 'status >= 500 && level == "error"' 'a.b[0] in [1, 2, "x"]' 'lower(msg) =~ "^get"' \
        'exists(obj.k) || !has(arr)' 'len(arr) > 2 ? s : n' 'ts >= "2026-01-01T00:00:00Z"' 'f * 2 - 1 / 3 % 4'
      ;;
    patterns)
      seed "$dir" 00 "$d"/patterns/app.log "$d"/patterns/hdfs.log "$d"/patterns/multiword.log "$d"/hostile/*
      seed "$dir" 01 "$d"/patterns/hdfs.log "$d"/patterns/app.log
      seed "$dir" 02 "$d"/patterns/multiword.log
      if have_conformance; then
        seed "$dir" 00 "$c"/loghub/*/*_2k.log
        seed "$dir" 01 "$c"/loghub/HDFS/HDFS_2k.log "$c"/loghub/OpenStack/OpenStack_2k.log
      fi
      ;;
    redact)
      seed "$dir" 00 "$d"/redact/*.ndjson "$d"/hostile/*
      seed "$dir" 01 "$d"/redact/corpus.ndjson "$d"/redact/escapes.ndjson "$d"/redact/app.log
      seed "$dir" 03 "$d"/redact/corpus.ndjson "$d"/redact/nested.ndjson
      seed "$dir" 05 "$d"/redact/corpus.ndjson
      seed "$dir" 07 "$d"/redact/escapes.ndjson "$d"/redact/app.ndjson
      seed "$dir" 19 "$d"/redact/drops.ndjson "$d"/redact/nested.ndjson
      seed "$dir" 2f "$d"/redact/corpus.ndjson
      ;;
    path)
      seed_text "$dir" a a.b a.b[1].c 'a["d.e"]' "a['x']" 'k-1.@x.$y' 'arr[0][1]' 'ü["0"]' '["q\"\\"]' 'a.b[99999999999]'
      ;;
    jsonschema)
      python3 - "$dir" "$d" "$c" <<'PY'
import glob, json, os, sys, zlib
out, data, conf = sys.argv[1:4]
def put(schema, instances):
    text = json.dumps(schema) + "\0" + "\n".join(json.dumps(i) for i in instances)
    b = text.encode()[:16384]
    open(os.path.join(out, "seed-%08x" % zlib.crc32(b)), "wb").write(b)
for path in sorted(glob.glob(os.path.join(data, "validate", "*.schema.json"))):
    try:
        schema = json.load(open(path))
    except Exception:
        continue
    events = []
    for ev in sorted(glob.glob(os.path.join(data, "validate", "*.ndjson")))[:3]:
        for line in open(ev, errors="replace").read().splitlines()[:4]:
            try:
                events.append(json.loads(line))
            except Exception:
                pass
    put(schema, events)
suite = os.path.join(conf, "json-schema-test-suite", "draft2020-12")
for path in sorted(glob.glob(os.path.join(suite, "*.json"))):
    for group in json.load(open(path)):
        put(group["schema"], [t["data"] for t in group["tests"]])
PY
      [ -d "$c/json-schema-test-suite" ] || have_conformance || true
      ;;
    view)
      # The selector byte picks width, --flat, color, --windows and --columns (fuzz_view.cpp).
      seed "$dir" 01 "$d"/requests.ndjson "$d"/view/*.ndjson "$d"/hostile/*
      seed "$dir" 12 "$d"/view/*.ndjson
      seed "$dir" 8e "$d"/requests.ndjson "$d"/view/*.ndjson
      ;;
    agg_merge)
      seed "$dir" "" "$d"/agg/partial.ndjson
      local i=0 line
      while IFS= read -r line; do
        i=$((i + 1))
        printf '%s\n%s\n' "$line" "$line" > "$dir/seed-line$i"
      done < "$d"/agg/partial.ndjson
      ;;
    sample)
      # Byte 0 picks the options; byte 1 odd: NDJSON input, even: token bucket times.
      local pre f
      for pre in '\x01\x01' '\x1d\x05' '\x59\x03' '\x7f\x07' '\xd4\x09'; do
        for f in "$d"/requests.ndjson "$d"/sample/*.ndjson "$d"/hostile/mixed.ndjson "$d"/runner/mixed.ndjson; do
          { printf "$pre"; head -c 16384 "$f"; } > "$dir/seed-$(printf '%s' "$pre$f" | cksum | cut -d' ' -f1)"
        done
      done
      printf '\x13\x00\x05\x00\xfb\x01\x7f\x02\x80\x02\x01\x03\x10\x00' > "$dir/seed-bucket"
      ;;
    reshape)
      # Byte 0 picks the separator and the paths (fuzz_reshape.cpp); then one event.
      local pre f
      for pre in 00 05 26 4b 8c f1; do
        for f in "$d"/reshape/*.ndjson "$d"/requests.ndjson "$d"/hostile/numbers.ndjson; do
          { printf "\\x$pre"; head -n 1 "$f"; } > "$dir/seed-$pre-${f##*/}"
        done
      done
      ;;
    sort)
      # Byte 0 picks the -k fields and --head (fuzz_sort.cpp); then NDJSON.
      local pre
      for pre in 00 01 02 03 1a 2b 3f 4c 5d 77; do
        seed "$dir" "$pre" "$d"/sort/*.ndjson "$d"/requests.ndjson "$d"/hostile/mixed.ndjson "$d"/hostile/crlf-no-final-newline.ndjson
      done
      ;;
    alert_rules)
      # Selector 0: rules files; 1: state files; 2: the rule tests' series notation.
      seed "$dir" 00 "$d"/alert/*.yaml
      seed "$dir" 01 "$src"/tests/fuzz/seeds/alert_state.json
      printf '\x02%s' '0+10x5 _ 100x3 stale 1-1x2 _x3' > "$dir/seed-series1"
      printf '\x02%s' 'failed_logins{host="web-1",app="sshd"}' > "$dir/seed-series2"
      ;;
    explain)
      # Selector 0: events for the profile; 1: a tally; 2: a series; 3: Fisher's counts.
      seed "$dir" 00 "$d"/requests.ndjson "$d"/explain/planted.ndjson "$d"/hostile/mixed.ndjson
      printf '\x01\x02\x00\x00\x03\x00\x00\x04%s' 'abcdefghijklmnopqrstuvwxyz0123456789' > "$dir/seed-tally"
      printf '\x02%s' '000000000000zzzzzzzzzzzz000000' > "$dir/seed-series"
      printf '\x03\x00\x10\x00\x00\x20\x00\x00\x05\x00\x00\x01' > "$dir/seed-fisher"
      ;;
    snapshot)
      # The selector byte picks --json, the fields given or picked, --every and --top (fuzz_snapshot.cpp).
      seed "$dir" 01 "$d"/requests.ndjson "$d"/explain/planted.ndjson "$d"/hostile/*
      seed "$dir" 00 "$d"/requests.ndjson "$d"/snapshot/*.ndjson
      seed "$dir" 3f "$d"/requests.ndjson
      ;;
    traces | sessionize | sequence | join)
      # Byte 0 picks the flags (tests/fuzz/fuzz_correlate.h); then raw lines
      # (the tests' NDJSON) or generated events (a line of \x01 or \x02 and
      # the bytes that shape one event).
      local f
      case $t in
        traces) f=("$d"/correlate/traces*.ndjson "$d"/parse/trace.json) ;;
        sessionize) f=("$d"/correlate/clicks*.ndjson) ;;
        sequence) f=("$d"/correlate/sequence-*.ndjson) ;;
        join) f=("$d"/correlate/join-*.ndjson) ;;
      esac
      seed "$dir" 00 "${f[@]}"
      seed "$dir" 8e "${f[@]}"
      if [ "$t" = join ]; then
        # Left lines, \x03, right lines: the worked example and the out-of-order pair.
        { printf '\x06'; cat "$d"/correlate/join-requests.ndjson; printf '\x03\n'; cat "$d"/correlate/join-logs.ndjson; } \
          > "$dir/seed-requests-logs"
        { printf '\x2a'; cat "$d"/correlate/join-ooo-left.ndjson; printf '\x03\n'; cat "$d"/correlate/join-ooo-right.ndjson; } \
          > "$dir/seed-ooo"
      fi
      # Generated events: a few keys stepping forward, one back within and
      # one beyond the lateness, a jump to the edge of int64, an odd time.
      printf '\x0a\x01\x00\x01\x00\x41\x00\x05\x10\n\x02\x01\x02\x40\x42\x01\x05\x00\n\x01\x02\x08\x41\x43\x00\x20\x04\n\x02\x03\x0b\x01\x40\x03\x00\x00\n\x01\x01\x1f\x02\x41\x01\x05\x08\n\x02\x00\x0e\x02\x44\x02\x09\x00\n' \
        > "$dir/seed-generated1"
      printf '\x2e\x01\x00\x03\x00\x40\x00\x01\x00\n\x01\x00\x01\x01\x40\x01\x09\x00\n\x01\x00\x02\x02\x41\x00\x0d\x00\n\x02\x00\x0d\x01\x42\x01\x00\x00\n\x01\x01\x7e\x00\x40\x01\x00\x00\n' \
        > "$dir/seed-generated2"
      ;;
    time)
      seed_text "$dir" 2026-11-25T02:40:00Z 2026-11-25t02:40:00.123456789+05:30 '2026-11-25 02:40' 2026-11-25 \
        1969-12-31T23:59:60Z 2262-04-11T23:47:16.854775807Z 1678-01-01T00:00:00-01:00 \
        '25/Nov/2026:02:40:01 +0000' '25/Nov/2026:02:40:01.5 +07:00' 'Nov 25 02:40:01' 'Nov  5 02:40:01.25' \
        1732500000 1732500000.123 -5 1.7325e9 1732500000123456789 1h30m 250ms 1.5s 100µs 1w2d3h4m5s6ms7us8ns 0 \
        Europe/Berlin +05:30 -0800 UTC local America/St_Johns \
        $'%y%m%d %H%M%S\x01081109 203615' $'%m-%d %H:%M:%S.%f\x0103-17 16:13:38.811' \
        $'%a %b %d %H:%M:%S %Y\x01Sun Dec 04 04:47:44 2005' $'%FT%T%z\x012026-11-25T02:40:01+05:30' \
        $'%d %B %Y, %I:%M:%S %p\x015 September 2026, 3:07:09 PM' $'%s.%f\x011795574401.25' $'%Y %j %R\x012026 329 02:40'
      ;;
  esac
}

run_one() {
  local t=$1 bin=$build/fuzz/fuzz_$1
  local findings=$build/findings/$t log=$build/logs/$t.log
  mkdir -p "$findings" "$build/logs"
  seed_corpus "$t"
  local dict=()
  [ -f "$src/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$src/tests/fuzz/dict/$t.dict")
  echo "fuzz $t: ${seconds}s, seed $fuzz_seed, corpus $build/corpus/$t, log $log" >&2
  local status=0
  "$bin" "${dict[@]}" -seed="$fuzz_seed" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$build/corpus/$t" > "$log" 2>&1 || status=$?
  local runs rate
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    local found
    found=$(ls -t "$findings" 2>/dev/null | head -n 1)
    echo "FINDING in $t (exit $status): reproducer $findings/$found" >&2
    echo "  reproduce: $bin $findings/$found" >&2
    return 1
  fi
  echo "fuzz $t: ${runs:-?} runs in ${seconds}s (${rate:-?} exec/s), no finding" >&2
}

if [ "$target" = all ]; then
  mapfile -t list < <(targets)
  build_targets $(printf 'fuzz_%s ' "${list[@]}")
  failed=()
  for t in "${list[@]}"; do
    run_one "$t" || failed+=("$t")
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "dev/fuzz.sh: findings in: ${failed[*]}" >&2
    exit 1
  fi
  exit 0
fi
build_targets "fuzz_$target"
run_one "$target"
