// ts(x, fmt) and strftime(t, fmt) in the expression language (olly(7)).
#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

#include "core/diag.h"
#include "core/stage.h"
#include "core/writer.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/json_value.h"
#include "expr_eval.h"

using namespace olly;

namespace {

using test::compile_error;
using test::has;
using test::json_of;

// ts(x, fmt) written back as RFC 3339 (through strftime, so the test reads a
// string, not a double).
std::string read(const std::string& text, const std::string& layout) {
  return json_of(R"(strftime(ts(x, f), "%FT%T.%3fZ"))", R"({"x":")" + text + R"(","f":")" + layout + R"("})");
}

}  // namespace

TEST_CASE("ts(x, fmt): the layouts of real logs") {
  CHECK(read("081109 203615", "%y%m%d %H%M%S") == R"("2008-11-09T20:36:15.000Z")");  // HDFS
  CHECK(read("17/06/09 20:10:40", "%y/%m/%d %H:%M:%S") == R"("2017-06-09T20:10:40.000Z")");  // Spark
  CHECK(read("25/Nov/2026:02:44:00 +0100", "%d/%b/%Y:%H:%M:%S %z") == R"("2026-11-25T01:44:00.000Z")");
  // Android has no year: the current one (or last year for a date more than a day ahead).
  CHECK(json_of(R"(strftime(ts(x, "%m-%d %H:%M:%S.%f"), "%m-%d %H:%M:%S.%3f"))", R"({"x":"03-17 16:13:38.811"})") ==
        R"("03-17 16:13:38.811")");
  CHECK(json_of(R"(ts(x, "%y%m%d %H%M%S"))", R"({"x":"081109 203615"})") == "1226262975");
  CHECK(json_of(R"(ts(x, "%y%m%d %H%M%S") == ts("2008-11-09T20:36:15Z"))", R"({"x":"081109 203615"})") == "true");
}

TEST_CASE("ts(x, fmt): leap days, impossible dates and text that does not fit give null") {
  CHECK(read("2024-02-29 12:00:00", "%Y-%m-%d %H:%M:%S") == R"("2024-02-29T12:00:00.000Z")");
  CHECK(json_of(R"(ts("2025-02-29", "%Y-%m-%d"))") == "null");
  CHECK(json_of(R"(ts("2026-02-30", "%Y-%m-%d"))") == "null");
  CHECK(json_of(R"(ts("2026-11-25 24:00:00", "%F %T"))") == "null");
  CHECK(json_of(R"(ts("2026-11-25 trailing", "%F"))") == "null");
  CHECK(json_of(R"(ts("", "%F"))") == "null");
  CHECK(json_of(R"(ts("\xff\xfe", "%F"))") == "null");
}

TEST_CASE("ts(x, fmt): null, missing, numbers and a format from the event") {
  CHECK(json_of(R"(ts(nope, "%F"))") == "null");
  CHECK(json_of(R"(ts(null, "%F"))") == "null");
  CHECK(json_of(R"(ts(true, "%F"))") == "null");
  CHECK(json_of(R"(ts([1], "%F"))") == "null");
  // A number is read as its decimal text.
  CHECK(json_of(R"(strftime(ts(20261125, "%Y%m%d"), "%F"))") == R"("2026-11-25")");
  CHECK(json_of(R"(ts(x, "%s"))", R"({"x":1795574640})") == "1795574640");
  CHECK(json_of(R"(strftime(ts(x, "%s.%f"), "%T.%3f"))", R"({"x":1795574640.25})") == R"("02:44:00.250")");
  CHECK(json_of(R"(ts(x, "%s"))", R"({"x":18446744073709551615})") == "null");
  // A format that is not a literal: read per event; a bad one or a non-string gives null.
  CHECK(read("2026-11-25", "%Y-%m-%d") == R"("2026-11-25T00:00:00.000Z")");
  CHECK(json_of(R"(ts(x, f))", R"({"x":"2026","f":"%Q"})") == "null");
  CHECK(json_of(R"(ts(x, f))", R"({"x":"2026","f":"%Y%"})") == "null");
  CHECK(json_of(R"(ts(x, f))", R"({"x":"2026","f":2026})") == "null");
  CHECK(json_of(R"(ts(x, f))", R"({"x":"2026"})") == "null");
}

