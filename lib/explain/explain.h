// olly-explain: what the bad events share. Two passes over the input (a
// pipe is first spooled to an unlinked temporary file): the first profiles
// the fields (types, distinct values, quantiles: which fields are
// dimensions, their top values and numeric bins; the --over threshold; the
// latest event time for --since), the second counts each value and pair of
// values in bad and baseline events into a Tally (suspects.h), which is
// ranked or, with --partial, written as mergeable state.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "expr/timefield.h"
#include "core/run.h"
#include "core/runner.h"
#include "explain/suspects.h"

namespace olly::explain {

struct ExplainOptions {
  std::string bad;             // --bad EXPR
  std::string over;            // --over 'FIELD > pNN' (or a number)
  std::string baseline;        // --baseline EXPR
  std::string since;           // --since DURATION: bad events are the last DURATION
  std::string baseline_since;  // --baseline-since DURATION: baseline from this long before the end
  std::vector<std::string> fields;  // --fields (empty or "auto": chosen from the data)
  std::vector<std::string> exclude;  // --exclude: left out of auto (effects of the failure: level, error.*)
  size_t max_values = 50;      // --max-values: distinct values kept per field
  size_t max_fields = 32;      // --max-fields: dimensions at most
  RankOptions rank;
  bool partial = false;        // --partial
  bool merge = false;          // --merge
  bool summary = false;        // --summary (or stdout is a terminal)
  bool fail_on_suspect = false;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  RunnerOptions run;
  // Past this size the first pass profiles a sample of the input spread
  // evenly over it (RunnerOptions::sample_bytes): the profile only chooses
  // fields, values and bins, and the second pass counts every event.
  // --over's quantile and --since's latest time need every event, so they
  // read everything. Hidden --profile-sample (testing); 0: read everything.
  uint64_t profile_sample_bytes = uint64_t{8} << 20;
  // Past this size the counting pass counts the values of about this much
  // of the baseline, drawn evenly by position (CountConfig::baseline_rate):
  // a baseline share is then measured on some 140,000 events of the bench's
  // kind, and bad events are still all counted. --exact, --partial: 0 (all).
  // Hidden --baseline-sample (testing).
  uint64_t baseline_sample_bytes = uint64_t{64} << 20;
  bool exact = false;  // --exact: count every baseline event
};

// Checks the options (UsageError naming the flag) before input is read.
void validate(const ExplainOptions& opts);

// Runs olly-explain; returns the exit status (after ctx.finish).
int run_explain(ExplainOptions& opts, RunContext& ctx);

// The partial-state format version (olly-explain --partial).
inline constexpr int kExplainPartialVersion = 1;

// Writes tally as partial-state lines (each ending in a newline).
void write_partial(const Tally& tally, std::string& out);

}  // namespace olly::explain
