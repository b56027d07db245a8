#include "sketch/ddsketch.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/writer.h"

namespace olly {

namespace detail {

void DenseBucketStore::clear() {
  counts_.clear();
  offset_ = 0;
  total_ = 0;
}

void DenseBucketStore::assign(int32_t offset, std::vector<uint64_t> counts) {
  counts_ = std::move(counts);
  offset_ = offset;
  total_ = 0;
  for (uint64_t c : counts_) total_ += c;
}

void DenseBucketStore::extend_to(int32_t lo, int32_t hi) {
  if (counts_.empty()) {
    offset_ = lo;
  }
  int32_t cur_lo = counts_.empty() ? lo : offset_;
  int32_t cur_hi = counts_.empty() ? lo - 1 : offset_ + static_cast<int32_t>(counts_.size()) - 1;
  int32_t new_lo = std::min(cur_lo, lo);
  int32_t new_hi = std::max(cur_hi, hi);
  int64_t span = int64_t{new_hi} - new_lo + 1;
  if (span > max_buckets_) {
    // Collapse: keep the max_buckets_ indexes at the kept end.
    if (collapse_high_) {
      new_hi = new_lo + static_cast<int32_t>(max_buckets_) - 1;
    } else {
      new_lo = new_hi - static_cast<int32_t>(max_buckets_) + 1;
    }
  } else if (!counts_.empty()) {
    // Room to grow on the side that grew, so values arriving one bucket
    // further out at a time do not copy the store each time.
    int64_t slack = std::min<int64_t>(max_buckets_ - span, std::max<int64_t>(32, span / 2));
    if (new_lo < cur_lo) {
      new_lo = static_cast<int32_t>(new_lo - slack);
    } else if (new_hi > cur_hi) {
      new_hi = static_cast<int32_t>(new_hi + slack);
    }
  }
  std::vector<uint64_t> next(static_cast<size_t>(int64_t{new_hi} - new_lo + 1), 0);
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    int32_t idx = offset_ + static_cast<int32_t>(i);
    idx = std::clamp(idx, new_lo, new_hi);
    next[static_cast<size_t>(idx - new_lo)] += counts_[i];
  }
  counts_ = std::move(next);
  offset_ = new_lo;
}

void DenseBucketStore::add(int32_t index, uint64_t n) {
  if (counts_.empty() || index < offset_ ||
      index >= offset_ + static_cast<int32_t>(counts_.size())) {
    extend_to(index, index);
    // After collapsing the index may lie outside the kept range: it joins the edge bucket.
    index = std::clamp(index, offset_, offset_ + static_cast<int32_t>(counts_.size()) - 1);
  }
  counts_[static_cast<size_t>(index - offset_)] += n;
  total_ += n;
}

void DenseBucketStore::merge(const DenseBucketStore& other) {
  if (other.total_ == 0) return;
  int32_t olo = other.offset_;
  int32_t ohi = other.offset_ + static_cast<int32_t>(other.counts_.size()) - 1;
  extend_to(olo, ohi);
  int32_t hi = offset_ + static_cast<int32_t>(counts_.size()) - 1;
  for (size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] == 0) continue;
    int32_t idx = std::clamp(other.offset_ + static_cast<int32_t>(i), offset_, hi);
    counts_[static_cast<size_t>(idx - offset_)] += other.counts_[i];
  }
  total_ += other.total_;
}

}  // namespace detail

namespace {
constexpr double kMinIndexable = 1e-300;
}

uint32_t DDSketch::buckets_for(double relative_accuracy) {
  double log_gamma = std::log((1 + relative_accuracy) / (1 - relative_accuracy));
  double n = std::ceil(kRangeDecades * std::log(10.0) / log_gamma) + 1;
  return static_cast<uint32_t>(std::clamp(n, 16.0, double{1u << 20}));
}

DDSketch::DDSketch(double relative_accuracy, uint32_t max_buckets)
    : alpha_(relative_accuracy),
      gamma_((1 + relative_accuracy) / (1 - relative_accuracy)),
      inv_log_gamma_(1.0 / std::log((1 + relative_accuracy) / (1 - relative_accuracy))),
      max_buckets_(max_buckets ? max_buckets : buckets_for(relative_accuracy)),
      pos_(max_buckets_, false),
      neg_(max_buckets_, true),
      min_(std::numeric_limits<double>::infinity()),
      max_(-std::numeric_limits<double>::infinity()) {}

int32_t DDSketch::index_of(double magnitude) const {
  return static_cast<int32_t>(std::ceil(std::log(magnitude) * inv_log_gamma_));
}

double DDSketch::value_of(int32_t index) const {
  return 2.0 * std::pow(gamma_, index) / (gamma_ + 1.0);
}

void DDSketch::add(double v, uint64_t n) {
  if (n == 0 || std::isnan(v)) return;
  if (v > kMinIndexable) {
    pos_.add(index_of(v), n);
  } else if (v < -kMinIndexable) {
    neg_.add(index_of(-v), n);
  } else {
    zero_count_ += n;
  }
  count_ += n;
  if (v < min_) min_ = v;
  if (v > max_) max_ = v;
}

