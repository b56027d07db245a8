#include "explain/changes.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "agg/aggregator.h"
#include "core/diag.h"
#include "core/input.h"
#include "core/stage.h"
#include "core/writer.h"
#include "explain/stats.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/timefield.h"
#include "time/timeutil.h"

namespace olly::explain {

namespace {

struct Marker {
  int64_t time;
  std::string raw;
};

struct ChangesConfig {
  AggOptions agg;
  std::optional<Expr> markers;
  size_t max_markers;
};

class ChangesStage final : public Stage {
 public:
  ChangesStage(const ChangesConfig& cfg, bool fold)
      : cfg_(cfg), fold_(fold), agg_(std::make_unique<Aggregator>(cfg.agg)), time_(cfg.agg.time_field, extractor_, cfg.agg.time_format) {
    agg_->set_hold_windows(true);
    if (cfg_.markers) {
      for (const auto& p : cfg_.markers->paths()) marker_slots_.push_back(extractor_.add(p));
    }
  }

  Result on_event(Event& ev, Emitter&) override {
    Aggregator::Outcome outcome;
    if (auto e = agg_->add(*ev.doc, ev.raw, outcome)) return Result::bad(e);
    if (outcome != Aggregator::Outcome::ok) return Result::bad(Aggregator::reason(outcome, agg_->options()));
    if (!cfg_.markers) return Result::ok();
    ev.doc->rewind();
    scratch_.reset();
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    values_.resize(marker_slots_.size());
    for (size_t i = 0; i < marker_slots_.size(); ++i) values_[i] = slots_[marker_slots_[i]];
    if (cfg_.markers->test(values_, scratch_)) {
      const auto t = time_.read(slots_);
      if (t) {
        if (markers_.size() < cfg_.max_markers) {
          markers_.push_back({*t, std::string(ev.raw)});
        } else {
          ++markers_dropped_;
        }
      }
    }
    return Result::ok();
  }

  StageKind kind() const override { return fold_ ? StageKind::fold : StageKind::serial; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<ChangesStage>(cfg_, true); }
  void absorb(Stage& range) override {
    auto& o = static_cast<ChangesStage&>(range);
    agg_->merge_from(*o.agg_);
    for (auto& m : o.markers_) {
      if (markers_.size() < cfg_.max_markers) {
        markers_.push_back(std::move(m));
      } else {
        ++markers_dropped_;
      }
    }
    markers_dropped_ += o.markers_dropped_;
    o.markers_.clear();
    o.markers_dropped_ = 0;
  }

  Aggregator& agg() { return *agg_; }
  std::vector<Marker>& markers() { return markers_; }
  uint64_t markers_dropped() const { return markers_dropped_; }

