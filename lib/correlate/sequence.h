// olly-correlate sequence (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct SequenceOptions {
  // No flags of its own: the steps are words (A then B ...), --within,
  // --by and --lateness are shared.
};

// The words of `sequence A then B [then not C] FILE...` split into steps and files.
struct SequenceWords {
  std::vector<std::string> steps;   // expressions, first step first
  bool last_negated = false;        // the last step came as `then not X`
  std::vector<std::string> files;   // the rest (empty: stdin)
};
// The first word is step A; each `then` that follows a step brings one more
// (`then not X`: X must not follow, only as the last step); the first word
// after a step that is not `then` starts the files. UsageError when there
// are fewer than two steps or a `then` has no step after it.
SequenceWords parse_sequence_words(const std::vector<std::string>& args);

// Adds the flags only sequence reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_sequence_options(CLI::App& app, SequenceOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string sequence_doc();
std::vector<Example> sequence_examples();
// Runs it over common.args; returns the exit status.
int run_sequence(const SequenceOptions& opts, CorrelateCommon& common);

}  // namespace olly
