// olly-correlate sequence: the words (A then B ...), the state machine
// (lib/correlate/sequence_state.h) on hand-made cases, and random input
// shuffled within --lateness giving what its sorted order gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/stage.h"
#include "core/writer.h"
#include "correlate/sequence.h"
#include "correlate/sequence_state.h"
#include "group/group_key.h"

using namespace olly;

namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kSec;

struct Ev {
  int64_t t;
  uint64_t mask;
  int group;
  std::string raw;
};

struct Run {
  std::vector<std::string> lines;
  uint64_t expired, cancelled, open_at_end;
};

Run run(const SequenceShape& shape, int64_t within, int64_t lateness, const std::vector<Ev>& evs) {
  OutputSink sink(-1);
  Stats stats;
  Emitter out(sink, stats);
  SequenceState state(shape, within, lateness);
  std::string key;
  for (const Ev& e : evs) {
    if (e.mask && state.late(e.t)) continue;
    key.clear();
    append_key_part(key, Value::integer(e.group));
    state.add(e.t, e.mask, key, e.raw, out);
  }
  state.finish(out);
  Run r{{}, state.expired(), state.cancelled(), state.open_at_end()};
  std::string& text = sink.buffer();
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    r.lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return r;
}

SequenceShape shape(size_t steps, bool negated) {
  SequenceShape s;
  s.steps = steps;
  s.last_negated = negated;
  s.missing_text = negated ? "X" : "";
  s.by = {"g"};
  return s;
}

std::string ev(int i) { return "{\"i\":" + std::to_string(i) + "}"; }

}  // namespace

TEST_CASE("sequence words: steps until a word that is not then, then the files") {
  auto w = parse_sequence_words({"type == \"deploy\"", "then", "status >= 500", "events.ndjson"});
  CHECK(w.steps == std::vector<std::string>{"type == \"deploy\"", "status >= 500"});
  CHECK_FALSE(w.last_negated);
  CHECK(w.files == std::vector<std::string>{"events.ndjson"});
  w = parse_sequence_words({"a", "then", "b", "then", "not", "c"});
  CHECK(w.steps == std::vector<std::string>{"a", "b", "c"});
  CHECK(w.last_negated);
  CHECK(w.files.empty());
  CHECK_THROWS_AS(parse_sequence_words({"a", "b"}), UsageError);
  CHECK_THROWS_AS(parse_sequence_words({"a", "then"}), UsageError);
  CHECK_THROWS_AS(parse_sequence_words({"a", "then", "not"}), UsageError);
  CHECK_THROWS_AS(parse_sequence_words({"a", "then", "not", "b", "then", "c"}), UsageError);
}

TEST_CASE("sequence: a B completes the oldest open A of its group, within D inclusive") {
  // A at 0 and 1, B at 5 and 11 (D = 10s): the first B takes A@0, the second A@1.
  std::vector<Ev> evs = {{kT0, 1, 1, ev(0)}, {kT0 + kSec, 1, 1, ev(1)}, {kT0 + 5 * kSec, 2, 1, ev(2)},
                         {kT0 + 11 * kSec, 2, 1, ev(3)}, {kT0 + 12 * kSec, 2, 2, ev(4)}};
  auto r = run(shape(2, false), 10 * kSec, 0, evs);
  REQUIRE(r.lines.size() == 2);
  CHECK(r.lines[0].find(R"("steps":[{"i":0},{"i":2}])") != std::string::npos);
  CHECK(r.lines[1].find(R"("steps":[{"i":1},{"i":3}])") != std::string::npos);
  CHECK(r.lines[1].find(R"("duration_ms":10000)") != std::string::npos);
  CHECK(r.expired == 0);
}

TEST_CASE("sequence: then not writes A once D has passed in event time, never when it has not") {
  // Group 1: A@0 then X@3: cancelled. Group 2: A@0, no X, time reaches 20s: written.
  // Group 3: A@15, input ends at 20s < 25s: open at the end, not written.
  std::vector<Ev> evs = {{kT0, 1, 1, ev(0)}, {kT0, 1, 2, ev(1)}, {kT0 + 3 * kSec, 2, 1, ev(2)},
                         {kT0 + 15 * kSec, 1, 3, ev(3)}, {kT0 + 20 * kSec, 0, 9, ev(4)}};
  auto r = run(shape(2, true), 10 * kSec, 0, evs);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.lines[0] ==
        R"({"g":2,"steps":[{"i":1}],"start":"2023-11-14T22:13:20Z","end":"2023-11-14T22:13:20Z","duration_ms":0,"missing":"X"})");
  CHECK(r.cancelled == 1);
  CHECK(r.open_at_end == 1);
}

TEST_CASE("sequence: input shuffled within lateness gives the sorted input's output") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const size_t steps = 2 + round % 3;
    const bool negated = round % 2 == 1;
    const int64_t lateness = (1 + round % 4) * kSec;
    const int64_t within = (1 + round % 7) * kSec;
    std::vector<Ev> sorted;
    std::uniform_int_distribution<int64_t> gap(1, kSec);
    std::uniform_int_distribution<uint64_t> mask(0, (uint64_t{1} << steps) - 1);
    std::uniform_int_distribution<int> group(0, 3);
    int64_t t = kT0;
    const int n = 1 + round % 60;
    for (int i = 0; i < n; ++i) {
      t += gap(rng);  // distinct times: ties would be taken in input order
      sorted.push_back(Ev{t, mask(rng), group(rng), ev(i)});
    }
    // Shuffle: swap neighbours while no event ends up more than lateness behind.
    std::vector<Ev> shuffled = sorted;
    for (int k = 0; k < n * 3; ++k) {
      size_t i = rng() % shuffled.size();
      if (i + 1 >= shuffled.size()) continue;
      std::swap(shuffled[i], shuffled[i + 1]);
      int64_t latest = INT64_MIN;
      bool ok = true;
      for (const Ev& e : shuffled) {
        if (latest != INT64_MIN && e.t < latest - lateness) ok = false;
        latest = std::max(latest, e.t);
      }
      if (!ok) std::swap(shuffled[i], shuffled[i + 1]);
    }
    auto a = run(shape(steps, negated), within, lateness, sorted);
    auto b = run(shape(steps, negated), within, lateness, shuffled);
    REQUIRE(a.lines == b.lines);
    CHECK(a.expired == b.expired);
    CHECK(a.cancelled == b.cancelled);
    CHECK(a.open_at_end == b.open_at_end);
  }
}
