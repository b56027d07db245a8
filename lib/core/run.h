// Run conventions shared by every tool: --errors (dead letter), --strict,
// --stats, the end-of-run error summary, and the exit status.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/writer.h"

namespace olly {

struct CommonOptions {
  std::string errors_path;  // --errors FILE: bad lines go here as NDJSON
  bool strict = false;      // --strict: stop at the first bad line, exit 3
  bool stats = false;       // --stats: one NDJSON health line on stderr at the end
  std::string time_field;   // --time-field (empty: ts, timestamp, time, @timestamp)
  std::string time_format;  // --time-format LAYOUT: how --time-field's strings are written (strptime-style)
  std::string tz;           // --tz ZONE: the zone of times written without an offset
  int year = 0;             // --year: the year of a --time-format without one (0: the current year)
  std::string since;        // --since TIME: only events at or after it (expr/timerange.h)
  std::string until;        // --until TIME: only events before it
  std::string now;          // --now TIME: what --since/--until durations count back from
  std::string color = "auto";  // --color auto|always|never
  bool progress = false;     // --progress: show the progress line even when not a terminal
  bool no_progress = false;  // --no-progress (of the two, the last given wins; see run_tool)
};

// Thrown by RunContext::bad_record under --strict (after it reported the
// line and printed --stats; message is then empty); run_tool turns it into exit 3.
struct StrictStop {
  std::string message;
};

// The --stats counts, one definition for every verb (olly(7), --stats):
// "in" is every record read, bad ones included; "errors" is how many of them
// were bad (counted by RunContext::bad_record, so a tool never adjusts "in"
// for them); "out" is every record written. Blank lines are not records.
struct Stats {
  uint64_t records_in = 0;   // records read, good and bad
  uint64_t records_out = 0;  // records written
  uint64_t errors = 0;       // bad records (also in records_in)
  uint64_t bytes_in = 0;
};

class RunContext {
 public:
  // Opens --errors FILE (UsageError when it cannot be created).
  explicit RunContext(const CommonOptions& opts);
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  // A line that could not be used. Counted, and written to --errors as
  // {"file","line","reason","raw"} (or "raw_base64" when the line is not
  // UTF-8, so it stays recoverable byte for byte). Under --strict this
  // ends the run: flushes stdout, reports the line, prints --stats (with
  // the counts so far; bytes as last set in stats()) and throws StrictStop.
  void bad_record(std::string_view file, uint64_t line, std::string_view reason,
                  std::string_view raw);

  // A valid record the tool could not use for a reason of its own (agg's
  // late events): written to --errors as bad_record does, but not counted
  // as a bad line, and --strict does not stop on it. The tool reports it.
  void set_aside(std::string_view file, uint64_t line, std::string_view reason, std::string_view raw);

  Stats& stats() { return stats_; }
  const CommonOptions& options() const { return opts_; }

  // Ends the run: stops the progress line, flushes stdout, prints the bad-line summary and --stats to
  // stderr, and returns the exit status (status, or 3 when input failed).
  int finish(int status);
  void note_input_failure() { input_failed_ = true; }
  bool input_failed() const { return input_failed_; }
  // A tool-specific counter added to the --stats line (e.g. "late" for agg).
  void add_stat(std::string name, int64_t value) { extra_stats_.emplace_back(std::move(name), value); }
  // A tool-specific value given as JSON text (e.g. sample's drops per group), after the counters.
  void add_stat_json(std::string name, std::string json) { extra_json_stats_.emplace_back(std::move(name), std::move(json)); }
  // A line finish() reports after the bad-line summary (e.g. agg's late events).
  void add_note(std::string text) { notes_.push_back(std::move(text)); }

 private:
  CommonOptions opts_;
  Stats stats_;
  std::FILE* errors_ = nullptr;
  std::string scratch_;
  bool input_failed_ = false;
  std::string first_reason_;
  std::vector<std::pair<std::string, int64_t>> extra_stats_;
  std::vector<std::pair<std::string, std::string>> extra_json_stats_;
  std::vector<std::string> notes_;
  std::chrono::steady_clock::time_point start_;

  void print_stats();
  void write_errors_record(std::string_view file, uint64_t line, std::string_view reason, std::string_view raw);
};

// Peak resident set size of this process in MiB (from getrusage).
double peak_rss_mb();

}  // namespace olly
