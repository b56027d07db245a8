#include "sample/stage.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <string_view>

#include "core/diag.h"
#include "core/writer.h"
#include "expr/path.h"

namespace olly {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool key_bytes(const Value& v, std::string& out) {
  out.clear();
  switch (v.kind) {
    case Kind::missing:
    case Kind::null: return false;
    case Kind::boolean: out.append(v.b ? "true" : "false"); return true;
    case Kind::integer: {
      auto digits = fmt::format_int(v.i);
      out.append(digits.data(), digits.size());
      return true;
    }
    case Kind::number:
      if (v.u64) {
        auto digits = fmt::format_int(v.u());
        out.append(digits.data(), digits.size());
      } else {
        append_json_number(out, v.d);
      }
      return true;
    case Kind::string:
    case Kind::array:
    case Kind::object: out.append(v.s); return true;
  }
  return false;
}

SampleStage::SampleStage(const SampleOptions& opts) : opts_(opts) {
  if (opts.rate.empty() && opts.limit.empty()) {
    throw UsageError("give --rate R, --limit N/s or both (--keep alone would keep everything)");
  }
  if (!opts.rate.empty()) {
    rate_ = parse_rate(opts.rate, "--rate");
    bound_ = rate_bound(*rate_);
    rate_weight_ = 1.0 / *rate_;
  } else if (!opts.key.empty()) {
    throw UsageError("--key: it chooses what --rate samples by; give --rate too");
  }
  if (!opts.limit.empty()) {
    Limit l;
    double count = 0;
    l.per_ns = parse_limit(opts.limit, "--limit", count);
    l.burst = count;
    if (!opts.burst.empty()) {
      char* end = nullptr;
      std::string text(opts.burst);
      l.burst = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size() || text.empty() || !std::isfinite(l.burst) || l.burst < 1) {
        throw UsageError(fmt::format("--burst: '{}' is not a number of events of at least 1", opts.burst));
      }
    }
    limit_ = l;
  } else if (!opts.by.empty() || !opts.burst.empty()) {
    throw UsageError(fmt::format("{}: it shapes --limit; give --limit N/s too", opts.by.empty() ? "--burst" : "--by"));
  }
  if (!opts.keep.empty()) {
    keep_.emplace(Expr::compile(opts.keep, "--keep"));
    for (const auto& p : keep_->paths()) extractor_.add(p);
  }
  if (!opts.key.empty()) key_slot_ = extractor_.add(parse_path_or_throw(opts.key, "--key"));
  if (!opts.by.empty()) by_slot_ = extractor_.add(parse_path_or_throw(opts.by, "--by"));
  if (limit_) time_.emplace(opts.common.time_field, extractor_, resolve_time_layout(opts.common));
  replace_.emplace(ObjectRewriter::Mode::keep_unlisted);
  replace_->set(parse_path_or_throw(kSampleRateField, "--rate"), 0, "--rate");
  replace_values_.resize(1);
}

std::unique_ptr<Stage> SampleStage::clone() const { return std::make_unique<SampleStage>(opts_); }

void SampleStage::absorb(Stage& range) {
  auto& r = static_cast<SampleStage&>(range);
  kept_keep_ += std::exchange(r.kept_keep_, 0);
  dropped_rate_ += std::exchange(r.dropped_rate_, 0);
  dropped_limit_ += std::exchange(r.dropped_limit_, 0);
}

void SampleStage::report(RunContext& ctx) const {
  ctx.add_stat("kept_by_keep", static_cast<int64_t>(kept_keep_));
  if (rate_) ctx.add_stat("dropped_by_rate", static_cast<int64_t>(dropped_rate_));
  if (!limit_) return;
  ctx.add_stat("dropped_by_limit", static_cast<int64_t>(dropped_limit_));
  // Drops after a group's last kept event: no kept event carries their weight.
  double unweighted = 0;
  for (const auto& [k, g] : groups_) unweighted += g.pending;
  ctx.add_stat("limit_weight_lost", static_cast<int64_t>(std::llround(unweighted)));
  if (by_slot_ == SIZE_MAX) return;
  std::vector<std::pair<std::string_view, uint64_t>> rows;
  for (const auto& [k, g] : groups_) {
    if (g.dropped) rows.emplace_back(k, g.dropped);
  }
  std::sort(rows.begin(), rows.end());
  std::string json;
  JsonBuilder b(json);
  b.begin_object();
  for (const auto& [k, n] : rows) {
    b.key(k);
    b.uint64(n);
  }
  b.end_object();
  ctx.add_stat_json("dropped_by_group", std::move(json));
}

SampleStage::Group& SampleStage::group_of(const Value& v) {
  // olly sample --limit N/s --by F: a missing or null F is the group "null".
  if (!key_bytes(v, key_text_)) key_text_.assign("null");
  auto it = groups_.find(key_text_);
  if (it == groups_.end()) it = groups_.emplace(key_text_, Group{}).first;
  return it->second;
}

