#include "agg/accum.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "group/group_key.h"
#include "expr/json_value.h"
#include "core/writer.h"

namespace olly {

std::string_view acc_kind_name(AccKind k) {
  switch (k) {
    case AccKind::count: return "count";
    case AccKind::numeric: return "numeric";
    case AccKind::quantile: return "quantile";
    case AccKind::distinct: return "distinct";
    case AccKind::top: return "top";
    case AccKind::first: return "first";
    case AccKind::last: return "last";
    case AccKind::hist: return "hist";
    case AccKind::time_span: return "time_span";
    case AccKind::wcount: return "weighted_count";
    case AccKind::wnumeric: return "weighted_numeric";
  }
  return "?";
}

bool numeric_of(const Value& v, Num& out) {
  switch (v.kind) {
    case Kind::integer:
      out.is_int = true;
      out.i = v.i;
      return true;
    case Kind::number:
      if (!std::isfinite(v.d)) return false;
      out.is_int = false;
      out.d = v.d;
      return true;
    case Kind::string: {
      // "250" counts as 250, as comparisons do (DESIGN: a whole-number string is a number).
      const char* b = v.s.data();
      const char* e = b + v.s.size();
      if (b == e) return false;
      int64_t i;
      auto r = std::from_chars(b, e, i);
      if (r.ec == std::errc() && r.ptr == e) {
        out.is_int = true;
        out.i = i;
        return true;
      }
      double d;
      auto rd = std::from_chars(b, e, d);
      if (rd.ec == std::errc() && rd.ptr == e && std::isfinite(d)) {
        out.is_int = false;
        out.d = d;
        return true;
      }
      return false;
    }
    default: return false;
  }
}

namespace {

bool kind_error(std::string& error) {
  error = "accumulator kinds differ";
  return false;
}

void write_num(JsonBuilder& out, const Num& x) {
  if (x.is_int) {
    out.int64(x.i);
  } else {
    out.number(x.d);
  }
}

bool read_num(const simdjson::dom::element& e, Num& out) {
  int64_t i;
  if (e.is_int64() && !e.get_int64().get(i)) {
    out.is_int = true;
    out.i = i;
    return true;
  }
  double d;
  if (e.get_double().get(d)) return false;
  out.is_int = false;
  out.d = d;
  return true;
}

std::string int128_text(__int128 v) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  char buf[48];
  size_t i = sizeof buf;
  do {
    buf[--i] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  if (neg) buf[--i] = '-';
  return std::string(buf + i, sizeof buf - i);
}

// An integer sum: an int64 number, or a decimal string beyond int64.
bool read_int128(const simdjson::dom::element& e, __int128& out) {
  int64_t i;
  if (e.is_int64() && !e.get_int64().get(i)) {
    out = i;
    return true;
  }
  std::string_view s;
  if (e.get_string().get(s) || s.empty() || s.size() > 40) return false;
  size_t p = s[0] == '-' ? 1 : 0;
  if (p == s.size()) return false;
  unsigned __int128 u = 0;
  for (; p < s.size(); ++p) {
    if (s[p] < '0' || s[p] > '9') return false;
    u = u * 10 + static_cast<unsigned>(s[p] - '0');
    if (u > (static_cast<unsigned __int128>(1) << 126)) return false;
  }
  out = s[0] == '-' ? -static_cast<__int128>(u) : static_cast<__int128>(u);
  return true;
}

// Neumaier's compensated addition: (sum, comp) += x.
void neumaier_add(double& sum, double& comp, double x) {
  double t = sum + x;
  if (std::fabs(sum) >= std::fabs(x)) {
    comp += (sum - t) + x;
  } else {
    comp += (x - t) + sum;
  }
  sum = t;
}

bool less_num(const Num& a, const Num& b) {
  if (a.is_int && b.is_int) return a.i < b.i;
  return a.as_double() < b.as_double();
}

}  // namespace

// ---- count

bool CountAcc::merge(const Accumulator& other, std::string& error) {
  if (other.kind() != kind()) return kind_error(error);
  n += static_cast<const CountAcc&>(other).n;
  return true;
}

void CountAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  out.key("n");
  out.uint64(n);
  out.end_object();
}

bool CountAcc::read_state(const simdjson::dom::element& in, std::string& error) {
  if (in["n"].get_uint64().get(n)) {
    error = "count state needs \"n\"";
    return false;
  }
  return true;
}

