// Unit tests for lib/timeutil: RFC 3339, epochs, durations, log timestamps,
// time zones (the zone tests need the tzdata package: /usr/share/zoneinfo).
#include <doctest/doctest.h>

#include <climits>
#include <cstdlib>
#include <random>
#include <string>
#include <unistd.h>

#include "time/timeformat.h"
#include "time/timeutil.h"
#include "time/timezone.h"

using namespace olly;
using namespace std::string_literals;

namespace {

constexpr int64_t S = kNsPerSec;

bool have_tzdata() { return access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0; }

// Restores TZ after a test changes it.
struct TzEnvGuard {
  std::string saved;
  bool had;
  TzEnvGuard() {
    const char* v = std::getenv("TZ");
    had = v != nullptr;
    if (had) saved = v;
  }
  ~TzEnvGuard() {
    if (had)
      setenv("TZ", saved.c_str(), 1);
    else
      unsetenv("TZ");
  }
};

TimeNs utc_ns(std::string_view s) {
  auto t = parse_rfc3339(s);
  REQUIRE_MESSAGE(t.has_value(), s);
  return *t;
}

}  // namespace

TEST_CASE("civil date conversions") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 2, 29) == 951782400 / 86400);
  int64_t y;
  unsigned m, d;
  civil_from_days(-1, y, m, d);
  CHECK((y == 1969 && m == 12 && d == 31));
  civil_from_days(11016, y, m, d);
  CHECK((y == 2000 && m == 2 && d == 29));
  // Round trip across a wide span, including negative years.
  for (int64_t z = -800000; z <= 800000; z += 997) {
    civil_from_days(z, y, m, d);
    CHECK(days_from_civil(y, m, d) == z);
  }
  // Consecutive days are consecutive dates.
  int64_t py;
  unsigned pm, pd;
  civil_from_days(days_from_civil(1899, 12, 31), py, pm, pd);
  CHECK((py == 1899 && pm == 12 && pd == 31));
}

TEST_CASE("parse_rfc3339 accepts RFC 3339 and common ISO variants") {
  CHECK(parse_rfc3339("2026-11-25T02:40:00Z") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25t02:40:00z") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25 02:40:00Z") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T02:40Z") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T04:40:00+02:00") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T04:40:00+0200") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T04:40:00+02") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-24T21:10:00-05:30") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T02:40:00-00:00") == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T02:40:00") == 1795574400 * S);  // no offset: UTC
  CHECK(parse_rfc3339("2026-11-25") == 1795564800 * S);
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339("1969-12-31T23:59:59Z") == -1 * S);
  CHECK(parse_rfc3339("1969-12-31T23:59:59.5Z") == -S / 2);
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z") == 951782400 * S);
}

TEST_CASE("parse_rfc3339 fractions") {
  const TimeNs base = 1795574400 * S;
  CHECK(parse_rfc3339("2026-11-25T02:40:00.1Z") == base + 100000000);
  CHECK(parse_rfc3339("2026-11-25T02:40:00.123Z") == base + 123000000);
  CHECK(parse_rfc3339("2026-11-25T02:40:00,123Z") == base + 123000000);
  CHECK(parse_rfc3339("2026-11-25T02:40:00.123456Z") == base + 123456000);
  CHECK(parse_rfc3339("2026-11-25T02:40:00.123456789Z") == base + 123456789);
  CHECK(parse_rfc3339("2026-11-25T02:40:00.1234567891234Z") == base + 123456789);  // truncated
  CHECK(parse_rfc3339("2026-11-25T02:40:00.000000001+01:00") == base - 3600 * S + 1);
  CHECK(parse_rfc3339("2026-11-25T02:40:00." + std::string(5000, '9') + "Z") == base + 999999999);
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00.Z"));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00."));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40.5Z"));  // fraction needs seconds
}

TEST_CASE("parse_rfc3339 validates fields strictly") {
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));  // century, not leap
  CHECK(parse_rfc3339("2000-02-29T00:00:00Z"));        // 400 years, leap
  CHECK_FALSE(parse_rfc3339("2026-04-31T00:00:00Z"));
  CHECK(parse_rfc3339("2026-12-31T23:59:59Z"));
  CHECK_FALSE(parse_rfc3339("2026-13-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-00-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-00T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-32T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T24:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T23:60:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T23:59:61Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00+24:00"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00+01:60"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00+1"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00+01:0"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00+010"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00ZZ"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00Z "));
  CHECK_FALSE(parse_rfc3339(" 2026-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01X00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-1-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("26-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026/01/01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T0:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:0Z"));
  CHECK_FALSE(parse_rfc3339("+2026-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2026-01-01T00:00:00UTC"));
}

TEST_CASE("parse_rfc3339 leap seconds fold onto the end of :59") {
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z") == 1483228799 * S + 999999999);
  CHECK(parse_rfc3339("2016-12-31T23:59:60.5Z") == 1483228799 * S + 999999999);
  CHECK(parse_rfc3339("2017-01-01T00:59:60+01:00") == 1483228799 * S + 999999999);
  CHECK(*parse_rfc3339("2016-12-31T23:59:60Z") < *parse_rfc3339("2017-01-01T00:00:00Z"));
  CHECK(*parse_rfc3339("2016-12-31T23:59:60Z") > *parse_rfc3339("2016-12-31T23:59:59.999Z"));
  CHECK_FALSE(parse_rfc3339("2016-12-31T12:00:60Z"));        // not 23:59 UTC
  CHECK_FALSE(parse_rfc3339("2016-12-31T23:59:60+01:00"));   // 22:59 UTC
}

TEST_CASE("parse_rfc3339 range: TimeNs limits") {
  CHECK(parse_rfc3339("2262-04-11T23:47:16.854775807Z") == INT64_MAX);
  CHECK_FALSE(parse_rfc3339("2262-04-11T23:47:16.854775808Z"));
  CHECK(parse_rfc3339("1677-09-21T00:12:43.145224192Z") == INT64_MIN);
  CHECK_FALSE(parse_rfc3339("1677-09-21T00:12:43.145224191Z"));
  CHECK_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
  CHECK_FALSE(parse_rfc3339("0000-01-01T00:00:00Z"));
  CHECK(parse_rfc3339("1700-01-01T00:00:00Z"));
}

TEST_CASE("parse_rfc3339 hostile input") {
  CHECK_FALSE(parse_rfc3339(""));
  CHECK_FALSE(parse_rfc3339("Z"));
  CHECK_FALSE(parse_rfc3339("garbage garbage garbage"));
  CHECK_FALSE(parse_rfc3339(std::string(100000, '2')));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00Z" + std::string(10000, 'x')));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00\0Z"s));
  CHECK_FALSE(parse_rfc3339("2026-11-25\0T02:40:00Z"s));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00Z\0"s));
  CHECK_FALSE(parse_rfc3339("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6"));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00+"));
  CHECK_FALSE(parse_rfc3339("2026-11-25T02:40:00+0"));
  CHECK_FALSE(parse_rfc3339("２０２６-11-25T02:40:00Z"));
  // Every truncation of a valid string is either valid or rejected, never a crash.
  std::string good = "2026-11-25T02:40:00.123456789+05:30";
  for (size_t k = 0; k <= good.size(); ++k) (void)parse_rfc3339(std::string_view(good.data(), k));
}

