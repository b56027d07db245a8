// Time: parsing and formatting of timestamps and durations, in one place.
// Internally a time is nanoseconds since the Unix epoch, UTC (int64: years
// 1678..2262).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "time/timezone.h"

namespace olly {

using TimeNs = int64_t;
constexpr int64_t kNsPerSec = 1'000'000'000;

// RFC 3339 / ISO 8601 date-time: "2026-11-25T02:40:00Z", fractions up to 9
// digits, "z", "+02:00", "+0200", a space instead of "T". A value without an
// offset is read in the zone tz (UTC when null).
// Details: "t" as separator; "," as decimal mark; offsets "+hh:mm", "+hhmm",
// "+hh" (hh <= 23, mm <= 59); a date alone ("2026-11-25") is local midnight;
// seconds may be omitted ("...T02:40Z"). Fraction digits past 9 are truncated.
// A leap second "23:59:60" (only valid where it is 23:59:60 UTC) is folded to
// 23:59:59.999999999 UTC, keeping order. Strict: no surrounding whitespace,
// day checked against the month (leap years), nullopt outside TimeNs range.
// No allocation, no locale.
std::optional<TimeNs> parse_rfc3339(std::string_view s, const TimeZone* tz = nullptr);

// Epoch numbers, unit chosen by magnitude: |v| < 1e11 seconds, < 1e14
// milliseconds, < 1e17 microseconds, else nanoseconds. nullopt when the
// result overflows TimeNs (or v is NaN/inf). A double's fraction is read from
// its shortest decimal spelling (1732500000.123 -> ...123000000 ns);
// sub-nanosecond digits are truncated toward zero.
std::optional<TimeNs> time_from_epoch(int64_t v);
std::optional<TimeNs> time_from_epoch(double v);

// A string that is an RFC 3339 time, an access log's time ("25/Nov/2026:02:40:01
// +0000", see parse_clf_time) or an epoch number (by magnitude):
// "1732500000", "1732500000.123", "-5", "1.7325e9". The one time reader of
// every verb (event times, ts(), --since/--until).
std::optional<TimeNs> parse_time_string(std::string_view s, const TimeZone* tz = nullptr);

// RFC 3339 in UTC with "Z": fraction digits as needed (none, 3, 6 or 9) when
// frac_digits < 0, else exactly frac_digits (0..9).
void format_rfc3339(std::string& out, TimeNs t, int frac_digits = -1);
// The same into buf, which holds at least kRfc3339MaxLen bytes; returns the end.
constexpr size_t kRfc3339MaxLen = 32;  // "2262-04-11T23:47:16.854775807Z" is 30
char* format_rfc3339(char* buf, TimeNs t, int frac_digits = -1);
std::string format_rfc3339(TimeNs t, int frac_digits = -1);

// Durations: "250ms", "5s", "1m", "2h", "1d", "1w", "1h30m", "1.5s", "100us",
// "100µs", "10ns". Returns nanoseconds; nullopt when malformed.
// Units: ns, us/µs/μs, ms, s, m, h, d (24h), w (7d); parts in any order;
// digits required both sides of '.'; "0" alone is allowed; empty, negative,
// unknown unit, missing unit and overflow (> INT64_MAX ns) are rejected.
std::optional<int64_t> parse_duration(std::string_view s);
// "1m", "250ms", "1h30m": exact; greedy w/d/h/m, then seconds with a decimal
// fraction ("1.5s") or one sub-second unit ("250ms", "1.5us"). "0s" for 0;
// negative values get a leading '-' (which parse_duration rejects).
std::string format_duration(int64_t ns);
// parse_duration for a flag or a field: the nanoseconds, or a UsageError
// "WHAT: 'TEXT' is not a [positive ]duration (e.g. 250ms, 10s, 1m, 1h)".
// Negative durations are never accepted; zero only with allow_zero.
int64_t duration_or_throw(std::string_view text, std::string_view what, bool allow_zero);
// A duration rounded up to a whole second below a minute, a whole minute
// below an hour, else a whole hour: what a hint to the user should say.
int64_t round_up_duration(int64_t ns);

// Common log format time "10/Oct/2000:13:55:36 -0700" (nginx $time_local);
// also "+07:00" offsets and an optional ".frac" after the seconds.
std::optional<TimeNs> parse_clf_time(std::string_view s);
// RFC 3164 "Oct 11 22:14:15" (also "Oct  1 ..."), year and zone supplied
// by the caller (syslog lines carry neither). Also "Oct 1 ..." and an
// optional fraction "Oct 11 22:14:15.123". tz null means UTC.
std::optional<TimeNs> parse_bsd_syslog_time(std::string_view s, int year, const TimeZone* tz);

// Event-time arithmetic that saturates at the ends of int64 instead of
// wrapping (an event time plus a --within of 100000d).
constexpr int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? (b > 0 ? INT64_MAX : INT64_MIN) : r;
}
constexpr int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_sub_overflow(a, b, &r) ? (b > 0 ? INT64_MIN : INT64_MAX) : r;
}

// a / b rounded toward negative infinity (b != 0): floor_div(-1, 60) is -1,
// where C++'s / gives 0. Inline: event-time windows use it once per event.
constexpr int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Civil date helpers (proleptic Gregorian, UTC).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);

}  // namespace olly
