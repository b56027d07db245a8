// olly-snapshot: the quick take on a stream. Two passes, as olly-explain's
// (explain/passes.h, whose stages it runs): the first profiles the fields
// (to pick the error, latency, group and message fields, the explain
// dimensions and the time range), the second counts everything at once:
// volume and errors per time bucket, latency sketches overall and per group,
// message shapes (lib/patterns) and the explain tally of error events.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "expr/timefield.h"
#include "core/run.h"
#include "core/runner.h"

namespace olly::snapshot {

struct SnapshotOptions {
  std::string error;    // --error EXPR (empty: picked from the data)
  std::string latency;  // --latency FIELD
  std::string by;       // --by FIELD
  std::string message;  // --message FIELD
  std::string every;    // --every DURATION (empty: about kBuckets buckets over the time range)
  size_t top = 5;       // --top: groups, templates and suspects shown
  bool json = false;    // --json: one NDJSON document instead of the screen
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  std::string color = "auto";
  RunnerOptions run;
  // The first pass profiles a sample past this size, as olly-explain's does
  // (ExplainOptions::profile_sample_bytes); its time range is then the
  // sample's, and the second pass reads the exact one. Hidden
  // --profile-sample (testing); 0: read everything.
  uint64_t profile_sample_bytes = uint64_t{8} << 20;
  // The suspects' baseline is counted on a sample past this input size, as
  // olly-explain's (ExplainOptions::baseline_sample_bytes); --exact: all.
  // Hidden --baseline-sample (testing).
  uint64_t baseline_sample_bytes = uint64_t{64} << 20;
  bool exact = false;
};

// Time buckets at most when --every is not given.
inline constexpr size_t kBuckets = 48;
// The field names tried, in order, when no flag names one.
inline const std::vector<std::string> kStatusFields = {"status", "status_code", "http.status_code", "http.status",
                                                       "response.status"};
inline const std::vector<std::string> kLevelFields = {"level", "severity", "log.level", "lvl", "loglevel"};
inline const std::vector<std::string> kLatencyFields = {"latency_ms", "duration_ms", "latency", "duration",
                                                        "elapsed_ms", "response_time_ms", "took_ms", "request_time"};
inline const std::vector<std::string> kGroupFields = {"service", "route", "path", "endpoint", "service.name",
                                                      "url.path", "host"};
// Left out of the suspects: effects of a failure rather than its causes.
inline const std::vector<std::string> kEffectFields = {"level", "severity", "log.level", "lvl", "loglevel", "error",
                                                       "err", "exception"};
inline const std::vector<std::string> kMessageFields = {"msg", "message", "log", "body"};

// The bucket length over a time range of span ns: the smallest round
// duration (1s, 2s, 5s, 10s, 15s, 30s, 1m, ... 7d, then whole days) giving
// fewer than kBuckets buckets.
int64_t bucket_length(int64_t span);

// s as one shell word: as is when it holds only safe characters, else in
// single quotes (the next command it suggests is pasted into a shell).
std::string shell_quote(std::string_view s);

// Checks the options (UsageError naming the flag) before input is read.
void validate(const SnapshotOptions& opts);

// Runs olly-snapshot; returns the exit status (after ctx.finish).
int run_snapshot(SnapshotOptions& opts, RunContext& ctx);

}  // namespace olly::snapshot
