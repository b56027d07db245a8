// olly-correlate traces (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct TracesOptions {
  // Field names: the defaults are what `olly parse otlp` writes.
  std::string trace_field = "trace_id";
  std::string span_field = "span_id";
  std::string parent_field = "parent_span_id";
  std::string start_field = "start_time_unix_nano";  // absent: --time-field (ts, ...)
  std::string end_field = "end_time_unix_nano";      // absent: start + --duration-field
  std::string duration_field = "duration_ms";        // milliseconds
  std::string service_field = "service";
  std::string name_field = "name";
  std::string status_field = "status";
  std::string idle = "30s";
};

// Adds the flags only traces reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_traces_options(CLI::App& app, TracesOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string traces_doc();
std::vector<Example> traces_examples();
// Runs it over common.args; returns the exit status.
int run_traces(const TracesOptions& opts, CorrelateCommon& common);

}  // namespace olly
