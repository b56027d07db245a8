// Time parsing (lib/time): parse_rfc3339, parse_time_string, parse_clf_time,
// parse_bsd_syslog_time, epochs, parse_duration and time zone names.
//
// Invariants: a parsed RFC 3339 time, formatted with format_rfc3339, parses
// back to the same value (with every fraction width that keeps it exact);
// parse_time_string agrees with parse_rfc3339 where that one succeeds; a
// parsed duration, formatted with format_duration, parses back the same.
// format_time (strftime) writes a layout exactly when check_time_format
// accepts it, at most 9 bytes per byte of layout; "%FT%T.%9fZ" writes what
// format_rfc3339 writes, and parse_time_format reads it back.
#include <optional>
#include <string>

#include "fuzz_common.h"
#include "time/timeformat.h"
#include "time/timeutil.h"
#include "time/timezone.h"

using namespace olly;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const TimeZone berlin = TimeZone::load("Europe/Berlin").value_or(TimeZone::utc());
  static const TimeZone fixed = TimeZone::load("+05:30").value();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  // --time-format: LAYOUT \x01 TEXT. A layout read to a time is one the
  // check accepts, and reading is deterministic; with a year and without.
  if (size_t cut = text.find('\x01'); cut != std::string_view::npos) {
    std::string_view layout = text.substr(0, cut), value = text.substr(cut + 1);
    TimeFormatDefaults d;
    d.now = 1795574401000000000;  // fixed: no clock in a fuzz run
    d.tz = &berlin;
    for (int year : {0, 2026}) {
      d.year = year;
      std::optional<TimeNs> t = parse_time_format(value, layout, d);
      FUZZ_CHECK(t == parse_time_format(value, layout, d), "parse_time_format is not deterministic", text);
      if (t) FUZZ_CHECK(check_time_format(layout, nullptr), "a layout the check refuses read a time", layout);
    }
    for (TimeNs t : {TimeNs{0}, TimeNs{-1}, TimeNs{1795574401123456789}, INT64_MIN, INT64_MAX}) {
      std::string out;
      const bool written = format_time(out, t, layout);
      FUZZ_CHECK(written == check_time_format(layout, nullptr), "format_time and check_time_format disagree", layout);
      FUZZ_CHECK(out.size() <= 9 * layout.size(), "format_time wrote more than 9 bytes per byte of layout", layout);
    }
  }

  for (const TimeZone* tz : {static_cast<const TimeZone*>(nullptr), &berlin, &fixed}) {
    std::optional<TimeNs> t = parse_rfc3339(text, tz);
    std::optional<TimeNs> any = parse_time_string(text, tz);
    if (!t) continue;
    FUZZ_CHECK(any && *any == *t, "parse_time_string disagrees with parse_rfc3339", text);
    const std::string out = format_rfc3339(*t);
    std::optional<TimeNs> back = parse_rfc3339(out);
    FUZZ_CHECK(back && *back == *t, "RFC 3339 does not read back", out);
    std::string written;
    FUZZ_CHECK(format_time(written, *t, "%FT%T.%9fZ"), "format_time refused a good layout");
    FUZZ_CHECK(written == format_rfc3339(*t, 9), "format_time disagrees with format_rfc3339", written);
    FUZZ_CHECK(parse_time_format(written, "%FT%T.%9f%z") == t, "format_time does not read back", written);
    char buf[kRfc3339MaxLen];
    for (int digits = 0; digits <= 9; ++digits) {
      char* end = format_rfc3339(buf, *t, digits);
      FUZZ_CHECK(end > buf && static_cast<size_t>(end - buf) <= kRfc3339MaxLen);
      std::optional<TimeNs> again = parse_rfc3339(std::string_view(buf, end - buf));
      FUZZ_CHECK(again.has_value(), "formatted time does not parse", std::string_view(buf, end - buf));
      int64_t unit = 1;
      for (int i = digits; i < 9; ++i) unit *= 10;
      FUZZ_CHECK(*again == floor_div(*t, unit) * unit, "truncated time reads back wrong",
                 std::string_view(buf, end - buf));
    }
  }

  if (std::optional<TimeNs> t = parse_clf_time(text)) {
    FUZZ_CHECK(parse_rfc3339(format_rfc3339(*t)) == t, "CLF time does not read back");
  }
  (void)parse_bsd_syslog_time(text, 2026, &berlin);
  (void)parse_bsd_syslog_time(text, 2024, nullptr);

  if (std::optional<int64_t> d = parse_duration(text)) {
    FUZZ_CHECK(*d >= 0, "negative duration", text);
    const std::string spelled = format_duration(*d);
    FUZZ_CHECK(parse_duration(spelled) == d, "duration does not read back", spelled);
    (void)round_up_duration(*d);
  }

  if (size == sizeof(int64_t)) {
    int64_t v;
    std::memcpy(&v, data, sizeof v);
    if (std::optional<TimeNs> t = time_from_epoch(v)) (void)format_rfc3339(*t);
    double d;
    std::memcpy(&d, data, sizeof d);
    if (std::optional<TimeNs> t = time_from_epoch(d)) (void)format_rfc3339(*t);
  }

  // Zone names: fixed offsets and IANA names (olly reads the system's TZif files).
  if (size < 64) {
    std::string error;
    if (std::optional<TimeZone> zone = TimeZone::load(text, &error)) {
      (void)zone->offset_at_utc(0);
      (void)zone->offset_for_local(1767323045);
    } else {
      FUZZ_CHECK(!error.empty(), "a zone that does not load says nothing", text);
    }
  }
  return 0;
}
