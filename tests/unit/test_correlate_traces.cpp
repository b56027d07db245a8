// lib/correlate/traces_assemble: the summary of one trace (root, error
// origin, critical path, orphans, broken parents). Critical paths computed
// by hand in the comments (times in ms).
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "correlate/traces_assemble.h"

using namespace olly;

namespace {

// prefix followed by i (appended, not "s" + to_string: GCC 12 warns wrongly on that).
std::string id_of(std::string_view prefix, int i) {
  std::string out(prefix);
  out += std::to_string(i);
  return out;
}

constexpr int64_t kMs = 1'000'000;

struct Builder {
  TraceBuf t;
  Builder() { t.trace_id = "t"; }
  Builder& span(std::string_view id, std::string_view parent, int64_t start_ms, int64_t end_ms, bool error = false) {
    std::string_view name = id, service = "svc";
    t.add(id, parent.empty() ? nullptr : &parent, &name, &service, start_ms * kMs, end_ms * kMs, error);
    return *this;
  }
  std::string summary() {
    std::string out;
    TraceSummarizer().write(t, out);
    return out;
  }
};

std::string path_entry(std::string_view id, std::string_view self_ms) {
  return "{\"span_id\":\"" + std::string(id) + "\",\"name\":\"" + std::string(id) +
         "\",\"service\":\"svc\",\"self_ms\":" + std::string(self_ms) + "}";
}

}  // namespace

TEST_CASE("critical path: overlapping children, the last to finish first") {
  // r [0,100]; a [10,60], b [40,90]. b: r += 10, b = 50; cursor 40: a counted
  // up to 40: a = 30; r += 10.
  std::string s = Builder().span("a", "r", 10, 60).span("b", "r", 40, 90).span("r", "", 0, 100).summary();
  CHECK(s.find("\"critical_path\":[" + path_entry("r", "20") + "," + path_entry("b", "50") + "," +
               path_entry("a", "30") + "]") != std::string::npos);
  CHECK(s.find("\"root_span_id\":\"r\"") != std::string::npos);
  CHECK(s.find("\"span_count\":3") != std::string::npos);
}

TEST_CASE("critical path: a child outliving its parent is clipped; one wholly outside is left out") {
  // r [0,50]; c [20,80] -> [20,50]: c 30, r 20. x [60,70] lies outside r.
  std::string s = Builder().span("r", "", 0, 50).span("c", "r", 20, 80).span("x", "r", 60, 70).summary();
  CHECK(s.find("\"critical_path\":[" + path_entry("r", "20") + "," + path_entry("c", "30") + "]") !=
        std::string::npos);
  CHECK(s.find("\"duration_ms\":80") != std::string::npos);
}

TEST_CASE("critical path: clock skew, a child starting before its parent") {
  // r [100,200]; c [90,150] -> [100,150]: r 50, c 50.
  std::string s = Builder().span("r", "", 100, 200).span("c", "r", 90, 150).summary();
  CHECK(s.find("\"critical_path\":[" + path_entry("r", "50") + "," + path_entry("c", "50") + "]") !=
        std::string::npos);
}

TEST_CASE("orphans, missing parents, and the deepest failing span") {
  // o's parent never arrived; e (depth 2) fails deeper than d (depth 1).
  std::string s = Builder()
                      .span("r", "", 0, 30)
                      .span("d", "r", 5, 25, true)
                      .span("e", "d", 6, 20, true)
                      .span("o", "zz", 10, 20, true)
                      .summary();
  CHECK(s.find("\"orphans\":1,\"orphan_ids\":[\"o\"],\"missing_parents\":[\"zz\"]") != std::string::npos);
  CHECK(s.find("\"error\":true,\"error_origin\":{\"span_id\":\"e\"") != std::string::npos);
}

TEST_CASE("no parentless span: the earliest orphan is the root") {
  std::string s = Builder().span("b", "x", 5, 10).span("a", "y", 0, 10).summary();
  CHECK(s.find("\"root_span_id\":\"a\"") != std::string::npos);
  CHECK(s.find("\"orphans\":2") != std::string::npos);
}

TEST_CASE("cycles and self parents are broken parents, and the walk ends") {
  // a and b name each other; c names itself. No root: the earliest span, a.
  std::string s = Builder().span("a", "b", 0, 10).span("b", "a", 2, 8).span("c", "c", 1, 3).summary();
  CHECK(s.find("\"root_span_id\":\"a\"") != std::string::npos);
  CHECK(s.find("\"broken_parent_ids\":[\"a\",\"b\",\"c\"]") != std::string::npos);
  CHECK(s.find("\"critical_path\":[" + path_entry("a", "4") + "," + path_entry("b", "6") + "]") !=
        std::string::npos);
}

TEST_CASE("a chain 100000 spans deep does not recurse") {
  Builder b;
  b.span("s0", "", 0, 200000);
  for (int i = 1; i < 100000; ++i) b.span(id_of("s", i), id_of("s", i - 1), i, 200000 - i);
  std::string s = b.summary();
  CHECK(s.find("\"span_count\":100000") != std::string::npos);
  CHECK(s.find(path_entry("s99999", "2")) != std::string::npos);
}

TEST_CASE("a root with many children stays linear enough") {
  // 20000 back-to-back children of 1 ms: each on the path, the root none.
  Builder b;
  b.span("r", "", 0, 20000);
  for (int i = 0; i < 20000; ++i) b.span(id_of("c", i), "r", i, i + 1);
  std::string s = b.summary();
  CHECK(s.find(path_entry("r", "0")) != std::string::npos);
  CHECK(s.find(path_entry("c0", "1")) != std::string::npos);
  CHECK(s.find(path_entry("c19999", "1")) != std::string::npos);
}
