#include "agg/run_agg.h"

#include <fmt/format.h>

#include <memory>

#include "core/diag.h"
#include "core/input.h"
#include "core/runner.h"
#include "core/stage.h"
#include "expr/timerange.h"

namespace olly {

namespace {

// olly-agg's stage. Over stdin, a pipe or compressed input it runs serially:
// windows are written as event time closes them (so `tail -f | olly-agg ...
// every 1m` streams). Over regular files it is a fold: the runner cuts the
// files into ranges whose size depends only on the input's size (never on
// -j), a clone aggregates each range into a fresh state, and the states are
// merged into this stage's strictly in input order, so -j N writes exactly
// what -j 1 writes: the same merges in the same order (first/last ties,
// stddev's last digits, top-K past capacity and --sort none's first-seen
// order included).
class AggStage final : public Stage {
 public:
  // fold: the input ends (agg holds every window to the end), so its ranges can be folded.
  AggStage(Aggregator& agg, RunContext& ctx, bool fold) : agg_(agg), ctx_(ctx), fold_(fold) {}

  Result on_event(Event& ev, Emitter& out) override {
    Aggregator::Outcome outcome;
    if (auto e = agg_.add(*ev.doc, ev.raw, outcome)) return Result::bad(e);
    switch (outcome) {
      case Aggregator::Outcome::ok: break;
      // A valid event, not a bad line: kept in --errors, reported at the end.
      case Aggregator::Outcome::late: return Result::set_aside(Aggregator::reason(outcome, agg_.options()));
      default: return Result::bad(Aggregator::reason(outcome, agg_.options()));
    }
    agg_.emit_closed(out);
    return Result::ok();
  }
  void on_end(Emitter& out) override { agg_.emit_all(out, ctx_.input_failed() && ctx_.stats().records_in == 0); }

  StageKind kind() const override { return fold_ ? StageKind::fold : StageKind::serial; }
  std::unique_ptr<Stage> clone() const override {
    auto state = std::make_unique<Aggregator>(agg_.options());
    state->set_hold_windows(true);
    return std::make_unique<AggStage>(std::move(state), ctx_);
  }
  void absorb(Stage& range) override { agg_.merge_from(static_cast<AggStage&>(range).agg_); }

  AggStage(std::unique_ptr<Aggregator> own, RunContext& ctx) : own_(std::move(own)), agg_(*own_), ctx_(ctx), fold_(true) {}

 private:
  std::unique_ptr<Aggregator> own_;  // a clone's state
  Aggregator& agg_;
  RunContext& ctx_;
  bool fold_;
};

// Ends the run. Late events were left out of the result: say how many and
// the --lateness that would have counted them, and exit 3 (data left out).
int finish_run(Aggregator& agg, RunContext& ctx) {
  if (!agg.options().plan.every_ns) return ctx.finish(kExitOk);
  const uint64_t late = agg.late_events();
  ctx.add_stat("late", static_cast<int64_t>(late));
  if (late == 0) return ctx.finish(kExitOk);
  ctx.add_note(fmt::format("{} late event{} not counted: {} window had been written; add --lateness {}", late,
                           late == 1 ? "" : "s", late == 1 ? "its" : "their",
                           format_duration(round_up_duration(agg.lateness_needed()))));
  return ctx.finish(kExitInput);
}

// olly-agg --merge's stage: each line is one group's partial state (written
// by --partial), parsed with the DOM (the runner hands raw lines:
// RunnerOptions::json false). The plan comes from the first partial line
// unless AGG words were given. Serial: the states merge in input order.
class MergeStage final : public Stage {
 public:
  explicit MergeStage(AggOptions& opts) : opts_(opts), plan_given_(!opts.plan.aggs.empty()) {}

  Result on_event(Event& ev, Emitter&) override {
    simdjson::dom::element doc;
    if (auto err = parser_.parse(padded_.set(ev.raw)).get(doc)) return Result::bad(err);
    if (!agg_) {
      if (!plan_given_ && !take_plan(doc)) return Result::bad("not an olly-agg partial state (write them with --partial)");
      agg_ = std::make_unique<Aggregator>(opts_);
      agg_->set_hold_windows(true);
    }
    switch (agg_->add_partial(doc, error_)) {
      case Aggregator::PartialResult::ok: break;
      case Aggregator::PartialResult::bad: return Result::bad(error_);
      case Aggregator::PartialResult::mismatch:
        throw UsageError(fmt::format("--merge: {}:{}: {}", ev.file, ev.line, error_));
    }
    return Result::ok();
  }
  void on_end(Emitter& out) override {
    if (agg_) agg_->emit_all(out);
  }

 private:
  // The plan of a partial line into opts_; false when the line has none.
  bool take_plan(simdjson::dom::element doc) {
    simdjson::dom::array aggs, by;
    if (doc["aggs"].get_array().get(aggs) || doc["by"].get_array().get(by)) return false;
    AggPlan plan;
    for (auto a : aggs) {
      std::string_view text;
      if (a.get_string().get(text)) throw InputError("--merge: \"aggs\" must hold strings");
      plan.aggs.push_back(parse_agg_spec(text, "--merge"));
    }
    for (auto b : by) {
      std::string_view text;
      if (b.get_string().get(text)) throw InputError("--merge: \"by\" must hold strings");
      plan.by.emplace_back(text);
    }
    std::string_view every;
    if (!doc["every"].get_string().get(every)) {
      plan.every_ns = parse_duration(every);
      if (!plan.every_ns) throw InputError(fmt::format("--merge: bad \"every\" '{}'", every));
      plan.every_text = std::string(every);
    }
    opts_.plan.aggs = std::move(plan.aggs);
    opts_.plan.by = std::move(plan.by);
    opts_.plan.every_ns = plan.every_ns;
    opts_.plan.every_text = plan.every_text;
    return true;
  }

  AggOptions& opts_;
  const bool plan_given_;
  simdjson::dom::parser parser_;
  PaddedLine padded_;
  std::unique_ptr<Aggregator> agg_;
  std::string error_;  // the reason of a bad partial line (valid until the next line)
};

int run_merge(AggOptions& opts, const AggRunOptions& run, RunContext& ctx) {
  MergeStage stage(opts);
  RunnerOptions runner;
  runner.files = run.files;
  runner.json = false;
  refuse_time_range(ctx.options(), "--merge");
  run_stage(runner, ctx, stage);
  return ctx.finish(kExitOk);
}

}  // namespace

int run_agg(AggOptions& opts, const AggRunOptions& run, RunContext& ctx) {
  if (run.merge) return run_merge(opts, run, ctx);
  // Input that ends (regular files, compressed or not) holds every window
  // to the end, so the counts are those of the sorted input whatever the
  // order of its lines (several workers writing one log). A stream (pipe,
  // terminal) writes each window once event time passes its end plus
  // --lateness: `tail -f app.ndjson | olly agg count every 1m` streams.
  const bool hold_windows = inputs_are_regular_files(run.files);
  Aggregator agg(opts);
  agg.set_hold_windows(hold_windows);
  AggStage stage(agg, ctx, hold_windows);
  RunnerOptions runner;
  runner.files = run.files;
  runner.jobs = run.jobs;
  runner.min_fold_range = run.min_chunk;
  run_event_stage(runner, ctx, stage);
  return finish_run(agg, ctx);
}

}  // namespace olly
