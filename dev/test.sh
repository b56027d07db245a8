#!/usr/bin/env bash
# Builds olly twice (Release, then with ASan+UBSan) and runs every test in both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash dev/deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOLLY_SANITIZE=ON
cmake --build build-asan -j"$jobs"
# AddressSanitizer's stack frames are several times larger: give the deep-
# nesting tests (validate evaluates up to 4096 schema levels) room for them.
ulimit -s 262144 2>/dev/null || ulimit -s unlimited 2>/dev/null || true
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
