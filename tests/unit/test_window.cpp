// lib/window: window assignment (tumbling, sliding), the watermark and
// lateness, and the open windows' state. Cases computed by hand.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "window/watermark.h"
#include "window/window.h"

using namespace olly;

namespace {

constexpr int64_t kMin = 60 * kNsPerSec;

std::vector<int64_t> starts_of(const Windows& w, int64_t t) {
  std::vector<int64_t> out;
  w.for_each_start(t, [&](int64_t s) { out.push_back(s); });
  return out;
}

using Starts = std::vector<int64_t>;

}  // namespace

TEST_CASE("floor_div rounds toward negative infinity") {
  CHECK(floor_div(7, 2) == 3);
  CHECK(floor_div(-7, 2) == -4);
  CHECK(floor_div(-8, 2) == -4);
  CHECK(floor_div(7, -2) == -4);
  CHECK(floor_div(-7, -2) == 3);
  CHECK(floor_div(0, 5) == 0);
  CHECK(floor_div(-1, 60) == -1);
}

TEST_CASE("tumbling windows: start = floor(t / L) * L, negative times included") {
  CHECK(tumbling_start(0, kMin) == 0);
  CHECK(tumbling_start(kMin - 1, kMin) == 0);
  CHECK(tumbling_start(kMin, kMin) == kMin);  // an edge starts the next window
  CHECK(tumbling_start(kMin + 1, kMin) == kMin);
  CHECK(tumbling_start(-1, kMin) == -kMin);  // 1969-12-31T23:59:59.999999999Z
  CHECK(tumbling_start(-kMin, kMin) == -kMin);
  CHECK(tumbling_start(-kMin - 1, kMin) == -2 * kMin);
  // 2026-11-25T02:40:30Z in the minute 02:40.
  const int64_t t = 1795574430 * kNsPerSec;
  CHECK(tumbling_start(t, kMin) == 1795574400 * kNsPerSec);

  auto w = Windows::tumbling(kMin);
  REQUIRE(w);
  CHECK(w->is_tumbling());
  CHECK(starts_of(*w, -1) == Starts{-kMin});
  CHECK(starts_of(*w, kMin) == Starts{kMin});
  CHECK(w->count(12345) == 1);
  CHECK(w->end(kMin) == 2 * kMin);
}

TEST_CASE("sliding windows: length 10 every 5 (every divides length)") {
  auto w = Windows::sliding(10, 5);
  REQUIRE(w);
  CHECK(!w->is_tumbling());
  CHECK(starts_of(*w, 0) == Starts{-5, 0});
  CHECK(starts_of(*w, 4) == Starts{-5, 0});
  CHECK(starts_of(*w, 5) == Starts{0, 5});  // [-5, 5) ends at 5: not in it
  CHECK(starts_of(*w, 9) == Starts{0, 5});
  CHECK(starts_of(*w, -1) == Starts{-10, -5});
  CHECK(starts_of(*w, -5) == Starts{-10, -5});
  CHECK(starts_of(*w, -6) == Starts{-15, -10});
  CHECK(w->count(3) == 2);
}

TEST_CASE("sliding windows: length 10 every 3 (every does not divide length)") {
  auto w = Windows::sliding(10, 3);
  REQUIRE(w);
  // [-3,7) [0,10) [3,13) hold 5; [-6,4) ends before it.
  CHECK(starts_of(*w, 5) == Starts{-3, 0, 3});
  CHECK(w->first_start(5) == -3);
  CHECK(w->last_start(5) == 3);
  // 6 is in four: [-3,7) [0,10) [3,13) [6,16).
  CHECK(starts_of(*w, 6) == Starts{-3, 0, 3, 6});
  CHECK(w->count(6) == 4);
  // 7 is the end of [-3,7): three again.
  CHECK(starts_of(*w, 7) == Starts{0, 3, 6});
  CHECK(starts_of(*w, 0) == Starts{-9, -6, -3, 0});
  CHECK(starts_of(*w, -1) == Starts{-9, -6, -3});
  CHECK(starts_of(*w, -10) == Starts{-18, -15, -12});
  CHECK(starts_of(*w, -9) == Starts{-18, -15, -12, -9});
}

TEST_CASE("sliding windows agree with the definition (brute force)") {
  for (int64_t length = 1; length <= 12; ++length) {
    for (int64_t every = 1; every <= length; ++every) {
      auto w = Windows::sliding(length, every);
      REQUIRE(w);
      for (int64_t t = -50; t <= 50; ++t) {
        Starts want;
        for (int64_t k = -100; k <= 100; ++k) {
          if (k * every <= t && t < k * every + length) want.push_back(k * every);
        }
        CAPTURE(length);
        CAPTURE(every);
        CAPTURE(t);
        CHECK(starts_of(*w, t) == want);
        CHECK(w->count(t) == static_cast<int64_t>(want.size()));
      }
    }
  }
}

TEST_CASE("windows need length >= every > 0") {
  CHECK(!Windows::sliding(5, 10));
  CHECK(!Windows::sliding(10, 0));
  CHECK(!Windows::sliding(10, -5));
  CHECK(!Windows::tumbling(0));
  CHECK(!Windows::tumbling(-kMin));
  CHECK(Windows::sliding(10, 10)->is_tumbling());
}

