// olly-correlate join (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct JoinOptions {
  // This sub-command's own flags.
};

// Adds the flags only join reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_join_options(CLI::App& app, JoinOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string join_doc();
std::vector<Example> join_examples();
// Runs it over common.args; returns the exit status.
int run_join(const JoinOptions& opts, CorrelateCommon& common);

}  // namespace olly
