#include "alert/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>

#include "core/base64.h"
#include "core/diag.h"
#include "core/writer.h"
#include "expr/json_value.h"
#include "group/group_key.h"
#include "time/timeutil.h"
#include "window/window.h"

namespace olly {

namespace {

constexpr int64_t kNone = INT64_MIN;

std::string number_text(std::optional<double> v) {
  if (!v) return "null";
  return fmt::format("{}", round_significant(*v));
}

struct KeyLess {
  bool operator()(const std::string& a, const std::string& b) const { return compare_keys(a, b) < 0; }
};

// A group-key value as a label (labels are strings).
std::string label_text(const Value& v) {
  switch (v.kind) {
    case Kind::string: return std::string(v.s);
    case Kind::missing:
    case Kind::null: return "";
    default: {
      std::string out;
      append_value_json(out, v);
      return out;
    }
  }
}

// Alertmanager's fingerprint idea: a 64-bit FNV-1a over the sorted label pairs.
std::string fingerprint_of(std::vector<std::pair<std::string, std::string>> labels) {
  std::sort(labels.begin(), labels.end());
  uint64_t h = 14695981039346656037ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  for (const auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  return fmt::format("{:016x}", h);
}

// The value of an aggregate in a window without events.
std::optional<double> empty_window_value(const AggSpec& s) {
  switch (s.kind) {
    case AggKind::count:
    case AggKind::count_if:
    case AggKind::rate:
    case AggKind::distinct: return 0.0;
    default: return std::nullopt;
  }
}

double median_of(std::vector<double> v) {
  const size_t n = v.size();
  std::nth_element(v.begin(), v.begin() + n / 2, v.end());
  double hi = v[n / 2];
  if (n % 2) return hi;
  double lo = *std::max_element(v.begin(), v.begin() + n / 2);
  return (lo + hi) / 2;
}

}  // namespace

// One rule: its windows (an Aggregator over events, or series lines), its
// groups' histories and their alerts.
class RuleRunner {
 public:
  RuleRunner(const Rule& rule, const AlertOptions& opts, bool hold, int64_t skip_until = INT64_MIN)
      : rule_(rule), by_(rule.by), opts_(opts) {
    AggOptions a;
    a.plan.aggs = rule.aggs;
    a.plan.by = rule.by;
    a.plan.every_ns = rule.every_ns;
    a.plan.every_text = format_duration(rule.every_ns);
    a.lateness_ns = opts.lateness_ns;
    a.max_groups = opts.max_groups;
    a.time_field = opts.time_field;
    a.time_format = opts.time_format;
    a.where = rule.where;
    a.skip_until = skip_until;
    agg_ = std::make_unique<Aggregator>(a);
    agg_->set_hold_windows(hold);
    if (rule.kind == RuleKind::slo) {
      for (const auto& w : rule.burn_windows) max_buckets_ = std::max<size_t>(max_buckets_, w.long_ns / rule.every_ns);
    }
  }

  const Rule& rule() const { return rule_; }
  Aggregator& aggregator() { return *agg_; }

  simdjson::error_code add(simdjson::ondemand::document& doc, std::string_view line, AlertEngine::Outcome& outcome) {
    Aggregator::Outcome o;
    if (auto e = agg_->add(doc, line, o)) return e;
    switch (o) {
      case Aggregator::Outcome::ok: outcome = AlertEngine::Outcome::ok; break;
      case Aggregator::Outcome::late: outcome = AlertEngine::Outcome::late; break;
      case Aggregator::Outcome::seen: outcome = AlertEngine::Outcome::seen; break;
      case Aggregator::Outcome::no_time: outcome = AlertEngine::Outcome::no_time; break;
      case Aggregator::Outcome::bad_weight: outcome = AlertEngine::Outcome::ok; break;  // rules are never weighted
    }
    if (o == Aggregator::Outcome::ok && !any_event_) any_event_ = true;
    return simdjson::SUCCESS;
  }