Result SampleStage::on_event(Event& ev, Emitter& out) {
  // A line that is not JSON fails here, whether or not a field is read.
  simdjson::ondemand::json_type type;
  if (auto e = ev.doc->type().get(type)) return Result::bad(e);
  if (type != simdjson::ondemand::json_type::object) {
    // A scalar or array line (rare): read whole, so that `not json` is a bad line, not a null.
    if (!dom_) dom_ = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::element el;
    if (auto e = dom_->parse(ev.raw.data(), ev.raw.size(), true).get(el)) return Result::bad(e);
    ev.doc->rewind();
  }
  if (extractor_.slot_count() > 0) {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
  }
  std::optional<TimeNs> t;
  if (limit_) {
    t = time_->read(slots_);
    if (!t) return Result::bad("no readable event time for --limit (see --time-field)");
  }
  if (keep_) {
    scratch_.reset();
    const bool keep = keep_->test(slots_, scratch_);
    if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    // olly sample --keep EXPR: kept whatever the rate or the limit say, weight 1.
    if (keep) {
      Result r = emit(ev, out, 1.0, type);
      if (r.is_ok()) ++kept_keep_;
      return r;
    }
  }
  double weight = 1;
  if (rate_) {
    bool keep;
    std::optional<bool> otel;
    const Value* key = key_slot_ != SIZE_MAX ? &slots_[key_slot_] : nullptr;
    if (key && key->kind == Kind::string) otel = otel_trace_id_keep(key->s, bound_);
    if (otel) {
      keep = *otel;  // olly sample --key trace_id: OpenTelemetry's decision
    } else if (key && key_bytes(*key, key_text_)) {
      keep = keep_draw(key_hash(key_text_), bound_);
    } else {
      keep = keep_draw(position_draw(opts_.seed, ev.offset), bound_);
    }
    if (!keep) {
      ++dropped_rate_;
      return Result::ok();
    }
    weight = rate_weight_;
  }
  if (limit_) {
    Group& g = group_of(by_slot_ != SIZE_MAX ? slots_[by_slot_] : Value::missing());
    if (!g.bucket.take(*t, limit_->per_ns, limit_->burst)) {
      ++g.dropped;
      ++dropped_limit_;
      g.pending += weight;
      return Result::ok();
    }
    // The kept event stands for the events of its group dropped since the last one kept.
    Result r = emit(ev, out, weight + g.pending, type);
    if (r.is_ok()) g.pending = 0;
    return r;
  }
  return emit(ev, out, weight, type);
}

Result SampleStage::emit(Event& ev, Emitter& out, double weight, simdjson::ondemand::json_type type) {
  if (type != simdjson::ondemand::json_type::object) {
    // An array or a scalar has no field to add: it goes out as it came.
    out.line(ev.raw);
    return Result::ok();
  }
  // The line goes out with a field added, so it is read whole first (a DOM
  // parse, only of the events kept), which also finds a sample_rate set by an
  // earlier sampling stage.
  if (!dom_) dom_ = std::make_unique<simdjson::dom::parser>();
  simdjson::dom::object obj;
  if (auto e = dom_->parse(ev.raw.data(), ev.raw.size(), true).get_object().get(obj)) return Result::bad(e);
  std::optional<double> earlier;
  simdjson::dom::element found;
  if (!obj[kSampleRateField].get(found)) {
    double d;
    if (found.get_double().get(d) || !std::isfinite(d) || d < 1) {
      return Result::bad("sample_rate is already there and is not a number of at least 1");
    }
    earlier = d;
  }
  if (earlier) {
    // Sampled twice: the inclusion probabilities multiply (independent stages).
    ev.doc->rewind();
    replace_values_[0] = Value::number(*earlier * weight);
    if (auto e = replace_->rewrite(*ev.doc, replace_values_, out.buffer())) return Result::bad(e);
    out.commit();
    return Result::ok();
  }
  // olly sample: the line as it came, with ,"sample_rate":W before its closing brace.
  std::string_view raw = ev.raw;
  size_t close = raw.size();
  while (close > 0 && is_space(raw[close - 1])) --close;
  if (close == 0 || raw[close - 1] != '}') return Result::bad(simdjson::TAPE_ERROR);
  --close;
  size_t before = close;
  while (before > 0 && is_space(raw[before - 1])) --before;
  const bool empty = before > 0 && raw[before - 1] == '{';
  std::string& buf = out.buffer();
  buf.append(raw.data(), close);
  buf.append(empty ? "\"sample_rate\":" : ",\"sample_rate\":");
  append_json_number(buf, weight);
  buf.append(raw.substr(close));
  out.commit();
  return Result::ok();
}

}  // namespace olly