// ---- numeric

void NumericAcc::add(const Value& v, bool, TimeNs) {
  Num x;
  if (numeric_of(v, x)) add_num(x);
}

void NumericAcc::add_num(const Num& x) {
  double xd = x.as_double();
  if (n == 0) {
    min = max = x;
  } else {
    if (less_num(x, min)) min = x;
    if (less_num(max, x)) max = x;
  }
  ++n;
  if (all_int) {
    if (x.is_int) {
      isum += x.i;
    } else {
      all_int = false;
    }
  }
  neumaier_add(dsum, dcomp, xd);
  double delta = xd - mean;
  mean += delta / static_cast<double>(n);
  m2 += delta * (xd - mean);
}

bool NumericAcc::merge(const Accumulator& other_base, std::string& error) {
  if (other_base.kind() != kind()) return kind_error(error);
  const auto& o = static_cast<const NumericAcc&>(other_base);
  if (o.n == 0) return true;
  if (n == 0) {
    *this = o;
    return true;
  }
  if (less_num(o.min, min)) min = o.min;
  if (less_num(max, o.max)) max = o.max;
  if (all_int && o.all_int) {
    isum += o.isum;
  } else {
    all_int = false;
  }
  neumaier_add(dsum, dcomp, o.dsum);
  neumaier_add(dsum, dcomp, o.dcomp);
  // Chan et al.'s pairwise update of mean and M2.
  double na = static_cast<double>(n), nb = static_cast<double>(o.n), nt = na + nb;
  double delta = o.mean - mean;
  mean += delta * nb / nt;
  m2 += o.m2 + delta * delta * na * nb / nt;
  n += o.n;
  return true;
}

double NumericAcc::stddev() const {
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  return std::sqrt(std::max(0.0, m2 / static_cast<double>(n - 1)));
}

void NumericAcc::write_sum(JsonBuilder& out) const {
  if (all_int && isum >= INT64_MIN && isum <= INT64_MAX) {
    out.int64(static_cast<int64_t>(isum));
  } else if (all_int && isum > 0 && isum <= static_cast<__int128>(UINT64_MAX)) {
    out.uint64(static_cast<uint64_t>(isum));
  } else if (all_int) {
    out.number(static_cast<double>(isum));  // JSON readers (simdjson too) take no wider integers
  } else {
    out.number(dsum + dcomp);
  }
}

void NumericAcc::write_min(JsonBuilder& out) const {
  if (n == 0) {
    out.null();
  } else {
    write_num(out, min);
  }
}

void NumericAcc::write_max(JsonBuilder& out) const {
  if (n == 0) {
    out.null();
  } else {
    write_num(out, max);
  }
}

void NumericAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  out.key("n");
  out.uint64(n);
  out.field_bool("all_int", all_int);
  if (isum >= INT64_MIN && isum <= INT64_MAX) {
    out.field_int("isum", static_cast<int64_t>(isum));
  } else {
    out.field("isum", int128_text(isum));  // exact, as a decimal string
  }
  out.field_number("dsum", dsum);
  out.field_number("dcomp", dcomp);
  if (n > 0) {
    out.key("min");
    write_num(out, min);
    out.key("max");
    write_num(out, max);
  }
  out.field_number("mean", mean);
  out.field_number("m2", m2);
  out.end_object();
}

bool NumericAcc::read_state(const simdjson::dom::element& in, std::string& error) {
  simdjson::dom::element isum_el;
  if (in["n"].get_uint64().get(n) || in["all_int"].get_bool().get(all_int) || in["isum"].get(isum_el) ||
      !read_int128(isum_el, isum) || in["dsum"].get_double().get(dsum) ||
      in["dcomp"].get_double().get(dcomp) || in["mean"].get_double().get(mean) ||
      in["m2"].get_double().get(m2)) {
    error = "numeric state needs n, all_int, isum, dsum, dcomp, mean, m2";
    return false;
  }
  if (n > 0) {
    simdjson::dom::element a, b;
    if (in["min"].get(a) || in["max"].get(b) || !read_num(a, min) || !read_num(b, max)) {
      error = "numeric state needs min and max";
      return false;
    }
  }
  return true;
}

// ---- quantile

