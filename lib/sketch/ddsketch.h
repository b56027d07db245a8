// DDSketch: a mergeable quantile sketch with relative-error guarantees
// (Masson, Rim, Lee, VLDB 2019). A value x > 0 falls in bucket
// i = ceil(log_gamma(x)) with gamma = (1 + a) / (1 - a); the bucket's
// representative 2 gamma^i / (gamma + 1) is within relative error a of every
// value in the bucket. So the estimate of any quantile is within a (default
// 1%) of the exact value at that rank, on any distribution, as long as the
// bucket count stays under its bound. The bound follows the accuracy
// (buckets_for): enough buckets for magnitudes spanning kRangeDecades (21)
// decades, e.g. 1e-9 to 1e12, at any accuracy. Past it the buckets nearest
// zero are collapsed (low quantiles of wider-range data lose accuracy first,
// the high ones users ask for keep it). Buckets are allocated for the range
// the data actually covers: 8 bytes per bucket, so a sketch over data
// spanning D decades takes about 8 x D x ln(10) / ln(gamma) bytes per sign
// (0.01: ~0.9 KiB per decade; 0.001: ~9 KiB per decade), at most
// 8 x buckets_for(alpha) per sign (0.01: 19 KiB; 0.001: 189 KiB).
//
// Negative values go to a mirrored store, zero (and |x| < 1e-300) to its own
// counter. Merging two sketches of the same accuracy adds bucket counts: the
// merged sketch equals one built over all the data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace simdjson::dom { class element; }

namespace olly {

class JsonBuilder;

namespace detail {

// Counts for a contiguous range of bucket indexes [offset_, offset_ + size).
class DenseBucketStore {
 public:
  // collapse_high: when over max_buckets, fold the highest indexes instead
  // of the lowest (the negative store's indexes count magnitudes).
  DenseBucketStore(uint32_t max_buckets, bool collapse_high)
      : max_buckets_(max_buckets), collapse_high_(collapse_high) {}

  void add(int32_t index, uint64_t n);
  void merge(const DenseBucketStore& other);
  bool empty() const { return total_ == 0; }
  uint64_t total() const { return total_; }
  int32_t offset() const { return offset_; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  void clear();
  // Replaces the contents (decoding a partial state).
  void assign(int32_t offset, std::vector<uint64_t> counts);
  size_t memory_bytes() const { return counts_.capacity() * sizeof(uint64_t); }

 private:
  void extend_to(int32_t lo, int32_t hi);  // make [lo, hi] addressable, collapsing if needed

  std::vector<uint64_t> counts_;
  int32_t offset_ = 0;
  uint64_t total_ = 0;
  uint32_t max_buckets_;
  bool collapse_high_;
};

}  // namespace detail

class DDSketch {
 public:
  static constexpr double kDefaultAccuracy = 0.01;
  // The accuracies olly-agg accepts (--accuracy): [kMinAccuracy, kMaxAccuracy).
  static constexpr double kMinAccuracy = 0.001;
  static constexpr double kMaxAccuracy = 0.5;
  // Decades of magnitude the default bucket bound covers at full accuracy.
  static constexpr double kRangeDecades = 21;
  // The bucket bound for an accuracy: ceil(kRangeDecades ln 10 / ln gamma) + 1.
  static uint32_t buckets_for(double relative_accuracy);

  // max_buckets 0: buckets_for(relative_accuracy).
  explicit DDSketch(double relative_accuracy = kDefaultAccuracy, uint32_t max_buckets = 0);

  void add(double v) { add(v, 1); }
  void add(double v, uint64_t n);
  // Adds other's counts; false (and no change) when the accuracies differ.
  bool merge(const DDSketch& other);

  // The estimate of the q-quantile (0 <= q <= 1): the value at rank
  // floor(q * (count - 1)) of the sorted input, within the relative accuracy.
  // q = 0 and q = 1 give the exact min and max. NaN when empty.
  double quantile(double q) const;

  uint64_t count() const { return count_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double relative_accuracy() const { return alpha_; }
  uint32_t max_buckets() const { return max_buckets_; }
  size_t memory_bytes() const;

  // Partial-state JSON (documented in olly-agg(1)):
  //   {"alpha":0.01,"max_buckets":2048,"count":N,"min":X,"max":Y,"zero":Z,
  //    "pos":[OFFSET,[C0,C1,...]],"neg":[OFFSET,[...]]}
  // Bucket i of "pos" is OFFSET + i and counts values in (gamma^(k-1), gamma^k];
  // "neg" counts the magnitudes of negative values the same way.
  void write_json(JsonBuilder& out) const;
  // Reads the form above; false with error set on a malformed state.
  static bool read_json(const simdjson::dom::element& in, DDSketch& out, std::string& error);

 private:
  int32_t index_of(double magnitude) const;
  double value_of(int32_t index) const;

  double alpha_;
  double gamma_;
  double inv_log_gamma_;
  uint32_t max_buckets_;
  detail::DenseBucketStore pos_;
  detail::DenseBucketStore neg_;
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
  double min_;
  double max_;
};

}  // namespace olly
