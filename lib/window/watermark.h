// When event-time windows close (lib/window; see window.h). The watermark is
// the latest event time seen; a window [start, end) closes once end +
// lateness <= watermark, and an event whose window has closed (and was
// written) is late: counted, not added. On input that ends (a regular file,
// -j threads, --merge) the caller holds every window to the end of input
// instead: nothing closes early and no event is late.
#pragma once
#include <algorithm>
#include <climits>
#include <cstdint>
#include <map>

namespace olly {

class Watermark {
 public:
  explicit Watermark(int64_t lateness_ns = 0) : lateness_(lateness_ns) {}

  // Hold every window until the end of input (then nothing is late).
  void set_hold(bool hold) { hold_ = hold; }
  bool hold() const { return hold_; }
  int64_t lateness() const { return lateness_; }
  // Whether any event time was seen, and the latest one.
  bool started() const { return started_; }
  int64_t value() const { return value_; }

  // Whether the window ending at end has closed (never while holding).
  // A window whose end plus the lateness is past the end of int64 closes
  // only at the end of input (the sum would overflow).
  bool closed(int64_t end) const {
    int64_t at;
    return !hold_ && started_ && !__builtin_add_overflow(end, lateness_, &at) && at <= value_;
  }
  // Whether what was last seen at t is final: t + after + 1 (after >= 0)
  // closed; never when that is past the end of int64 (correlate's idle
  // traces and sessions).
  bool closed_after(int64_t t, int64_t after) const {
    int64_t end;
    return !__builtin_add_overflow(t, after, &end) && end < INT64_MAX && closed(end + 1);
  }
  // An event at t was seen: the watermark moves up to it.
  void observe(int64_t t) {
    if (!started_ || t > value_) {
      value_ = t;
      started_ = true;
    }
  }
  // One event at t in the window ending at end (with sliding windows: the
  // latest of its windows). false, and counted as late, when that window
  // has closed; else the watermark moves up to t.
  bool admit(int64_t t, int64_t end) {
    if (closed(end)) {
      count_late(end);
      return false;
    }
    observe(t);
    return true;
  }
  // Counts a late event whose window ends at end (closed(end) holds).
  void count_late(int64_t end) {
    ++late_;
    // How much more lateness would have kept this event: for the hint.
    max_late_by_ = std::max(max_late_by_, value_ - (end + lateness_) + 1);
  }

  uint64_t late_events() const { return late_; }
  // The lateness that would have counted every late event (0: none late).
  int64_t lateness_needed() const { return late_ ? lateness_ + max_late_by_ : 0; }
  // Takes other's late-event counts (threads' states merging); other's are reset.
  void take_late_counts(Watermark& other) {
    late_ += other.late_;
    max_late_by_ = std::max(max_late_by_, other.max_late_by_);
    other.late_ = 0;
    other.max_late_by_ = 0;
  }

 private:
  int64_t lateness_;
  bool hold_ = false;
  bool started_ = false;
  int64_t value_ = INT64_MIN;
  uint64_t late_ = 0;
  int64_t max_late_by_ = 0;  // the most a late event missed its window's close by
};

// The state of each open window, by window start, oldest first. The last
// window looked up is cached: consecutive events mostly share a window.
template <class T>
class OpenWindows {
 public:
  using Map = std::map<int64_t, T>;

  // The state of the window starting at start (created empty).
  T& at(int64_t start) {
    if (cached_ && cached_start_ == start) return *cached_;
    T& t = windows_[start];
    cached_start_ = start;
    cached_ = &t;
    return t;
  }
  bool empty() const { return windows_.empty(); }
  size_t size() const { return windows_.size(); }
  typename Map::iterator begin() { return windows_.begin(); }
  typename Map::iterator end() { return windows_.end(); }
  typename Map::const_iterator begin() const { return windows_.begin(); }
  typename Map::const_iterator end() const { return windows_.end(); }
  void clear() {
    windows_.clear();
    cached_ = nullptr;
  }

  // Whether the oldest window (of the given length) has closed.
  bool any_closed(const Watermark& wm, int64_t length) const {
    return !windows_.empty() && wm.closed(windows_.begin()->first + length);
  }
  // Removes the closed windows, oldest first, handing each to
  // done(start, T&) just before it goes.
  template <class F>
  void close(const Watermark& wm, int64_t length, F&& done) {
    while (!windows_.empty()) {
      auto it = windows_.begin();
      if (!wm.closed(it->first + length)) break;
      done(it->first, it->second);
      if (cached_ == &it->second) cached_ = nullptr;
      windows_.erase(it);
    }
  }
  // Hands every window to done(start, T&), oldest first, then removes them
  // all: the end of input.
  template <class F>
  void drain(F&& done) {
    for (auto& [start, t] : windows_) done(start, t);
    clear();
  }

 private:
  Map windows_;
  int64_t cached_start_ = 0;
  T* cached_ = nullptr;
};

}  // namespace olly
