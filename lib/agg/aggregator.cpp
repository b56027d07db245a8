#include "agg/aggregator.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "group/group_key.h"
#include "core/diag.h"
#include "expr/json_value.h"
#include "core/writer.h"
#include "sketch/hash.h"
#include "window/window.h"

namespace olly {

namespace {

constexpr int64_t kNoWindow = INT64_MIN;

// min, max and stddev read the plain accumulator a weighted one holds.
const NumericAcc* plain_numeric(const Accumulator* acc) {
  if (acc->kind() == AccKind::wnumeric) return &static_cast<const WeightedNumericAcc*>(acc)->plain;
  return static_cast<const NumericAcc*>(acc);
}

bool is_numeric_kind(AggKind k) {
  return k != AggKind::top && k != AggKind::hist && k != AggKind::first && k != AggKind::last;
}

}  // namespace

Aggregator::Aggregator(const AggOptions& opts) : opts_(opts), watermark_(opts.lateness_ns) {
  opts_.plan.validate();
  windowed_ = opts_.plan.every_ns.has_value();
  weighted_ = !opts_.weight_field.empty();
  if (weighted_ && opts_.partial) {
    throw UsageError("--weighted: weighted partial state is not supported; merge unweighted partials, or "
                     "run --weighted over the events");
  }
  for (const auto& b : opts_.plan.by) by_slots_.push_back(add_path(parse_path_or_throw(b, "by")));
  nested_by_ = nested_key_names(opts_.plan.by);
  for (const auto& a : opts_.plan.aggs) {
    outputs_.push_back(compile_output(a));
    canonical_aggs_.push_back(a.canonical());
  }
  if (weighted_) weight_slot_ = add_path(parse_path_or_throw(opts_.weight_field, "--weight-field"));
  if (!opts_.where.empty()) {
    where_ = Expr::compile(opts_.where, "where");
    for (const auto& p : where_->paths()) where_slots_.push_back(add_path(p));
  }
  bool needs_time = windowed_;
  for (const auto& r : recipes_) {
    if (r.kind == AccKind::first || r.kind == AccKind::last || r.kind == AccKind::time_span) needs_time = true;
  }
  if (needs_time) {
    needs_time_ = true;
    std::vector<std::string> names(kDefaultTimeFields.begin(), kDefaultTimeFields.end());
    if (!opts_.time_field.empty()) names = {opts_.time_field};
    time_slot_ = add_path(parse_path_or_throw(names[0], "--time-field"));
    // The fallback extractor reads everything again (strings of a first pass
    // would not survive the second), main paths first so their slots agree.
    for (const auto& p : main_paths_) time_fallback_.add(p);
    for (size_t i = 1; i < names.size(); ++i) {
      fallback_time_slots_.push_back(time_fallback_.add(parse_path_or_throw(names[i], "--time-field")));
    }
  }
  expr_result_.resize(exprs_.size());
  if (!opts_.sort_fields.empty()) {
    if (opts_.partial) throw UsageError("--sort FIELDS: partial states are not final rows; sort after --merge");
    check_sort_fields();
    row_sorter_ = std::make_unique<LineSorter>(opts_.sort_fields);
  }
  if (opts_.limit != SIZE_MAX && opts_.partial) {
    throw UsageError("--limit: partial states must all reach --merge; limit the merged output");
  }
}

// The output fields are known from the plan, so a --sort field no row can
// have is a usage error before any input is read.
void Aggregator::check_sort_fields() const {
  std::vector<std::string> names;
  if (windowed_) names = {"window_start", "window_end"};
  for (const auto& b : opts_.plan.by) names.push_back(b);
  for (const auto& a : opts_.plan.aggs) names.push_back(a.name);
  for (const auto& f : opts_.sort_fields) {
    const std::string& t = f.path.text;
    bool found = false;
    for (const auto& n : names) {
      // The field itself, or a path inside it (top_path[0].count).
      if (t.starts_with(n) && (t.size() == n.size() || t[n.size()] == '.' || t[n.size()] == '[')) found = true;
    }
    if (!found) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw UsageError(fmt::format("--sort: '{}' is not an output field (they are: {})", t, list));
    }
  }
}

Aggregator::~Aggregator() = default;

size_t Aggregator::add_path(const Path& p) {
  size_t slot = extractor_.add(p);
  if (slot == main_paths_.size()) main_paths_.push_back(p);
  return slot;
}

