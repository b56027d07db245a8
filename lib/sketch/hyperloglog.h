// HyperLogLog distinct counting with 2^p one-byte registers (p = 14 by
// default: 16 KiB, standard error 1.04 / sqrt(2^14) = 0.81%). Values are
// hashed to 64 bits (hash.h); a register keeps the longest run of leading
// zeros seen in the bits after its index. The estimate is Ertl's improved
// estimator ("New cardinality estimation algorithms for HyperLogLog
// sketches", 2017), which is unbiased from 0 to beyond 10^9 without
// empirical correction tables.
//
// Small sets are exact: until kExactLimit distinct hashes the sketch keeps
// the hashes themselves (8 bytes each, less than the registers), so
// distinct over a few hundred values gives the exact count (barring a 64-bit
// hash collision). Merging takes the register-wise maximum (or the union of
// exact sets): the merged sketch equals one built over all the data.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace simdjson::dom { class element; }

namespace olly {

class JsonBuilder;

class HyperLogLog {
 public:
  static constexpr int kDefaultPrecision = 14;
  static constexpr size_t kExactLimit = 1024;

  explicit HyperLogLog(int precision = kDefaultPrecision);

  void add_hash(uint64_t h);
  void add(std::string_view bytes);
  // Register-wise maximum; false (and no change) when the precisions differ.
  bool merge(const HyperLogLog& other);

  double estimate() const;
  bool is_exact() const { return registers_.empty(); }
  int precision() const { return precision_; }
  size_t memory_bytes() const;

  // Partial-state JSON (documented in olly-agg(1)):
  //   exact:  {"p":14,"exact":"BASE64"}  (sorted distinct 64-bit hashes, little-endian)
  //   sketch: {"p":14,"registers":"BASE64"}  (2^p bytes, register i = byte i)
  void write_json(JsonBuilder& out) const;
  static bool read_json(const simdjson::dom::element& in, HyperLogLog& out, std::string& error);

 private:
  void compact_exact();   // sort + unique the exact hashes; switch to registers when too many
  void to_registers();
  std::vector<uint64_t> unique_hashes() const;  // the exact phase's set, sorted
  void set_register(uint64_t h);

  int precision_;
  std::vector<uint64_t> exact_;     // exact phase: hashes, possibly with duplicates until compacted
  size_t exact_sorted_ = 0;         // exact_[0, exact_sorted_) is sorted and unique
  std::vector<uint8_t> registers_;  // sketch phase (empty while exact)
};

}  // namespace olly