void QuantileAcc::add(const Value& v, bool, TimeNs) {
  Num x;
  if (numeric_of(v, x)) sketch.add(x.as_double());
}

bool QuantileAcc::merge(const Accumulator& other, std::string& error) {
  if (other.kind() != kind()) return kind_error(error);
  const auto& o = static_cast<const QuantileAcc&>(other).sketch;
  if (sketch.count() == 0 && sketch.relative_accuracy() != o.relative_accuracy()) {
    sketch = o;  // an empty sketch takes the accuracy of what it merges (--merge)
    return true;
  }
  if (!sketch.merge(o)) {
    error = "quantile sketches with different --accuracy cannot be merged";
    return false;
  }
  return true;
}

// ---- distinct

void DistinctAcc::add(const Value& v, bool, TimeNs) {
  if (v.is_nullish()) return;
  scratch.clear();
  append_key_part(scratch, v);
  hll.add(scratch);
}

bool DistinctAcc::merge(const Accumulator& other, std::string& error) {
  if (other.kind() != kind()) return kind_error(error);
  if (!hll.merge(static_cast<const DistinctAcc&>(other).hll)) {
    error = "HyperLogLog states of different precision cannot be merged";
    return false;
  }
  return true;
}

// ---- top

void TopAcc::add(const Value& v, bool, TimeNs) {
  if (v.is_nullish()) return;
  scratch.clear();
  append_value_json(scratch, v);
  summary.add(scratch);
}

bool TopAcc::merge(const Accumulator& other, std::string& error) {
  if (other.kind() != kind()) return kind_error(error);
  summary.merge(static_cast<const TopAcc&>(other).summary);
  return true;
}

bool TopAcc::read_state(const simdjson::dom::element& in, std::string& error) {
  SpaceSaving read(1);
  if (!SpaceSaving::read_json(in, read, error)) return false;
  // The items are the values' JSON text, written as they are in the result
  // (write_final): a partial line must not smuggle in text that is no JSON
  // value (found by tests/fuzz/fuzz_agg_merge).
  simdjson::dom::parser parser;
  for (const auto& e : read.top(read.size())) {
    simdjson::dom::element value;
    if (parser.parse(e.item.data(), e.item.size(), true).get(value)) {
      error = "top-k items must each be the JSON text of one value";
      return false;
    }
  }
  summary = std::move(read);
  return true;
}

void TopAcc::write_final(JsonBuilder& out, size_t k) const {
  out.begin_array();
  for (const auto& e : summary.top(k)) {
    out.begin_object();
    out.key("value");
    out.raw(e.item);
    out.key("count");
    out.uint64(e.count);
    // Past the summary's capacity a count may be over by up to `error`.
    if (e.error > 0) {
      out.key("error");
      out.uint64(e.error);
    }
    out.end_object();
  }
  out.end_array();
}

// ---- first / last

bool PickAcc::takes(bool other_set, bool other_has_time, TimeNs other_t) const {
  if (!other_set) return false;
  if (!set) return true;
  if (!is_last()) return has_time && other_has_time && other_t < time;
  // last: a later (or equal) time wins; without times the later input wins.
  return !(has_time && other_has_time) || other_t >= time;
}

void PickAcc::add(const Value& v, bool ev_has_time, TimeNs t) {
  if (v.kind == Kind::missing) return;
  if (!takes(true, ev_has_time, t)) return;
  set = true;
  has_time = ev_has_time;
  time = t;
  json.clear();
  append_value_json(json, v);
}

bool PickAcc::merge(const Accumulator& other_base, std::string& error) {
  if (other_base.kind() != kind()) return kind_error(error);
  const auto& o = static_cast<const PickAcc&>(other_base);
  if (takes(o.set, o.has_time, o.time)) {
    set = true;
    has_time = o.has_time;
    time = o.time;
    json = o.json;
  }
  return true;
}

void PickAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  if (set) {
    out.key("t");
    if (has_time) {
      out.int64(time);
    } else {
      out.null();
    }
    out.field_raw("v", json);
  }
  out.end_object();
}