  // Series input: one olly-agg output line.
  void setup_series() {
    series_ = std::make_unique<SeriesReader>();
    SeriesReader& s = *series_;
    s.start_slot = s.extractor.add(parse_path_or_throw("window_start", "series"));
    for (const auto& b : by_) s.by_slots.push_back(s.extractor.add(parse_path_or_throw(b, "by")));
    s.infer_by = by_.empty();
    for (const auto& n : rule_.agg_names) s.agg_slots.push_back(s.extractor.add(parse_path_or_throw(n, "series")));
    for (const auto& f : rule_.fields) s.field_slots.push_back(s.extractor.add(parse_path_or_throw(f, "condition")));
  }
  simdjson::error_code add_series(simdjson::ondemand::document& doc, AlertEngine::Outcome& outcome,
                                  std::vector<AlertEvent>& out) {
    SeriesReader& s = *series_;
    if (s.infer_by) {
      if (auto e = infer_series_groups(doc)) return e;
    }
    if (auto e = s.extractor.extract(doc, s.slots)) return e;
    const Value& ws = s.slots[s.start_slot];
    std::optional<TimeNs> start = ws.kind == Kind::string ? parse_rfc3339(ws.s) : std::nullopt;
    if (!start) {
      outcome = AlertEngine::Outcome::bad_series;
      return simdjson::SUCCESS;
    }
    any_event_ = true;
    if (s.current != kNone && *start < s.current) {
      outcome = AlertEngine::Outcome::late;
      ++late_;
      return simdjson::SUCCESS;
    }
    if (s.current != kNone && *start > s.current) flush_series(out);
    s.current = *start;
    Row row;
    for (size_t b : s.by_slots) append_key_part(row.key, s.slots[b]);
    for (size_t i = 0; i < s.agg_slots.size(); ++i) {
      const Value& v = s.slots[s.agg_slots[i]];
      row.values.push_back(v.is_numeric() ? std::optional<double>(v.as_double()) : std::nullopt);
    }
    // Other fields keep their JSON text (owned: the line's buffer is reused).
    for (size_t f : s.field_slots) {
      std::string text;
      if (s.slots[f].kind != Kind::missing) append_value_json(text, s.slots[f]);
      row.fields.push_back(std::move(text));
    }
    s.rows.push_back(std::move(row));
    outcome = AlertEngine::Outcome::ok;
    return simdjson::SUCCESS;
  }

