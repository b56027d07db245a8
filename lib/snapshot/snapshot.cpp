#include "snapshot/snapshot.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>

#include "core/diag.h"
#include "core/stage.h"
#include "core/writer.h"
#include "explain/passes.h"
#include "explain/profile.h"
#include "explain/suspects.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/timefield.h"
#include "patterns/miner.h"
#include "patterns/tokenizer.h"
#include "sketch/ddsketch.h"
#include "time/timeutil.h"
#include "view/format.h"
#include "view/render.h"
#include "view/text.h"
#include "window/window.h"
#include "expr/timerange.h"

namespace olly::snapshot {

namespace {

using explain::FieldProfile;
using explain::Profile;
using explain::StringHash;

// Groups kept with their own latency sketch; events of later groups count as "other".
constexpr size_t kMaxGroups = 1000;
// Distinct message shapes kept (olly-patterns' default bound: 10000 templates x 16).
constexpr size_t kMaxShapes = 160000;
constexpr int64_t kSecond = 1'000'000'000;

// What the second pass needs, fixed after the first.
struct Plan {
  std::optional<Expr> error;
  std::string error_text;    // as written (or picked)
  std::string error_source;  // "--error" or the field it was picked from
  std::optional<Path> latency, by, message;
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  bool has_time = false;
  int64_t t0 = 0;       // start of the first bucket
  int64_t every = 0;    // bucket length (ns)
  size_t buckets = 0;
  bool suspects = false;  // an explain tally is counted
  std::string bad_what;   // the bad events of the tally ("status >= 500", "latency_ms > 812")
  std::string error_label;  // the errors in a sentence: the expression, or "error levels of level"
  std::string bad_flag;   // explain's flag for them: --bad '...' or --over '...'
  explain::CountConfig count;
  std::vector<std::string> notes;  // what it looked for and could not find
};

struct GroupStats {
  std::string display;  // the value as text (a string without quotes)
  uint64_t count = 0, errors = 0;
  DDSketch latency;
};

// The second pass (a fold: ranges of a file are read by threads, merged in
// input order). explain's CountStage reads the document first, then it is
// rewound for one extraction that serves the error test, the time bucket,
// the latency, the group and the message.
class SnapshotStage final : public Stage {
 public:
  SnapshotStage(const Plan& plan, std::function<void(SnapshotStage&, Emitter&)> finish = {})
      : plan_(plan),
        finish_(std::move(finish)),
        count_(plan.suspects ? std::make_unique<explain::CountStage>(plan.count) : nullptr),
        time_(plan.time_field, reader(), plan.time_format),
        shapes_(tokenizer_) {
    FieldExtractor& x = reader();
    if (plan_.error) {
      for (const auto& p : plan_.error->paths()) error_slots_.push_back(x.add(p));
    }
    if (plan_.latency) latency_slot_ = x.add(*plan_.latency);
    if (plan_.by) by_slot_ = x.add(*plan_.by);
    if (plan_.message) message_slot_ = x.add(*plan_.message);
    volume_.assign(plan_.buckets, 0);
    errors_.assign(plan_.buckets, 0);
  }

  Result on_event(Event& ev, Emitter& out) override {
    // With suspects, explain's counting stage reads this stage's fields too,
    // in its one extraction of the event.
    if (count_) {
      Result r = count_->on_event(ev, out);
      if (!r.is_ok()) return r;
    } else if (auto e = extractor_.extract(*ev.doc, own_slots_)) {
      return Result::bad(e);
    }
    const std::vector<Value>& slots = count_ ? count_->slots() : own_slots_;
    scratch_.reset();
    bool is_error = false;
    if (plan_.error) {
      values_.resize(error_slots_.size());
      for (size_t i = 0; i < error_slots_.size(); ++i) values_[i] = slots[error_slots_[i]];
      is_error = plan_.error->test(values_, scratch_);
      if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    }
    ++events_;
    errors_total_ += is_error;
    const auto t = time_.read(slots);
    if (t && plan_.buckets > 0) {
      const int64_t b = floor_div(saturating_sub(tumbling_start(*t, plan_.every), plan_.t0), plan_.every);
      // A sampled first pass (a big input) may not have seen the first or
      // last time of an input out of time order: such events go to the edge
      // bucket, and are counted so the report says so.
      outside_ += b < 0 || b >= static_cast<int64_t>(plan_.buckets);
      first_ = std::min(first_, *t);
      last_ = std::max(last_, *t);
      const size_t i = static_cast<size_t>(std::clamp<int64_t>(b, 0, static_cast<int64_t>(plan_.buckets) - 1));
      ++volume_[i];
      errors_[i] += is_error;
    } else {
      ++untimed_;
    }
    double latency = NAN;
    if (plan_.latency) {
      const Value& v = slots[latency_slot_];
      if (v.is_numeric() && std::isfinite(v.as_double())) {
        latency = v.as_double();
        latency_.add(latency);
      }
    }
    if (plan_.by) {
      const Value& v = slots[by_slot_];
      if (explain::value_json(v, json_)) {
        auto it = groups_.find(std::string_view(json_));
        if (it == groups_.end() && groups_.size() < kMaxGroups) {
          GroupStats g;
          g.display = v.kind == Kind::string ? std::string(v.s) : json_;
          it = groups_.emplace(json_, std::move(g)).first;
        }
        if (it != groups_.end()) {
          GroupStats& g = it->second;
          ++g.count;
          g.errors += is_error;
          if (!std::isnan(latency)) g.latency.add(latency);
        } else {
          ++other_group_events_;
        }
      } else {
        ++no_group_;
      }
    }
    if (plan_.message) {
      const Value& v = slots[message_slot_];
      if (v.kind == Kind::string && !v.s.empty()) {
        shapes_.add(v.s, t ? floor_div(*t, 1000000) : INT64_MIN);
        ++messages_;
        if (shapes_.size() > kMaxShapes) evicted_ += shapes_.evict_oldest(shapes_.size() - kMaxShapes * 3 / 4);
      }
    }
    return Result::ok();
  }

