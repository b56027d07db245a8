#!/usr/bin/env bash
# Builds olly and runs the incident-triage demo (SCENARIOS.md, 1) on the
# sample data shipped in tests/data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash dev/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
export PATH="$PWD/build/bin:$PATH"
cd tests/data
run() { printf '\n$ %s\n' "$*"; bash -c "$*"; }
echo "== Checkout errors spiked. Which requests failed, and where did they go?"
run "olly filter 'path =~ \"^/api/checkout\" && status >= 500' --select ts,status,upstream,latency_ms requests.ndjson | head -5"
echo
echo "== How slow were the failing calls, in seconds?"
run "olly filter 'status >= 500' requests.ndjson | olly eval --set latency_s='latency_ms / 1000' --set slow='latency_ms > 800' | olly filter slow --select ts,upstream,latency_s --limit 3"