size_t Aggregator::recipe_for(AccKind kind, const std::string& field, size_t expr, const std::string& id) {
  for (size_t i = 0; i < recipes_.size(); ++i) {
    if (recipes_[i].id == id) return i;
  }
  Recipe r;
  r.kind = kind;
  r.expr = expr;
  r.id = id;
  if (!field.empty()) r.slot = add_path(parse_path_or_throw(field, "AGG"));
  recipes_.push_back(std::move(r));
  return recipes_.size() - 1;
}

Aggregator::Output Aggregator::compile_output(const AggSpec& spec) {
  Output o{&spec, SIZE_MAX, {}};
  const std::string& f = spec.field;
  const AccKind count_kind = weighted_ ? AccKind::wcount : AccKind::count;
  switch (spec.kind) {
    case AggKind::count: o.recipe = recipe_for(count_kind, "", SIZE_MAX, "count"); break;
    case AggKind::rate:
      o.recipe = recipe_for(count_kind, "", SIZE_MAX, "count");
      if (!windowed_) recipe_for(AccKind::time_span, "", SIZE_MAX, "time_span");
      break;
    case AggKind::count_if: {
      std::string id = "count_if:" + spec.expr;
      size_t existing = SIZE_MAX;
      for (size_t i = 0; i < recipes_.size(); ++i) {
        if (recipes_[i].id == id) existing = i;
      }
      if (existing != SIZE_MAX) {
        o.recipe = existing;
        break;
      }
      exprs_.push_back(Expr::compile(spec.expr, "count_if"));
      std::vector<size_t> slots;
      for (const auto& p : exprs_.back().paths()) slots.push_back(add_path(p));
      expr_slots_.push_back(std::move(slots));
      o.recipe = recipe_for(count_kind, "", exprs_.size() - 1, id);
      break;
    }
    case AggKind::sum:
    case AggKind::avg:
    case AggKind::min:
    case AggKind::max:
    case AggKind::stddev:
      o.recipe = recipe_for(weighted_ ? AccKind::wnumeric : AccKind::numeric, f, SIZE_MAX, "numeric:" + f);
      break;
    case AggKind::quantile: o.recipe = recipe_for(AccKind::quantile, f, SIZE_MAX, "quantile:" + f); break;
    case AggKind::distinct: o.recipe = recipe_for(AccKind::distinct, f, SIZE_MAX, "distinct:" + f); break;
    case AggKind::top: o.recipe = recipe_for(AccKind::top, f, SIZE_MAX, "top:" + f); break;
    case AggKind::first: o.recipe = recipe_for(AccKind::first, f, SIZE_MAX, "first:" + f); break;
    case AggKind::last: o.recipe = recipe_for(AccKind::last, f, SIZE_MAX, "last:" + f); break;
    case AggKind::hist: o.recipe = recipe_for(AccKind::hist, f, SIZE_MAX, "hist:" + f); break;
    case AggKind::ratio:
      for (const auto& a : spec.args) {
        if (!is_numeric_kind(a.kind)) {
          throw UsageError(fmt::format("AGG: '{}': ratio needs numeric aggregates, not {}", spec.canonical(),
                                       agg_kind_name(a.kind)));
        }
        o.args.push_back(compile_output(a));
      }
      break;
  }
  return o;
}

std::unique_ptr<Accumulator> Aggregator::make_acc(const Recipe& r) const {
  switch (r.kind) {
    case AccKind::count: return std::make_unique<CountAcc>();
    case AccKind::numeric: return std::make_unique<NumericAcc>();
    case AccKind::quantile: return std::make_unique<QuantileAcc>(opts_.accuracy);
    case AccKind::distinct: return std::make_unique<DistinctAcc>();
    case AccKind::top: {
      // The summary holds at least 4x the largest K asked of this field.
      size_t k = 1;
      for (const auto& a : opts_.plan.aggs) {
        if (a.kind == AggKind::top && "top:" + a.field == r.id) k = std::max(k, a.k);
      }
      return std::make_unique<TopAcc>(std::max(opts_.topk_capacity, 4 * k));
    }
    case AccKind::first: return std::make_unique<PickAcc>(false);
    case AccKind::last: return std::make_unique<PickAcc>(true);
    case AccKind::hist: return std::make_unique<HistAcc>();
    case AccKind::time_span: return std::make_unique<TimeSpanAcc>();
    case AccKind::wcount: return std::make_unique<WeightedCountAcc>();
    case AccKind::wnumeric: return std::make_unique<WeightedNumericAcc>();
  }
  return nullptr;
}

