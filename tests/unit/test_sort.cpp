// lib/sort: the encoded sort keys (their memcmp order is the sort order),
// the field lists, LineSorter, and the Sorter (in memory, the external
// merge of runs in temporary files, --head's heap).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/diag.h"
#include "sort/sort_key.h"
#include "sort/sorter.h"
#include "temp_dir.h"

using namespace olly;

namespace {

std::string key_of(const Value& v, bool desc = false) {
  std::string k;
  append_sort_key(k, v, desc);
  return k;
}

// Values in ascending order: each must sort strictly before the next.
std::vector<Value> ascending_values() {
  return {Value::number(-1e300), Value::integer(INT64_MIN), Value::integer(-5), Value::number(-0.5),
          Value::integer(0),         Value::number(0.25),   Value::integer(1), Value::number(1.5),
          Value::integer(9007199254740992), Value::integer(9007199254740993), Value::integer(INT64_MAX),
          Value::number(1e300),      Value::string(""),     Value::string(std::string_view("\0", 1)),
          Value::string("a"),        Value::string("a\x01"), Value::string("ab"),  Value::string("b"),
          Value::string("\xc3\xa9"), Value::boolean(false), Value::boolean(true), Value::array_json("[1]"),
          Value::object_json("{}")};
}

std::vector<std::string> sorted_lines(SorterOptions o, const std::vector<std::pair<std::string, std::string>>& recs,
                                      size_t* runs = nullptr) {
  Sorter s(o);
  for (const auto& [k, l] : recs) s.add(k, l);
  std::vector<std::string> out;
  s.finish([&](std::string_view line) { out.emplace_back(line); });
  if (runs) *runs = s.runs_written();
  return out;
}

}  // namespace

TEST_CASE("sort keys: ascending order of every kind, null and missing last") {
  auto vals = ascending_values();
  for (size_t i = 0; i + 1 < vals.size(); ++i) {
    CAPTURE(i);
    CHECK(key_of(vals[i]) < key_of(vals[i + 1]));
  }
  for (const auto& v : vals) {
    CHECK(key_of(v) < key_of(Value::null()));
    CHECK(key_of(v) < key_of(Value::missing()));
  }
  CHECK(key_of(Value::null()) == key_of(Value::missing()));
}

TEST_CASE("sort keys: descending reverses every kind but keeps null last") {
  auto vals = ascending_values();
  for (size_t i = 0; i + 1 < vals.size(); ++i) {
    CAPTURE(i);
    CHECK(key_of(vals[i], true) > key_of(vals[i + 1], true));
  }
  for (const auto& v : vals) CHECK(key_of(v, true) < key_of(Value::null(), true));
}

TEST_CASE("sort keys: equal numbers encode the same, whatever their kind") {
  CHECK(key_of(Value::integer(5)) == key_of(Value::number(5.0)));
  CHECK(key_of(Value::number(-0.0)) == key_of(Value::integer(0)));
  CHECK(key_of(Value::integer(3)) < key_of(Value::number(3.5)));
  CHECK(key_of(Value::number(2.5)) < key_of(Value::integer(3)));
}

TEST_CASE("sort keys: several fields compare field by field (strings end before the next field)") {
  auto two = [](std::string_view a, int64_t b) {
    std::string k;
    append_sort_key(k, Value::string(a), false);
    append_sort_key(k, Value::integer(b), true);
    return k;
  };
  CHECK(two("a", 1) < two("ab", 9));  // "a" < "ab" however the second field goes
  CHECK(two("a", 9) < two("a", 1));   // second field descending
  CHECK(two("b", 9) > two("ab", 1));
}

TEST_CASE("parse_sort_fields: lists, directions, brackets, errors") {
  auto f = parse_sort_fields("status, -latency_ms,+a[\"x,y\"]", "--key");
  REQUIRE(f.size() == 3);
  CHECK(f[0].path.text == "status");
  CHECK(!f[0].descending);
  CHECK(f[1].path.text == "latency_ms");
  CHECK(f[1].descending);
  CHECK(f[2].path.steps.size() == 2);
  CHECK(f[2].path.steps[1].key == "x,y");
  CHECK_THROWS_AS(parse_sort_fields("a,,b", "--key"), UsageError);
  CHECK_THROWS_AS(parse_sort_fields("-", "--key"), UsageError);
  CHECK_THROWS_AS(parse_sort_fields("a[", "--key"), UsageError);
}

