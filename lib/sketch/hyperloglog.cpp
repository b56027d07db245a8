#include "sketch/hyperloglog.h"

#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/base64.h"
#include "sketch/hash.h"
#include "core/writer.h"

namespace olly {

HyperLogLog::HyperLogLog(int precision) : precision_(std::clamp(precision, 4, 18)) {}

void HyperLogLog::set_register(uint64_t h) {
  const int q = 64 - precision_;
  size_t idx = static_cast<size_t>(h >> q);
  uint64_t w = h << precision_;
  // Rank of the first 1 bit in the q bits after the index (q + 1 when all zero).
  uint8_t rank = w == 0 ? static_cast<uint8_t>(q + 1) : static_cast<uint8_t>(std::countl_zero(w) + 1);
  if (rank > registers_[idx]) registers_[idx] = rank;
}

void HyperLogLog::add_hash(uint64_t h) {
  if (!registers_.empty()) {
    set_register(h);
    return;
  }
  exact_.push_back(h);
  // Compaction every kExactLimit appends keeps the exact phase amortised O(log n).
  if (exact_.size() >= exact_sorted_ + kExactLimit) compact_exact();
}

void HyperLogLog::add(std::string_view bytes) { add_hash(hash_bytes(bytes)); }

void HyperLogLog::compact_exact() {
  std::sort(exact_.begin(), exact_.end());
  exact_.erase(std::unique(exact_.begin(), exact_.end()), exact_.end());
  exact_sorted_ = exact_.size();
  if (exact_.size() > kExactLimit) to_registers();
}

void HyperLogLog::to_registers() {
  registers_.assign(size_t{1} << precision_, 0);
  for (uint64_t h : exact_) set_register(h);
  exact_.clear();
  exact_.shrink_to_fit();
  exact_sorted_ = 0;
}

bool HyperLogLog::merge(const HyperLogLog& other) {
  if (other.precision_ != precision_) return false;
  if (other.registers_.empty()) {
    if (registers_.empty()) {
      exact_.insert(exact_.end(), other.exact_.begin(), other.exact_.end());
      compact_exact();
    } else {
      for (uint64_t h : other.exact_) set_register(h);
    }
    return true;
  }
  if (registers_.empty()) to_registers();
  for (size_t i = 0; i < registers_.size(); ++i) {
    registers_[i] = std::max(registers_[i], other.registers_[i]);
  }
  return true;
}

namespace {

// sigma and tau of Ertl (2017), section 4: series that correct the
// contributions of empty (rank 0) and saturated (rank q + 1) registers.
double ertl_sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0, z = x, prev;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (z != prev);
  return z;
}

double ertl_tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1.0 - x, prev;
  do {
    x = std::sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (z != prev);
  return z / 3.0;
}

}  // namespace

double HyperLogLog::estimate() const {
  if (registers_.empty()) {
    // Exact phase: count distinct hashes (the tail past exact_sorted_ may repeat).
    // Past the limit the answer is the registers' estimate, so results depend
    // only on the set of values, not on when compaction happened to run.
    std::vector<uint64_t> tmp = unique_hashes();
    if (tmp.size() <= kExactLimit) return static_cast<double>(tmp.size());
    HyperLogLog dense(precision_);
    dense.exact_ = std::move(tmp);
    dense.to_registers();
    return dense.estimate();
  }
  const int q = 64 - precision_;
  const double m = static_cast<double>(registers_.size());
  std::vector<uint32_t> hist(static_cast<size_t>(q + 2), 0);
  for (uint8_t r : registers_) ++hist[r];
  double z = m * ertl_tau(1.0 - hist[static_cast<size_t>(q + 1)] / m);
  for (int k = q; k >= 1; --k) z = 0.5 * (z + hist[static_cast<size_t>(k)]);
  z += m * ertl_sigma(hist[0] / m);
  const double alpha_inf = 0.5 / std::log(2.0);
  return alpha_inf * m * m / z;
}

std::vector<uint64_t> HyperLogLog::unique_hashes() const {
  std::vector<uint64_t> tmp(exact_);
  std::sort(tmp.begin(), tmp.end());
  tmp.erase(std::unique(tmp.begin(), tmp.end()), tmp.end());
  return tmp;
}

size_t HyperLogLog::memory_bytes() const {
  return sizeof(*this) + exact_.capacity() * sizeof(uint64_t) + registers_.capacity();
}

void HyperLogLog::write_json(JsonBuilder& out) const {
  std::vector<uint64_t> tmp = unique_hashes();
  if (registers_.empty() && tmp.size() > kExactLimit) {
    HyperLogLog dense(precision_);
    dense.exact_ = std::move(tmp);
    dense.to_registers();
    dense.write_json(out);
    return;
  }
  out.begin_object();
  out.field_int("p", precision_);
  std::string b64;
  if (registers_.empty()) {
    std::string bytes(tmp.size() * 8, '\0');
    for (size_t i = 0; i < tmp.size(); ++i) {
      for (int b = 0; b < 8; ++b) bytes[i * 8 + b] = static_cast<char>((tmp[i] >> (8 * b)) & 0xff);
    }
    append_base64(b64, bytes);
    out.field("exact", b64);
  } else {
    append_base64(b64, std::string_view(reinterpret_cast<const char*>(registers_.data()),
                                        registers_.size()));
    out.field("registers", b64);
  }
  out.end_object();
}

bool HyperLogLog::read_json(const simdjson::dom::element& in, HyperLogLog& out, std::string& error) {
  int64_t p;
  if (in["p"].get_int64().get(p) || p < 4 || p > 18) {
    error = "\"p\" must be an integer in [4, 18]";
    return false;
  }
  HyperLogLog h(static_cast<int>(p));
  std::string_view text;
  std::string bytes;
  if (!in["exact"].get_string().get(text)) {
    if (!decode_base64(text, bytes) || bytes.size() % 8 != 0) {
      error = "\"exact\" must be base64 of 8-byte hashes";
      return false;
    }
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t v = 0;
      for (int b = 0; b < 8; ++b) v |= uint64_t{static_cast<unsigned char>(bytes[i + b])} << (8 * b);
      h.exact_.push_back(v);
    }
    h.compact_exact();
  } else if (!in["registers"].get_string().get(text)) {
    if (!decode_base64(text, bytes) || bytes.size() != (size_t{1} << p)) {
      error = "\"registers\" must be base64 of 2^p bytes";
      return false;
    }
    h.registers_.assign(bytes.begin(), bytes.end());
    for (uint8_t r : h.registers_) {
      if (r > 64 - p + 1) {
        error = "register value out of range";
        return false;
      }
    }
  } else {
    error = "expected \"exact\" or \"registers\"";
    return false;
  }
  out = std::move(h);
  return true;
}

}  // namespace olly
