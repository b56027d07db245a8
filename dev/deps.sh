#!/usr/bin/env bash
# Installs what olly's build, tests and demo need on Debian 12 (run as root).
set -euo pipefail
packages=(g++ cmake make pkg-config libcli11-dev libsimdjson-dev libre2-dev libfmt-dev doctest-dev
          zlib1g-dev libzstd-dev libyaml-cpp-dev libssl-dev python3 tzdata gzip zstd parallel man-db
          clang libfuzzer-14-dev nodejs npm prometheus chromium)
# clang, libfuzzer-14-dev: dev/fuzz.sh; nodejs, npm (ajv) and prometheus (promtool): the
# differential tests in tests/scripts, promtool also the oracle of the alert rule tests (they SKIP
# without them; CI has them); chromium: olly view's HTML report rendered headless (tests/scripts/view_chromium.sh).
missing=()
for p in "${packages[@]}"; do
  # A node that came with its own npm (NodeSource's nodejs bundles it, and
  # conflicts with Debian's npm package) serves as it is.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