Aggregator::Accs& Aggregator::find_or_add(Table& table, std::string_view key) {
  const uint64_t h = hash_bytes(key);
  if (Accs* g = table.find(key, h)) return *g;
  if (total_groups_ >= opts_.max_groups) {
    // A file held to its end holds groups x windows: longer windows, or streaming it, hold fewer.
    const bool held = windowed_ && watermark_.hold();
    throw InputError(fmt::format(
        "more than {0} groups held at once (--max-groups {0}){1} group by fewer fields, {2}, or raise --max-groups",
        opts_.max_groups,
        held ? ": input that ends holds every window to its end;" : ";",
        held ? "use longer windows, read it as a stream (cat FILE | olly agg ... --lateness D)"
             : "use a shorter window"));
  }
  ++total_groups_;
  Accs accs;
  accs.reserve(recipes_.size());
  for (const auto& r : recipes_) accs.push_back(make_acc(r));
  return table.insert(key, h, std::move(accs));
}

std::string_view Aggregator::reason(Outcome o, const AggOptions& opts) {
  switch (o) {
    case Outcome::no_time:
      return opts.time_field.empty() ? "no event time (ts, timestamp, time or @timestamp) for `every`"
                                     : "no event time in --time-field for `every`";
    case Outcome::late: return "late event: its window had been written (see --lateness)";
    case Outcome::bad_weight: return "the --weighted weight is not a number of at least 1";
    default: return "";
  }
}

simdjson::error_code Aggregator::add(simdjson::ondemand::document& doc, std::string_view line, Outcome& outcome) {
  outcome = Outcome::ok;
  if (auto e = check_document_shape(doc, line)) return e;
  if (auto e = extractor_.extract(doc, slots_)) return e;
  bool matches = true;
  if (where_) {
    scratch_.reset();
    expr_values_.clear();
    for (size_t s : where_slots_) expr_values_.push_back(slots_[s]);
    matches = where_->test(expr_values_, scratch_);
  }
  TimeNs t = 0;
  const bool has_time = needs_time_ && read_time(doc, t);
  int64_t start = kNoWindow;
  if (windowed_) {
    if (!has_time) {
      outcome = Outcome::no_time;
      return simdjson::SUCCESS;
    }
    if (t <= opts_.skip_until) {
      outcome = Outcome::seen;
      return simdjson::SUCCESS;
    }
    if (!matches) {
      // Event time moves on: a quiet group's windows still close.
      watermark_.observe(t);
      return simdjson::SUCCESS;
    }
    const int64_t every = *opts_.plan.every_ns;
    start = tumbling_start(t, every);
    // olly agg ... every 1m on a stream: a window closes once event time
    // passes its end + --lateness. Held windows (files, -j, --merge) never close early.
    if (!watermark_.admit(t, start + every)) {
      outcome = Outcome::late;
      return simdjson::SUCCESS;
    }
  }
  if (!matches) return simdjson::SUCCESS;
  double weight = 1;
  if (weighted_) {
    // A missing or null weight: an event that was not sampled stands for itself.
    const Value& wv = slots_[weight_slot_];
    if (!wv.is_nullish()) {
      Num w;
      if (!numeric_of(wv, w) || !std::isfinite(w.as_double()) || w.as_double() < 1) {
        outcome = Outcome::bad_weight;
        return simdjson::SUCCESS;
      }
      weight = w.as_double();
    }
  }
  key_.clear();
  for (size_t s : by_slots_) append_key_part(key_, slots_[s]);
  Accs& g = find_or_add(windows_.at(start), key_);

  if (!exprs_.empty()) {
    scratch_.reset();
    for (size_t e = 0; e < exprs_.size(); ++e) {
      expr_values_.clear();
      for (size_t s : expr_slots_[e]) expr_values_.push_back(slots_[s]);
      expr_result_[e] = exprs_[e].test(expr_values_, scratch_);
    }
  }
  static const Value kMissing;
  if (weighted_) {
    // olly agg --weighted: apart from the loop below, so the unweighted one stays as it was.
    for (size_t i = 0; i < recipes_.size(); ++i) {
      const Recipe& r = recipes_[i];
      if (r.expr != SIZE_MAX && !expr_result_[r.expr]) continue;
      g[i]->add_weighted(r.slot == SIZE_MAX ? kMissing : slots_[r.slot], has_time, t, weight);
    }
    return simdjson::SUCCESS;
  }
  for (size_t i = 0; i < recipes_.size(); ++i) {
    const Recipe& r = recipes_[i];
    if (r.expr != SIZE_MAX && !expr_result_[r.expr]) continue;
    g[i]->add(r.slot == SIZE_MAX ? kMissing : slots_[r.slot], has_time, t);
  }
  return simdjson::SUCCESS;
}

