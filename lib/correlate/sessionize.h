// olly-correlate sessionize (see correlate.h).
#pragma once
#include <string>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct SessionizeOptions {
  std::string gap;                 // --gap: the idle time that ends a session (required)
  std::vector<std::string> first;  // --first: fields whose first value each session keeps
  std::vector<std::string> last;   // --last: fields whose last value each session keeps
};

// Adds the flags only sessionize reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_sessionize_options(CLI::App& app, SessionizeOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string sessionize_doc();
std::vector<Example> sessionize_examples();
// Runs it over common.args; returns the exit status.
int run_sessionize(const SessionizeOptions& opts, CorrelateCommon& common);

}  // namespace olly