  // Series without `by`: the group is every other field of the first line
  // (olly-agg's by fields), all but the window and what the rule reads.
  simdjson::error_code infer_series_groups(simdjson::ondemand::document& doc) {
    SeriesReader& s = *series_;
    s.infer_by = false;
    simdjson::ondemand::object obj;
    if (doc.get_object().get(obj) == simdjson::SUCCESS) {
      for (auto field : obj) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        const std::string k(key);
        const auto used = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), k) != v.end(); };
        if (k == "window_start" || k == "window_end" || used(rule_.agg_names) || used(rule_.fields)) continue;
        by_.push_back(k);
      }
    }
    doc.rewind();
    for (const auto& b : by_) {
      Path p;
      p.steps.push_back(PathStep{b, -1});
      p.text = b;
      s.by_slots.push_back(s.extractor.add(p));
    }
    return simdjson::SUCCESS;
  }

  void evaluate_closed(std::vector<AlertEvent>& out) {
    if (series_) return;
    agg_->visit_closed([&](int64_t start, std::string_view key, std::span<const std::optional<double>> values) {
      take_result(start, key, values, out);
    });
    flush_window(out);
  }

  void finish(int64_t now, bool keep_open, std::vector<AlertEvent>& out) {
    if (series_) {
      flush_series(out);
    } else if (keep_open) {
      // Windows that have ended by now (less the lateness) are complete.
      agg_->set_hold_windows(false);
      agg_->advance_watermark(now);
      evaluate_closed(out);
    } else {
      agg_->visit_all([&](int64_t start, std::string_view key, std::span<const std::optional<double>> values) {
        take_result(start, key, values, out);
      });
      flush_window(out);
    }
    if (rule_.kind == RuleKind::absence) check_absence_at(now, out);
  }

  uint64_t late() const { return late_ + agg_->late_events(); }
  int64_t lateness_needed() const { return agg_->lateness_needed(); }
  size_t firing() const { return fired_; }

  void save(JsonBuilder& b) const;
  void load(const simdjson::dom::element& e, const std::string& path);

 private:
  struct Row {
    std::string key;
    std::vector<std::optional<double>> values;
    std::vector<std::string> fields;  // series input: JSON text of Rule::fields ("" missing)
  };
  struct SeriesReader {
    FieldExtractor extractor;
    size_t start_slot = 0;
    std::vector<size_t> by_slots, agg_slots, field_slots;
    std::vector<Value> slots;
    bool infer_by = false;
    int64_t current = kNone;
    std::vector<Row> rows;
  };
  struct Group {
    std::vector<AlertState> alerts;
    std::deque<double> history;                  // anomaly (mad)
    double ewma_mean = 0, ewma_var = 0;          // anomaly (ewma)
    uint64_t points = 0;                         // anomaly: values seen
    std::deque<std::pair<double, double>> cum;   // slo: running (bad, total) sums, one per window
    int64_t last_seen = kNone;                   // absence: end of the last window with events
  };

  // Collects one window's rows (visit order is window by window).
  void take_result(int64_t start, std::string_view key, std::span<const std::optional<double>> values,
                   std::vector<AlertEvent>& out) {
    if (pending_start_ != kNone && start != pending_start_) flush_window(out);
    pending_start_ = start;
    Row row;
    row.key = std::string(key);
    row.values.assign(values.begin(), values.end());
    pending_.push_back(std::move(row));
  }
  void flush_window(std::vector<AlertEvent>& out) {
    if (pending_start_ == kNone) return;
    evaluate_window(pending_start_, pending_, out);
    pending_.clear();
    pending_start_ = kNone;
  }
  void flush_series(std::vector<AlertEvent>& out) {
    if (!series_ || series_->current == kNone) return;
    std::sort(series_->rows.begin(), series_->rows.end(),
              [](const Row& a, const Row& b) { return compare_keys(a.key, b.key) < 0; });
    evaluate_window(series_->current, series_->rows, out);
    series_->rows.clear();
  }

  // Evaluates window `start` (rows in key order), and first the windows
  // without any event since the last one, for the groups that have state.
  void evaluate_window(int64_t start, std::vector<Row>& rows, std::vector<AlertEvent>& out) {
    const int64_t every = rule_.every_ns;
    if (last_eval_ != kNone && start <= last_eval_) {
      // Evaluated by an earlier run (--state): these events are late.
      for (const Row& r : rows) late_ += r.values.empty() || !r.values[0] ? 0 : static_cast<uint64_t>(*r.values[0]);
      return;
    }
    if (last_eval_ != kNone) {
      // A long silence: at most this many empty windows are looked at (an
      // alert's state settles long before).
      int64_t steps = 0;
      for (int64_t g = last_eval_ + every; g < start && !groups_.empty(); g += every) {
        static const std::vector<Row> kNoRows;
        evaluate_step(g, kNoRows, out);
        if (++steps > 100'000) break;
      }
    }
    evaluate_step(start, rows, out);
    last_eval_ = start;
  }

  void evaluate_step(int64_t start, const std::vector<Row>& rows, std::vector<AlertEvent>& out) {
    // Every group with a row, and every group with state, in key order.
    std::vector<std::pair<std::string, const Row*>> work;
    work.reserve(rows.size() + groups_.size());
    size_t r = 0;
    auto g = groups_.begin();
    while (r < rows.size() || g != groups_.end()) {
      const int c = r == rows.size() ? 1 : g == groups_.end() ? -1 : compare_keys(rows[r].key, g->first);
      if (c <= 0) {
        work.emplace_back(rows[r].key, &rows[r]);
        ++r;
        if (c == 0) ++g;
      } else {
        work.emplace_back(g->first, nullptr);
        ++g;
      }
    }
    for (const auto& [key, row] : work) {
      auto it = groups_.try_emplace(key).first;
      evaluate_group(start, key, it->second, row, out);
      if (idle_group(it->second)) groups_.erase(it);
    }
  }

  bool idle_group(const Group& g) const {
    for (const auto& a : g.alerts) {
      if (a.phase != AlertState::Phase::inactive) return false;
    }
    switch (rule_.kind) {
      case RuleKind::threshold: return true;
      case RuleKind::slo: {
        // Idle once no event is left in the longest window.
        if (g.cum.empty()) return true;
        const double before = g.cum.size() == max_buckets_ + 1 ? g.cum.front().second : 0;
        return g.cum.back().second == before;
      }
      case RuleKind::anomaly:
      case RuleKind::absence: return false;
    }
    return true;
  }

  // The value slots of a condition for one group and window.
  void fill_slots(const std::vector<ConditionSource>& sources, std::string_view key, const Row* row,
                  std::vector<Value>& slots, std::vector<Value>& key_values) {
    slots.clear();
    for (const auto& s : sources) {
      switch (s.kind) {
        case ConditionSource::Kind::aggregate: {
          std::optional<double> v = row ? row->values[s.index] : empty_window_value(rule_.aggs[s.index]);
          slots.push_back(v ? Value::number(*v) : Value::null());
          break;
        }
        case ConditionSource::Kind::group:
          if (key_values.empty() && !by_.empty()) key_values = decode_key(key);
          slots.push_back(s.index < key_values.size() ? key_values[s.index] : Value::null());
          break;
        case ConditionSource::Kind::field: {
          if (!row || row->fields.empty() || row->fields[s.index].empty()) {
            slots.push_back(Value::missing());
            break;
          }
          parsed_.emplace_back();
          if (parser_.parse(row->fields[s.index]).get(parsed_.back())) {
            slots.push_back(Value::null());
          } else {
            slots.push_back(value_from_dom(parsed_.back()));
          }
          break;
        }
      }
    }
  }

  Verdict threshold_verdict(std::string_view key, const Row* row) {
    Verdict v;
    std::vector<Value> key_values;
    parsed_.clear();
    parsed_.reserve(rule_.fields.size() * 3 + 3);
    scratch_.reset();
    const Condition& c = *rule_.condition;
    fill_slots(c.sources, key, row, slots_, key_values);
    v.active = c.expr.test(slots_, scratch_);
    if (c.value_expr) {
      fill_slots(c.value_sources, key, row, slots_, key_values);
      Value x = c.value_expr->eval(slots_, scratch_);
      if (x.is_numeric()) v.value = x.as_double();
    }
    v.threshold = c.threshold;
    if (rule_.resolve) {
      fill_slots(rule_.resolve->sources, key, row, slots_, key_values);
      v.resolved = rule_.resolve->expr.test(slots_, scratch_);
    } else {
      v.resolved = !v.active;
    }
    return v;
  }

  Verdict anomaly_verdict(Group& g, const Row* row) {
    Verdict v;
    v.resolved = true;
    std::optional<double> x = row ? row->values[rule_.series_index] : empty_window_value(rule_.series);
    if (!x) return v;
    v.value = x;
    const double s = rule_.sensitivity;
    auto decide = [&](double center, double scale) {
      // scale: the spread that a deviation of s times makes anomalous.
      const double up = center + s * scale, down = center - s * scale;
      const bool high = *x > up, low = *x < down;
      switch (rule_.direction) {
        case Rule::Direction::up: v.active = high; v.threshold = up; break;
        case Rule::Direction::down: v.active = low; v.threshold = down; break;
        case Rule::Direction::both: v.active = high || low; v.threshold = *x >= center ? up : down; break;
      }
      v.resolved = !v.active;
    };
    if (rule_.method == Rule::Method::mad) {
      if (g.history.size() >= rule_.min_points) {
        std::vector<double> h(g.history.begin(), g.history.end());
        const double med = median_of(h);
        std::vector<double> dev;
        dev.reserve(h.size());
        double mean_dev = 0;
        for (double y : h) {
          dev.push_back(std::fabs(y - med));
          mean_dev += std::fabs(y - med);
        }
        mean_dev /= static_cast<double>(h.size());
        // MAD / 0.6745 estimates the standard deviation; where more than half
        // the history is one value (MAD 0), 1.2533 x the mean deviation does.
        double scale = median_of(dev) / 0.6745;
        if (scale == 0) scale = 1.2533 * mean_dev;
        decide(med, scale);
      }
      g.history.push_back(*x);
      while (g.history.size() > rule_.history) g.history.pop_front();
    } else {
      if (g.points >= rule_.min_points) decide(g.ewma_mean, std::sqrt(g.ewma_var));
      if (g.points == 0) {
        g.ewma_mean = *x;
      } else {
        const double diff = *x - g.ewma_mean, incr = rule_.alpha * diff;
        g.ewma_mean += incr;
        g.ewma_var = (1 - rule_.alpha) * (g.ewma_var + diff * incr);
      }
    }
    ++g.points;
    return v;
  }

  // SLO: the running sums of the group after this window.
  void push_bucket(Group& g, const Row* row) {
    double bad = 0, total = 0;
    if (row) {
      bad = row->values[rule_.bad_index].value_or(0);
      total = row->values[rule_.total_index].value_or(0);
    }
    std::pair<double, double> last = g.cum.empty() ? std::pair<double, double>{0, 0} : g.cum.back();
    g.cum.emplace_back(last.first + bad, last.second + total);
    while (g.cum.size() > max_buckets_ + 1) g.cum.pop_front();
  }
  // Burn rate over the last n windows (or all there are).
  double burn_rate(const Group& g, size_t n) const {
    if (g.cum.empty()) return 0;
    const auto& hi = g.cum.back();
    std::pair<double, double> lo{0, 0};
    if (g.cum.size() > n) lo = g.cum[g.cum.size() - 1 - n];
    else if (g.cum.size() == max_buckets_ + 1) lo = g.cum.front();
    const double total = hi.second - lo.second, bad = hi.first - lo.first;
    if (total <= 0) return 0;
    return (bad / total) / (1 - rule_.objective / 100);
  }

  void evaluate_group(int64_t start, std::string_view key, Group& g, const Row* row, std::vector<AlertEvent>& out) {
    const int64_t t = start + rule_.every_ns;  // evaluated at the window's end
    switch (rule_.kind) {
      case RuleKind::threshold: {
        if (g.alerts.empty()) g.alerts.resize(1);
        if (!row && g.alerts[0].phase == AlertState::Phase::inactive) return;
        Verdict v = threshold_verdict(key, row);
        step(g.alerts[0], t, start, key, v, 0, "", out);
        break;
      }
      case RuleKind::anomaly: {
        if (g.alerts.empty()) g.alerts.resize(1);
        Verdict v = anomaly_verdict(g, row);
        step(g.alerts[0], t, start, key, v, 0, "", out);
        break;
      }
      case RuleKind::slo: {
        if (g.alerts.empty()) g.alerts.resize(rule_.burn_windows.size());
        push_bucket(g, row);
        for (size_t i = 0; i < rule_.burn_windows.size(); ++i) {
          const BurnWindow& w = rule_.burn_windows[i];
          const double long_burn = burn_rate(g, w.long_ns / rule_.every_ns);
          const double short_burn = burn_rate(g, w.short_ns / rule_.every_ns);
          Verdict v;
          v.active = long_burn > w.factor && short_burn > w.factor;
          v.resolved = !(short_burn > w.factor);
          v.value = long_burn;
          v.threshold = w.factor;
          std::string extra = fmt::format(
              "\"burn\":{{\"long_window\":\"{}\",\"short_window\":\"{}\",\"long\":{},\"short\":{},\"factor\":{},"
              "\"objective\":{}}}",
              format_duration(w.long_ns), format_duration(w.short_ns), number_text(long_burn),
              number_text(short_burn), number_text(w.factor), number_text(rule_.objective));
          step(g.alerts[i], t, start, key, v, i, extra, out);
        }
        break;
      }
      case RuleKind::absence: {
        if (g.alerts.empty()) g.alerts.resize(1);
        if (row && row->values[0].value_or(0) > 0) g.last_seen = t;
        absence_step(g, t, start, key, out);
        break;
      }
    }
  }

  void absence_step(Group& g, int64_t t, int64_t start, std::string_view key, std::vector<AlertEvent>& out) {
    Verdict v;
    if (g.last_seen != kNone) {
      v.active = t - g.last_seen >= rule_.absent_ns;
      v.value = static_cast<double>(t - g.last_seen) / 1e9;
    } else {
      v.active = true;  // never seen (a rule without `by` over input with no match)
    }
    v.resolved = !v.active;
    v.threshold = static_cast<double>(rule_.absent_ns) / 1e9;
    step(g.alerts[0], t, start, key, v, 0, "", out);
  }

  // At the end of input: absence judged against now.
  void check_absence_at(int64_t now, std::vector<AlertEvent>& out) {
    if (groups_.empty() && by_.empty() && !any_event_ && last_eval_ == kNone) {
      groups_[""].alerts.resize(1);  // nothing matched at all, in this run or before
    }
    for (auto& [key, g] : groups_) {
      if (g.alerts.empty()) g.alerts.resize(1);
      absence_step(g, now, now - rule_.every_ns, key, out);
    }
  }

  bool satisfied(const AlertState& a, int64_t t) const {
    if (rule_.kind != RuleKind::threshold) return true;
    if (rule_.for_windows > 0) return a.true_count >= rule_.for_windows;
    return t - a.active_at >= rule_.for_ns;
  }

  // One evaluation of one alert: its lifecycle, and the event it writes.
  void step(AlertState& a, int64_t t, int64_t start, std::string_view key, const Verdict& v, size_t which,
            const std::string& extra, std::vector<AlertEvent>& out) {
    using Phase = AlertState::Phase;
    if (a.phase == Phase::inactive) {
      if (!v.active) return;
      a.phase = Phase::pending;
      a.active_at = t;
      a.true_count = 0;
    }
    if (a.phase == Phase::pending) {
      if (!v.active) {
        a.phase = Phase::inactive;
        return;
      }
      ++a.true_count;
      if (!satisfied(a, t)) return;
      a.phase = Phase::firing;
      a.fired_at = a.last_sent = t;
      a.clear_since = kNone;
      ++fired_;
      out.push_back(make_event(a, t, start, key, v, which, extra, true));
      return;
    }
    // firing
    if (v.resolved) {
      if (a.clear_since == kNone) a.clear_since = t;
      if (t - a.clear_since >= rule_.keep_firing_for_ns) {
        out.push_back(make_event(a, t, start, key, v, which, extra, false));
        a = AlertState{};
      }
      return;
    }
    a.clear_since = kNone;
    if (v.active) ++a.true_count;
    if (opts_.repeat_ns > 0 && t - a.last_sent >= opts_.repeat_ns) {
      a.last_sent = t;
      out.push_back(make_event(a, t, start, key, v, which, extra, true));
    }
  }

  AlertEvent make_event(const AlertState& a, int64_t t, int64_t start, std::string_view key, const Verdict& v,
                        size_t which, const std::string& extra, bool firing) const {
    std::string severity = rule_.severity;
    std::vector<std::pair<std::string, std::string>> labels;
    labels.emplace_back("alertname", rule_.name);
    if (rule_.kind == RuleKind::slo) {
      const BurnWindow& w = rule_.burn_windows[which];
      severity = w.severity;
      labels.emplace_back("slo_window", format_duration(w.long_ns) + "/" + format_duration(w.short_ns));
    }
    labels.emplace_back("severity", severity);
    const std::vector<Value> key_values = by_.empty() ? std::vector<Value>{} : decode_key(key);
    std::vector<TemplateField> fields = {
        {"rule", rule_.name},
        {"severity", severity},
        {"value", v.value ? fmt::format("{:.6g}", *v.value) : "null"},
        {"threshold", v.threshold ? fmt::format("{:.6g}", *v.threshold) : "null"},
        {"window_start", format_rfc3339(start)},
        {"window_end", format_rfc3339(start + rule_.every_ns)},
        {"since", format_rfc3339(a.active_at)},
    };
    for (size_t i = 0; i < by_.size() && i < key_values.size(); ++i) {
      labels.emplace_back(by_[i], label_text(key_values[i]));
      fields.push_back({by_[i], label_text(key_values[i])});
    }
    for (const auto& [k, val] : rule_.labels) {
      labels.emplace_back(k, val);
      fields.push_back({k, val});
    }
    // A rule label may not hide the alert's own (alertname, severity, group).
    std::vector<std::pair<std::string, std::string>> unique;
    for (const auto& l : labels) {
      if (std::none_of(unique.begin(), unique.end(), [&](const auto& u) { return u.first == l.first; })) unique.push_back(l);
    }
    AlertEvent ev;
    ev.time = t;
    ev.firing = firing;
    JsonBuilder b(ev.json);
    b.begin_object();
    b.field("state", firing ? "firing" : "resolved");
    b.field("rule", rule_.name);
    b.field("kind", rule_kind_name(rule_.kind));
    b.field("severity", severity);
    b.key("labels");
    b.begin_object();
    for (const auto& [k, val] : unique) b.field(k, val);
    b.end_object();
    b.key("annotations");
    b.begin_object();
    b.field("summary", rule_.summary.empty() ? default_summary(v, key_values) : render_template(rule_.summary, fields));
    if (!rule_.description.empty()) b.field("description", render_template(rule_.description, fields));
    b.end_object();
    b.field("startsAt", format_rfc3339(a.fired_at));
    if (!firing) b.field("endsAt", format_rfc3339(t));
    b.field("since", format_rfc3339(a.active_at));
    b.field("at", format_rfc3339(t));
    b.key("group");
    b.begin_object();
    if (!by_.empty()) write_key_fields(b, by_, key);
    b.end_object();
    b.key("value");
    if (v.value) b.number(round_significant(*v.value)); else b.null();
    b.key("threshold");
    if (v.threshold) b.number(round_significant(*v.threshold)); else b.null();
    b.key("window");
    b.begin_object();
    b.field("start", format_rfc3339(start));
    b.field("end", format_rfc3339(start + rule_.every_ns));
    b.end_object();
    if (!extra.empty()) {
      ev.json.push_back(',');
      ev.json += extra;
    }
    b.field("fingerprint", fingerprint_of(unique));
    b.end_object();
    return ev;
  }

  std::string default_summary(const Verdict& v, const std::vector<Value>& key_values) const {
    std::string who;
    for (size_t i = 0; i < by_.size() && i < key_values.size(); ++i) {
      who += fmt::format("{}{}={}", who.empty() ? "" : " ", by_[i], label_text(key_values[i]));
    }
    std::string what;
    switch (rule_.kind) {
      case RuleKind::threshold: what = rule_.condition->text; break;
      case RuleKind::slo: what = fmt::format("error budget of {}% burning fast", rule_.objective); break;
      case RuleKind::anomaly: what = fmt::format("{} unusual", rule_.series.canonical()); break;
      case RuleKind::absence: what = fmt::format("no events for {}", format_duration(rule_.absent_ns)); break;
    }
    std::string value = v.value ? fmt::format(" (value {:.6g}{})", *v.value,
                                              v.threshold ? fmt::format(", threshold {:.6g}", *v.threshold) : "")
                                : "";
    return fmt::format("{}: {}{}{}", rule_.name, what, value, who.empty() ? "" : " for " + who);
  }

  const Rule& rule_;
  std::vector<std::string> by_;  // the rule's by, or (series input without one) the line's group fields
  const AlertOptions& opts_;
  std::unique_ptr<Aggregator> agg_;
  std::unique_ptr<SeriesReader> series_;
  std::map<std::string, Group, KeyLess> groups_;
  int64_t last_eval_ = kNone;  // the start of the last window evaluated
  int64_t pending_start_ = kNone;
  std::vector<Row> pending_;
  size_t max_buckets_ = 0;
  uint64_t late_ = 0;
  size_t fired_ = 0;
  bool any_event_ = false;
  std::vector<Value> slots_;
  EvalScratch scratch_;
  simdjson::dom::parser parser_;
  std::vector<simdjson::dom::element> parsed_;

  friend class AlertEngine;
};

