// Time zones for reading local times: fixed offsets, "local", and IANA names
// from the system's time zone database. Included by time/timeutil.h.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

// A time zone: "UTC", "Z", fixed offsets "+05:30" / "-0800", "local" (the TZ
// environment / /etc/localtime) and IANA names ("Europe/Berlin") read from
// the system's TZif files (/usr/share/zoneinfo), with DST transitions.
// Names: "UTC"/"utc"/"Z"/"z"; "+hh:mm"/"+hhmm"/"+hh"; "local" = $TZ (":name",
// an IANA name, an absolute TZif path, or a POSIX TZ string; empty = UTC),
// else /etc/localtime, else UTC; IANA names are looked up under $TZDIR or
// /usr/share/zoneinfo (names with "..", a leading '/' or odd characters are
// rejected). TZif v1 and v2+/v3 (64-bit section used when present); the
// footer's POSIX TZ rule (Mm.w.d, Jn, n dates, times up to +-167h) is
// expanded into transitions up to year 2262, the end of TimeNs. Leap-second
// records are ignored ("right/" zones would be off by the leap seconds).
// load() returns nullopt with *error set ("unknown time zone ...", "no time
// zone database at ... (install the tzdata package)", "not a TZif file").
class TimeZone {
 public:
  static std::optional<TimeZone> load(std::string_view name, std::string* error = nullptr);
  static const TimeZone& utc();
  // Offset from UTC in seconds in force at UTC instant t (a TimeNs:
  // nanoseconds since the epoch).
  int32_t offset_at_utc(int64_t t) const;
  // Offset for a local wall-clock time given as seconds since the epoch as if
  // it were UTC (ambiguous times take the earlier offset, i.e. the first
  // occurrence; times skipped by a forward jump take the offset in force
  // before the jump, so 02:30 in a 02:00->03:00 gap reads as 03:30).
  int32_t offset_for_local(int64_t local_seconds) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  // The offset of a fixed zone, or the offset before the first transition.
  int32_t fixed_offset_ = 0;
  // Transition table from TZif (empty for fixed zones); `at` in UTC seconds,
  // strictly increasing.
  struct Transition { int64_t at; int32_t offset; };
  std::vector<Transition> transitions_;
  friend struct TimeZoneLoader;
};

}  // namespace olly
