// The one runner that feeds every stage (DESIGN.md "Code shape"). The
// strategy is chosen once, from the stage's kind and the inputs:
//
// - serial: LineReader over the inputs, one event at a time (stdin, pipes,
//   compressed files, -j 1, and stages of kind serial);
// - ordered parallel map (kind map, -j N over regular uncompressed files):
//   the files are cut into byte ranges at line boundaries; worker threads run
//   a clone of the stage over a range into the range's own output buffer and
//   bad-line records; the calling thread writes the ranges out strictly in
//   input order and hands each clone to Stage::absorb;
// - ordered fold (kind fold): the same, with ranges sized by the input alone
//   (never by -j) so the states merge alike whatever -j, and absorb merging
//   each range's state into the stage in input order.
//
// Framing (LF/CRLF, a last line without newline, the line-length cap), blank
// lines, bad lines, line numbers (counted from each file's start), --errors
// and --strict are handled here and nowhere else, so -j N writes exactly
// what -j 1 writes: stdout, the --errors file, the --stats counts, and where
// --strict stops.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/run.h"
#include "core/stage.h"

namespace CLI {
class App;
}

namespace olly {

struct RunnerOptions {
  std::vector<std::string> files;  // empty: stdin
  unsigned jobs = 1;               // threads for regular files (-j)
  uint64_t block = 1 << 20;        // bytes per range of a map stage (a hidden testing flag)
  uint64_t min_fold_range = 4u << 20;  // smallest range of a fold stage (agg --min-chunk)
  bool json = true;                // parse each line as JSON (Event::doc); false: raw lines
  // Fold stages over regular files: when the inputs are bigger than this
  // (0: never), read only a sample of about this many bytes spread evenly
  // over them (plan_sample_ranges), for a profile that chooses, not counts.
  uint64_t sample_bytes = 0;
};

// The number of cores, for a -j that was not given (0).
unsigned default_jobs(unsigned jobs);

// Adds -j/--jobs and the hidden --block-size (testing) to a per-event
// verb, bound to opts (jobs 0 until default_jobs resolves it). also_serial
// names what else that verb reads with one thread ("" for nothing).
void add_runner_options(CLI::App& app, RunnerOptions& opts, const std::string& also_serial = "");

// The parallel part of run_stage alone: false, having read nothing, when the
// stage or the inputs call for the serial runner (olly-parse frames its own
// serial input). Does not call stage.on_end.
bool run_stage_in_ranges(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
                         const std::function<void(bool parallel)>& on_start = {});

// Reads every input through stage and calls stage.on_end. Read errors throw
// InputError; open failures are noted in ctx. on_start (optional) runs once
// the strategy is chosen, before the first line is read.
void run_stage(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
               const std::function<void(bool parallel)>& on_start = {});

// The serial part of run_stage for raw lines (RunnerOptions::json false)
// alone, over a reader the caller opened and set up, writing to out
// (olly-parse's line formats). Calls stage.on_end.
void run_serial_raw(LineReader& reader, RunContext& ctx, Stage& stage, Emitter& out);

}  // namespace olly