  void on_end(Emitter& out) override {
    if (finish_) finish_(*this, out);
  }
  StageKind kind() const override { return StageKind::fold; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<SnapshotStage>(plan_); }
  void absorb(Stage& range) override {
    auto& o = static_cast<SnapshotStage&>(range);
    if (count_) count_->absorb(*o.count_);
    for (size_t i = 0; i < volume_.size(); ++i) {
      volume_[i] += o.volume_[i];
      errors_[i] += o.errors_[i];
    }
    std::fill(o.volume_.begin(), o.volume_.end(), 0);
    std::fill(o.errors_.begin(), o.errors_.end(), 0);
    events_ += o.events_;
    errors_total_ += o.errors_total_;
    untimed_ += o.untimed_;
    messages_ += o.messages_;
    evicted_ += o.evicted_;
    other_group_events_ += o.other_group_events_;
    no_group_ += o.no_group_;
    outside_ += o.outside_;
    first_ = std::min(first_, o.first_);
    last_ = std::max(last_, o.last_);
    o.first_ = INT64_MAX;
    o.last_ = INT64_MIN;
    o.events_ = o.errors_total_ = o.untimed_ = o.messages_ = o.evicted_ = o.other_group_events_ = o.no_group_ = o.outside_ = 0;
    latency_.merge(o.latency_);
    o.latency_ = DDSketch();
    // Groups are merged in input order, so which reach the cap is the same whatever -j.
    for (auto& [key, g] : o.groups_) {
      auto it = groups_.find(key);
      if (it == groups_.end() && groups_.size() >= kMaxGroups) {
        other_group_events_ += g.count;
        continue;
      }
      if (it == groups_.end()) {
        groups_.emplace(key, std::move(g));
      } else {
        it->second.count += g.count;
        it->second.errors += g.errors;
        it->second.latency.merge(g.latency);
      }
    }
    o.groups_.clear();
    shapes_.merge(o.shapes_);
    if (shapes_.size() > kMaxShapes) evicted_ += shapes_.evict_oldest(shapes_.size() - kMaxShapes * 3 / 4);
  }

  const Plan& plan_;
  std::function<void(SnapshotStage&, Emitter&)> finish_;
  FieldExtractor& reader() { return count_ ? count_->extractor() : extractor_; }

  std::unique_ptr<explain::CountStage> count_;
  FieldExtractor extractor_;  // without suspects
  TimeFieldReader time_;
  std::vector<size_t> error_slots_;
  size_t latency_slot_ = 0, by_slot_ = 0, message_slot_ = 0;
  std::vector<Value> own_slots_, values_;
  EvalScratch scratch_;
  std::string json_;
  Tokenizer tokenizer_;
  ShapeTable shapes_;