// ---- state file ----

namespace {

const char* phase_name(AlertState::Phase p) {
  switch (p) {
    case AlertState::Phase::inactive: return "inactive";
    case AlertState::Phase::pending: return "pending";
    case AlertState::Phase::firing: return "firing";
  }
  return "?";
}

void int_or_null(JsonBuilder& b, std::string_view k, int64_t v) {
  b.key(k);
  if (v == kNone) b.null(); else b.int64(v);
}

}  // namespace

void RuleRunner::save(JsonBuilder& b) const {
  b.begin_object();
  b.field("rule", rule_.name);
  int_or_null(b, "last_eval", last_eval_);
  b.field_bool("any_event", any_event_);
  b.key("groups");
  b.begin_array();
  for (const auto& [key, g] : groups_) {
    b.begin_object();
    std::string k64;
    append_base64(k64, key);
    b.field("key", k64);
    b.key("alerts");
    b.begin_array();
    for (const auto& a : g.alerts) {
      b.begin_object();
      b.field("phase", phase_name(a.phase));
      b.field_int("active_at", a.active_at);
      b.field_int("fired_at", a.fired_at);
      b.field_int("last_sent", a.last_sent);
      int_or_null(b, "clear_since", a.clear_since);
      b.field_int("true_count", a.true_count);
      b.end_object();
    }
    b.end_array();
    b.key("history");
    b.begin_array();
    for (double h : g.history) b.number(h);
    b.end_array();
    b.key("ewma");
    b.begin_array();
    b.number(g.ewma_mean);
    b.number(g.ewma_var);
    b.end_array();
    b.field_int("points", static_cast<int64_t>(g.points));
    b.key("cum");
    b.begin_array();
    for (const auto& [bad, total] : g.cum) {
      b.begin_array();
      b.number(bad);
      b.number(total);
      b.end_array();
    }
    b.end_array();
    int_or_null(b, "last_seen", g.last_seen);
    b.end_object();
  }
  b.end_array();
  b.key("windows");
  b.begin_array();
  std::string partials;
  agg_->write_partials(partials);
  size_t at = 0;
  while (at < partials.size()) {
    size_t nl = partials.find('\n', at);
    b.raw(std::string_view(partials).substr(at, nl - at));
    at = nl + 1;
  }
  b.end_array();
  b.end_object();
}

