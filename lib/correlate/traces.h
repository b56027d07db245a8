// olly-correlate traces (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct TracesOptions {
  // This sub-command's own flags.
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
