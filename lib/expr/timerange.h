// --since / --until / --now: the event-time range of every verb that reads
// events (one implementation). A verb either runs its stage through
// run_event_stage, which lets only the events inside the range reach the
// stage, or (olly-filter, olly-correlate join, which read the time anyway)
// tests TimeRange::contains on the time it has read.
#pragma once
#include <functional>
#include <optional>

#include "core/run.h"
#include "core/runner.h"
#include "core/stage.h"
#include "time/timeutil.h"

namespace olly {

struct TimeRange {
  std::optional<TimeNs> since;  // inclusive
  std::optional<TimeNs> until;  // exclusive

  bool active() const { return since || until; }
  // An event without a time is outside every range that is active.
  bool contains(std::optional<TimeNs> t) const {
    return t && (!since || *t >= *since) && (!until || *t < *until);
  }
};

// common.now (--now) as a time; the clock, read once per run, when it is
// not given. UsageError when it is not an RFC 3339 time or epoch number.
TimeNs resolve_now(const CommonOptions& common);

// The range common.since / common.until name, relative durations counted
// back from common.now (default: the clock, read once here). UsageError
// naming the flag when one is not an RFC 3339 time, an epoch number or a
// duration; or when --since is not before --until.
TimeRange resolve_time_range(const CommonOptions& common);

// UsageError when common has --since or --until: for a run (named by flag,
// e.g. "--merge") that reads no events, only state made from them.
void refuse_time_range(const CommonOptions& common, const char* flag);

// run_stage (core/runner.h), with only the events inside the range of
// ctx.options() reaching stage; the others are counted in --stats as
// "out_of_range" (an event without a time is out of every range). Without
// --since/--until it is run_stage itself. UsageError, before any input is
// read, when a range is given and the run reads raw lines (no events).
void run_event_stage(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
                     const std::function<void(bool parallel)>& on_start = {});

}  // namespace olly