bool Aggregator::read_time(simdjson::ondemand::document& doc, TimeNs& t) {
  size_t slot = time_slot_;
  if (slots_[slot].kind == Kind::missing && !fallback_time_slots_.empty()) {
    doc.rewind();
    if (time_fallback_.extract(doc, slots_)) return false;  // slots_ is refilled (and may move)
    for (size_t s : fallback_time_slots_) {
      if (slots_[s].kind != Kind::missing) {
        slot = s;
        break;
      }
    }
  }
  const Value& v = slots_[slot];
  if (v.kind == Kind::missing) return false;
  auto r = TimeFieldReader::from_value(v, opts_.time_format);  // the first present candidate decides
  if (!r) return false;
  t = *r;
  return true;
}

void Aggregator::emit_closed(Emitter& out) {
  if (!windowed_ || !windows_.any_closed(watermark_, *opts_.plan.every_ns)) return;
  windows_.close(watermark_, *opts_.plan.every_ns, [&](int64_t start, Table& table) {
    emit_window(out, start, table);
    total_groups_ -= table.size();
  });
}

void Aggregator::emit_all(Emitter& out, bool no_input) {
  // olly agg count on empty input: one result (count 0), as SQL's aggregate without GROUP BY.
  if (windows_.empty() && !windowed_ && opts_.plan.by.empty() && !no_input) {
    find_or_add(windows_.at(kNoWindow), "");
  }
  windows_.drain([&](int64_t start, Table& table) { emit_window(out, start, table); });
  total_groups_ = 0;
}

std::vector<uint32_t> Aggregator::key_order(const Table& table) const {
  const std::vector<Group>& groups = table.entries();
  std::vector<uint32_t> order(groups.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  if (opts_.sort && order.size() > 1) {
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return compare_keys(groups[a].key, groups[b].key) < 0; });
  }
  return order;
}

void Aggregator::visit_closed(const ResultVisitor& fn) {
  if (!windowed_ || !windows_.any_closed(watermark_, *opts_.plan.every_ns)) return;
  windows_.close(watermark_, *opts_.plan.every_ns, [&](int64_t start, Table& table) {
    visit_window(fn, start, table);
    total_groups_ -= table.size();
  });
}

void Aggregator::visit_all(const ResultVisitor& fn) {
  windows_.drain([&](int64_t start, Table& table) { visit_window(fn, start, table); });
  total_groups_ = 0;
}

void Aggregator::visit_window(const ResultVisitor& fn, int64_t start, Table& table) {
  const std::vector<Group>& groups = table.entries();
  for (uint32_t i : key_order(table)) {
    values_.clear();
    for (const auto& o : outputs_) values_.push_back(numeric_output(o, groups[i]));
    fn(start, groups[i].key, values_);
  }
}

void Aggregator::write_partials(std::string& out) const {
  for (const auto& [start, table] : windows_) {
    for (uint32_t i : key_order(table)) {
      write_group(out, start, table.entries()[i], true);
      out.push_back('\n');
    }
  }
}

void Aggregator::emit_window(Emitter& out, int64_t start, Table& table) {
  const std::vector<Group>& groups = table.entries();
  if (!row_sorter_) {
    size_t left = opts_.limit;
    for (uint32_t i : key_order(table)) {
      if (left-- == 0) break;
      line_.clear();
      write_group(line_, start, groups[i]);
      out.line(line_);
    }
    return;
  }
  // olly agg ... --sort -p99_latency_ms --limit 10: the window's rows as
  // they will be written, ordered by their own output fields.
  row_sorter_->clear();
  for (uint32_t i : key_order(table)) {
    line_.clear();
    write_group(line_, start, groups[i]);
    row_sorter_->add(line_);
  }
  size_t left = opts_.limit;
  for (uint32_t row : row_sorter_->sorted()) {
    if (left-- == 0) break;
    out.line(row_sorter_->line(row));
  }
}