TEST_CASE("strftime(t, fmt): a time as ts() gives it, an epoch number or a time string, in UTC") {
  CHECK(json_of(R"(strftime(ts("2026-11-25T03:44:00.123456+01:00"), "%Y-%m-%d %H:%M:%S.%f %a %b %e %j %y %z %Z %s %%"))") ==
        R"("2026-11-25 02:44:00.123456 Wed Nov 25 329 26 +0000 UTC 1795574640 %")");
  CHECK(json_of(R"(strftime(ts, "%F"))", R"({"ts":"2026-11-25T02:44:00Z"})") == R"("2026-11-25")");
  CHECK(json_of(R"(strftime(ts, "%T"))", R"({"ts":1795574640})") == R"("02:44:00")");
  CHECK(json_of(R"(strftime(ts, "%T.%3f"))", R"({"ts":1795574640123})") == R"("02:44:00.123")");  // milliseconds
  CHECK(json_of(R"(strftime(ts, "%T.%3f"))", R"({"ts":1795574640.5})") == R"("02:44:00.500")");
  CHECK(json_of(R"(strftime(ts, "%T"))", R"({"ts":"1795574640"})") == R"("02:44:00")");
  CHECK(json_of(R"(strftime(ts, "%F %T"))", R"({"ts":"25/Nov/2026:02:44:00 +0000"})") == R"("2026-11-25 02:44:00")");
  // A time string keeps every nanosecond (a number from ts() keeps about 0.1 microsecond).
  CHECK(json_of(R"(strftime(ts, "%9f"))", R"({"ts":"2026-11-25T02:44:00.123456789Z"})") == R"("123456789")");
  CHECK(json_of(R"(strftime(ts("2024-02-29T23:59:59Z") + 1s, "%F %T"))") == R"("2024-03-01 00:00:00")");
  CHECK(json_of(R"(strftime(ts(x, "%d/%m/%Y"), "%Y-%m-%d"))", R"({"x":"29/02/2024"})") == R"("2024-02-29")");
}

TEST_CASE("strftime: null in, null out") {
  for (const char* x : {"null", R"("")", R"("not a time")", "true", "[]", "{}", "1e300"}) {
    CHECK_MESSAGE(json_of(R"(strftime(x, "%F"))", std::string(R"({"x":)") + x + "}") == "null", x);
  }
  CHECK(json_of(R"(strftime(nope, "%F"))") == "null");
  CHECK(json_of(R"(strftime(x, f))", R"({"x":0,"f":"%Q"})") == "null");
  CHECK(json_of(R"(strftime(x, f))", R"({"x":0,"f":"%"})") == "null");
  CHECK(json_of(R"(strftime(x, f))", R"({"x":0,"f":null})") == "null");
  CHECK(json_of(R"(strftime(x, f))", R"({"x":0,"f":"%F %T"})") == R"("1970-01-01 00:00:00")");
}

TEST_CASE("strftime: a huge layout writes a proportionate string; odd bytes pass through") {
  std::string layout;
  for (int i = 0; i < 20000; ++i) layout += "%A %F ";
  std::string out = json_of("strftime(0, \"" + layout + "\")");
  CHECK(out.size() == 2 + 20000 * std::string("Thursday 1970-01-01 ").size());
  CHECK(json_of("strftime(0, \"\xff\xfe %Y\")") == "\"\xef\xbf\xbd\xef\xbf\xbd 1970\"");
}

TEST_CASE("time formats: a bad literal format is a compile error with the column") {
  std::string e = compile_error(R"(ts(x, "%Y-%m-%Q") > 0)");
  CHECK(has(e, "bad time format: %Q is no directive"));
  CHECK(has(e, "column 7"));
  CHECK(has(compile_error(R"(strftime(ts, "%F %"))"), "bad time format: it ends with a lone '%'"));
  CHECK(has(compile_error(R"(strftime(ts, 5))"), "strftime() takes its format as a string"));
  CHECK(has(compile_error(R"(ts(x, null))"), "ts() takes its format as a string"));
  CHECK(has(compile_error(R"(strftime(ts))"), "strftime() takes 2 arguments"));
  CHECK(has(compile_error(R"(ts(a, b, c))"), "ts() takes at most 2 arguments"));
  CHECK(compile_error(R"(strftime(ts, "%F %T.%3f %%"))").empty());
  CHECK(compile_error(R"(ts(x, "%y%m%d %H%M%S"))").empty());
}
