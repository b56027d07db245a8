// olly-correlate sequence (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct SequenceOptions {
  // This sub-command's own flags.
};

// Adds the flags only sequence reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_sequence_options(CLI::App& app, SequenceOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string sequence_doc();
std::vector<Example> sequence_examples();
// Runs it over common.args; returns the exit status.
int run_sequence(const SequenceOptions& opts, CorrelateCommon& common);

}  // namespace olly