TEST_CASE("watermark: a window closes once its end + lateness <= the latest event time") {
  Watermark wm;  // lateness 0
  CHECK(!wm.started());
  CHECK(!wm.closed(INT64_MIN + 1));  // no event yet: nothing closed
  CHECK(wm.admit(65, 120));
  CHECK(wm.value() == 65);
  CHECK(wm.closed(60));   // [0,60) closed
  CHECK(!wm.closed(66));  // [.., 66) not yet
  CHECK(wm.closed(65));   // the end exactly at the watermark: closed

  // An event of the closed window [0,60) is late, by 65 - 60 + 1 = 6.
  CHECK(!wm.admit(30, 60));
  CHECK(wm.late_events() == 1);
  CHECK(wm.lateness_needed() == 6);
  CHECK(wm.value() == 65);  // late events do not move the watermark
  // An earlier event of an open window counts and leaves the watermark.
  CHECK(wm.admit(61, 120));
  CHECK(wm.value() == 65);
  CHECK(wm.admit(100, 120));
  CHECK(wm.value() == 100);
  CHECK(!wm.admit(10, 60));  // late by 100 - 60 + 1 = 41
  CHECK(wm.late_events() == 2);
  CHECK(wm.lateness_needed() == 41);
}

TEST_CASE("watermark: lateness keeps windows open, and the hint is enough") {
  Watermark wm(6);
  CHECK(wm.admit(65, 120));
  CHECK(!wm.closed(60));  // 60 + 6 > 65
  CHECK(wm.admit(30, 60));
  CHECK(wm.lateness_needed() == 0);
  CHECK(wm.admit(66, 120));
  CHECK(wm.closed(60));  // 60 + 6 <= 66
  CHECK(!wm.admit(59, 60));
  CHECK(wm.lateness_needed() == 6 + 1);  // 66 - 66 + 1 more
  // With the lateness the hint names, that event would have counted.
  Watermark again(wm.lateness_needed());
  CHECK(again.admit(65, 120));
  CHECK(again.admit(66, 120));
  CHECK(again.admit(59, 60));
}

TEST_CASE("watermark: hold keeps every window until the end of input") {
  Watermark wm;
  wm.set_hold(true);
  CHECK(wm.hold());
  CHECK(wm.admit(1000, 1060));
  CHECK(!wm.closed(60));
  CHECK(wm.admit(5, 60));  // would be late on a stream
  CHECK(wm.value() == 1000);
  CHECK(wm.late_events() == 0);
  CHECK(wm.lateness_needed() == 0);
}

TEST_CASE("watermark: late counts of merged states add up") {
  Watermark a, b;
  a.admit(100, 120);
  a.admit(1, 60);  // late by 41
  b.admit(200, 240);
  b.admit(1, 60);  // late by 141
  b.admit(2, 60);
  a.take_late_counts(b);
  CHECK(a.late_events() == 3);
  CHECK(a.lateness_needed() == 141);
  CHECK(b.late_events() == 0);
  CHECK(b.lateness_needed() == 0);
}

TEST_CASE("open windows close in start order, once the watermark passes them") {
  OpenWindows<int> open;
  Watermark wm;
  open.at(120) = 3;
  open.at(0) = 1;
  open.at(60) = 2;
  ++open.at(60);  // the cached window
  CHECK(open.size() == 3);
  CHECK(!open.any_closed(wm, 60));  // no event time yet
  wm.observe(125);
  CHECK(open.any_closed(wm, 60));
  std::vector<std::pair<int64_t, int>> done;
  auto collect = [&](int64_t start, int& v) { done.emplace_back(start, v); };
  open.close(wm, 60, collect);
  CHECK(done == std::vector<std::pair<int64_t, int>>{{0, 1}, {60, 3}});  // [120,180) stays open
  CHECK(open.size() == 1);
  CHECK(!open.any_closed(wm, 60));
  CHECK(open.at(60) == 0);  // the cache did not keep the closed window: a new one
  done.clear();
  open.drain(collect);
  CHECK(done == std::vector<std::pair<int64_t, int>>{{60, 0}, {120, 3}});
  CHECK(open.empty());

  // Held: nothing closes before the end of input.
  Watermark held;
  held.set_hold(true);
  held.observe(1'000'000);
  open.at(0) = 1;
  CHECK(!open.any_closed(held, 60));
  open.close(held, 60, collect);
  CHECK(open.size() == 1);
}

TEST_CASE("sliding windows, watermark and open windows together: count per window") {
  // Length 10 every 5, lateness 0; an event counts in each of its windows
  // that is still open; it is late only when all of them have closed.
  const Windows w = *Windows::sliding(10, 5);
  Watermark wm;
  OpenWindows<int> open;
  std::vector<std::pair<int64_t, int>> out;
  auto emit = [&](int64_t start, int& n) { out.emplace_back(start, n); };
  for (int64_t t : {1, 7, 12, 3, 9}) {
    if (!wm.admit(t, w.end(w.last_start(t)))) continue;
    w.for_each_start(t, [&](int64_t s) {
      if (!wm.closed(w.end(s))) ++open.at(s);
    });
    open.close(wm, w.length(), emit);
  }
  open.drain(emit);
  // 1: [-5,5) [0,10); 7: [0,10) [5,15) and closes [-5,5); 12: [5,15)
  // [10,20) and closes [0,10); 3: late (both closed, by 12 - 10 + 1 = 3);
  // 9: [5,15) only ([0,10) has closed).
  CHECK(out == std::vector<std::pair<int64_t, int>>{{-5, 1}, {0, 2}, {5, 3}, {10, 1}});
  CHECK(wm.late_events() == 1);
  CHECK(wm.lateness_needed() == 3);
}
