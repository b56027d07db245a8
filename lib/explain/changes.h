// olly explain changes: change points in a windowed series (an olly-agg
// aggregate over tumbling event-time windows, lib/agg), each with the
// marker events (deploys, config changes: events matching an expression)
// that came just before it.
#pragma once
#include <cstdint>
#include <string>

#include "expr/timefield.h"
#include "core/run.h"
#include "core/runner.h"

namespace olly::explain {

struct ChangesOptions {
  std::string series = "count";  // --series: one olly-agg aggregate ("count_if(status >= 500)/count")
  std::string every = "1m";      // --every
  std::string markers;           // --markers EXPR
  std::string lookback;          // --lookback: markers this long before a change (default 5 windows)
  size_t min_segment = 3;        // --min-segment: windows on each side of a change at least
  double penalty = 1;            // --penalty: scales the default penalty (larger: fewer changes)
  size_t max_markers = 10000;    // markers kept at most
  bool summary = false;
  bool fail_on_change = false;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  RunnerOptions run;
};

void validate(const ChangesOptions& opts);
int run_changes(ChangesOptions& opts, RunContext& ctx);

}  // namespace olly::explain