TEST_CASE("format_rfc3339") {
  CHECK(format_rfc3339(1795574400 * S) == "2026-11-25T02:40:00Z");
  CHECK(format_rfc3339(1795574400 * S + 123000000) == "2026-11-25T02:40:00.123Z");
  CHECK(format_rfc3339(1795574400 * S + 123456000) == "2026-11-25T02:40:00.123456Z");
  CHECK(format_rfc3339(1795574400 * S + 123456789) == "2026-11-25T02:40:00.123456789Z");
  CHECK(format_rfc3339(1795574400 * S + 100000000) == "2026-11-25T02:40:00.100Z");
  CHECK(format_rfc3339(1795574400 * S + 1) == "2026-11-25T02:40:00.000000001Z");
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_rfc3339(-S) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339(-S / 2) == "1969-12-31T23:59:59.500Z");
  CHECK(format_rfc3339(INT64_MAX) == "2262-04-11T23:47:16.854775807Z");
  CHECK(format_rfc3339(INT64_MIN) == "1677-09-21T00:12:43.145224192Z");
  CHECK(format_rfc3339(951782400 * S) == "2000-02-29T00:00:00Z");
  // The day's date is cached: alternating days still read right.
  CHECK(format_rfc3339(1795574400 * S) == "2026-11-25T02:40:00Z");
  CHECK(format_rfc3339(1795574400 * S + 86400 * S) == "2026-11-26T02:40:00Z");
  CHECK(format_rfc3339(1795574400 * S - 1) == "2026-11-25T02:39:59.999999999Z");
  CHECK(format_rfc3339(1795574400 * S + 86400 * S - 9600 * S) == "2026-11-26T00:00:00Z");
  CHECK(format_rfc3339(1795574400 * S + 86400 * S - 9600 * S - 1) == "2026-11-25T23:59:59.999999999Z");
  // Into a buffer of kRfc3339MaxLen: the longest text fits.
  char buf[kRfc3339MaxLen];
  CHECK(std::string_view(buf, static_cast<size_t>(format_rfc3339(buf, INT64_MAX) - buf)) ==
        "2262-04-11T23:47:16.854775807Z");
  // Explicit digits.
  CHECK(format_rfc3339(1795574400 * S, 0) == "2026-11-25T02:40:00Z");
  CHECK(format_rfc3339(1795574400 * S, 3) == "2026-11-25T02:40:00.000Z");
  CHECK(format_rfc3339(1795574400 * S + 123456789, 3) == "2026-11-25T02:40:00.123Z");
  CHECK(format_rfc3339(1795574400 * S + 123456789, 1) == "2026-11-25T02:40:00.1Z");
  CHECK(format_rfc3339(1795574400 * S + 123456789, 9) == "2026-11-25T02:40:00.123456789Z");
  CHECK(format_rfc3339(1795574400 * S + 123456789, 42) == "2026-11-25T02:40:00.123456789Z");
  CHECK(format_rfc3339(-1, 3) == "1969-12-31T23:59:59.999Z");
  // Appends.
  std::string out = "ts=";
  format_rfc3339(out, 0);
  CHECK(out == "ts=1970-01-01T00:00:00Z");
}

TEST_CASE("format(parse(x)) round-trips") {
  for (const char* s : {"2026-11-25T02:40:00Z", "2026-11-25T02:40:00.123Z", "2026-11-25T02:40:00.123456Z",
                        "2026-11-25T02:40:00.123456789Z", "1969-12-31T23:59:59.999999999Z",
                        "1900-01-01T00:00:00Z", "2000-02-29T12:34:56.700Z", "2262-04-11T23:47:16.854775807Z",
                        "1677-09-21T00:12:43.145224192Z", "2024-12-31T23:59:59Z"}) {
    CHECK(format_rfc3339(utc_ns(s)) == s);
  }
  // Random instants across the whole range.
  std::mt19937_64 rng(42);
  for (int k = 0; k < 20000; ++k) {
    TimeNs t = static_cast<TimeNs>(rng());
    std::string s = format_rfc3339(t);
    auto back = parse_rfc3339(s);
    REQUIRE_MESSAGE(back.has_value(), s);
    CHECK(*back == t);
  }
}

// Found by tests/fuzz/fuzz_expr (UBSan: ts(-n) with n = INT64_MIN): a double
// just past int64 was cast to int64.
TEST_CASE("time_from_epoch(double) past int64 has no time") {
  CHECK_FALSE(time_from_epoch(9223372036854775808.0).has_value());
  CHECK_FALSE(time_from_epoch(9.25e18).has_value());
  CHECK_FALSE(time_from_epoch(-9.25e18).has_value());
}

