// promtool's expanding notation and series descriptions (olly-alert --test).
// The expansions were checked against promtool 2.42 (`promtool test rules`
// with count_over_time and timestamp over the same values).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "alert/series_notation.h"
#include "core/diag.h"

using namespace olly;

namespace {

// The expansion as text: numbers, `_` for no sample.
std::string expand(std::string_view text) {
  std::string out;
  for (const auto& s : expand_series_values(text)) {
    if (!out.empty()) out += ' ';
    out += s ? fmt::format("{}", *s) : "_";
  }
  return out;
}

std::string values_error(std::string_view text) {
  try {
    expand_series_values(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string desc_error(std::string_view text) {
  try {
    parse_series_desc(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("expanding notation: promtool's documented examples") {
  CHECK(expand("-2+4x3") == "-2 2 6 10");
  CHECK(expand(" 1-2x4") == "1 -1 -3 -5 -7");
  CHECK(expand(" 1x4") == "1 1 1 1 1");
  CHECK(expand(" 1 _x3 stale") == "1 _ _ _ _");  // _x3 is three samples, not four
}

TEST_CASE("expanding notation: every form") {
  CHECK(expand("5") == "5");
  CHECK(expand("-2.5 1e3 +7") == "-2.5 1000 7");
  CHECK(expand("0+30x5") == "0 30 60 90 120 150");
  CHECK(expand("10-2.5x2") == "10 7.5 5");
  CHECK(expand("1e-3+1x1") == "0.001 1.001");
  CHECK(expand("1e2-1e1x2") == "100 90 80");
  CHECK(expand("7x0") == "7");
  CHECK(expand("1+1x0") == "1");
  CHECK(expand("3x2") == "3 3 3");
  CHECK(expand("0x2") == "0 0 0");  // not hexadecimal: 0 repeated
  CHECK(expand("_") == "_");
  CHECK(expand("_x0 1") == "1");
  CHECK(expand("_x2") == "_ _");
  CHECK(expand("stale") == "_");
  CHECK(expand("0+30x5 2x5 _ stale 1-1x3") == "0 30 60 90 120 150 2 2 2 2 2 2 _ _ 1 0 -1 -2");
  CHECK(expand("  1\t2\n3  ") == "1 2 3");
}

TEST_CASE("expanding notation: errors") {
  CHECK(values_error("") == "no values (the expanding notation: e.g. 0+10x5 _ 3)");
  CHECK(values_error("   ") == "no values (the expanding notation: e.g. 0+10x5 _ 3)");
  CHECK(values_error("abc").starts_with("'abc' is not a value of the expanding notation (not a finite number;"));
  CHECK(values_error("1 2 three").starts_with("'three' is not a value"));
  CHECK(values_error("1+2").starts_with("'1+2' is not a value"));
  CHECK(values_error("1+2x").starts_with("'1+2x' is not a value of the expanding notation (the count after x"));
  CHECK(values_error("1+2x-3").find("the count after x") != std::string::npos);
  CHECK(values_error("1+2x1.5").find("the count after x") != std::string::npos);
  CHECK(values_error("x3").find("the start is not a finite number") != std::string::npos);
  CHECK(values_error("1+x3").find("the step is not a finite number") != std::string::npos);
  CHECK(values_error("1+-2x3").find("the step has a second sign") != std::string::npos);
  CHECK(values_error("stalex3").find("stale cannot repeat") != std::string::npos);
  CHECK(values_error("Inf").find("not a finite number") != std::string::npos);
  CHECK(values_error("NaN").find("not a finite number") != std::string::npos);
  CHECK(values_error("1e999").find("not a finite number") != std::string::npos);
  CHECK(values_error("1..2").find("is not a value") != std::string::npos);
}

TEST_CASE("series descriptions") {
  SeriesDesc d = parse_series_desc(R"(failed_logins{host="web-1",app="sshd"})");
  CHECK(d.metric == "failed_logins");
  REQUIRE(d.labels.size() == 2);
  CHECK(d.labels[0] == std::pair<std::string, std::string>{"host", "web-1"});
  CHECK(d.labels[1] == std::pair<std::string, std::string>{"app", "sshd"});

  d = parse_series_desc("up");
  CHECK(d.metric == "up");
  CHECK(d.labels.empty());

  d = parse_series_desc(R"( job:errors:rate5m { job = "a\"b\\c\n" , } )");
  CHECK(d.metric == "job:errors:rate5m");
  REQUIRE(d.labels.size() == 1);
  CHECK(d.labels[0].second == "a\"b\\c\n");

  d = parse_series_desc(R"({__name__="up", job="x"})");
  CHECK(d.metric == "up");
  REQUIRE(d.labels.size() == 1);
  CHECK(d.labels[0].first == "job");

  CHECK(desc_error("{job=\"x\"}").find("no metric name") != std::string::npos);
  CHECK(desc_error("").find("no metric name") != std::string::npos);
  CHECK(desc_error("up{job=x}").find("the value of label 'job' is not double-quoted") != std::string::npos);
  CHECK(desc_error("up{job}").find("label 'job' has no =\"value\"") != std::string::npos);
  CHECK(desc_error("up{job=\"x}").find("no closing quote") != std::string::npos);
  CHECK(desc_error("up{job=\"x\" a=\"b\"}").find("a ',' or '}' was expected") != std::string::npos);
  CHECK(desc_error("up{job=\"x\",job=\"y\"}").find("label 'job' is given twice") != std::string::npos);
  CHECK(desc_error("up{__name__=\"x\"}").find("the metric name is given twice") != std::string::npos);
  CHECK(desc_error("up{1a=\"x\"}").find("a label name was expected") != std::string::npos);
  CHECK(desc_error("up{a=\"\\t\"}").find("unknown escape") != std::string::npos);
  CHECK(desc_error("up extra").find("unexpected 'extra'") != std::string::npos);
  CHECK(desc_error("up{a=\"b\"").find("a label name was expected") != std::string::npos);
}