void RuleRunner::load(const simdjson::dom::element& e, const std::string& path) {
  auto corrupt = [&](const std::string& what) {
    return UsageError(fmt::format("--state {}: rule '{}': {} (the file is damaged; --reset-state starts afresh)", path,
                                  rule_.name, what));
  };
  int64_t v;
  last_eval_ = e["last_eval"].get_int64().get(v) ? kNone : v;
  bool any;
  if (!e["any_event"].get_bool().get(any)) any_event_ = any;
  simdjson::dom::array groups, windows;
  if (e["groups"].get_array().get(groups) || e["windows"].get_array().get(windows)) throw corrupt("no groups or windows");
  for (auto ge : groups) {
    std::string_view k64;
    std::string key;
    if (ge["key"].get_string().get(k64) || !decode_base64(k64, key)) throw corrupt("a group without a key");
    Group g;
    simdjson::dom::array alerts, history, ewma, cum;
    if (ge["alerts"].get_array().get(alerts) || ge["history"].get_array().get(history) ||
        ge["ewma"].get_array().get(ewma) || ge["cum"].get_array().get(cum)) {
      throw corrupt("a group without alerts, history, ewma or cum");
    }
    for (auto ae : alerts) {
      AlertState a;
      std::string_view phase;
      if (ae["phase"].get_string().get(phase)) throw corrupt("an alert without a phase");
      a.phase = phase == "firing" ? AlertState::Phase::firing
                : phase == "pending" ? AlertState::Phase::pending
                                     : AlertState::Phase::inactive;
      if (ae["active_at"].get_int64().get(a.active_at) || ae["fired_at"].get_int64().get(a.fired_at) ||
          ae["last_sent"].get_int64().get(a.last_sent) || ae["true_count"].get_int64().get(a.true_count)) {
        throw corrupt("an alert's times");
      }
      a.clear_since = ae["clear_since"].get_int64().get(v) ? kNone : v;
      g.alerts.push_back(a);
    }
    for (auto h : history) {
      double d;
      if (h.get_double().get(d)) throw corrupt("history");
      g.history.push_back(d);
    }
    std::vector<double> ew;
    for (auto x : ewma) {
      double d;
      if (x.get_double().get(d)) throw corrupt("ewma");
      ew.push_back(d);
    }
    if (ew.size() == 2) g.ewma_mean = ew[0], g.ewma_var = ew[1];
    int64_t points;
    if (!ge["points"].get_int64().get(points)) g.points = static_cast<uint64_t>(points);
    for (auto c : cum) {
      simdjson::dom::array pair;
      double bad, total;
      if (c.get_array().get(pair) || pair.at(0).get_double().get(bad) || pair.at(1).get_double().get(total)) {
        throw corrupt("cum");
      }
      g.cum.emplace_back(bad, total);
    }
    g.last_seen = ge["last_seen"].get_int64().get(v) ? kNone : v;
    groups_[key] = std::move(g);
  }
  std::string error;
  for (auto w : windows) {
    if (agg_->add_partial(w, error) != Aggregator::PartialResult::ok) throw corrupt("an open window: " + error);
  }
}