TEST_CASE("time_from_epoch(int64) picks the unit by magnitude") {
  CHECK(time_from_epoch(int64_t{0}) == 0);
  CHECK(time_from_epoch(int64_t{1732500000}) == 1732500000 * S);
  CHECK(time_from_epoch(int64_t{1732500000123}) == 1732500000123 * 1000000);
  CHECK(time_from_epoch(int64_t{1732500000123456}) == 1732500000123456 * 1000);
  CHECK(time_from_epoch(int64_t{1732500000123456789}) == 1732500000123456789);
  CHECK(time_from_epoch(int64_t{-1732500000}) == -1732500000 * S);
  // Boundaries: 1e11 - 1 is seconds (and overflows TimeNs), 1e11 is milliseconds.
  CHECK_FALSE(time_from_epoch(int64_t{99'999'999'999}));
  CHECK(time_from_epoch(int64_t{9'223'372'036}) == 9'223'372'036 * S);
  CHECK_FALSE(time_from_epoch(int64_t{9'223'372'037}));
  CHECK(time_from_epoch(int64_t{-9'223'372'036}) == -9'223'372'036 * S);
  CHECK(time_from_epoch(int64_t{100'000'000'000}) == 100'000'000'000 * 1000000);
  CHECK(time_from_epoch(int64_t{9'223'372'036'854}) == 9'223'372'036'854 * 1000000);
  CHECK_FALSE(time_from_epoch(int64_t{9'223'372'036'855}));
  CHECK_FALSE(time_from_epoch(int64_t{99'999'999'999'999}));
  CHECK(time_from_epoch(int64_t{100'000'000'000'000}) == 100'000'000'000'000 * 1000);
  CHECK_FALSE(time_from_epoch(int64_t{99'999'999'999'999'999}));
  CHECK(time_from_epoch(int64_t{100'000'000'000'000'000}) == 100'000'000'000'000'000);
  CHECK(time_from_epoch(INT64_MAX) == INT64_MAX);
  CHECK(time_from_epoch(INT64_MIN) == INT64_MIN);
  CHECK(time_from_epoch(INT64_MIN + 1) == INT64_MIN + 1);
}

TEST_CASE("time_from_epoch(double)") {
  CHECK(time_from_epoch(1732500000.0) == 1732500000 * S);
  CHECK(time_from_epoch(1732500000.123) == 1732500000 * S + 123000000);
  CHECK(time_from_epoch(1732500000.5) == 1732500000 * S + 500000000);
  CHECK(time_from_epoch(1.5) == S + S / 2);
  CHECK(time_from_epoch(-1.5) == -(S + S / 2));
  CHECK(time_from_epoch(0.000000001) == 1);
  CHECK(time_from_epoch(1e-12) == 0);
  CHECK(time_from_epoch(1732500000123.5) == 1732500000123 * 1000000 + 500000);  // ms with fraction
  CHECK(time_from_epoch(1.7325e12) == 1732500000000 * 1000000);
  CHECK(time_from_epoch(1.7325e18) == 1732500000000000000);
  CHECK_FALSE(time_from_epoch(1e19));
  CHECK_FALSE(time_from_epoch(-1e19));
  CHECK_FALSE(time_from_epoch(1e300));
  CHECK_FALSE(time_from_epoch(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(time_from_epoch(std::numeric_limits<double>::infinity()));
  CHECK_FALSE(time_from_epoch(-std::numeric_limits<double>::infinity()));
  CHECK_FALSE(time_from_epoch(99999999999.5));  // seconds, overflows TimeNs
}

TEST_CASE("parse_time_string") {
  CHECK(parse_time_string("2026-11-25T02:40:00Z") == 1795574400 * S);
  CHECK(parse_time_string("1795574400") == 1795574400 * S);
  CHECK(parse_time_string("1795574400.123") == 1795574400 * S + 123000000);
  CHECK(parse_time_string("1795574400.123456789999") == 1795574400 * S + 123456789);
  CHECK(parse_time_string("1795574400123") == 1795574400123 * 1000000);
  CHECK(parse_time_string("1795574400123.456") == 1795574400123 * 1000000 + 456000);
  CHECK(parse_time_string("1795574400123456789") == 1795574400123456789);
  CHECK(parse_time_string("-1") == -S);
  CHECK(parse_time_string("0") == 0);
  CHECK(parse_time_string("1.7955744e9") == 1795574400 * S);
  CHECK_FALSE(parse_time_string(""));
  CHECK_FALSE(parse_time_string("-"));
  CHECK_FALSE(parse_time_string("1795574400."));
  CHECK_FALSE(parse_time_string(".5"));
  CHECK_FALSE(parse_time_string("+1795574400"));
  CHECK_FALSE(parse_time_string(" 1795574400"));
  CHECK_FALSE(parse_time_string("1795574400 "));
  CHECK_FALSE(parse_time_string("17955a4400"));
  CHECK_FALSE(parse_time_string("1795574400\0"s));
  CHECK_FALSE(parse_time_string("99999999999999999999999999"));
  CHECK_FALSE(parse_time_string("nan"));
  CHECK_FALSE(parse_time_string("inf"));
  CHECK_FALSE(parse_time_string("-inf"));
  CHECK_FALSE(parse_time_string("1e999"));
  CHECK_FALSE(parse_time_string("yesterday"));
  CHECK_FALSE(parse_time_string(std::string(100000, '7')));
}

TEST_CASE("parse_duration") {
  const int64_t MS = 1000000;
  CHECK(parse_duration("250ms") == 250 * MS);
  CHECK(parse_duration("5s") == 5 * S);
  CHECK(parse_duration("1m") == 60 * S);
  CHECK(parse_duration("2h") == 7200 * S);
  CHECK(parse_duration("1d") == 86400 * S);
  CHECK(parse_duration("1w") == 7 * 86400 * S);
  CHECK(parse_duration("1h30m") == 5400 * S);
  CHECK(parse_duration("1h30m15s250ms") == 5415 * S + 250 * MS);
  CHECK(parse_duration("1.5s") == 1500 * MS);
  CHECK(parse_duration("1.5h") == 5400 * S);
  CHECK(parse_duration("0.001s") == MS);
  CHECK(parse_duration("100us") == 100000);
  CHECK(parse_duration("100µs") == 100000);
  CHECK(parse_duration("100μs") == 100000);  // Greek mu
  CHECK(parse_duration("10ns") == 10);
  CHECK(parse_duration("1.0000000001s") == S);  // below 1ns truncated
  CHECK(parse_duration("0") == 0);
  CHECK(parse_duration("0s") == 0);
  CHECK(parse_duration("9223372036854775807ns") == INT64_MAX);
  CHECK(parse_duration("15250w") == int64_t{15250} * 7 * 86400 * S);
  CHECK_FALSE(parse_duration("9223372036854775808ns"));
  CHECK_FALSE(parse_duration("15251w"));
  CHECK_FALSE(parse_duration("99999999999999999999999s"));
  CHECK_FALSE(parse_duration("106751d106751d"));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("-5s"));
  CHECK_FALSE(parse_duration("+5s"));
  CHECK_FALSE(parse_duration("5"));
  CHECK_FALSE(parse_duration("1h30"));
  CHECK_FALSE(parse_duration("5x"));
  CHECK_FALSE(parse_duration("5 s"));
  CHECK_FALSE(parse_duration(" 5s"));
  CHECK_FALSE(parse_duration("5s "));
  CHECK_FALSE(parse_duration("5S"));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration(".5s"));
  CHECK_FALSE(parse_duration("5.s"));
  CHECK_FALSE(parse_duration("1.2.3s"));
  CHECK_FALSE(parse_duration("5sec"));
  CHECK_FALSE(parse_duration("5s\0"s));
  CHECK_FALSE(parse_duration("\xC2s"));
  CHECK_FALSE(parse_duration("5\xC2"));
  CHECK_FALSE(parse_duration(std::string(100000, '9') + "s"));
  CHECK(parse_duration("1." + std::string(100000, '0') + "s") == S);
}

TEST_CASE("format_duration") {
  const int64_t MS = 1000000;
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(60 * S) == "1m");
  CHECK(format_duration(250 * MS) == "250ms");
  CHECK(format_duration(5400 * S) == "1h30m");
  CHECK(format_duration(5 * S) == "5s");
  CHECK(format_duration(1500 * MS) == "1.5s");
  CHECK(format_duration(1500000) == "1.5ms");
  CHECK(format_duration(100000) == "100us");
  CHECK(format_duration(10) == "10ns");
  CHECK(format_duration(86400 * S) == "1d");
  CHECK(format_duration(7 * 86400 * S) == "1w");
  CHECK(format_duration(8 * 86400 * S + 3600 * S + 1) == "1w1d1h1ns");
  CHECK(format_duration(-5 * S) == "-5s");
  CHECK(format_duration(INT64_MIN).front() == '-');
  // Round trip over many values.
  std::mt19937_64 rng(7);
  for (int k = 0; k < 20000; ++k) {
    int64_t v = static_cast<int64_t>(rng() >> (1 + rng() % 63));
    std::string s = format_duration(v);
    auto back = parse_duration(s);
    REQUIRE_MESSAGE(back.has_value(), s);
    CHECK(*back == v);
  }
  CHECK(parse_duration(format_duration(INT64_MAX)) == INT64_MAX);
}

TEST_CASE("parse_clf_time") {
  CHECK(parse_clf_time("10/Oct/2000:13:55:36 -0700") == 971211336 * S);
  CHECK(parse_clf_time("10/Oct/2000:20:55:36 +0000") == 971211336 * S);
  CHECK(parse_clf_time("10/oct/2000:20:55:36 +00:00") == 971211336 * S);
  CHECK(parse_clf_time("10/Oct/2000:20:55:36.250 +0000") == 971211336 * S + 250000000);
  CHECK(parse_clf_time("29/Feb/2024:00:00:00 +0000"));
  CHECK_FALSE(parse_clf_time("29/Feb/2023:00:00:00 +0000"));
  CHECK_FALSE(parse_clf_time("10/Foo/2000:13:55:36 -0700"));
  CHECK_FALSE(parse_clf_time("10/Oct/2000:13:55:36"));
  CHECK_FALSE(parse_clf_time("10/Oct/2000:13:55:36 -07000"));
  CHECK_FALSE(parse_clf_time("10/Oct/2000 13:55:36 -0700"));
  CHECK_FALSE(parse_clf_time("10/Oct/2000:24:55:36 -0700"));
  CHECK_FALSE(parse_clf_time("[10/Oct/2000:13:55:36 -0700]"));
  CHECK_FALSE(parse_clf_time("1/Oct/2000:13:55:36 -0700"));
  CHECK_FALSE(parse_clf_time(""));
  CHECK_FALSE(parse_clf_time("10/Oct/2000:13:55:36 -0700\0"s));
  CHECK_FALSE(parse_clf_time(std::string(1000, '/')));
}

TEST_CASE("parse_bsd_syslog_time") {
  const TimeNs oct11 = utc_ns("2024-10-11T22:14:15Z");
  CHECK(parse_bsd_syslog_time("Oct 11 22:14:15", 2024, nullptr) == oct11);
  CHECK(parse_bsd_syslog_time("Oct 11 22:14:15", 2024, &TimeZone::utc()) == oct11);
  CHECK(parse_bsd_syslog_time("Oct 11 22:14:15.123", 2024, nullptr) == oct11 + 123000000);
  CHECK(parse_bsd_syslog_time("Oct  1 02:03:04", 2024, nullptr) == utc_ns("2024-10-01T02:03:04Z"));
  CHECK(parse_bsd_syslog_time("Oct 1 02:03:04", 2024, nullptr) == utc_ns("2024-10-01T02:03:04Z"));
  CHECK(parse_bsd_syslog_time("Feb 29 00:00:00", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Feb 29 00:00:00", 2023, nullptr));
  auto plus2 = TimeZone::load("+02:00");
  REQUIRE(plus2);
  CHECK(parse_bsd_syslog_time("Oct 11 22:14:15", 2024, &*plus2) == oct11 - 7200 * S);
  CHECK_FALSE(parse_bsd_syslog_time("Oct 32 22:14:15", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 00 22:14:15", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 11 22:14", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 11 22:14:15 ", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 11 22:14:15.", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct   1 02:03:04", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Octo 1 02:03:04", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 11 22:14:15", 0, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("", 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time("Oct 11 22:14:15\0"s, 2024, nullptr));
  CHECK_FALSE(parse_bsd_syslog_time(std::string(500, ' '), 2024, nullptr));
}

TEST_CASE("TimeZone fixed zones") {
  for (const char* n : {"UTC", "utc", "Z", "z"}) {
    auto tz = TimeZone::load(n);
    REQUIRE(tz);
    CHECK(tz->offset_at_utc(0) == 0);
    CHECK(tz->offset_for_local(0) == 0);
  }
  CHECK(TimeZone::utc().name() == "UTC");
  CHECK(TimeZone::load("+05:30")->offset_at_utc(0) == 19800);
  CHECK(TimeZone::load("-0800")->offset_at_utc(12345 * S) == -28800);
  CHECK(TimeZone::load("+05")->offset_for_local(0) == 18000);
  CHECK(TimeZone::load("-00:00")->offset_at_utc(0) == 0);
  CHECK(TimeZone::load("+05:30")->name() == "+05:30");
  auto tz = TimeZone::load("+05:30");
  CHECK(parse_rfc3339("2026-11-25T08:10:00", &*tz) == 1795574400 * S);
  CHECK(parse_rfc3339("2026-11-25T02:40:00Z", &*tz) == 1795574400 * S);  // explicit offset wins
  for (const char* bad : {"+5", "+24:00", "+05:60", "05:30", "+05:3", "+0530x"}) {
    std::string err;
    CHECK_MESSAGE(!TimeZone::load(bad, &err), bad);
  }
}

TEST_CASE("TimeZone rejects bad names with a clear error") {
  for (std::string bad : {"../etc/passwd"s, "/etc/localtime"s, "Europe/../../etc/passwd"s, ""s,
                          "Europe/Ber lin"s, "Europe\0Berlin"s, std::string(5000, 'A'), ".hidden"s}) {
    std::string err;
    CHECK_FALSE(TimeZone::load(bad, &err));
    CHECK_FALSE(err.empty());
  }
  std::string err;
  CHECK_FALSE(TimeZone::load("Mars/Olympus_Mons", &err));
  CHECK(err.find("Mars/Olympus_Mons") != std::string::npos);
  CHECK_FALSE(TimeZone::load("Mars/Olympus_Mons"));  // null error pointer is fine
}

TEST_CASE("TimeZone missing database gives a clear error") {
  const char* old = std::getenv("TZDIR");
  std::string saved = old ? old : "";
  setenv("TZDIR", "/nonexistent/zoneinfo", 1);
  std::string err;
  CHECK_FALSE(TimeZone::load("Europe/Berlin", &err));
  CHECK(err.find("tzdata") != std::string::npos);
  if (old)
    setenv("TZDIR", saved.c_str(), 1);
  else
    unsetenv("TZDIR");
}

TEST_CASE("TimeZone Europe/Berlin (needs tzdata)") {
  if (!have_tzdata()) {
    MESSAGE("skipped: /usr/share/zoneinfo missing (install tzdata)");
    return;
  }
  std::string err;
  auto tz = TimeZone::load("Europe/Berlin", &err);
  REQUIRE_MESSAGE(tz, err);
  CHECK(tz->name() == "Europe/Berlin");
  // Winter / summer.
  CHECK(tz->offset_at_utc(utc_ns("2024-01-15T12:00:00Z")) == 3600);
  CHECK(tz->offset_at_utc(utc_ns("2024-07-15T12:00:00Z")) == 7200);
  // Spring forward 2024-03-31 01:00 UTC (02:00 -> 03:00 local).
  CHECK(tz->offset_at_utc(utc_ns("2024-03-31T00:59:59Z")) == 3600);
  CHECK(tz->offset_at_utc(utc_ns("2024-03-31T01:00:00Z")) == 7200);
  // Fall back 2024-10-27 01:00 UTC (03:00 -> 02:00 local).
  CHECK(tz->offset_at_utc(utc_ns("2024-10-27T00:59:59Z")) == 7200);
  CHECK(tz->offset_at_utc(utc_ns("2024-10-27T01:00:00Z")) == 3600);
  const TimeZone* z = &*tz;
  // Local times around the transitions.
  CHECK(parse_rfc3339("2024-03-31T01:59:59", z) == utc_ns("2024-03-31T00:59:59Z"));
  CHECK(parse_rfc3339("2024-03-31T03:00:00", z) == utc_ns("2024-03-31T01:00:00Z"));
  // Skipped: 02:30 does not exist; read with the old offset (+01) -> 03:30 CEST.
  CHECK(parse_rfc3339("2024-03-31T02:30:00", z) == utc_ns("2024-03-31T01:30:00Z"));
  CHECK(parse_rfc3339("2024-03-31T02:00:00", z) == utc_ns("2024-03-31T01:00:00Z"));
  // Ambiguous: 02:30 happens twice; the first occurrence (+02) wins.
  CHECK(parse_rfc3339("2024-10-27T02:30:00", z) == utc_ns("2024-10-27T00:30:00Z"));
  CHECK(parse_rfc3339("2024-10-27T02:00:00", z) == utc_ns("2024-10-27T00:00:00Z"));
  CHECK(parse_rfc3339("2024-10-27T01:59:59", z) == utc_ns("2024-10-26T23:59:59Z"));
  CHECK(parse_rfc3339("2024-10-27T03:00:00", z) == utc_ns("2024-10-27T02:00:00Z"));
  // Historical (table) and far future (footer rule M3.5.0,M10.5.0/3).
  CHECK(tz->offset_at_utc(utc_ns("1950-01-01T00:00:00Z")) == 3600);
  CHECK(tz->offset_at_utc(utc_ns("2100-07-01T12:00:00Z")) == 7200);
  CHECK(tz->offset_at_utc(utc_ns("2100-12-01T12:00:00Z")) == 3600);
  CHECK(tz->offset_at_utc(utc_ns("2261-07-01T00:00:00Z")) == 7200);
  CHECK(tz->offset_at_utc(INT64_MAX) == 7200);  // 2262-04-11: summer
  CHECK(tz->offset_at_utc(INT64_MIN) == tz->offset_at_utc(utc_ns("1800-01-01T00:00:00Z")));
  // 2100: last Sunday of March is the 28th.
  CHECK(tz->offset_at_utc(utc_ns("2100-03-28T00:59:59Z")) == 3600);
  CHECK(tz->offset_at_utc(utc_ns("2100-03-28T01:00:00Z")) == 7200);
  // offset_for_local agrees with offset_at_utc outside transitions.
  for (int64_t t = utc_ns("2020-01-01T00:00:00Z") / S; t < utc_ns("2030-01-01T00:00:00Z") / S; t += 3 * 3600 + 7) {
    int32_t off = tz->offset_at_utc(t * S);
    int64_t local = t + off;
    int64_t back = local - tz->offset_for_local(local);
    // Only the second occurrence of an ambiguous hour maps elsewhere.
    if (back != t) CHECK(back == t - 3600);
  }
}

TEST_CASE("TimeZone America/New_York (needs tzdata)") {
  if (!have_tzdata()) {
    MESSAGE("skipped: /usr/share/zoneinfo missing (install tzdata)");
    return;
  }
  auto tz = TimeZone::load("America/New_York");
  REQUIRE(tz);
  const TimeZone* z = &*tz;
  CHECK(tz->offset_at_utc(utc_ns("2024-01-15T12:00:00Z")) == -18000);
  CHECK(tz->offset_at_utc(utc_ns("2024-07-15T12:00:00Z")) == -14400);
  // 2024-03-10 02:00 EST -> 03:00 EDT (07:00 UTC).
  CHECK(tz->offset_at_utc(utc_ns("2024-03-10T06:59:59Z")) == -18000);
  CHECK(tz->offset_at_utc(utc_ns("2024-03-10T07:00:00Z")) == -14400);
  CHECK(parse_rfc3339("2024-03-10T02:30:00", z) == utc_ns("2024-03-10T07:30:00Z"));  // skipped
  CHECK(parse_rfc3339("2024-03-10T03:30:00", z) == utc_ns("2024-03-10T07:30:00Z"));
  CHECK(parse_rfc3339("2024-03-10T01:59:59", z) == utc_ns("2024-03-10T06:59:59Z"));
  // 2024-11-03 02:00 EDT -> 01:00 EST (06:00 UTC); 01:30 is ambiguous.
  CHECK(tz->offset_at_utc(utc_ns("2024-11-03T05:59:59Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("2024-11-03T06:00:00Z")) == -18000);
  CHECK(parse_rfc3339("2024-11-03T01:30:00", z) == utc_ns("2024-11-03T05:30:00Z"));
  CHECK(parse_rfc3339("2024-11-03T02:30:00", z) == utc_ns("2024-11-03T07:30:00Z"));
  CHECK(parse_rfc3339("2024-11-03T00:59:59", z) == utc_ns("2024-11-03T04:59:59Z"));
  // Footer rule far out: 2150-03-08 is the second Sunday of March, 11-01 the first of November.
  CHECK(tz->offset_at_utc(utc_ns("2150-03-08T06:59:59Z")) == -18000);
  CHECK(tz->offset_at_utc(utc_ns("2150-03-08T07:00:00Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("2150-11-01T05:59:59Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("2150-11-01T06:00:00Z")) == -18000);
  // syslog in New York.
  CHECK(parse_bsd_syslog_time("Jul  4 12:00:00", 2024, z) == utc_ns("2024-07-04T16:00:00Z"));
}

TEST_CASE("TimeZone southern hemisphere and negative DST (needs tzdata)") {
  if (!have_tzdata()) return;
  auto syd = TimeZone::load("Australia/Sydney");
  REQUIRE(syd);
  CHECK(syd->offset_at_utc(utc_ns("2150-01-01T12:00:00Z")) == 11 * 3600);
  CHECK(syd->offset_at_utc(utc_ns("2150-07-01T12:00:00Z")) == 10 * 3600);
  auto dub = TimeZone::load("Europe/Dublin");
  REQUIRE(dub);
  CHECK(dub->offset_at_utc(utc_ns("2150-01-01T12:00:00Z")) == 0);
  CHECK(dub->offset_at_utc(utc_ns("2150-07-01T12:00:00Z")) == 3600);
  auto kolkata = TimeZone::load("Asia/Kolkata");
  REQUIRE(kolkata);
  CHECK(kolkata->offset_at_utc(utc_ns("2024-01-01T00:00:00Z")) == 19800);
  CHECK(kolkata->offset_at_utc(utc_ns("2200-01-01T00:00:00Z")) == 19800);
  auto utc_file = TimeZone::load("Etc/UTC");
  REQUIRE(utc_file);
  CHECK(utc_file->offset_at_utc(utc_ns("2024-01-01T00:00:00Z")) == 0);
  std::string err;
  CHECK_FALSE(TimeZone::load("Europe", &err));  // a directory
  CHECK_FALSE(err.empty());
  CHECK_FALSE(TimeZone::load("zone1970.tab", &err));  // not TZif
  CHECK(err.find("TZif") != std::string::npos);
}

TEST_CASE("TimeZone local follows TZ") {
  TzEnvGuard guard;
  setenv("TZ", "", 1);
  CHECK(TimeZone::load("local")->offset_at_utc(0) == 0);
  setenv("TZ", "UTC", 1);
  CHECK(TimeZone::load("local")->offset_at_utc(0) == 0);
  // POSIX TZ strings work without tzdata.
  setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
  auto tz = TimeZone::load("local");
  REQUIRE(tz);
  CHECK(tz->offset_at_utc(utc_ns("2024-01-15T12:00:00Z")) == -18000);
  CHECK(tz->offset_at_utc(utc_ns("2024-07-15T12:00:00Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("2024-03-10T07:00:00Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("1700-07-15T12:00:00Z")) == -14400);
  setenv("TZ", "<+0530>-5:30", 1);
  CHECK(TimeZone::load("local")->offset_at_utc(0) == 19800);
  setenv("TZ", "IST-2IDT,M3.4.4/26,M10.5.0", 1);
  tz = TimeZone::load("local");
  REQUIRE(tz);
  CHECK(tz->offset_at_utc(utc_ns("2024-07-01T00:00:00Z")) == 3 * 3600);
  CHECK(tz->offset_at_utc(utc_ns("2024-12-01T00:00:00Z")) == 2 * 3600);
  setenv("TZ", "EST5EDT4,0/0,J365/25", 1);  // DST all year
  tz = TimeZone::load("local");
  REQUIRE(tz);
  CHECK(tz->offset_at_utc(utc_ns("2024-01-01T12:00:00Z")) == -14400);
  CHECK(tz->offset_at_utc(utc_ns("2024-12-31T12:00:00Z")) == -14400);
  setenv("TZ", "no such zone!", 1);
  std::string err;
  CHECK_FALSE(TimeZone::load("local", &err));
  CHECK_FALSE(err.empty());
  if (have_tzdata()) {
    setenv("TZ", ":Europe/Berlin", 1);
    tz = TimeZone::load("local");
    REQUIRE(tz);
    CHECK(tz->name() == "Europe/Berlin");
    CHECK(tz->offset_at_utc(utc_ns("2024-07-15T12:00:00Z")) == 7200);
    setenv("TZ", "America/New_York", 1);
    CHECK(TimeZone::load("local")->offset_at_utc(utc_ns("2024-07-15T12:00:00Z")) == -14400);
    setenv("TZ", "/usr/share/zoneinfo/Asia/Tokyo", 1);
    CHECK(TimeZone::load("local")->offset_at_utc(0) == 9 * 3600);
  }
  unsetenv("TZ");
  auto local = TimeZone::load("local", &err);
  CHECK_MESSAGE(local, err);
}

TEST_CASE("parse_time_string reads an access log's time as every verb's time reader") {
  CHECK(parse_time_string("25/Nov/2026:02:40:01 +0000") == parse_rfc3339("2026-11-25T02:40:01Z"));
  CHECK(parse_time_string("25/Nov/2026:02:40:01 +0100") == parse_rfc3339("2026-11-25T01:40:01Z"));
  CHECK_FALSE(parse_time_string("25/Nov/2026"));
  CHECK_FALSE(parse_time_string("12/34"));
}

TEST_CASE("round_up_duration gives a hint in whole seconds, minutes or hours") {
  constexpr int64_t s = 1'000'000'000;
  CHECK(round_up_duration(1) == s);
  CHECK(round_up_duration(49 * s + 1) == 50 * s);
  CHECK(round_up_duration(60 * s) == 60 * s);
  CHECK(round_up_duration(61 * s) == 120 * s);
  CHECK(round_up_duration(3601 * s) == 7200 * s);
  CHECK(round_up_duration(0) == s);
}

// ---------------------------------------------------------------- --time-format

namespace {
std::string fmt_time(std::string_view text, std::string_view layout, int year = 0, const TimeZone* tz = nullptr) {
  TimeFormatDefaults d;
  d.year = year;
  d.tz = tz;
  d.now = *parse_rfc3339("2026-12-04T12:00:00Z");
  auto t = parse_time_format(text, layout, d);
  return t ? format_rfc3339(*t) : "none";
}
}  // namespace

TEST_CASE("parse_time_format: the layouts of real logs") {
  CHECK(fmt_time("081109 203615", "%y%m%d %H%M%S") == "2008-11-09T20:36:15Z");            // HDFS
  CHECK(fmt_time("17/06/09 20:10:40", "%y/%m/%d %H:%M:%S") == "2017-06-09T20:10:40Z");    // Spark
  CHECK(fmt_time("03-17 16:13:38.811", "%m-%d %H:%M:%S.%f", 2017) == "2017-03-17T16:13:38.811Z");  // Android
  CHECK(fmt_time("2015-07-29 17:41:44,747", "%Y-%m-%d %H:%M:%S,%f") == "2015-07-29T17:41:44.747Z");  // Zookeeper
  CHECK(fmt_time("2005-06-03-15.42.50.675872", "%Y-%m-%d-%H.%M.%S.%f") == "2005-06-03T15:42:50.675872Z");  // BGL
  CHECK(fmt_time("Sun Dec 04 04:47:44 2005", "%a %b %d %H:%M:%S %Y") == "2005-12-04T04:47:44Z");  // Apache
  CHECK(fmt_time("Jun  5 02:40:01", "%b %e %H:%M:%S", 2026) == "2026-06-05T02:40:01Z");
  CHECK(fmt_time("Jun 5 02:40:01", "%b %d %T", 2026) == "2026-06-05T02:40:01Z");
  CHECK(fmt_time("5 September 2026, 3:07:09 PM", "%d %B %Y, %I:%M:%S %p") == "2026-09-05T15:07:09Z");
  CHECK(fmt_time("12:00:01 am 2026-01-01", "%r", 2026) == "none");  // %r is no directive here
  CHECK(fmt_time("12:00:01 am 2026-01-01", "%I:%M:%S %p %F") == "2026-01-01T00:00:01Z");
  CHECK(fmt_time("2026-11-25T02:40:01+05:30", "%FT%T%z") == "2026-11-24T21:10:01Z");
  CHECK(fmt_time("2026-11-25 02:40:01 -0800", "%F %T %z") == "2026-11-25T10:40:01Z");
  CHECK(fmt_time("2026-11-25 02:40:01 Z", "%F %T %z") == "2026-11-25T02:40:01Z");
  CHECK(fmt_time("2026-11-25 02:40:01 UTC", "%F %T %Z") == "2026-11-25T02:40:01Z");
  CHECK(fmt_time("1795574401", "%s") == "2026-11-25T02:40:01Z");
  CHECK(fmt_time("1795574401.25", "%s.%f") == "2026-11-25T02:40:01.250Z");
  CHECK(fmt_time("2026 329 02:40", "%Y %j %R") == "2026-11-25T02:40:00Z");
  CHECK(fmt_time("11/25/26", "%D") == "2026-11-25T00:00:00Z");
  CHECK(fmt_time("100% 2026", "100%% %Y") == "2026-01-01T00:00:00Z");
}

TEST_CASE("parse_time_format: the year and the zone a layout lacks") {
  auto berlin = TimeZone::load("+01:00");
  REQUIRE(berlin);
  CHECK(fmt_time("11-25 02:40:01", "%m-%d %H:%M:%S", 2026, &*berlin) == "2026-11-25T01:40:01Z");
  // An offset in the text wins over --tz.
  CHECK(fmt_time("11-25 02:40:01 +00:00", "%m-%d %H:%M:%S %z", 2026, &*berlin) == "2026-11-25T02:40:01Z");
  // No year: this year (2026 by the test's clock), or last year for a date more than a day ahead.
  CHECK(fmt_time("11-25 02:40:01", "%m-%d %H:%M:%S") == "2026-11-25T02:40:01Z");
  CHECK(fmt_time("12-31 23:00:00", "%m-%d %H:%M:%S") == "2025-12-31T23:00:00Z");
  CHECK(fmt_time("02-29 00:00:00", "%m-%d %H:%M:%S") == "none");  // neither 2026 nor 2025 has it
}

TEST_CASE("parse_time_format: what does not fit is refused") {
  for (auto [text, layout] : std::initializer_list<std::pair<const char*, const char*>>{
           {"", "%Y"}, {"2026", ""}, {"2026-13-01", "%F"}, {"2026-02-30", "%F"}, {"2026-11-25 24:00:00", "%F %T"},
           {"2026-11-25 02:60:00", "%F %T"}, {"2026-11-25 02:40:01 extra", "%F %T"}, {"2026-11-25", "%F %T"},
           {"Foo 5 02:40:01", "%b %d %T"}, {"Marc 5 02:40:01", "%b %d %T"}, {"1:00 XM", "%I:%M %p"},
           {"1:00", "%I:%M"}, {"2026-11-25 +2500", "%F %z"}, {"2026 367", "%Y %j"}, {"2025 366", "%Y %j"},
           {"0000-01-01", "%F"}, {"2026-11-25", "%F%"}, {"x", "%Q"}, {"99999999999999999999", "%s"},
           {"2026-11-25 02:40:01.", "%F %T.%f"}}) {
    CHECK_MESSAGE(fmt_time(text, layout, 2026) == "none", text, " in ", layout);
  }
  std::string error;
  CHECK(check_time_format("%y%m%d %H%M%S", &error));
  CHECK_FALSE(check_time_format("%Y-%m-%Q", &error));
  CHECK(error.find("%Q") != std::string::npos);
  CHECK_FALSE(check_time_format("%Y%", &error));
}

// ---------------------------------------------------------------- format_time (strftime)

namespace {
std::string written(std::string_view rfc3339, std::string_view layout) {
  auto t = parse_rfc3339(rfc3339);
  REQUIRE(t);
  std::string out = "kept:";
  if (!format_time(out, *t, layout)) return "bad layout";
  return out.substr(5);
}
}  // namespace

TEST_CASE("format_time: every directive, in UTC (checked against Python's strftime)") {
  const char* t = "2026-11-25T02:44:00.123456789Z";
  CHECK(written(t, "%Y %m %d %H %M %S %y %j %a %b %e %f %z %Z %s %% %T %F %A %B %I %p %D %R") ==
        "2026 11 25 02 44 00 26 329 Wed Nov 25 123456 +0000 UTC 1795574640 % 02:44:00 2026-11-25 Wednesday "
        "November 02 AM 11/25/26 02:44");
  CHECK(written(t, "%3f|%6f|%9f|%1f|%h|%n|%t") == "123|123456|123456789|1|Nov|\n|\t");
  CHECK(written("2024-02-29T23:05:09Z", "%a %j %F %T %I%p %e") == "Thu 060 2024-02-29 23:05:09 11PM 29");
  CHECK(written("2026-03-05T12:00:00Z", "%e|%d|%I %p") == " 5|05|12 PM");
  CHECK(written("2026-03-05T00:00:00Z", "%I %p") == "12 AM");
  // Before the epoch: the fraction counts up from the second below, %s is the floor.
  CHECK(written("1969-12-31T23:59:59.5Z", "%a %j %F %T.%f %s") == "Wed 365 1969-12-31 23:59:59.500000 -1");
  CHECK(written(t, "no directives, ünïcode \xff") == "no directives, ünïcode \xff");
  CHECK(written(t, "") == "");
}

TEST_CASE("format_time: the ends of the clock and bad layouts") {
  std::string out;
  REQUIRE(format_time(out, INT64_MIN, "%FT%T.%9f %s %a %j"));
  CHECK(out == "1677-09-21T00:12:43.145224192 -9223372037 Tue 264");
  out.clear();
  REQUIRE(format_time(out, INT64_MAX, "%FT%T.%9f %s"));
  CHECK(out == "2262-04-11T23:47:16.854775807 9223372036");
  for (const char* bad : {"%", "%Y%", "%Q", "%0f", "%3", "%3d", "%Y-%m-%d %"}) {
    out.clear();
    CHECK_MESSAGE(!format_time(out, 0, bad), bad);
    CHECK_MESSAGE(!check_time_format(bad, nullptr), bad);
  }
}

TEST_CASE("format_time and parse_time_format read each other") {
  TimeFormatDefaults d;
  d.now = *parse_rfc3339("2026-12-04T12:00:00Z");
  for (const char* layout : {"%Y-%m-%dT%H:%M:%S.%9f%z", "%y%m%d %H%M%S", "%y/%m/%d %H:%M:%S", "%d/%b/%Y:%T %z",
                             "%a %b %e %T %Y", "%A, %d %B %Y %I:%M:%S %p %Z", "%s.%9f", "%Y %j %T", "%F %T,%3f"}) {
    for (const char* when : {"2026-11-25T02:44:00Z", "2024-02-29T23:05:09Z", "2001-01-01T00:00:00Z",
                             "2026-03-05T12:00:00Z", "2026-01-01T00:00:01Z"}) {
      std::string text;
      REQUIRE(format_time(text, *parse_rfc3339(when), layout));
      auto back = parse_time_format(text, layout, d);
      CHECK_MESSAGE(back == parse_rfc3339(when), layout, " wrote ", text);
    }
  }
  // %3f reads at most three digits: the rest is for what the layout says next.
  CHECK(fmt_time("20261125024400123456", "%Y%m%d%H%M%S%3f456") == "2026-11-25T02:44:00.123Z");
  CHECK(fmt_time("2026-11-25 02:44:00.1234", "%F %T.%3f") == "none");
  CHECK(fmt_time("2026-11-25 02:44:00.12", "%F %T.%3f") == "2026-11-25T02:44:00.120Z");
  CHECK(fmt_time("2026-11-25 02:44:00.1234567891", "%F %T.%9f") == "none");
  CHECK(fmt_time("2026-11-25 02:44:00.1234567891", "%F %T.%f") == "2026-11-25T02:44:00.123456789Z");
  CHECK(check_time_format("%F %T.%3f", nullptr));
}
