// olly-agg's run loop: serial streaming over stdin and compressed inputs,
// threads over byte ranges of regular files, and --merge over partial
// states. Every path ends in the same Aggregator merge and emit code.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "agg/aggregator.h"
#include "core/run.h"

namespace olly {

struct AggRunOptions {
  std::vector<std::string> files;
  unsigned jobs = 1;                  // -j: threads for regular files
  uint64_t min_chunk = 4u << 20;      // smallest range a thread gets
  bool merge = false;                 // --merge: inputs are partial states
};

// Runs the aggregation; returns the exit status (after ctx.finish).
int run_agg(AggOptions& opts, const AggRunOptions& run, RunContext& ctx);

}  // namespace olly
