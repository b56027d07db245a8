#!/usr/bin/env bash
# The layers of lib/README.md hold: each folder includes only itself and the
# folders below it (no cycles), and the shared modules stay below the verbs
# (lib/window: time and core; lib/group: core and expr), so alert, correlate,
# explain and patterns can use them without pulling in lib/agg. Usage: lib_layers.sh BIN_DIR SRC_DIR
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
check core 'core'
check time 'time|core'
check expr 'expr|time|core'
check sketch 'sketch|core'
check schema 'schema|core'
check parse 'parse|core|time|expr'
check window 'window|time|core'
check group 'group|core|expr'
check sort 'sort|core|expr'
check agg 'agg|core|time|expr|sketch|window|group|sort'
check alert 'alert|agg|core|time|expr|sketch|window|group'
check correlate 'correlate|core|time|expr|sketch|window|group'
check patterns 'patterns|core|time|expr|sketch'
check explain 'explain|agg|core|time|expr|sketch|window|group'
check sample 'sample|core|time|expr|sketch'
check view 'view|core|time|expr|sketch'
check redact 'redact|core|expr'
check snapshot 'snapshot|explain|patterns|view|agg|core|time|expr|sketch|window|group'
[ $status = 0 ] && echo "lib_layers: every lib/ folder includes only what lib/README.md allows"
exit $status