void Aggregator::write_group(std::string& line, int64_t start, const Group& g, bool partial) const {
  JsonBuilder b(line);
  b.begin_object();
  if (partial) {
    b.field_int("olly_agg_partial", kPartialVersion);
    b.key("aggs");
    b.begin_array();
    for (const auto& c : canonical_aggs_) b.string(c);
    b.end_array();
    b.key("by");
    b.begin_array();
    for (const auto& f : opts_.plan.by) b.string(f);
    b.end_array();
    if (windowed_) b.field("every", format_duration(*opts_.plan.every_ns));
  }
  if (start != kNoWindow) {
    b.field("window_start", format_rfc3339(start));
    b.field("window_end", format_rfc3339(start + *opts_.plan.every_ns));
  }
  if (partial) {
    b.key("group");
    b.begin_object();
    write_key_fields(b, opts_.plan.by, g.key);
    b.end_object();
    b.key("state");
    b.begin_array();
    for (size_t i = 0; i < recipes_.size(); ++i) {
      b.begin_object();
      b.field("acc", acc_kind_name(recipes_[i].kind));
      b.field("id", recipes_[i].id);
      b.key("s");
      g.value[i]->write_state(b);
      b.end_object();
    }
    b.end_array();
  } else {
    if (nested_by_.empty()) {
      write_key_fields(b, opts_.plan.by, g.key);
    } else {
      write_key_fields_nested(b, nested_by_, g.key);
    }
    for (const auto& o : outputs_) {
      b.key(o.spec->name);
      write_output(b, o, g);
    }
  }
  b.end_object();
}

std::optional<double> Aggregator::numeric_output(const Output& o, const Group& g) const {
  const AggSpec& s = *o.spec;
  const Accumulator* acc = o.recipe == SIZE_MAX ? nullptr : g.value[o.recipe].get();
  auto nz = [](double v) -> std::optional<double> {
    if (std::isnan(v)) return std::nullopt;
    return v;
  };
  switch (s.kind) {
    case AggKind::count:
    case AggKind::count_if:
      if (acc->kind() == AccKind::wcount) return static_cast<const WeightedCountAcc*>(acc)->total;
      return static_cast<double>(static_cast<const CountAcc*>(acc)->n);
    case AggKind::sum: {
      if (acc->kind() == AccKind::wnumeric) {
        auto* w = static_cast<const WeightedNumericAcc*>(acc);
        if (w->plain.n == 0) return std::nullopt;
        return w->total();
      }
      auto* n = static_cast<const NumericAcc*>(acc);
      if (n->n == 0) return std::nullopt;
      return n->sum_double();
    }
    case AggKind::avg: {
      if (acc->kind() == AccKind::wnumeric) {
        auto* w = static_cast<const WeightedNumericAcc*>(acc);
        if (w->plain.n == 0) return std::nullopt;
        return w->total() / w->wn;
      }
      auto* n = static_cast<const NumericAcc*>(acc);
      if (n->n == 0) return std::nullopt;
      return n->sum_double() / static_cast<double>(n->n);
    }
    case AggKind::min:
    case AggKind::max: {
      auto* n = plain_numeric(acc);
      if (n->n == 0) return std::nullopt;
      return s.kind == AggKind::min ? n->min.as_double() : n->max.as_double();
    }
    case AggKind::stddev: return nz(plain_numeric(acc)->stddev());
    case AggKind::quantile: return nz(static_cast<const QuantileAcc*>(acc)->sketch.quantile(s.quantile));
    case AggKind::distinct: return std::round(static_cast<const DistinctAcc*>(acc)->hll.estimate());
    case AggKind::rate: {
      double n = acc->kind() == AccKind::wcount ? static_cast<const WeightedCountAcc*>(acc)->total
                                                 : static_cast<double>(static_cast<const CountAcc*>(acc)->n);
      if (windowed_) return n / (static_cast<double>(*opts_.plan.every_ns) / 1e9);
      for (size_t i = 0; i < recipes_.size(); ++i) {
        if (recipes_[i].kind == AccKind::time_span) {
          auto* span = static_cast<const TimeSpanAcc*>(g.value[i].get());
          if (!span->any || span->hi == span->lo) return std::nullopt;
          return n / (static_cast<double>(span->hi - span->lo) / 1e9);
        }
      }
      return std::nullopt;
    }
    case AggKind::ratio: {
      auto a = numeric_output(o.args[0], g), b = numeric_output(o.args[1], g);
      if (!a || !b || *b == 0) return std::nullopt;
      return *a / *b;
    }
    default: return std::nullopt;
  }
}