// ---- the engine ----

AlertEngine::AlertEngine(const RuleSet& rules, const AlertOptions& opts, bool hold)
    : rules_(rules), opts_(opts), hold_(hold) {
  for (const auto& r : rules_.rules) runners_.push_back(std::make_unique<RuleRunner>(r, opts_, hold));
}

AlertEngine::~AlertEngine() = default;

std::unique_ptr<AlertEngine> AlertEngine::fresh_copy() const {
  auto copy = std::make_unique<AlertEngine>(rules_, opts_, true);
  copy->set_seen_until(seen_until_);
  return copy;
}

void AlertEngine::set_seen_until(int64_t t) {
  seen_until_ = t;
  runners_.clear();
  for (const auto& r : rules_.rules) runners_.push_back(std::make_unique<RuleRunner>(r, opts_, hold_, t));
}

int64_t AlertEngine::latest_time() const {
  int64_t t = latest_;
  if (finished_) return t;
  for (const auto& r : runners_) t = std::max(t, r->aggregator().latest_time());
  return t;
}

void AlertEngine::absorb(AlertEngine& range) {
  latest_ = std::max(latest_, range.latest_time());
  seen_ += range.seen_;
  range.seen_ = 0;
  for (size_t i = 0; i < runners_.size(); ++i) {
    runners_[i]->aggregator().merge_from(range.runners_[i]->aggregator());
    runners_[i]->any_event_ = runners_[i]->any_event_ || range.runners_[i]->any_event_;
    range.runners_[i]->any_event_ = false;
  }
}

