// olly-correlate: joins, traces, sessions and sequences over event streams,
// in event time. Each sub-command is one file pair in this folder; the flags
// they share are declared once (tools/correlate/main.cpp) into
// CorrelateCommon, and each adds its own with add_*_options.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/cli.h"
#include "core/run.h"

namespace olly {

// The flags more than one sub-command reads.
struct CorrelateCommon {
  std::vector<std::string> args;  // the words after the sub-command: inputs (and sequence's A then B ...)
  std::string key;                // --key: join's and sessionize's key field
  std::string within = "5m";      // --within: join's window, sequence's deadline
  std::vector<std::string> by;    // --by: sequence's group fields
  std::string lateness = "1m";    // --lateness: how far event time may go back
  size_t max_pending = 1'000'000; // --max-pending: state held at once before the run stops (exit 3)
  CommonOptions common;
};

// Each sub-command: its own flags (added to the one app), its man section
// and examples, and its run (returns the exit status).
struct JoinOptions;
struct TracesOptions;
struct SessionizeOptions;
struct SequenceOptions;

}  // namespace olly