void Aggregator::write_output(JsonBuilder& b, const Output& o, const Group& g) const {
  const AggSpec& s = *o.spec;
  const Accumulator* acc = o.recipe == SIZE_MAX ? nullptr : g.value[o.recipe].get();
  switch (s.kind) {
    case AggKind::count:
    case AggKind::count_if:
      if (acc->kind() == AccKind::wcount) {
        b.number(static_cast<const WeightedCountAcc*>(acc)->total);
      } else {
        b.uint64(static_cast<const CountAcc*>(acc)->n);
      }
      return;
    case AggKind::sum: {
      if (acc->kind() == AccKind::wnumeric) {
        auto* w = static_cast<const WeightedNumericAcc*>(acc);
        if (w->plain.n == 0) {
          b.null();
        } else {
          b.number(w->total());
        }
        return;
      }
      auto* n = static_cast<const NumericAcc*>(acc);
      if (n->n == 0) {
        b.null();
      } else {
        n->write_sum(b);
      }
      return;
    }
    case AggKind::min: plain_numeric(acc)->write_min(b); return;
    case AggKind::max: plain_numeric(acc)->write_max(b); return;
    case AggKind::distinct: {
      b.uint64(static_cast<uint64_t>(std::llround(static_cast<const DistinctAcc*>(acc)->hll.estimate())));
      return;
    }
    case AggKind::top: static_cast<const TopAcc*>(acc)->write_final(b, s.k); return;
    case AggKind::hist: static_cast<const HistAcc*>(acc)->hist.write_final(b); return;
    case AggKind::first:
    case AggKind::last: {
      auto* p = static_cast<const PickAcc*>(acc);
      if (p->set) {
        b.raw(p->json);
      } else {
        b.null();
      }
      return;
    }
    case AggKind::quantile: {
      auto v = numeric_output(o, g);
      if (v) {
        b.number(round_significant(*v));
      } else {
        b.null();
      }
      return;
    }
    default: {
      auto v = numeric_output(o, g);
      if (v) {
        b.number(*v);
      } else {
        b.null();
      }
      return;
    }
  }
}

void Aggregator::merge_from(Aggregator& other) {
  std::string error;
  for (auto& [start, otable] : other.windows_) {
    Table& mine = windows_.at(start);
    for (auto& og : otable.entries()) {
      const uint64_t h = hash_bytes(og.key);
      Accs* found = mine.find(og.key, h);
      if (!found) {
        if (total_groups_ >= opts_.max_groups) find_or_add(mine, og.key);  // throws the limit message
        ++total_groups_;
        mine.insert(std::move(og), h);
        continue;
      }
      Accs& g = *found;
      for (size_t i = 0; i < g.size(); ++i) g[i]->merge(*og.value[i], error);
    }
  }
  other.windows_.clear();
  other.total_groups_ = 0;
  watermark_.take_late_counts(other.watermark_);
}

