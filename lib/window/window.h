// Event-time windows: what every verb that counts "per minute" shares (agg,
// alert, correlate, explain, patterns). This header assigns an event time to
// its windows, tumbling (length L: [k*L, (k+1)*L)) or sliding/hopping (length
// L every S: [k*S, k*S + L) for every integer k, so an event is in about L/S
// of them); watermark.h decides when a window has closed (the watermark, the
// allowed lateness, late events) and holds the open windows' state until
// then. Times are TimeNs (nanoseconds since the epoch, negative before 1970);
// windows are aligned to the epoch. lib/window may include lib/time and
// lib/core only; never a verb's folder (lib/agg, ...).
#pragma once
#include <cstdint>
#include <optional>

#include "time/timeutil.h"

namespace olly {

// The start of the tumbling window of length L (> 0) holding t:
// floor(t / L) * L, so -1s is in [-1m, 0) with L = 1m.
constexpr int64_t tumbling_start(int64_t t, int64_t length) { return floor_div(t, length) * length; }

// The windows [k*every, k*every + length) for every integer k, with
// length >= every > 0; length == every is tumbling. When every divides
// length, each time is in exactly length/every windows; otherwise in
// floor(length/every) or one more, depending on where it falls.
class Windows {
 public:
  // nullopt unless length >= every > 0 (the caller names the bad flag).
  static constexpr std::optional<Windows> sliding(int64_t length, int64_t every) {
    if (every <= 0 || length < every) return std::nullopt;
    return Windows(length, every);
  }
  static constexpr std::optional<Windows> tumbling(int64_t length) { return sliding(length, length); }

  constexpr int64_t length() const { return length_; }
  constexpr int64_t every() const { return every_; }
  constexpr bool is_tumbling() const { return length_ == every_; }
  constexpr int64_t end(int64_t start) const { return start + length_; }

  // The latest window holding t (for tumbling windows the only one).
  constexpr int64_t last_start(int64_t t) const { return tumbling_start(t, every_); }
  // The earliest window holding t: the least k with k*every + length > t.
  // With t = q*every + r (0 <= r < every) that is q + floor((r - length) /
  // every) + 1, which never forms t - length (no overflow near the range's
  // start).
  constexpr int64_t first_start(int64_t t) const {
    const int64_t q = floor_div(t, every_);
    const int64_t r = t - q * every_;
    return (q + floor_div(r - length_, every_) + 1) * every_;
  }
  // How many windows hold t.
  constexpr int64_t count(int64_t t) const { return (last_start(t) - first_start(t)) / every_ + 1; }
  // Calls fn(start) for each window holding t, oldest first.
  template <class F>
  void for_each_start(int64_t t, F&& fn) const {
    const int64_t last = last_start(t);
    for (int64_t s = first_start(t);; s += every_) {
      fn(s);
      if (s == last) break;
    }
  }

 private:
  constexpr Windows(int64_t length, int64_t every) : length_(length), every_(every) {}
  int64_t length_;
  int64_t every_;
};

}  // namespace olly
