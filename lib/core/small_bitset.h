// A set of small indexes that needs no allocation up to 64 members (the
// per-record "which listed fields were seen" sets of extract and rewrite).
#pragma once
#include <cstdint>
#include <vector>

namespace olly {

class SmallBitset {
 public:
  explicit SmallBitset(size_t size) {
    if (size > 64) more_.assign(size, false);
  }
  bool test(size_t i) const { return more_.empty() ? (bits_ >> i) & 1 : static_cast<bool>(more_[i]); }
  void set(size_t i) {
    if (more_.empty()) bits_ |= uint64_t{1} << i;
    else more_[i] = true;
  }

 private:
  uint64_t bits_ = 0;
  std::vector<bool> more_;
};

}  // namespace olly
