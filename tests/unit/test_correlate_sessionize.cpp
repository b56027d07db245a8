// lib/correlate/sessionize_table: sessions per key split by a gap, in event
// time, with lateness. Times in minutes; the expected sessions by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "correlate/sessionize_table.h"

using namespace olly;

namespace {

constexpr int64_t kMin = 60'000'000'000;

struct Row {
  std::string key;
  int64_t start, end;
  uint64_t count;
  bool operator==(const Row&) const = default;
};

struct Driver {
  SessionTable table;
  std::vector<Row> out;
  Driver(int64_t gap_min, int64_t lateness_min, size_t max_pending = 1000)
      : table(gap_min * kMin, lateness_min * kMin, max_pending) {}
  // Adds one event; false when it was late.
  bool add(const std::string& key, int64_t t_min) {
    auto added = table.add(key, t_min * kMin);
    if (!added) return false;
    table.advance(t_min * kMin, [&](const SessionTable::Session& s) { collect(s); });
    return true;
  }
  std::vector<Row> finish() {
    table.drain([&](const SessionTable::Session& s) { collect(s); });
    return out;
  }
  void collect(const SessionTable::Session& s) { out.push_back(Row{s.key, s.start / kMin, s.end / kMin, s.count}); }
};

}  // namespace

TEST_CASE("a key seen again after the gap: two sessions") {
  Driver d(30, 5);
  CHECK(d.add("u1", 0));
  CHECK(d.add("u1", 5));
  CHECK(d.add("u2", 2));   // 3 behind, within the lateness
  CHECK(d.add("u1", 50));  // 45 after 5: a new session; both others close (end + 30 + 5 < 50), the earlier end first
  CHECK(d.out == std::vector<Row>{{"u2", 2, 2, 1}, {"u1", 0, 5, 2}});
  CHECK(d.finish() == std::vector<Row>{{"u2", 2, 2, 1}, {"u1", 0, 5, 2}, {"u1", 50, 50, 1}});
}

TEST_CASE("with no lateness, an event behind the watermark is late") {
  Driver d(30, 0);
  CHECK(d.add("u1", 5));
  CHECK_FALSE(d.add("u2", 2));
}

TEST_CASE("an event exactly one gap after the last joins the session") {
  Driver d(30, 0);
  CHECK(d.add("k", 0));
  CHECK(d.add("k", 30));
  CHECK(d.finish() == std::vector<Row>{{"k", 0, 30, 2}});
}

TEST_CASE("out of order within the lateness bridges two sessions into one") {
  Driver d(30, 30);
  CHECK(d.add("u", 0));
  CHECK(d.add("u", 40));  // 40 after 0: a second session
  CHECK(d.table.open() == 2);
  CHECK(d.add("u", 20));  // within 30 of both: one session 0..40
  CHECK(d.table.open() == 1);
  CHECK(d.finish() == std::vector<Row>{{"u", 0, 40, 3}});
}

TEST_CASE("an event older than the watermark less the lateness is late") {
  Driver d(10, 5);
  CHECK(d.add("a", 0));
  CHECK(d.add("b", 100));  // a's session (0 + 10 + 5 < 100) is written
  CHECK(d.out == std::vector<Row>{{"a", 0, 0, 1}});
  CHECK_FALSE(d.add("a", 3));
  CHECK(d.table.late() == 1);
  CHECK(d.add("b", 96));  // open session b takes it, however old
  CHECK(d.add("c", 95));  // within the lateness: a session of its own
  CHECK(d.finish() == std::vector<Row>{{"a", 0, 0, 1}, {"c", 95, 95, 1}, {"b", 96, 100, 2}});
}

TEST_CASE("first and last follow the earliest and latest event, whatever the input order") {
  SessionTable t(10 * kMin, 10 * kMin, 100);
  auto a = t.add("k", 5 * kMin);
  REQUIRE(a);
  CHECK(a->is_first);
  CHECK(a->is_last);
  auto b = t.add("k", 3 * kMin);
  CHECK(b->is_first);
  CHECK_FALSE(b->is_last);
  auto c = t.add("k", 5 * kMin);  // equal to the end: the later in input order is last
  CHECK_FALSE(c->is_first);
  CHECK(c->is_last);
}

TEST_CASE("--max-pending bounds the open sessions") {
  Driver d(30, 0, 2);
  CHECK(d.add("a", 0));
  CHECK(d.add("b", 0));
  CHECK_THROWS_AS(d.add("c", 0), InputError);
}