bool DDSketch::merge(const DDSketch& other) {
  if (other.alpha_ != alpha_) return false;
  if (other.count_ == 0) return true;
  pos_.merge(other.pos_);
  neg_.merge(other.neg_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  return true;
}

double DDSketch::quantile(double q) const {
  if (count_ == 0 || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) return min_;
  if (q >= 1) return max_;
  double rank = std::floor(q * static_cast<double>(count_ - 1));
  double result = 0;
  uint64_t seen = 0;
  bool found = false;
  // Most negative first: the negative store from its highest magnitude down.
  const auto& nc = neg_.counts();
  for (size_t i = nc.size(); i-- > 0 && !found;) {
    seen += nc[i];
    if (static_cast<double>(seen) > rank) {
      result = -value_of(neg_.offset() + static_cast<int32_t>(i));
      found = true;
    }
  }
  if (!found) {
    seen += zero_count_;
    if (static_cast<double>(seen) > rank) {
      result = 0;
      found = true;
    }
  }
  const auto& pc = pos_.counts();
  for (size_t i = 0; i < pc.size() && !found; ++i) {
    seen += pc[i];
    if (static_cast<double>(seen) > rank) {
      result = value_of(pos_.offset() + static_cast<int32_t>(i));
      found = true;
    }
  }
  if (!found) result = max_;
  return std::clamp(result, min_, max_);
}

size_t DDSketch::memory_bytes() const {
  return sizeof(*this) + pos_.memory_bytes() + neg_.memory_bytes();
}

namespace {

void write_store(JsonBuilder& out, const detail::DenseBucketStore& s) {
  out.begin_array();
  // Trim zero buckets at both ends so the state stays small.
  const auto& c = s.counts();
  size_t lo = 0, hi = c.size();
  while (lo < hi && c[lo] == 0) ++lo;
  while (hi > lo && c[hi - 1] == 0) --hi;
  out.int64(lo < hi ? s.offset() + static_cast<int64_t>(lo) : 0);
  out.begin_array();
  for (size_t i = lo; i < hi; ++i) out.uint64(c[i]);
  out.end_array();
  out.end_array();
}

bool read_store(const simdjson::dom::element& e, detail::DenseBucketStore& s, uint32_t max_buckets,
                std::string& error) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) || arr.size() != 2) {
    error = "bucket store must be [offset, [counts]]";
    return false;
  }
  int64_t offset;
  simdjson::dom::array counts;
  if (arr.at(0).get_int64().get(offset) || arr.at(1).get_array().get(counts)) {
    error = "bucket store must be [offset, [counts]]";
    return false;
  }
  if (counts.size() > max_buckets || offset < INT32_MIN / 2 || offset > INT32_MAX / 2) {
    error = "bucket store out of range";
    return false;
  }
  std::vector<uint64_t> v;
  v.reserve(counts.size());
  for (auto c : counts) {
    uint64_t n;
    if (c.get_uint64().get(n)) {
      error = "bucket counts must be non-negative integers";
      return false;
    }
    v.push_back(n);
  }
  s.assign(static_cast<int32_t>(offset), std::move(v));
  return true;
}

}  // namespace

void DDSketch::write_json(JsonBuilder& out) const {
  out.begin_object();
  out.field_number("alpha", alpha_);
  out.key("max_buckets");
  out.uint64(max_buckets_);
  out.key("count");
  out.uint64(count_);
  if (count_ > 0) {
    out.field_number("min", min_);
    out.field_number("max", max_);
  }
  out.key("zero");
  out.uint64(zero_count_);
  out.key("pos");
  write_store(out, pos_);
  out.key("neg");
  write_store(out, neg_);
  out.end_object();
}

bool DDSketch::read_json(const simdjson::dom::element& in, DDSketch& out, std::string& error) {
  double alpha;
  uint64_t max_buckets, count, zero;
  if (in["alpha"].get_double().get(alpha) || !(alpha > 0 && alpha < 1)) {
    error = "\"alpha\" must be a number in (0, 1)";
    return false;
  }
  if (in["max_buckets"].get_uint64().get(max_buckets) || max_buckets < 16 || max_buckets > (1u << 20)) {
    error = "\"max_buckets\" must be an integer in [16, 1048576]";
    return false;
  }
  if (in["count"].get_uint64().get(count) || in["zero"].get_uint64().get(zero)) {
    error = "\"count\" and \"zero\" must be non-negative integers";
    return false;
  }
  DDSketch s(alpha, static_cast<uint32_t>(max_buckets));
  simdjson::dom::element pos, neg;
  if (in["pos"].get(pos) || in["neg"].get(neg)) {
    error = "\"pos\" and \"neg\" bucket stores are required";
    return false;
  }
  if (!read_store(pos, s.pos_, s.max_buckets_, error)) return false;
  if (!read_store(neg, s.neg_, s.max_buckets_, error)) return false;
  s.zero_count_ = zero;
  s.count_ = count;
  if (count > 0) {
    if (in["min"].get_double().get(s.min_) || in["max"].get_double().get(s.max_)) {
      error = "\"min\" and \"max\" must be numbers";
      return false;
    }
  }
  if (s.pos_.total() + s.neg_.total() + s.zero_count_ != count) {
    error = "bucket counts do not add up to \"count\"";
    return false;
  }
  out = std::move(s);
  return true;
}

}  // namespace olly
