// A fast 64-bit hash of a byte string for sketches (HyperLogLog, sampling).
// Multiply-fold mixing in the style of wyhash: each 16-byte block is folded
// through a 64x64->128-bit multiply, so every input bit reaches every output
// bit in two rounds. Not cryptographic; stable across runs and machines
// (little-endian reads), because partial states store hashes.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace olly {

namespace detail {

inline uint64_t fold_mul(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t read_le64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

inline constexpr uint64_t kHashK0 = 0x9e3779b97f4a7c15ull;  // 2^64 / golden ratio
inline constexpr uint64_t kHashK1 = 0xbf58476d1ce4e5b9ull;
inline constexpr uint64_t kHashK2 = 0x94d049bb133111ebull;
inline constexpr uint64_t kHashK3 = 0xd6e8feb86659fd93ull;

}  // namespace detail

inline uint64_t hash_bytes(const void* data, size_t len, uint64_t seed = 0) {
  using namespace detail;
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = fold_mul(seed ^ kHashK0, kHashK1 ^ len);
  size_t left = len;
  while (left >= 16) {
    // The rotated old state is kept so a zero product cannot erase it.
    h = fold_mul(read_le64(p) ^ h ^ kHashK1, read_le64(p + 8) ^ kHashK2) ^ std::rotl(h, 29);
    p += 16;
    left -= 16;
  }
  uint64_t a = 0, b = 0;
  if (left >= 8) {
    a = read_le64(p);
    unsigned char tail[8] = {0};
    std::memcpy(tail, p + 8, left - 8);
    b = read_le64(tail) ^ (static_cast<uint64_t>(left) << 56);
  } else if (left > 0) {
    unsigned char tail[8] = {0};
    std::memcpy(tail, p, left);
    a = read_le64(tail);
    b = static_cast<uint64_t>(left) << 56;
  }
  h = fold_mul(a ^ kHashK2 ^ h, b ^ kHashK3);
  return fold_mul(h ^ kHashK0, kHashK3 ^ (h >> 29));
}

inline uint64_t hash_bytes(std::string_view s, uint64_t seed = 0) {
  return hash_bytes(s.data(), s.size(), seed);
}

// Mixes a 64-bit integer (splitmix64's finaliser).
inline uint64_t hash_u64(uint64_t x) {
  x ^= x >> 30;
  x *= detail::kHashK1;
  x ^= x >> 27;
  x *= detail::kHashK2;
  x ^= x >> 31;
  return x;
}

}  // namespace olly
