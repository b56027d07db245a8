// Unit tests for lib/diag: --color painting and the "did you mean" matcher.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/docgen.h"

using namespace olly;

TEST_CASE("paint wraps text in escape codes only when color is on") {
  set_color("never");
  CHECK_FALSE(color_enabled());
  CHECK(paint(Paint::error, "x") == "x");
  CHECK(location("a.ndjson", 3) == "a.ndjson:3");
  set_color("always");
  CHECK(color_enabled());
  CHECK(paint(Paint::error, "x") == "\033[1;31mx\033[0m");
  CHECK(location("a.ndjson", 3) == "\033[36ma.ndjson:3\033[0m");
  set_color("never");
}

TEST_CASE("auto colors nothing when stderr is not a terminal or NO_COLOR is set") {
  // The test runner's stderr is a file or a pipe.
  if (isatty(2) == 0) {
    set_color("auto");
    CHECK_FALSE(color_enabled());
  }
  setenv("NO_COLOR", "1", 1);
  set_color("auto");
  CHECK_FALSE(color_enabled());
  set_color("always");  // an explicit flag beats the environment
  CHECK(color_enabled());
  unsetenv("NO_COLOR");
  set_color("never");
}

TEST_CASE("closest_match suggests a likely typo and nothing else") {
  std::vector<std::string> flags = {"select", "limit", "errors", "strict", "stats"};
  CHECK(closest_match("selct", flags) == "select");
  CHECK(closest_match("limt", flags) == "limit");
  CHECK(closest_match("zzzzzz", flags) == "");
  CHECK(closest_match("x", {"j"}) == "");  // a whole-word change is not a typo
  CHECK(closest_match("fliter", {"agg", "eval", "filter"}) == "filter");
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("builtin_verbs lists the tools/ folders the build knows") {
  const auto& verbs = builtin_verbs();
  CHECK(verbs.size() >= 2);
  CHECK(std::find(verbs.begin(), verbs.end(), "filter") != verbs.end());
  CHECK(std::find(verbs.begin(), verbs.end(), "olly") == verbs.end());
}
