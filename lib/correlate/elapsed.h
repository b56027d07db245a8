// Durations of the correlate events (sessions, sequences, traces).
#pragma once
#include <cstdint>

namespace olly {

// end - start in nanoseconds, for end >= start: exact in uint64 where int64
// overflows (a span from 1677 to 2262 lasts more than INT64_MAX ns).
inline uint64_t elapsed_ns(int64_t start, int64_t end) {
  return static_cast<uint64_t>(end) - static_cast<uint64_t>(start);
}
inline double elapsed_ms(int64_t start, int64_t end) { return static_cast<double>(elapsed_ns(start, end)) / 1e6; }

}  // namespace olly