void AlertEngine::set_series_input(bool series) {
  if (series == series_) return;
  series_ = series;
  for (auto& r : runners_) r->setup_series();
}

simdjson::error_code AlertEngine::add(simdjson::ondemand::document& doc, std::string_view line, Outcome& outcome) {
  outcome = Outcome::ok;
  for (size_t i = 0; i < runners_.size(); ++i) {
    if (i > 0) doc.rewind();
    Outcome o = Outcome::ok;
    if (series_) {
      // Series windows complete as the next window starts: evaluated there.
      if (auto e = runners_[i]->add_series(doc, o, series_out_)) return e;
    } else {
      if (auto e = runners_[i]->add(doc, line, o)) return e;
    }
    if (o == Outcome::no_time || o == Outcome::bad_series) {
      outcome = o;
      return simdjson::SUCCESS;
    }
    if (o == Outcome::seen) {
      // Read by the run that wrote the state: every rule skips it alike.
      ++seen_;
      outcome = o;
      return simdjson::SUCCESS;
    }
    if (o == Outcome::late) outcome = o;
  }
  return simdjson::SUCCESS;
}

std::string_view AlertEngine::reason(Outcome o) const {
  switch (o) {
    case Outcome::no_time:
      return opts_.time_field.empty() ? "no event time (ts, timestamp, time or @timestamp)"
                                      : "no event time in --time-field";
    case Outcome::late: return "late event: its window had been evaluated (see --lateness)";
    case Outcome::bad_series: return "series line without a window_start time (olly-agg output has one)";
    default: return "";
  }
}