TEST_CASE("parse_memory_size") {
  CHECK(parse_memory_size("100", "--memory") == 100);
  CHECK(parse_memory_size("4K", "--memory") == 4096);
  CHECK(parse_memory_size("512M", "--memory") == 512ull << 20);
  CHECK(parse_memory_size("2G", "--memory") == 2ull << 30);
  CHECK_THROWS_AS(parse_memory_size("", "--memory"), UsageError);
  CHECK_THROWS_AS(parse_memory_size("0", "--memory"), UsageError);
  CHECK_THROWS_AS(parse_memory_size("12Q", "--memory"), UsageError);
  CHECK_THROWS_AS(parse_memory_size("M", "--memory"), UsageError);
  CHECK_THROWS_AS(parse_memory_size("99999999999999999999", "--memory"), UsageError);
}

TEST_CASE("LineSorter: rows by an output field, stable, non-JSON last") {
  LineSorter s(parse_sort_fields("-n", "--sort"));
  s.add(R"({"g":"a","n":1})");
  s.add(R"({"g":"b","n":3})");
  s.add(R"({"g":"c","n":null})");
  s.add(R"({"g":"d","n":3})");
  s.add("not json");
  std::vector<std::string> got;
  for (uint32_t r : s.sorted()) got.emplace_back(s.line(r));
  CHECK(got == std::vector<std::string>{R"({"g":"b","n":3})", R"({"g":"d","n":3})", R"({"g":"a","n":1})",
                                        R"({"g":"c","n":null})", "not json"});
}

TEST_CASE("Sorter: in memory, external runs and --head agree with a stable sort") {
  test::TempDir dir;
  REQUIRE(!dir.path().empty());
  std::mt19937 rng(7);
  std::vector<std::pair<std::string, std::string>> recs;
  for (int i = 0; i < 3000; ++i) {
    // Few distinct keys (many ties), keys of different lengths, a NUL byte.
    std::string k = key_of(Value::integer(static_cast<int64_t>(rng() % 50)));
    if (rng() % 3 == 0) k = key_of(Value::string(std::string(rng() % 4, '\0') + "x"));
    recs.emplace_back(k, "line " + std::to_string(i) + std::string(rng() % 40, 'z'));
  }
  auto expect = recs;
  std::stable_sort(expect.begin(), expect.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> want;
  for (const auto& r : expect) want.push_back(r.second);

  SorterOptions mem;
  mem.tmp_dir = dir.path();
  size_t runs = 0;
  CHECK(sorted_lines(mem, recs, &runs) == want);
  CHECK(runs == 0);

  SorterOptions ext = mem;
  ext.memory = 2000;  // about 40 records a run: more runs than kFanIn, so merged in passes
  CHECK(sorted_lines(ext, recs, &runs) == want);
  CHECK(runs > Sorter::kFanIn);
  CHECK(std::filesystem::is_empty(dir.path()));  // runs are unlinked at once

  for (uint64_t n : {0ull, 1ull, 7ull, 2999ull, 3000ull, 5000ull}) {
    SorterOptions head = mem;
    head.head = n;
    std::vector<std::string> first(want.begin(), want.begin() + std::min<size_t>(n, want.size()));
    CAPTURE(n);
    CHECK(sorted_lines(head, recs) == first);
  }
}

TEST_CASE("Sorter: a record larger than --memory, and empty input") {
  test::TempDir dir;
  SorterOptions o;
  o.tmp_dir = dir.path();
  o.memory = 16;
  std::string big(100000, 'x');
  auto got = sorted_lines(o, {{"b", big}, {"a", "small"}, {"b", "tie"}});
  CHECK(got == std::vector<std::string>{"small", big, "tie"});
  CHECK(sorted_lines(o, {}).empty());
}

TEST_CASE("Sorter: an unusable temporary directory is an input error") {
  SorterOptions o;
  o.tmp_dir = "/nonexistent/olly-sort-test";
  o.memory = 16;
  Sorter s(o);
  s.add("a", "one");
  CHECK_THROWS_AS(s.add("b", "two"), InputError);
}
