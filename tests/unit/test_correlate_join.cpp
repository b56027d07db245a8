// olly-correlate join: the state machine (lib/correlate/join_state.h) on
// hand-made cases, and on random inputs out of order within --lateness
// against a brute-force join of the same (not late) events.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/stage.h"
#include "core/writer.h"
#include "correlate/join.h"
#include "correlate/join_state.h"
#include "group/group_key.h"

using namespace olly;

namespace {

constexpr int64_t kSec = 1'000'000'000;

struct Ev {
  int64_t t;
  int key;
  std::string raw;
};

std::string encode(int key) {
  std::string k;
  append_key_part(k, Value::integer(key));
  return k;
}

// Runs the join as run_join reads: the side next_side() names, in input order.
std::vector<std::string> run(JoinMode mode, int64_t within, int64_t lateness, const std::vector<Ev>& left,
                             const std::vector<Ev>& right, size_t* peak = nullptr) {
  OutputSink sink(-1);
  Stats stats;
  Emitter out(sink, stats);
  JoinState state(mode, within, lateness, "right");
  const std::vector<Ev>* sides[2] = {&left, &right};
  size_t pos[2] = {0, 0};
  for (int side = state.next_side(); side >= 0; side = state.next_side()) {
    if (pos[side] == sides[side]->size()) {
      state.end_side(side, out);
      continue;
    }
    const Ev& e = (*sides[side])[pos[side]++];
    if (state.late(side, e.t)) continue;
    state.add(side, encode(e.key), e.t, e.raw, out);
  }
  if (peak) *peak = state.held_peak();
  CHECK(state.held() == 0);
  std::vector<std::string> lines;
  std::string& text = sink.buffer();
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string joined(const std::string& l, const std::string& r) {
  std::string out;
  append_joined(out, l, "\"right\":", r);
  return out;
}

// The events of one input that are not late (own input's latest - lateness).
std::vector<Ev> not_late(const std::vector<Ev>& in, int64_t lateness) {
  std::vector<Ev> kept;
  int64_t latest = INT64_MIN;
  for (const Ev& e : in) {
    if (latest != INT64_MIN && e.t < latest - lateness) continue;
    latest = std::max(latest, e.t);
    kept.push_back(e);
  }
  return kept;
}

std::vector<std::string> brute(JoinMode mode, int64_t within, const std::vector<Ev>& left,
                               const std::vector<Ev>& right) {
  std::map<int, std::vector<const Ev*>> by_key;
  for (const Ev& r : right) by_key[r.key].push_back(&r);
  std::vector<std::string> out;
  for (const Ev& l : left) {
    bool matched = false;
    for (const Ev* rp : by_key[l.key]) {
      const Ev& r = *rp;
      if (l.key != r.key || std::llabs(l.t - r.t) > within) continue;
      matched = true;
      if (mode != JoinMode::anti) out.push_back(joined(l.raw, r.raw));
    }
    if (!matched && mode == JoinMode::left) out.push_back(joined(l.raw, "null"));
    if (!matched && mode == JoinMode::anti) out.push_back(l.raw);
  }
  return out;
}

std::vector<Ev> random_side(std::mt19937& rng, char name, int n, int64_t jitter, int keys = 6) {
  std::vector<Ev> evs;
  std::uniform_int_distribution<int> key(0, keys - 1);
  std::uniform_int_distribution<int64_t> step(0, 3 * kSec);
  std::uniform_int_distribution<int64_t> shake(-jitter, jitter);
  int64_t t = 1'700'000'000 * kSec;
  for (int i = 0; i < n; ++i) {
    t += step(rng);
    evs.push_back(Ev{t + (jitter ? shake(rng) : 0), key(rng), "{\"id\":\"" + std::string(1, name) + std::to_string(i) + "\"}"});
  }
  return evs;
}

}  // namespace

TEST_CASE("append_joined puts the right event under the name, after the left's members") {
  std::string out;
  append_joined(out, R"({"a":1} )", "\"r\":", R"({"b":2})");
  CHECK(out == R"({"a":1,"r":{"b":2}})");
  out.clear();
  append_joined(out, "{ }", "\"r\":", "null");
  CHECK(out == R"({ "r":null})");
}

TEST_CASE("join: pairs within the window, several matches, unmatched per mode") {
  std::vector<Ev> left = {{0, 1, "{\"l\":0}"}, {10 * kSec, 2, "{\"l\":1}"}, {20 * kSec, 3, "{\"l\":2}"}};
  std::vector<Ev> right = {{1 * kSec, 1, "{\"r\":0}"}, {2 * kSec, 1, "{\"r\":1}"}, {13 * kSec, 2, "{\"r\":2}"},
                           {20 * kSec, 4, "{\"r\":3}"}};
  auto inner = run(JoinMode::inner, 2 * kSec, 0, left, right);
  CHECK(inner == std::vector<std::string>{R"({"l":0,"right":{"r":0}})", R"({"l":0,"right":{"r":1}})"});
  auto left_out = run(JoinMode::left, 2 * kSec, 0, left, right);
  CHECK(left_out == std::vector<std::string>{R"({"l":0,"right":{"r":0}})", R"({"l":0,"right":{"r":1}})",
                                             R"({"l":1,"right":null})", R"({"l":2,"right":null})"});
  auto anti = run(JoinMode::anti, 2 * kSec, 0, left, right);
  CHECK(anti == std::vector<std::string>{R"({"l":1})", R"({"l":2})"});
  // The window is inclusive: 3s apart pairs with --within 3s.
  CHECK(run(JoinMode::inner, 3 * kSec, 0, left, right).size() == 3);
}

TEST_CASE("join: memory is bounded by the window, not the input") {
  std::vector<Ev> left, right;
  for (int i = 0; i < 10000; ++i) {
    left.push_back({i * kSec, i, "{}"});
    right.push_back({i * kSec, i, "{}"});
  }
  size_t peak = 0;
  auto out = run(JoinMode::inner, 2 * kSec, 1 * kSec, left, right, &peak);
  CHECK(out.size() == 10000);
  CHECK(peak < 20);
}

TEST_CASE("join: random inputs out of order within lateness equal the brute-force join") {
  std::mt19937 rng(12);
  for (int round = 0; round < 200; ++round) {
    const int64_t jitter = (round % 3) * kSec;
    const int64_t lateness = (round % 4) * kSec;
    const int64_t within = (round % 5) * kSec;
    auto left = random_side(rng, 'L', 1 + round % 40, jitter);
    auto right = random_side(rng, 'R', 1 + (round * 7) % 40, jitter);
    for (JoinMode mode : {JoinMode::inner, JoinMode::left, JoinMode::anti}) {
      auto got = run(mode, within, lateness, left, right);
      auto want = brute(mode, within, not_late(left, lateness), not_late(right, lateness));
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      REQUIRE(got == want);
    }
  }
}

TEST_CASE("join: many keys (the key table compacts) still equal the brute-force join") {
  std::mt19937 rng(5);
  auto left = random_side(rng, 'L', 30000, kSec, 20000);
  auto right = random_side(rng, 'R', 30000, kSec, 20000);
  for (JoinMode mode : {JoinMode::inner, JoinMode::left, JoinMode::anti}) {
    auto got = run(mode, 60 * kSec, 2 * kSec, left, right);
    auto want = brute(mode, 60 * kSec, not_late(left, 2 * kSec), not_late(right, 2 * kSec));
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    REQUIRE(got == want);
  }
}

TEST_CASE("join --anti: unmatched left events come out oldest first, however far out of order they came") {
  // Disorder near the queue's back (moved into place) and further back than
  // 512 events (the heap) both give the order by time, then arrival.
  std::mt19937 rng(3);
  std::vector<Ev> left;
  for (int i = 0; i < 5000; ++i) {
    int64_t back = i % 7 == 0 ? static_cast<int64_t>(rng() % 2000) : static_cast<int64_t>(rng() % 20);
    int64_t t = (i - back) * kSec / 100;
    left.push_back({t, i, "{\"i\":" + std::to_string(i) + ",\"t\":" + std::to_string(t) + "}"});
  }
  // One right event after all of them, no partner for anyone: the left
  // events are all held until the right input ends, then written at once.
  std::vector<Ev> right{{60 * kSec, -1, "{}"}};
  auto got = run(JoinMode::anti, 0, 100 * kSec, left, right);
  std::vector<Ev> want = left;
  std::stable_sort(want.begin(), want.end(), [](const Ev& a, const Ev& b) { return a.t < b.t; });
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) CHECK(got[i] == want[i].raw);
}
