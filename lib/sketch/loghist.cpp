#include "sketch/loghist.h"

#include <simdjson.h>

#include <cmath>

#include "core/writer.h"

namespace olly {

int LogHistogram::bucket_of(double magnitude) {
  int e;
  double m = std::frexp(magnitude, &e);  // magnitude = m * 2^e, 0.5 <= m < 1
  return m == 0.5 ? e - 1 : e;           // exact powers of two close their bucket
}

void LogHistogram::add(double v, uint64_t n) {
  if (!std::isfinite(v) || n == 0) return;
  if (v > 0) {
    pos_[bucket_of(v)] += n;
  } else if (v < 0) {
    neg_[bucket_of(-v)] += n;
  } else {
    zero_ += n;
  }
  count_ += n;
}

void LogHistogram::merge(const LogHistogram& other) {
  for (auto [k, n] : other.pos_) pos_[k] += n;
  for (auto [k, n] : other.neg_) neg_[k] += n;
  zero_ += other.zero_;
  count_ += other.count_;
}

void LogHistogram::write_final(JsonBuilder& out) const {
  out.begin_array();
  auto bucket = [&](double lo, double hi, uint64_t n) {
    out.begin_object();
    out.field_number("lo", lo);
    out.field_number("hi", hi);
    out.key("count");
    out.uint64(n);
    out.end_object();
  };
  for (auto it = neg_.rbegin(); it != neg_.rend(); ++it) {
    bucket(-std::ldexp(1.0, it->first), -std::ldexp(1.0, it->first - 1), it->second);
  }
  if (zero_) bucket(0, 0, zero_);
  for (auto [k, n] : pos_) bucket(std::ldexp(1.0, k - 1), std::ldexp(1.0, k), n);
  out.end_array();
}

void LogHistogram::write_json(JsonBuilder& out) const {
  out.begin_object();
  out.key("zero");
  out.uint64(zero_);
  for (const auto* side : {&pos_, &neg_}) {
    out.key(side == &pos_ ? "pos" : "neg");
    out.begin_array();
    for (auto [k, n] : *side) {
      out.begin_array();
      out.int64(k);
      out.uint64(n);
      out.end_array();
    }
    out.end_array();
  }
  out.end_object();
}

bool LogHistogram::read_json(const simdjson::dom::element& in, LogHistogram& out, std::string& error) {
  LogHistogram h;
  if (in["zero"].get_uint64().get(h.zero_)) {
    error = "histogram \"zero\" must be a non-negative integer";
    return false;
  }
  h.count_ = h.zero_;
  for (const char* name : {"pos", "neg"}) {
    simdjson::dom::array arr;
    if (in[name].get_array().get(arr)) {
      error = "histogram needs \"pos\" and \"neg\" arrays";
      return false;
    }
    auto& side = name[0] == 'p' ? h.pos_ : h.neg_;
    for (auto b : arr) {
      simdjson::dom::array pair;
      int64_t k;
      uint64_t n;
      if (b.get_array().get(pair) || pair.size() != 2 || pair.at(0).get_int64().get(k) ||
          pair.at(1).get_uint64().get(n) || k < -1100 || k > 1100) {
        error = "histogram buckets must be [EXPONENT, COUNT]";
        return false;
      }
      side[static_cast<int>(k)] += n;
      h.count_ += n;
    }
  }
  out = std::move(h);
  return true;
}

}  // namespace olly
