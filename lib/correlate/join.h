// olly-correlate join (see correlate.h).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "correlate/correlate.h"

namespace olly {

struct JoinOptions {
  // This sub-command's own flags.
  bool inner = false;      // --inner (the default): matched pairs only
  bool left = false;       // --left: every left event, matched or not
  bool anti = false;       // --anti: left events without a match
  std::string left_key;    // --left-key (default: --key)
  std::string right_key;   // --right-key (default: --key)
  std::string as = "right";  // --as: the member the right event goes under
};

// Adds the flags only join reads to the one app (names must not clash with
// the other sub-commands' or CorrelateCommon's).
void add_join_options(CLI::App& app, JoinOptions& opts);
// Its section of olly-correlate(1), and its EXAMPLES (each is a CLI case).
std::string join_doc();
std::vector<Example> join_examples();
// Runs it over common.args; returns the exit status.
int run_join(const JoinOptions& opts, CorrelateCommon& common);

// The output line of a pair: the left object's members, then "as": right
// (right may be "null"). left is a JSON object's text (trailing spaces allowed).
void append_joined(std::string& out, std::string_view left, std::string_view as_key, std::string_view right);

}  // namespace olly