 private:
  const ChangesConfig& cfg_;
  bool fold_;
  std::unique_ptr<Aggregator> agg_;
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::vector<size_t> marker_slots_;
  std::vector<Value> slots_, values_;
  EvalScratch scratch_;
  std::vector<Marker> markers_;
  uint64_t markers_dropped_ = 0;
};

std::string number_text(double v) {
  std::string s;
  append_json_number(s, round_significant(v));
  return s;
}

}  // namespace

void validate(const ChangesOptions& opts) {
  (void)parse_agg_spec(opts.series, "--series");
  (void)duration_or_throw(opts.every, "--every", false);
  if (!opts.lookback.empty()) (void)duration_or_throw(opts.lookback, "--lookback", true);
  if (!opts.markers.empty()) (void)Expr::compile(opts.markers, "--markers");
  if (opts.min_segment < 1) throw UsageError("--min-segment: at least 1");
  if (!(opts.penalty > 0) || !std::isfinite(opts.penalty)) throw UsageError("--penalty: must be a positive number");
}

int run_changes(ChangesOptions& opts, RunContext& ctx) {
  validate(opts);
  ChangesConfig cfg;
  cfg.agg.plan.aggs.push_back(parse_agg_spec(opts.series, "--series"));
  cfg.agg.plan.every_ns = duration_or_throw(opts.every, "--every", false);
  cfg.agg.plan.every_text = opts.every;
  cfg.agg.plan.validate();
  cfg.agg.time_field = opts.time_field;
  cfg.agg.time_format = opts.time_format;
  cfg.agg.sort = true;
  if (!opts.markers.empty()) cfg.markers = Expr::compile(opts.markers, "--markers");
  cfg.max_markers = opts.max_markers;
  const int64_t every = *cfg.agg.plan.every_ns;
  const int64_t lookback = opts.lookback.empty() ? 5 * every : duration_or_throw(opts.lookback, "--lookback", true);

  // Every window is held to the end of input (the series is judged whole),
  // so a stream is read to its end too; regular files are folded by range.
  ChangesStage stage(cfg, inputs_are_regular_files(opts.run.files));
  size_t changes = 0;
  run_stage(opts.run, ctx, stage);

  std::vector<int64_t> starts;
  std::vector<double> series;
  stage.agg().visit_all([&](int64_t start, std::string_view, std::span<const std::optional<double>> values) {
    if (values.empty() || !values[0]) return;
    starts.push_back(start);
    series.push_back(*values[0]);
  });
  auto& markers = stage.markers();
  std::stable_sort(markers.begin(), markers.end(), [](const Marker& a, const Marker& b) { return a.time < b.time; });

  const std::vector<size_t> cps = change_points(series, opts.min_segment, -opts.penalty);

  std::string body;
  std::string summary;
  std::vector<size_t> bounds = {0};
  bounds.insert(bounds.end(), cps.begin(), cps.end());
  bounds.push_back(series.size());
  const auto mean = [&](size_t lo, size_t hi) {
    double s = 0;
    for (size_t i = lo; i < hi; ++i) s += series[i];
    return s / static_cast<double>(hi - lo);
  };
  for (size_t k = 1; k + 1 < bounds.size(); ++k) {
    const size_t at = bounds[k];
    const double before = mean(bounds[k - 1], at), after = mean(at, bounds[k + 1]);
    const int64_t t = starts[at];
    JsonBuilder jb(body);
    jb.begin_object();
    jb.field("time", format_rfc3339(t));
    jb.field("series", opts.series);
    jb.key("before");
    jb.raw(number_text(before));
    jb.key("after");
    jb.raw(number_text(after));
    jb.key("change");
    jb.raw(number_text(after - before));
    jb.field_int("windows_before", static_cast<int64_t>(at - bounds[k - 1]));
    jb.field_int("windows_after", static_cast<int64_t>(bounds[k + 1] - at));
    jb.key("markers");
    jb.begin_array();
    // Markers that came just before the change: from lookback before the
    // window where the new level starts to that window's end.
    std::vector<const Marker*> near;
    for (const Marker& m : markers) {
      if (m.time >= saturating_sub(t, lookback) && m.time < saturating_add(t, every)) near.push_back(&m);
    }
    for (const Marker* m : near) jb.raw(m->raw);
    jb.end_array();
    jb.end_object();
    body.push_back('\n');
    ++changes;
    summary += fmt::format("{} went from {} to {} at {}", opts.series, number_text(before), number_text(after),
                           format_rfc3339(t));
    if (!near.empty()) {
      summary += fmt::format(", {} marker event{} just before: {}", near.size(), near.size() == 1 ? "" : "s",
                             near.back()->raw.substr(0, 200));
    }
    summary += ".\n";
  }
  if (opts.summary || ::isatty(1) == 1) {
    if (changes == 0) {
      summary = fmt::format("No change point in {} over {} windows of {}.\n", opts.series, series.size(), opts.every);
    }
    std::fwrite(summary.data(), 1, summary.size(), stderr);
    std::fflush(stderr);
  }
  Emitter out(stdout_sink(), ctx.stats());
  out.lines(body, changes);
  ctx.add_stat("windows", static_cast<int64_t>(series.size()));
  ctx.add_stat("markers", static_cast<int64_t>(markers.size()));
  ctx.add_stat("markers_dropped", static_cast<int64_t>(stage.markers_dropped()));
  ctx.add_stat("changes", static_cast<int64_t>(changes));
  return ctx.finish(opts.fail_on_change && changes > 0 ? kExitFindings : kExitOk);
}

}  // namespace olly::explain
