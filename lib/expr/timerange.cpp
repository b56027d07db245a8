#include "expr/timerange.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "core/diag.h"
#include "expr/extract.h"
#include "expr/timefield.h"

namespace olly {

namespace {

TimeNs now_from_text(const std::string& text) {
  if (text.empty()) {
    // Read once per run, so a verb that reads its input twice (snapshot,
    // patterns --diff) cuts both passes at the same time.
    static const TimeNs clock = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    return clock;
  }
  auto t = parse_time_string(text);
  if (!t) throw UsageError(fmt::format("--now: '{}' is not an RFC 3339 time or epoch number", text));
  return *t;
}

TimeNs resolve_bound(const std::string& text, TimeNs now, const char* flag) {
  auto t = parse_time_bound(text, now);
  if (!t) {
    throw UsageError(fmt::format("{}: '{}' is not an RFC 3339 time, an epoch number or a duration "
                                 "like 15m", flag, text));
  }
  return *t;
}

// Lets the events of a range through to the stage it wraps; everything
// else about the run (kind, clones, merging, the end) is the inner stage's.
class TimeRangeStage final : public Stage {
 public:
  TimeRangeStage(Stage& inner, const TimeRange& range, const std::string& time_field, const TimeLayout& layout)
      : inner_(&inner), range_(range), time_field_(time_field), layout_(layout), time_(time_field, extractor_, layout) {}

  Result on_event(Event& ev, Emitter& out) override {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    if (!range_.contains(time_.read(slots_))) {
      ++out_of_range_;
      return Result::ok();
    }
    ev.doc->rewind();
    return inner_->on_event(ev, out);
  }
  void on_bad_line(const Event& ev, std::string_view reason) override { inner_->on_bad_line(ev, reason); }
  void on_end(Emitter& out) override { inner_->on_end(out); }
  bool done() const override { return inner_->done(); }
  bool wants_blank_lines() const override { return inner_->wants_blank_lines(); }
  StageKind kind() const override { return inner_->kind(); }
  int64_t output_limit() const override { return inner_->output_limit(); }

  std::unique_ptr<Stage> clone() const override {
    auto inner = inner_->clone();
    if (!inner) return nullptr;
    auto copy = std::make_unique<TimeRangeStage>(*inner, range_, time_field_, layout_);
    copy->owned_ = std::move(inner);
    return copy;
  }
  void absorb(Stage& range) override {
    auto& r = static_cast<TimeRangeStage&>(range);
    out_of_range_ += std::exchange(r.out_of_range_, 0);
    inner_->absorb(*r.inner_);
  }

  uint64_t out_of_range() const { return out_of_range_; }

 private:
  Stage* inner_;
  std::unique_ptr<Stage> owned_;  // a clone's own inner stage
  TimeRange range_;
  std::string time_field_;
  TimeLayout layout_;
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::vector<Value> slots_;
  uint64_t out_of_range_ = 0;
};

}  // namespace

TimeNs resolve_now(const CommonOptions& common) { return now_from_text(common.now); }

TimeRange resolve_time_range(const CommonOptions& common) {
  TimeRange range;
  if (common.since.empty() && common.until.empty()) {
    if (!common.now.empty()) now_from_text(common.now);  // still checked: a typo is not ignored
    return range;
  }
  const TimeNs now = now_from_text(common.now);
  if (!common.since.empty()) range.since = resolve_bound(common.since, now, "--since");
  if (!common.until.empty()) range.until = resolve_bound(common.until, now, "--until");
  if (range.since && range.until && *range.since >= *range.until) {
    throw UsageError(fmt::format("--since {} is not before --until {}: no event could be in the range",
                                 common.since, common.until));
  }
  return range;
}

void refuse_time_range(const CommonOptions& common, const char* flag) {
  if (common.since.empty() && common.until.empty()) return;
  throw UsageError(fmt::format("--since/--until select events by time, and {} reads partial state, not "
                               "events: give them to the runs that make the partials",
                               flag));
}

void run_event_stage(const RunnerOptions& opts, RunContext& ctx, Stage& stage,
                     const std::function<void(bool parallel)>& on_start) {
  const TimeRange range = resolve_time_range(ctx.options());
  if (!range.active()) {
    run_stage(opts, ctx, stage, on_start);
    return;
  }
  if (!opts.json) {
    throw UsageError("--since/--until select events by their time field; this run reads raw lines, "
                     "which have none");
  }
  TimeRangeStage ranged(stage, range, ctx.options().time_field,
                              resolve_time_layout(ctx.options()));
  run_stage(opts, ctx, ranged, on_start);
  ctx.add_stat("out_of_range", static_cast<int64_t>(ranged.out_of_range()));
}

}  // namespace olly
