// A histogram with logarithmic (base-2) buckets, exact and mergeable:
// bucket k > kZero counts values in (2^(k-1), 2^k]; negative values are
// counted by magnitude in mirrored buckets; zero has its own count.
// Suits latencies and sizes, whose interesting structure is multiplicative.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace simdjson::dom { class element; }

namespace olly {

class JsonBuilder;

class LogHistogram {
 public:
  void add(double v, uint64_t n = 1);
  void merge(const LogHistogram& other);
  uint64_t count() const { return count_; }

  // Final form: [{"lo":L,"hi":H,"count":N},...] ascending by value; a
  // positive bucket holds L < v <= H, a negative one L <= v < H, zero L=H=0.
  void write_final(JsonBuilder& out) const;
  // Partial-state JSON: {"zero":Z,"pos":[[K,N],...],"neg":[[K,N],...]}.
  void write_json(JsonBuilder& out) const;
  static bool read_json(const simdjson::dom::element& in, LogHistogram& out, std::string& error);

  // The bucket exponent of a positive finite magnitude: k with 2^(k-1) < m <= 2^k.
  static int bucket_of(double magnitude);

 private:
  std::map<int, uint64_t> pos_, neg_;
  uint64_t zero_ = 0;
  uint64_t count_ = 0;
};

}  // namespace olly