bool PickAcc::read_state(const simdjson::dom::element& in, std::string& error) {
  simdjson::dom::element t, v;
  if (in["v"].get(v)) {
    set = false;
    return true;
  }
  if (in["t"].get(t)) {
    error = "first/last state needs \"t\" with \"v\"";
    return false;
  }
  set = true;
  has_time = !t.is_null();
  if (has_time && t.get_int64().get(time)) {
    error = "first/last \"t\" must be nanoseconds or null";
    return false;
  }
  json = simdjson::minify(v);
  return true;
}

// ---- hist

void HistAcc::add(const Value& v, bool, TimeNs) {
  Num x;
  if (numeric_of(v, x)) hist.add(x.as_double());
}

bool HistAcc::merge(const Accumulator& other, std::string& error) {
  if (other.kind() != kind()) return kind_error(error);
  hist.merge(static_cast<const HistAcc&>(other).hist);
  return true;
}

// ---- time span

void TimeSpanAcc::add(const Value&, bool has_time, TimeNs t) {
  if (!has_time) return;
  if (!any) {
    lo = hi = t;
    any = true;
  } else {
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
}

bool TimeSpanAcc::merge(const Accumulator& other_base, std::string& error) {
  if (other_base.kind() != kind()) return kind_error(error);
  const auto& o = static_cast<const TimeSpanAcc&>(other_base);
  if (!o.any) return true;
  if (!any) {
    *this = o;
    return true;
  }
  lo = std::min(lo, o.lo);
  hi = std::max(hi, o.hi);
  return true;
}

void TimeSpanAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  if (any) {
    out.field_int("lo", lo);
    out.field_int("hi", hi);
  }
  out.end_object();
}

bool TimeSpanAcc::read_state(const simdjson::dom::element& in, std::string& error) {
  simdjson::dom::element e;
  any = !in["lo"].get(e);
  if (any && (in["lo"].get_int64().get(lo) || in["hi"].get_int64().get(hi))) {
    error = "time span needs integer \"lo\" and \"hi\"";
    return false;
  }
  return true;
}

void QuantileAcc::add_weighted(const Value& v, bool has_time, TimeNs t, double w) {
  if (w < 1.5) {
    add(v, has_time, t);
    return;
  }
  Num x;
  if (!numeric_of(v, x)) return;
  const double d = x.as_double();
  if (std::isnan(d)) return;
  sketch.add(d, static_cast<uint64_t>(std::llround(std::min(w, 1e18))));
}

bool WeightedCountAcc::merge(const Accumulator& other, std::string&) {
  auto& o = static_cast<const WeightedCountAcc&>(other);
  n += o.n;
  total += o.total;
  variance += o.variance;
  return true;
}

void WeightedCountAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  out.field_int("n", static_cast<int64_t>(n));
  out.field_number("total", total);
  out.field_number("variance", variance);
  out.end_object();
}

bool WeightedCountAcc::read_state(const simdjson::dom::element&, std::string& error) {
  error = "weighted state cannot be merged (--weighted with --partial is refused)";
  return false;
}

void WeightedNumericAcc::add_weighted(const Value& v, bool, TimeNs, double w) {
  Num x;
  if (!numeric_of(v, x)) return;
  plain.add_num(x);
  const double d = x.as_double();
  const double term = w * d;
  // Neumaier's compensation, as NumericAcc keeps its double sum.
  const double t = wsum + term;
  wcomp += std::fabs(wsum) >= std::fabs(term) ? (wsum - t) + term : (term - t) + wsum;
  wsum = t;
  wn += w;
  variance += w * (w - 1) * d * d;
}

bool WeightedNumericAcc::merge(const Accumulator& other, std::string& error) {
  auto& o = static_cast<const WeightedNumericAcc&>(other);
  if (!plain.merge(o.plain, error)) return false;
  const double t = wsum + o.wsum;
  wcomp += (std::fabs(wsum) >= std::fabs(o.wsum) ? (wsum - t) + o.wsum : (o.wsum - t) + wsum) + o.wcomp;
  wsum = t;
  wn += o.wn;
  variance += o.variance;
  return true;
}

void WeightedNumericAcc::write_state(JsonBuilder& out) const {
  out.begin_object();
  out.field_number("wsum", total());
  out.field_number("wn", wn);
  out.field_number("variance", variance);
  out.end_object();
}

bool WeightedNumericAcc::read_state(const simdjson::dom::element&, std::string& error) {
  error = "weighted state cannot be merged (--weighted with --partial is refused)";
  return false;
}

}  // namespace olly
