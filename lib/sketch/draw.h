// Keep decisions that need no state: a 64-bit draw (from a key's hash or an
// event's position) kept when (draw >> 1) is below a bound, the comparison
// OpenTelemetry's TraceIDRatioBased sampler makes. olly-sample decides with
// them, and olly-explain draws its baseline sample by position.
#pragma once
#include <cstdint>

namespace olly {

// splitmix64's finaliser: every input bit reaches every output bit.
inline uint64_t splitmix_finish(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The threshold every keep test compares a 63-bit draw with:
// uint64(ratio * 2^63), as opentelemetry-go's TraceIDRatioBased computes it.
inline uint64_t rate_bound(double ratio) {
  if (ratio <= 0) return 0;
  if (ratio >= 1) return uint64_t{1} << 63;  // every 63-bit draw is below it: keep all
  return static_cast<uint64_t>(ratio * 9223372036854775808.0);
}

// Keep when (draw >> 1) < bound: the OTel comparison, so a key hash and a
// trace id keep the same share.
inline bool keep_draw(uint64_t draw, uint64_t bound) { return (draw >> 1) < bound; }

// The draw of an event without a key: the splitmix64 output for the seed's
// stream at the line's byte offset in its file, so -j N decides as -j 1.
inline uint64_t position_draw(uint64_t seed, uint64_t offset) {
  // splitmix64: state = seed-derived start + offset * golden gamma, then finish.
  return splitmix_finish(splitmix_finish(seed) + (offset + 1) * 0x9e3779b97f4a7c15ull);
}

}  // namespace olly
