// Time: parsing and formatting of timestamps and durations, in one place.
// Internally a time is nanoseconds since the Unix epoch, UTC (int64: years
// 1678..2262).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

using TimeNs = int64_t;
constexpr int64_t kNsPerSec = 1'000'000'000;

// RFC 3339 / ISO 8601 date-time: "2026-11-25T02:40:00Z", fractions up to 9
// digits, "z", "+02:00", "+0200", a space instead of "T". A value without an
// offset is read in the zone tz (UTC when null).
class TimeZone;
std::optional<TimeNs> parse_rfc3339(std::string_view s, const TimeZone* tz = nullptr);

// Epoch numbers, unit chosen by magnitude: |v| < 1e11 seconds, < 1e14
// milliseconds, < 1e17 microseconds, else nanoseconds.
std::optional<TimeNs> time_from_epoch(int64_t v);
std::optional<TimeNs> time_from_epoch(double v);

// A string that is an RFC 3339 time or an epoch number (by magnitude).
std::optional<TimeNs> parse_time_string(std::string_view s, const TimeZone* tz = nullptr);

// RFC 3339 in UTC with "Z": fraction digits as needed (none, 3, 6 or 9) when
// frac_digits < 0, else exactly frac_digits (0..9).
void format_rfc3339(std::string& out, TimeNs t, int frac_digits = -1);
std::string format_rfc3339(TimeNs t, int frac_digits = -1);

// Durations: "250ms", "5s", "1m", "2h", "1d", "1w", "1h30m", "1.5s", "100us",
// "100µs", "10ns". Returns nanoseconds; nullopt when malformed.
std::optional<int64_t> parse_duration(std::string_view s);
// "1m", "250ms", "1h30m": the shortest exact spelling.
std::string format_duration(int64_t ns);

// Common log format time "10/Oct/2000:13:55:36 -0700" (nginx $time_local).
std::optional<TimeNs> parse_clf_time(std::string_view s);
// RFC 3164 "Oct 11 22:14:15" (also "Oct  1 ..."), year and zone supplied
// by the caller (syslog lines carry neither).
std::optional<TimeNs> parse_bsd_syslog_time(std::string_view s, int year, const TimeZone* tz);

// A time zone: "UTC", "Z", fixed offsets "+05:30" / "-0800", "local" (the TZ
// environment / /etc/localtime) and IANA names ("Europe/Berlin") read from
// the system's TZif files (/usr/share/zoneinfo), with DST transitions.
class TimeZone {
 public:
  static std::optional<TimeZone> load(std::string_view name, std::string* error = nullptr);
  static const TimeZone& utc();
  // Offset from UTC in seconds in force at UTC instant t.
  int32_t offset_at_utc(TimeNs t) const;
  // Offset for a local wall-clock time given as seconds since the epoch as if
  // it were UTC (ambiguous times take the earlier offset).
  int32_t offset_for_local(int64_t local_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  int32_t fixed_offset_ = 0;
  // Transition table from TZif (empty for fixed zones).
  struct Transition { int64_t at; int32_t offset; };
  std::vector<Transition> transitions_;
  friend struct TimeZoneLoader;
};

// Civil date helpers (proleptic Gregorian, UTC).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);

}  // namespace olly
