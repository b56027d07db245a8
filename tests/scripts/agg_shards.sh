#!/usr/bin/env bash
# The scale-out recipe, tested: a 1M-line file split into 8 shards,
# `olly-agg --partial` on each shard run by GNU parallel (and by xargs -P),
# then `olly-agg --merge`, must give exactly the single-run counts, sums,
# min and max, and percentiles within the sketch's 1% relative error of the
# exact percentiles (computed here from the data); -j 2 must agree with -j 1.
#
#   tests/scripts/agg_shards.sh BIN_DIR SRC_DIR      (exit 77: skipped)
#
# Data: $OLLY_AGG_DATA when set (e.g. the bench file), else 1M generated lines.
set -euo pipefail
BIN_DIR=$(cd "$1" && pwd)
export PATH="$BIN_DIR:$PATH"
command -v parallel >/dev/null || { echo "agg_shards: GNU parallel not installed; skipped"; exit 77; }
command -v python3 >/dev/null || { echo "agg_shards: python3 not installed; skipped"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=${OLLY_AGG_DATA:-}
lines=${OLLY_AGG_LINES:-1000000}
if [ -z "$data" ]; then
  data=$tmp/data.ndjson
  # Deterministic, skewed: lognormal-ish latencies (exp of a sum of uniforms),
  # integer bytes, 8 services, 6 statuses, 50k users, ~1 event per 86 ms.
  awk -v n="$lines" 'BEGIN {
    srand(42);
    split("checkout storefront search auth payments inventory shipping recommend", svc, " ");
    split("200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 201 404 500 502 503", st, " ");
    t0 = 1795564800;
    for (i = 0; i < n; i++) {
      ms = int(i * 86.4); s = t0 + int(ms / 1000); f = ms % 1000;
      z = rand() + rand() + rand() + rand() - 2;
      lat = exp(3.5 + 1.8 * z); if (rand() < 0.01) lat *= 30;
      printf "{\"ts\":%d.%03d,\"service\":\"%s\",\"status\":%d,\"latency_ms\":%.1f,\"bytes\":%d,\"user\":\"u-%d\"}\n",
             s, f, svc[1 + int(rand() * 8)], st[1 + int(rand() * 20)], lat, int(rand() * 9000) + 100, int(rand() * 50000);
    }
  }' > "$data"
fi

aggs=(count sum:bytes min:latency_ms max:latency_ms p50:latency_ms p90:latency_ms p99:latency_ms p99.9:latency_ms
      distinct:user by service)

split -n l/8 -d "$data" "$tmp/shard."
ls "$tmp"/shard.* | parallel -j 8 "olly-agg -j 1 --partial ${aggs[*]} {} > {}.partial"
olly-agg --merge "$tmp"/shard.*.partial > "$tmp/merged"
ls "$tmp"/shard.0? | xargs -P 4 -I{} sh -c "olly-agg -j 1 --partial ${aggs[*]} {} > {}.xpartial"
cat "$tmp"/shard.*.xpartial | olly-agg --merge > "$tmp/merged_xargs"
olly-agg -j 1 "${aggs[@]}" "$data" > "$tmp/single"
olly-agg -j 2 --min-chunk 1000 "${aggs[@]}" "$data" > "$tmp/single_j2"

python3 - "$data" "$tmp/single" "$tmp/merged" "$tmp/merged_xargs" "$tmp/single_j2" <<'PY'
import json, math, sys
data, single, merged, merged_x, single_j2 = sys.argv[1:]
def load(p):
    return {r["service"]: r for r in map(json.loads, open(p))}
s, m, mx, j2 = load(single), load(merged), load(merged_x), load(single_j2)
fails = []
exact_fields = ["count", "sum_bytes", "min_latency_ms", "max_latency_ms"]
for name, other in (("parallel+merge", m), ("xargs+merge", mx), ("-j 2", j2)):
    if set(other) != set(s):
        fails.append(f"{name}: groups differ")
        continue
    for svc, row in s.items():
        for f in exact_fields:
            if other[svc][f] != row[f]:
                fails.append(f"{name} {svc} {f}: {other[svc][f]} != {row[f]}")
        # Percentiles and distinct: the merged sketches hold the same counts.
        for f in ("p50_latency_ms", "p90_latency_ms", "p99_latency_ms", "p99_9_latency_ms", "distinct_user"):
            if other[svc][f] != row[f]:
                fails.append(f"{name} {svc} {f}: {other[svc][f]} != {row[f]}")
# Against the exact answer computed from the data.
lat, users, cnt, byt = {}, {}, {}, {}
for line in open(data):
    r = json.loads(line)
    sv = r["service"]
    lat.setdefault(sv, []).append(r["latency_ms"])
    users.setdefault(sv, set()).add(r["user"])
    cnt[sv] = cnt.get(sv, 0) + 1
    byt[sv] = byt.get(sv, 0) + r["bytes"]
worst_q, worst_d = 0.0, 0.0
for sv, v in lat.items():
    v.sort()
    row = m[sv]
    if row["count"] != cnt[sv] or row["sum_bytes"] != byt[sv]:
        fails.append(f"{sv}: count/sum differ from the data")
    if row["min_latency_ms"] != v[0] or row["max_latency_ms"] != v[-1]:
        fails.append(f"{sv}: min/max differ from the data")
    for q, f in ((0.5, "p50_latency_ms"), (0.9, "p90_latency_ms"), (0.99, "p99_latency_ms"), (0.999, "p99_9_latency_ms")):
        exact = v[math.floor(q * (len(v) - 1))]
        err = abs(row[f] - exact) / exact
        worst_q = max(worst_q, err)
        if err > 0.01 + 1e-5:  # 1% sketch error, plus printing to 6 significant digits
            fails.append(f"{sv} {f}: {row[f]} vs exact {exact} (error {err:.4%})")
    d = abs(row["distinct_user"] - len(users[sv])) / len(users[sv])
    worst_d = max(worst_d, d)
    if d > 3 * 0.0081:
        fails.append(f"{sv} distinct_user: {row['distinct_user']} vs exact {len(users[sv])}")
print(f"agg_shards: {len(lat)} groups, {sum(cnt.values())} events; worst percentile error {worst_q:.4%}, "
      f"worst distinct error {worst_d:.4%}")
if fails:
    print("\n".join(fails))
    sys.exit(1)
print("agg_shards: parallel, xargs -P and -j 2 results equal the single run; percentiles within 1% of exact")
PY