void AlertEngine::evaluate_closed(std::vector<AlertEvent>& out) {
  if (!series_out_.empty()) {
    out.insert(out.end(), series_out_.begin(), series_out_.end());
    series_out_.clear();
  }
  for (auto& r : runners_) r->evaluate_closed(out);
}

void AlertEngine::finish(int64_t now, bool keep_open, std::vector<AlertEvent>& out) {
  evaluate_closed(out);
  // The latest event read, before --now moves event time on.
  latest_ = latest_time();
  finished_ = true;
  for (auto& r : runners_) r->finish(now, keep_open, out);
}

std::string AlertEngine::save_state() const {
  std::string out;
  JsonBuilder b(out);
  b.begin_object();
  b.field_int("olly_alert_state", 1);
  b.field("rules", rules_.fingerprint);
  b.key("seen_until");
  const int64_t seen = std::max(seen_until_, latest_time());
  if (seen == INT64_MIN) b.null(); else b.int64(seen);
  b.key("rule_states");
  b.begin_array();
  for (const auto& r : runners_) r->save(b);
  b.end_array();
  b.end_object();
  out.push_back('\n');
  return out;
}

void AlertEngine::load_state(std::string_view text, const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::padded_string padded(text);
  const auto corrupt = [&](const std::string& what) {
    return UsageError(fmt::format("--state {}: {} (not a state olly-alert wrote, or damaged; --reset-state starts afresh)",
                                  path, what));
  };
  if (auto e = parser.parse(padded).get(root)) throw corrupt(simdjson::error_message(e));
  int64_t version;
  if (root["olly_alert_state"].get_int64().get(version)) throw corrupt("no \"olly_alert_state\" version");
  if (version != 1) throw corrupt(fmt::format("version {} is not the version 1 this olly-alert reads", version));
  std::string_view fp;
  if (root["rules"].get_string().get(fp)) throw corrupt("no rules fingerprint");
  if (fp != rules_.fingerprint) {
    throw UsageError(fmt::format("--state {}: written for other rules (fingerprint {}, these rules are {}); use a "
                                 "state file per rule set, or --reset-state to start afresh",
                                 path, fp, rules_.fingerprint));
  }
  int64_t seen_until;
  if (!root["seen_until"].get_int64().get(seen_until)) set_seen_until(seen_until);
  simdjson::dom::array states;
  if (root["rule_states"].get_array().get(states) || states.size() != runners_.size()) {
    throw corrupt("rule_states does not hold one entry per rule");
  }
  size_t i = 0;
  for (auto s : states) runners_[i++]->load(s, path);
}

uint64_t AlertEngine::late_events() const {
  uint64_t n = 0;
  for (const auto& r : runners_) n += r->late();
  return n;
}

int64_t AlertEngine::lateness_needed() const {
  int64_t n = 0;
  for (const auto& r : runners_) n = std::max(n, r->lateness_needed());
  return n;
}

size_t AlertEngine::firing_count() const {
  size_t n = 0;
  for (const auto& r : runners_) n += r->firing();
  return n;
}

}  // namespace olly
