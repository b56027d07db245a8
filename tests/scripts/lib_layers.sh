#!/usr/bin/env bash
# The shared modules stay below the verbs: lib/window includes only lib/time
# and lib/core (and itself), lib/group only lib/core and lib/expr (and
# itself), so alert, correlate, explain and patterns can use them without
# pulling in lib/agg. Usage: lib_layers.sh BIN_DIR SRC_DIR
set -u
src=${2:?usage: lib_layers.sh BIN_DIR SRC_DIR}
status=0
check() {  # folder, allowed include prefixes (regex alternation)
  local dir=$1 allowed=$2 bad
  bad=$(grep -HnE '^#include "' "$src/lib/$dir"/*.h "$src/lib/$dir"/*.cpp 2>/dev/null |
        grep -vE "#include \"($allowed)/")
  if [ -n "$bad" ]; then
    echo "lib_layers: lib/$dir may include only lib/{${allowed//|/,}}:" >&2
    echo "$bad" >&2
    status=1
  fi
}
check window 'window|time|core'
check group 'group|core|expr'
[ $status = 0 ] && echo "lib_layers: lib/window and lib/group include only what they may"
exit $status