  std::vector<uint64_t> volume_, errors_;
  uint64_t events_ = 0, errors_total_ = 0, untimed_ = 0, messages_ = 0, evicted_ = 0;
  uint64_t other_group_events_ = 0, no_group_ = 0;
  int64_t first_ = INT64_MAX, last_ = INT64_MIN;  // the exact time range (the first pass may have sampled)
  uint64_t outside_ = 0;                          // timed events outside the planned buckets
  DDSketch latency_;
  std::unordered_map<std::string, GroupStats, StringHash, std::equal_to<>> groups_;
};

// --- the report -------------------------------------------------------------

struct GroupRow {
  std::string value;
  uint64_t count = 0, errors = 0;
  bool has_latency = false;
  double p50 = 0, p90 = 0, p99 = 0;
};

struct TemplateRow {
  std::string id, text, example;
  uint64_t count = 0;
  int64_t first_ms = INT64_MIN;
};

struct Report {
  uint64_t events = 0, untimed = 0, errors = 0;
  bool has_time = false;
  int64_t first = 0, last = 0, every = 0, t0 = 0;
  std::vector<uint64_t> volume, error_volume;
  bool has_latency = false;
  uint64_t latency_values = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::vector<GroupRow> groups;  // the worst first
  size_t group_count = 0;
  uint64_t other_group_events = 0;
  std::vector<TemplateRow> templates, new_templates;
  size_t template_count = 0;
  uint64_t messages = 0, evicted = 0;
  int64_t new_after_ms = INT64_MIN;  // templates first seen after this are new
  explain::Tally tally;
  std::vector<explain::Suspect> suspects;
  explain::RankInfo rank_info;
  explain::RankOptions rank;
  std::vector<std::string> narrative;
  std::string next;
};


std::string human(double v, std::string_view field) {
  std::string out;
  view::append_human_number(out, v, "", view::unit_of(field));
  return out;
}

std::string percent(double share) {
  const double v = share * 100;
  if (v == 0) return "0%";
  if (v >= 10) return fmt::format("{:.0f}%", v);
  if (v >= 1) return fmt::format("{:.1f}%", v);
  return fmt::format("{:.2g}%", v);
}

// A ratio or a rate for a sentence: three significant digits.
std::string short_number(double v) {
  std::string out;
  view::append_short_number(out, std::stod(fmt::format("{:.3g}", v)));
  return out;
}

std::string time_text(int64_t ns) { return format_rfc3339(ns, -1); }

// "1 event", "2 events".
std::string count_of(uint64_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

}  // namespace

std::string shell_quote(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s) plain &= std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./=:,@%+").find(c) != std::string_view::npos;
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int64_t bucket_length(int64_t span) {
  static constexpr int64_t kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                       21600, 43200, 86400, 172800, 604800};
  for (int64_t s : kSteps) {
    if (span / (s * kSecond) < static_cast<int64_t>(kBuckets)) return s * kSecond;
  }
  const int64_t day = 86400 * kSecond;
  return (span / static_cast<int64_t>(kBuckets) / day + 1) * day;
}

namespace {

const FieldProfile* find_field(const Profile& prof, std::string_view name) {
  auto it = prof.index.find(name);
  return it == prof.index.end() ? nullptr : prof.fields[it->second].get();
}

bool mostly_numbers(const FieldProfile& f) { return f.present > 0 && f.numbers >= 0.9 * static_cast<double>(f.present); }
bool mostly_strings(const FieldProfile& f) { return f.present > 0 && f.strings >= 0.5 * static_cast<double>(f.present); }

std::string looked_for(const std::vector<std::string>& names) {
  std::string s;
  for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
  return s;
}

// Picks the fields (or takes the flags), and builds what the second pass runs.
void plan_fields(const SnapshotOptions& opts, Profile& prof, Plan& plan) {
  if (!opts.error.empty()) {
    plan.error_text = opts.error;
    plan.error_source = "--error";
  } else {
    for (const auto& name : kStatusFields) {
      const FieldProfile* f = find_field(prof, name);
      if (f && f->numbers + f->strings > 0) {
        plan.error_text = name + " >= 500";
        plan.error_source = name;
        break;
      }
    }
    if (plan.error_text.empty()) {
      for (const auto& name : kLevelFields) {
        const FieldProfile* f = find_field(prof, name);
        if (f && mostly_strings(*f)) {
          plan.error_text = fmt::format(
              "lower({}) in [\"error\", \"err\", \"fatal\", \"critical\", \"crit\", \"alert\", \"emerg\", \"panic\"]", name);
          plan.error_source = name;
          plan.error_label = fmt::format("{} at error or above", name);
          break;
        }
      }
    }
    if (plan.error_text.empty()) {
      plan.notes.push_back(fmt::format("no error field (looked for {}, {}; --error EXPR names the errors)",
                                       looked_for(kStatusFields), looked_for(kLevelFields)));
    }
  }
  if (!plan.error_text.empty()) plan.error = Expr::compile(plan.error_text, "--error");
  if (plan.error_label.empty()) plan.error_label = plan.error_text;

  const auto pick = [&](const std::string& given, const char* flag, const std::vector<std::string>& names, auto&& fits,
                        const char* what) -> std::optional<Path> {
    if (!given.empty()) return parse_path_or_throw(given, flag);
    for (const auto& name : names) {
      const FieldProfile* f = find_field(prof, name);
      if (f && fits(*f)) return f->path;
    }
    plan.notes.push_back(fmt::format("no {} field (looked for {}; {} FIELD names one)", what, looked_for(names), flag));
    return std::nullopt;
  };
  plan.latency = pick(opts.latency, "--latency", kLatencyFields, mostly_numbers, "latency");
  plan.by = pick(opts.by, "--by", kGroupFields,
                 [](const FieldProfile& f) {
                   return f.present > 0 && f.hll.estimate() <= static_cast<double>(kMaxGroups) &&
                          (f.present < 20 || f.hll.estimate() < 0.5 * static_cast<double>(f.present));
                 },
                 "group");
  plan.message = pick(opts.message, "--message", kMessageFields, mostly_strings, "message");

  // Suspects: the error events against the rest; without errors, the slowest tenth.
  std::vector<std::string> excluded;
  {
    FieldExtractor probe;
    TimeFieldReader tr(opts.time_field, probe, opts.time_format);
    for (const auto& n : tr.names()) excluded.push_back(n);
  }
  if (plan.message) excluded.push_back(plan.message->text);
  // Effects of a failure (its level, its error object) would outrank its
  // causes: left out, as olly explain --exclude would.
  for (const auto& name : kEffectFields) excluded.push_back(name);
  if (plan.error) {
    for (const auto& p : plan.error->paths()) excluded.push_back(p.text);
    plan.count.bad = Expr::compile(plan.error_text, "--error");
    plan.bad_what = plan.error_label;
    plan.bad_flag = "--bad " + shell_quote(plan.error_text);
    plan.suspects = true;
  } else if (plan.latency) {
    const FieldProfile* f = find_field(prof, plan.latency->text);
    if (f && f->sketch.count() > 0) {
      explain::OverSpec over;
      over.field = *plan.latency;
      over.threshold = f->sketch.quantile(0.9);
      plan.count.over = over;
      plan.bad_what = fmt::format("{} > {}", plan.latency->text, round_significant(over.threshold));
      plan.bad_flag = "--over " + shell_quote(plan.latency->text + " > p90");
      excluded.push_back(plan.latency->text);
      plan.suspects = true;
    }
  }
  if (plan.suspects) {
    explain::ExplainOptions eo;
    plan.count.dims = explain::choose_dimensions(prof, eo, excluded).dims;
    plan.count.time_field = opts.time_field;
    plan.count.time_format = opts.time_format;
  }
}

void build_report(const SnapshotOptions& opts, const Plan& plan, SnapshotStage& s, Report& r) {
  r.events = s.events_;
  r.untimed = s.untimed_;
  r.errors = s.errors_total_;
  r.has_time = plan.has_time;
  r.t0 = plan.t0;
  r.every = plan.every;
  r.volume = s.volume_;
  r.error_volume = s.errors_;
  if (plan.latency && s.latency_.count() > 0) {
    r.has_latency = true;
    r.latency_values = s.latency_.count();
    r.p50 = s.latency_.quantile(0.5);
    r.p90 = s.latency_.quantile(0.9);
    r.p99 = s.latency_.quantile(0.99);
    r.max = s.latency_.max();
  }
  // The worst groups: by p99 when there is a latency, else by error rate;
  // groups too small to say anything (under 1% of events, or 5) are left out.
  const uint64_t min_events = std::max<uint64_t>(5, r.events / 100);
  r.group_count = s.groups_.size();
  r.other_group_events = s.other_group_events_;
  for (auto& [key, g] : s.groups_) {
    if (g.count < min_events) continue;
    GroupRow row;
    row.value = g.display;
    row.count = g.count;
    row.errors = g.errors;
    if (g.latency.count() > 0) {
      row.has_latency = true;
      row.p50 = g.latency.quantile(0.5);
      row.p90 = g.latency.quantile(0.9);
      row.p99 = g.latency.quantile(0.99);
    }
    r.groups.push_back(std::move(row));
  }
  const bool by_latency = r.has_latency;
  std::sort(r.groups.begin(), r.groups.end(), [&](const GroupRow& a, const GroupRow& b) {
    if (by_latency && a.p99 != b.p99) return a.p99 > b.p99;
    const double ea = static_cast<double>(a.errors) / static_cast<double>(a.count);
    const double eb = static_cast<double>(b.errors) / static_cast<double>(b.count);
    if (ea != eb) return ea > eb;
    if (a.count != b.count) return a.count > b.count;
    return a.value < b.value;
  });
  if (r.groups.size() > opts.top) r.groups.resize(opts.top);

  if (plan.message && s.shapes_.size() > 0) {
    MinerSettings settings;
    const auto templates = mine_templates(s.shapes_, s.tokenizer_, settings);
    r.template_count = templates.size();
    r.messages = s.messages_;
    r.evicted = s.evicted_;
    // New: first seen in the second half of the time range (never in the first).
    if (r.has_time && r.volume.size() > 1) r.new_after_ms = floor_div(r.t0, 1000000) + (floor_div(plan.every, 1000000) * static_cast<int64_t>(r.volume.size())) / 2;
    for (const auto& t : templates) {
      TemplateRow row{t.id, t.text, t.example, t.count, t.first_ms == INT64_MAX ? INT64_MIN : t.first_ms};
      if (r.new_after_ms != INT64_MIN && t.first_ms != INT64_MAX && t.first_ms >= r.new_after_ms) {
        if (r.new_templates.size() < opts.top) r.new_templates.push_back(row);
      }
      if (r.templates.size() < opts.top) r.templates.push_back(std::move(row));
    }
  }

  if (plan.suspects) {
    r.tally = s.count_->tally();
    r.rank.limit = opts.top;
    r.suspects = explain::rank_suspects(r.tally, r.rank, &r.rank_info);
  }
}

std::string files_text(const SnapshotOptions& opts) {
  std::string s;
  for (const auto& f : opts.run.files) {
    if (f == "-") return "";
    s += " " + shell_quote(f);
  }
  return s;
}


void write_narrative(const SnapshotOptions& opts, const Plan& plan, Report& r) {
  auto& n = r.narrative;
  if (r.events == 0) {
    n.push_back("No events: nothing to describe.");
    r.next.clear();
    return;
  }
  if (r.has_time) {
    const double secs = static_cast<double>(r.last - r.first) / 1e9;
    if (secs > 0) {
      n.push_back(fmt::format("{} over {} ({}/s).", count_of(r.events, "event"), format_duration(round_up_duration(r.last - r.first)),
                              short_number(static_cast<double>(r.events - r.untimed) / secs)));
    } else {
      n.push_back(fmt::format("{}, all at {}.", count_of(r.events, "event"), time_text(r.first)));
    }
    // Volume: a bucket far above or below the others.
    if (r.volume.size() >= 4) {
      std::vector<uint64_t> sorted(r.volume.begin(), r.volume.end());
      std::sort(sorted.begin(), sorted.end());
      const double median = static_cast<double>(sorted[sorted.size() / 2]);
      const size_t peak = static_cast<size_t>(std::max_element(r.volume.begin(), r.volume.end()) - r.volume.begin());
      if (median > 0 && static_cast<double>(r.volume[peak]) >= 3 * median) {
        n.push_back(fmt::format("Volume peaked at {} events in the {} from {}, {}x the median bucket.", r.volume[peak],
                                format_duration(r.every), time_text(r.t0 + static_cast<int64_t>(peak) * r.every),
                                short_number(static_cast<double>(r.volume[peak]) / median)));
      }
    }
  } else {
    n.push_back(fmt::format("{}, none with a time.", count_of(r.events, "event")));
  }
  if (plan.error) {
    const double rate = static_cast<double>(r.errors) / static_cast<double>(r.events);
    std::string s = fmt::format("{} of events are errors ({}: {}).", percent(rate), plan.error_label, r.errors);
    // The bucket with the highest error rate, when it stands out.
    size_t worst = SIZE_MAX;
    double worst_rate = 0;
    for (size_t i = 0; i < r.volume.size(); ++i) {
      if (r.error_volume[i] < 5) continue;
      const double br = static_cast<double>(r.error_volume[i]) / static_cast<double>(r.volume[i]);
      if (br > worst_rate) worst_rate = br, worst = i;
    }
    if (worst != SIZE_MAX && worst_rate >= 2 * rate && worst_rate - rate >= 0.01) {
      s += fmt::format(" The error rate reached {} in the {} from {}.", percent(worst_rate), format_duration(r.every),
                       time_text(r.t0 + static_cast<int64_t>(worst) * r.every));
    }
    n.push_back(s);
  }
  if (r.has_latency) {
    const std::string f = plan.latency->text;
    std::string s = fmt::format("{}: p50 {}, p90 {}, p99 {}.", f, human(r.p50, f), human(r.p90, f), human(r.p99, f));
    if (r.groups.size() > 1 && r.groups[0].has_latency && r.groups[0].p99 >= 1.5 * r.groups[1].p99) {
      s += fmt::format(" {}={} is the slowest (p99 {}, {}x the next).", plan.by->text, r.groups[0].value,
                       human(r.groups[0].p99, f), short_number(r.groups[0].p99 / r.groups[1].p99));
    }
    n.push_back(s);
  }
  if (!r.new_templates.empty()) {
    const auto& t = r.new_templates[0];
    n.push_back(fmt::format("New in the second half: \"{}\" ({} lines from {}){}.", t.text, t.count,
                            time_text(t.first_ms * 1000000),
                            r.new_templates.size() > 1 ? fmt::format(", and {} more new templates", r.new_templates.size() - 1) : ""));
  }
  if (plan.suspects && r.tally.bad > 0 && r.tally.baseline > 0) {
    const std::string text = explain::summarize(r.tally, r.suspects, r.rank_info, r.rank, plan.bad_what, 2);
    for (size_t from = 0; from < text.size();) {
      size_t nl = text.find('\n', from);
      if (nl == std::string::npos) nl = text.size();
      if (nl > from) n.push_back(text.substr(from, nl - from));
      from = nl + 1;
    }
  }
  // The next command.
  const std::string files = files_text(opts);
  bool over_suspect = false;
  for (const auto& s : r.suspects) over_suspect |= s.kind == explain::Suspect::Kind::over;
  const bool slow_group = r.groups.size() > 1 && r.groups[0].has_latency && r.groups[0].p99 >= 1.5 * r.groups[1].p99;
  if (over_suspect) {
    r.next = fmt::format("olly explain {}{}", plan.bad_flag, files);
  } else if (slow_group) {
    r.next = fmt::format("olly explain --over {}{}", shell_quote(plan.latency->text + " > p90"), files);
  } else if (!r.new_templates.empty()) {
    r.next = fmt::format("olly patterns --field {}{}", shell_quote(plan.message->text), files);
  } else if (plan.by) {
    r.next = fmt::format("olly agg count {}by {}{}{} | olly view",
                         r.has_latency ? shell_quote("p99:" + plan.latency->text) + " " : "", shell_quote(plan.by->text),
                         r.has_time ? " every " + format_duration(r.every) : "", files);
  } else {
    r.next = fmt::format("olly agg count{}{} | olly view", r.has_time ? " every " + format_duration(r.every) : "", files);
  }
}

// --- rendering --------------------------------------------------------------

void write_json(const Plan& plan, const Report& r, std::string& out) {
  JsonBuilder jb(out);
  jb.begin_object();
  jb.key("snapshot");
  jb.begin_object();
  jb.field_int("events", static_cast<int64_t>(r.events));
  jb.key("fields");
  jb.begin_object();
  if (plan.error) jb.field("error", plan.error_text); else jb.field_raw("error", "null");
  if (plan.latency) jb.field("latency", plan.latency->text); else jb.field_raw("latency", "null");
  if (plan.by) jb.field("by", plan.by->text); else jb.field_raw("by", "null");
  if (plan.message) jb.field("message", plan.message->text); else jb.field_raw("message", "null");
  jb.end_object();
  jb.key("missing");
  jb.begin_array();
  for (const auto& s : plan.notes) jb.string(s);
  jb.end_array();
  jb.key("time");
  if (r.has_time) {
    jb.begin_object();
    jb.field("first", time_text(r.first));
    jb.field("last", time_text(r.last));
    jb.field_number("span_s", static_cast<double>(r.last - r.first) / 1e9);
    jb.field("every", format_duration(r.every));
    jb.field("start", time_text(r.t0));
    jb.field_int("untimed", static_cast<int64_t>(r.untimed));
    if (r.last > r.first) jb.field_number("rate_per_s", round_significant(static_cast<double>(r.events - r.untimed) * 1e9 / static_cast<double>(r.last - r.first)));
    jb.key("volume");
    jb.begin_array();
    for (auto v : r.volume) jb.uint64(v);
    jb.end_array();
    if (plan.error) {
      jb.key("errors");
      jb.begin_array();
      for (auto v : r.error_volume) jb.uint64(v);
      jb.end_array();
    }
    jb.end_object();
  } else {
    jb.null();
  }
  jb.key("errors");
  if (plan.error) {
    jb.begin_object();
    jb.field_int("count", static_cast<int64_t>(r.errors));
    jb.field_number("rate", r.events ? round_significant(static_cast<double>(r.errors) / static_cast<double>(r.events)) : 0);
    jb.end_object();
  } else {
    jb.null();
  }
  jb.key("latency");
  if (r.has_latency) {
    jb.begin_object();
    jb.field_int("count", static_cast<int64_t>(r.latency_values));
    jb.field_number("p50", round_significant(r.p50));
    jb.field_number("p90", round_significant(r.p90));
    jb.field_number("p99", round_significant(r.p99));
    jb.field_number("max", r.max);
    jb.end_object();
  } else {
    jb.null();
  }
  jb.key("groups");
  jb.begin_array();
  for (const auto& g : r.groups) {
    jb.begin_object();
    jb.field(plan.by->text, g.value);
    jb.field_int("count", static_cast<int64_t>(g.count));
    if (plan.error) jb.field_number("error_rate", round_significant(static_cast<double>(g.errors) / static_cast<double>(g.count)));
    if (g.has_latency) {
      jb.field_number("p50", round_significant(g.p50));
      jb.field_number("p90", round_significant(g.p90));
      jb.field_number("p99", round_significant(g.p99));
    }
    jb.end_object();
  }
  jb.end_array();
  const auto templates = [&](const char* key, const std::vector<TemplateRow>& rows) {
    jb.key(key);
    jb.begin_array();
    for (const auto& t : rows) {
      jb.begin_object();
      jb.field("template", t.text);
      jb.field_int("count", static_cast<int64_t>(t.count));
      if (t.first_ms != INT64_MIN) jb.field("first", time_text(t.first_ms * 1000000));
      jb.field("id", t.id);
      jb.field("example", t.example);
      jb.end_object();
    }
    jb.end_array();
  };
  templates("templates", r.templates);
  templates("new_templates", r.new_templates);
  jb.key("suspects");
  if (plan.suspects) {
    jb.begin_object();
    jb.field("bad", plan.bad_what);
    jb.field_int("bad_events", static_cast<int64_t>(r.tally.bad));
    jb.field_int("baseline_events", static_cast<int64_t>(r.tally.baseline_total()));
    jb.field_int("baseline_counted", static_cast<int64_t>(r.tally.baseline));
    jb.key("top");
    jb.begin_array();
    for (size_t i = 0; i < r.suspects.size(); ++i) {
      std::string one;
      JsonBuilder sb(one);
      explain::write_suspect(sb, r.tally, r.suspects[i], i + 1);
      jb.raw(one);
    }
    jb.end_array();
    jb.end_object();
  } else {
    jb.null();
  }
  jb.key("narrative");
  jb.begin_array();
  for (const auto& s : r.narrative) jb.string(s);
  jb.end_array();
  if (r.next.empty()) jb.field_raw("next", "null"); else jb.field("next", r.next);
  jb.end_object();
  jb.end_object();
  out.push_back('\n');
}

size_t screen_width() {
  if (const char* c = std::getenv("COLUMNS")) {
    const long v = std::strtol(c, nullptr, 10);
    if (v >= 40 && v <= 1000) return static_cast<size_t>(v);
  }
  struct winsize ws {};
  if (::isatty(1) == 1 && ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
  return 80;
}

class Screen {
 public:
  Screen(bool color, size_t width) : color_(color), width_(width) {}
  void paint(view::Paint p, std::string_view text) {
    if (color_ && p != view::Paint::none) {
      out_.append(view::ansi(p));
      out_.append(text);
      out_.append("\x1b[0m");
    } else {
      out_.append(text);
    }
  }
  // Untrusted text (field values, templates), sanitized and cut to width columns.
  void value(std::string_view text, size_t width) {
    std::string clean;
    view::append_sanitized(clean, text);
    view::append_fitted(out_, clean, view::display_width(clean), width);
  }
  void heading(std::string_view text) {
    paint(view::Paint::bold, text);
  }
  void text(std::string_view t) { out_.append(t); }
  // Pads what was written since from to columns; color escapes take none.
  void pad_to(size_t from, size_t columns) {
    std::string visible;
    for (size_t i = from; i < out_.size(); ++i) {
      if (out_[i] == '\x1b') {
        while (i < out_.size() && out_[i] != 'm') ++i;
        continue;
      }
      visible.push_back(out_[i]);
    }
    const size_t w = view::display_width(visible);
    if (w < columns) out_.append(columns - w, ' ');
  }
  size_t mark() const { return out_.size(); }
  void nl() { out_.push_back('\n'); }
  // Wraps a sentence to the width, continuation lines indented.
  void wrapped(std::string_view prefix, std::string_view sentence) {
    std::string clean;
    view::append_sanitized(clean, sentence);
    size_t col = view::display_width(prefix);
    out_.append(prefix);
    const size_t indent = col;
    size_t i = 0;
    while (i < clean.size()) {
      size_t sp = clean.find(' ', i);
      if (sp == std::string::npos) sp = clean.size();
      std::string_view word(clean.data() + i, sp - i);
      size_t w = view::display_width(word);
      std::string cut;
      if (indent + w > width_) {  // a word wider than the screen: cut (templates, values)
        view::append_fitted(cut, word, w, width_ > indent + 1 ? width_ - indent : 1);
        word = cut;
        w = view::display_width(word);
      }
      if (col > indent && col + 1 + w > width_) {
        out_.push_back('\n');
        out_.append(indent, ' ');
        col = indent;
      } else if (col > indent) {
        out_.push_back(' ');
        ++col;
      }
      out_.append(word);
      col += w;
      i = sp + 1;
    }
    out_.push_back('\n');
  }
  std::string& out() { return out_; }
  size_t width() const { return width_; }

 private:
  bool color_;
  size_t width_;
  std::string out_;
};

// Untrusted or long text cut to width columns (sanitized).
std::string fit(std::string_view text, size_t width) {
  std::string clean, out;
  view::append_sanitized(clean, text);
  view::append_fitted(out, clean, view::display_width(clean), width);
  return out;
}

size_t columns_of(std::string_view text) {
  std::string clean;
  view::append_sanitized(clean, text);
  return view::display_width(clean);
}

// A heading in bold and what follows it dim, together within width.
void heading_line(Screen& sc, std::string_view title, std::string_view rest, size_t width) {
  const std::string t = fit(title, width);
  sc.heading(t);
  const size_t used = columns_of(t);
  if (!rest.empty() && used < width) sc.paint(view::Paint::dim, fit(rest, width - used));
  sc.nl();
}

void write_screen(const Plan& plan, const Report& r, bool color, std::string& out) {
  Screen sc(color, screen_width());
  const size_t w = sc.width();
  heading_line(sc, "olly snapshot",
               fmt::format(": {}{}", count_of(r.events, "event"),
                           r.has_time ? fmt::format(", {} .. {}", time_text(r.first), time_text(r.last)) : ""),
               w);
  // Which fields it picked.
  std::string picked;
  if (plan.error) picked += fmt::format("errors: {}{}", plan.error_text, plan.error_source == "--error" ? "" : " (picked)");
  if (plan.latency) picked += fmt::format("{}latency: {}", picked.empty() ? "" : "; ", plan.latency->text);
  if (plan.by) picked += fmt::format("{}by: {}", picked.empty() ? "" : "; ", plan.by->text);
  if (plan.message) picked += fmt::format("{}messages: {}", picked.empty() ? "" : "; ", plan.message->text);
  if (!picked.empty()) sc.wrapped("fields: ", picked);
  for (const auto& note : plan.notes) sc.wrapped("note: ", note);
  if (r.events == 0) {
    sc.nl();
    sc.wrapped("", r.narrative.empty() ? "" : r.narrative[0]);
    out += sc.out();
    return;
  }
  if (r.has_time && !r.volume.empty()) {
    sc.nl();
    // Buckets shown: adjacent ones added up when the screen is narrower than the series.
    const size_t room = w > 8 + 24 ? w - 8 - 24 : 8;
    const size_t k = (r.volume.size() + room - 1) / room;
    std::vector<double> vol, errs;
    for (size_t i = 0; i < r.volume.size(); i += k) {
      double v = 0, e = 0;
      for (size_t j = i; j < std::min(r.volume.size(), i + k); ++j) v += static_cast<double>(r.volume[j]), e += static_cast<double>(r.error_volume[j]);
      vol.push_back(v);
      errs.push_back(v > 0 ? e / v : NAN);
    }
    const std::string per = format_duration(r.every * static_cast<int64_t>(k));
    size_t from = sc.mark();
    sc.heading("volume");
    sc.pad_to(from, 8);
    view::append_sparkline(sc.out(), vol.data(), vol.size());
    sc.text(fmt::format("  max {} per {}", static_cast<uint64_t>(*std::max_element(vol.begin(), vol.end())), per));
    sc.nl();
    if (plan.error) {
      from = sc.mark();
      sc.heading("errors");
      sc.pad_to(from, 8);
      if (color) sc.out().append(view::ansi(view::Paint::bad));
      view::append_sparkline(sc.out(), errs.data(), errs.size());
      if (color) sc.out().append("\x1b[0m");
      double hi = 0;
      for (double x : errs) {
        if (!std::isnan(x)) hi = std::max(hi, x);
      }
      sc.text(fmt::format("  max {} per {}", percent(hi), per));
      sc.nl();
    }
    sc.paint(view::Paint::dim, fit(fmt::format("        {} of {} from {}", count_of(vol.size(), "bucket"), per, time_text(r.t0)), w));
    sc.nl();
  }
  if (plan.error) {
    const double rate = r.events ? static_cast<double>(r.errors) / static_cast<double>(r.events) : 0;
    size_t from = sc.mark();
    sc.heading("error rate");
    sc.pad_to(from, 12);
    sc.paint(rate >= 0.05 ? view::Paint::bad : rate > 0 ? view::Paint::warn : view::Paint::good, percent(rate));
    sc.text(fit(fmt::format(" ({} of {})", r.errors, r.events), w > 20 ? w - 20 : 1));
    sc.nl();
  }
  if (r.has_latency) {
    const std::string f = plan.latency->text;
    size_t from = sc.mark();
    sc.heading("latency");
    sc.pad_to(from, 12);
    sc.text(fit(fmt::format("p50 {}  p90 {}  p99 {}  max {}  ({})", human(r.p50, f), human(r.p90, f), human(r.p99, f),
                            human(r.max, f), count_of(r.latency_values, "value")),
                w - 12));
    sc.nl();
  }
  if (!r.groups.empty()) {
    sc.nl();
    heading_line(sc, fmt::format("worst {}", plan.by->text),
                 fmt::format(" ({} of {}{})", r.groups.size(), count_of(r.group_count, "group"),
                             r.has_latency ? ", by p99" : plan.error ? ", by error rate" : ", by events"),
                 w);
    // The numbers of each row, plain (their width decides the name's).
    struct RowText {
      std::string count, errors, bands, p99;
    };
    std::vector<RowText> rows;
    size_t full = 0, short_ = 0, digits = 1;
    for (const auto& g : r.groups) digits = std::max(digits, fmt::formatted_size("{}", g.count));
    for (const auto& g : r.groups) {
      RowText t;
      t.count = fmt::format("{:>{}} {}", g.count, digits, g.count == 1 ? "event " : "events");
      if (plan.error) {
        const std::string p = percent(static_cast<double>(g.errors) / static_cast<double>(g.count));
        t.errors = std::string(p.size() < 6 ? 6 - p.size() : 0, ' ') + p;
      }
      if (g.has_latency) {
        const std::string& f = plan.latency->text;
        t.bands = fmt::format("  p50 {}  p90 {}", human(g.p50, f), human(g.p90, f));
        t.p99 = fmt::format("  p99 {}", human(g.p99, f));
      }
      const size_t base = t.count.size() + (plan.error ? 2 + t.errors.size() + 7 : 0) + t.p99.size();
      full = std::max(full, base + t.bands.size());
      short_ = std::max(short_, base);
      rows.push_back(std::move(t));
    }
    size_t name_w = 4;
    for (const auto& g : r.groups) name_w = std::max(name_w, columns_of(g.value));
    name_w = std::min<size_t>(name_w, 28);
    // Narrow screens lose p50 and p90 first, then name columns.
    const bool bands = 2 + name_w + 1 + full <= w;
    const size_t numbers = bands ? full : short_;
    if (2 + name_w + 1 + numbers > w) name_w = w > 2 + 1 + numbers + 4 ? w - 3 - numbers : 4;
    for (size_t i = 0; i < r.groups.size(); ++i) {
      const auto& g = r.groups[i];
      const auto& t = rows[i];
      if (2 + 4 + 1 + numbers > w) {  // too narrow for any row: the name alone
        sc.text("  ");
        sc.value(g.value, w > 2 ? w - 2 : 1);
        sc.nl();
        continue;
      }
      size_t from = sc.mark();
      sc.text("  ");
      sc.value(g.value, name_w);
      sc.pad_to(from, name_w + 3);
      sc.text(t.count);
      if (plan.error) {
        sc.text("  ");
        const double er = static_cast<double>(g.errors) / static_cast<double>(g.count);
        sc.paint(er >= 0.05 ? view::Paint::bad : view::Paint::none, t.errors);
        sc.text(" errors");
      }
      if (bands) sc.text(t.bands);
      sc.text(t.p99);
      sc.nl();
    }
  }
  const auto templates = [&](std::string_view title, std::string_view rest, const std::vector<TemplateRow>& rows, bool with_time) {
    if (rows.empty()) return;
    sc.nl();
    heading_line(sc, title, rest, w);
    for (const auto& t : rows) {
      const std::string lead = fmt::format("  {:>9}  ", t.count);
      std::string suffix = with_time && t.first_ms != INT64_MIN ? fmt::format("  (from {})", time_text(t.first_ms * 1000000)) : "";
      if (lead.size() + suffix.size() + 10 > w) suffix.clear();
      sc.text(lead);
      sc.value(t.text, w > lead.size() + suffix.size() + 1 ? w - lead.size() - suffix.size() : 1);
      sc.paint(view::Paint::dim, suffix);
      sc.nl();
    }
  };
  if (plan.message) {
    templates("top templates",
              fmt::format(" ({} in {} of {})", count_of(r.template_count, "template"), count_of(r.messages, "message"),
                          plan.message->text),
              r.templates, false);
    templates("new templates", " (first seen in the second half)", r.new_templates, true);
  }
  if (plan.suspects && !r.suspects.empty()) {
    sc.nl();
    heading_line(sc, fmt::format("suspects of {}", plan.bad_what), ": share of bad vs baseline events", w);
    for (const auto& s : r.suspects) {
      std::string what;
      for (size_t k = 0; k < s.terms.size(); ++k) what += (k ? " and " : "") + explain::term_text(r.tally, s.terms[k]);
      if (!s.aliases.empty()) {
        what += " (with ";
        for (size_t k = 0; k < s.aliases.size(); ++k) what += (k ? ", " : "") + explain::term_text(r.tally, s.aliases[k]);
        what += ")";
      }
      const bool over = s.kind == explain::Suspect::Kind::over;
      const std::string nums = fmt::format("{:>5} vs {:>5}", percent(s.share_bad), percent(s.share_baseline));
      const size_t lead = 2 + nums.size() + (over ? 2 : 9);
      if (lead + 4 > w) {
        sc.text("  ");
        sc.value(what, w > 2 ? w - 2 : 1);
        sc.nl();
        continue;
      }
      sc.text("  ");
      sc.paint(over ? view::Paint::bad : view::Paint::good, nums);
      sc.text(over ? "  " : "  fewer: ");
      sc.value(what, w - lead);
      sc.nl();
    }
  }
  sc.nl();
  sc.heading("what stands out");
  sc.nl();
  for (const auto& s : r.narrative) sc.wrapped("  ", s);
  if (!r.next.empty()) {
    sc.nl();
    sc.heading("next: ");
    sc.text(r.next);
    sc.nl();
  }
  out += sc.out();
}

bool color_on(const SnapshotOptions& opts) {
  if (opts.color == "always") return true;
  if (opts.color == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(1) == 1 && !(no_color && *no_color);
}

}  // namespace

void validate(const SnapshotOptions& opts) {
  if (!opts.error.empty()) (void)Expr::compile(opts.error, "--error");
  if (!opts.latency.empty()) (void)parse_path_or_throw(opts.latency, "--latency");
  if (!opts.by.empty()) (void)parse_path_or_throw(opts.by, "--by");
  if (!opts.message.empty()) (void)parse_path_or_throw(opts.message, "--message");
  if (!opts.every.empty()) (void)duration_or_throw(opts.every, "--every", false);
  if (opts.top < 1 || opts.top > 100) throw UsageError("--top: from 1 to 100");
}

int run_snapshot(SnapshotOptions& opts, RunContext& ctx) {
  validate(opts);
  explain::StdinRewinder stdin_rewinder(opts.run.files);
  RunnerOptions runner = opts.run;

  // Pass 1, quietly: bad lines and unreadable files are reported by pass 2.
  explain::ProfileConfig pc;
  pc.auto_fields = true;
  pc.time_field = opts.time_field;
  pc.time_format = opts.time_format;
  pc.needs_time = true;
  RunnerOptions r1 = explain::quiet_inputs(runner, stdin_rewinder);
  const uint64_t input_size = explain::input_bytes(r1.files);
  if (explain::read_as_sample(input_size, opts.profile_sample_bytes)) pc.profiled_sample_lines();
  explain::ProfileStage profile_stage(pc);
  {
    RunContext quiet_ctx(explain::quiet_options(ctx.options()));
    r1.sample_bytes = opts.profile_sample_bytes;
    run_event_stage(r1, quiet_ctx, profile_stage);
  }
  stdin_rewinder.rewind();
  Profile& prof = profile_stage.profile();

  Plan plan;
  plan.time_field = opts.time_field;
  plan.time_format = opts.time_format;
  plan_fields(opts, prof, plan);
  if (!opts.exact) plan.count.baseline_rate = explain::baseline_rate_for(input_size, opts.baseline_sample_bytes);
  Report report;
  if (prof.latest != INT64_MIN) {
    plan.has_time = true;
    report.first = prof.earliest;
    report.last = prof.latest;
    const int64_t span = saturating_sub(prof.latest, prof.earliest);
    int64_t every = opts.every.empty() ? bucket_length(span) : duration_or_throw(opts.every, "--every", false);
    // A given --every that would make more than 10000 buckets is widened (and said).
    if (span / every >= 10000) {
      plan.notes.push_back(fmt::format("--every {} gives more than 10000 buckets over {}: buckets of {} instead", opts.every,
                                       format_duration(span), format_duration(bucket_length(span))));
      every = bucket_length(span);
    }
    plan.every = every;
    plan.t0 = tumbling_start(prof.earliest, every);
    plan.buckets = static_cast<size_t>((tumbling_start(prof.latest, every) - plan.t0) / every) + 1;
  } else {
    plan.notes.push_back("no event time (--time-field names it): no volume over time, no new templates");
  }

  const bool color = !opts.json && color_on(opts);
  SnapshotStage stage(plan, [&](SnapshotStage& s, Emitter& out) {
    if (s.first_ <= s.last_) {
      report.first = s.first_;
      report.last = s.last_;
    }
    if (s.outside_ > 0) {
      plan.notes.push_back(fmt::format("{} events lie outside the time range the first pass sampled (the input is "
                                       "out of time order): they are counted in the first or last bucket",
                                       s.outside_));
    }
    build_report(opts, plan, s, report);
    write_narrative(opts, plan, report);
    std::string text;
    if (opts.json) {
      write_json(plan, report, text);
    } else {
      write_screen(plan, report, color, text);
    }
    out.lines(text, 1);
  });
  run_event_stage(runner, ctx, stage);
  ctx.add_stat("events", static_cast<int64_t>(report.events));
  ctx.add_stat("groups", static_cast<int64_t>(report.group_count));
  ctx.add_stat("templates", static_cast<int64_t>(report.template_count));
  ctx.add_stat("shapes_evicted_lines", static_cast<int64_t>(report.evicted));
  ctx.add_stat("dimensions", static_cast<int64_t>(report.tally.dims.size()));
  return ctx.finish(kExitOk);
}

}  // namespace olly::snapshot