Aggregator::PartialResult Aggregator::add_partial(const simdjson::dom::element& line, std::string& error) {
  // The whole line is checked (and its states decoded) before anything is
  // merged: a line either counts in full or not at all.
  const auto bad = [&](std::string msg) {
    error = std::move(msg);
    return PartialResult::bad;
  };
  const auto mismatch = [&](std::string msg) {
    error = std::move(msg);
    return PartialResult::mismatch;
  };
  int64_t version;
  if (line["olly_agg_partial"].get_int64().get(version)) {
    return bad("not an olly-agg partial state (no \"olly_agg_partial\"; write them with --partial)");
  }
  if (version != kPartialVersion) {
    return mismatch(fmt::format("partial-state version {} is not supported (this olly-agg reads version {})",
                                version, kPartialVersion));
  }
  simdjson::dom::array aggs, by, state;
  simdjson::dom::object group;
  if (line["aggs"].get_array().get(aggs) || line["by"].get_array().get(by) ||
      line["group"].get_object().get(group) || line["state"].get_array().get(state)) {
    return bad("partial state needs \"aggs\", \"by\", \"group\" and \"state\"");
  }
  const auto list_text = [](const simdjson::dom::array& a) {
    std::string out;
    for (auto e : a) {
      std::string_view t;
      if (!out.empty()) out += ' ';
      out += e.get_string().get(t) ? std::string_view("?") : t;
    }
    return out;
  };
  const auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& t : v) {
      if (!out.empty()) out += ' ';
      out += t;
    }
    return out;
  };
  size_t i = 0;
  bool same = true;
  for (auto a : aggs) {
    std::string_view text;
    if (a.get_string().get(text) || i >= canonical_aggs_.size() || text != canonical_aggs_[i]) same = false;
    ++i;
  }
  if (!same || i != canonical_aggs_.size()) {
    return mismatch(fmt::format("partial states were written for different aggregates ({} here, {} before)",
                                list_text(aggs), join(canonical_aggs_)));
  }
  i = 0;
  for (auto f : by) {
    std::string_view text;
    if (f.get_string().get(text) || i >= opts_.plan.by.size() || text != opts_.plan.by[i]) same = false;
    ++i;
  }
  if (!same || i != opts_.plan.by.size()) {
    return mismatch(fmt::format("partial states were written for different `by` fields ([{}] here, [{}] before)",
                                list_text(by), join(opts_.plan.by)));
  }
  int64_t start = kNoWindow;
  std::string_view every_text, ws;
  bool has_every = !line["every"].get_string().get(every_text);
  if (has_every != windowed_) {
    return mismatch("partial states disagree on `every` (some have a window, some not)");
  }
  if (windowed_) {
    auto every = parse_duration(every_text);
    if (!every || *every != *opts_.plan.every_ns) {
      return mismatch(fmt::format("partial states were written with a different `every` ({} here, {} before)",
                                  every_text, format_duration(*opts_.plan.every_ns)));
    }
    std::optional<TimeNs> t;
    if (line["window_start"].get_string().get(ws) || !(t = parse_rfc3339(ws))) {
      return bad("partial state needs an RFC 3339 \"window_start\"");
    }
    start = *t;
  }
  if (state.size() != recipes_.size()) return bad("partial state has the wrong number of accumulators");
  std::vector<std::unique_ptr<Accumulator>> incoming;
  incoming.reserve(recipes_.size());
  i = 0;
  for (auto st : state) {
    std::string_view acc_name, id;
    simdjson::dom::element s;
    if (st["acc"].get_string().get(acc_name) || st["id"].get_string().get(id) || st["s"].get(s) ||
        acc_name != acc_kind_name(recipes_[i].kind) || id != recipes_[i].id) {
      return bad(fmt::format("partial state: accumulator {} does not match ({})", i, recipes_[i].id));
    }
    auto acc = make_acc(recipes_[i]);
    if (!acc->read_state(s, error)) return bad(fmt::format("partial state: {}: {}", recipes_[i].id, error));
    if (recipes_[i].kind == AccKind::quantile) {
      // One accuracy for the run: --accuracy when given, else the first state's.
      double alpha = static_cast<const QuantileAcc&>(*acc).sketch.relative_accuracy();
      if (!merge_alpha_) merge_alpha_ = opts_.accuracy_given ? opts_.accuracy : alpha;
      if (alpha != *merge_alpha_) {
        return mismatch(fmt::format("partial states were written with different --accuracy ({} here, {} {})",
                                    alpha, *merge_alpha_, opts_.accuracy_given ? "given" : "before"));
      }
    } else if (recipes_[i].kind == AccKind::distinct &&
               static_cast<const DistinctAcc&>(*acc).hll.precision() != HyperLogLog::kDefaultPrecision) {
      return bad(fmt::format("partial state: {}: HyperLogLog precision {} (this olly-agg uses {})", recipes_[i].id,
                             static_cast<const DistinctAcc&>(*acc).hll.precision(),
                             HyperLogLog::kDefaultPrecision));
    }
    incoming.push_back(std::move(acc));
    ++i;
  }
  key_.clear();
  for (const auto& name : opts_.plan.by) {
    simdjson::dom::element v;
    if (group[name].get(v)) {
      append_key_part(key_, Value::null());
    } else {
      append_key_part(key_, value_from_dom(v));
    }
  }
  Accs& g = find_or_add(windows_.at(start), key_);
  for (i = 0; i < incoming.size(); ++i) {
    // Cannot fail: kinds, accuracy and precision were checked above.
    g[i]->merge(*incoming[i], error);
  }
  return PartialResult::ok;
}

}  // namespace olly
