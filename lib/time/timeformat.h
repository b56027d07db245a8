// Times in a layout the log names itself (--time-format, ts(x, fmt)):
// strptime-style directives, read and written (strftime(t, fmt)) without the
// C library's locale or global state, from one table of directives.
//
//   %Y year (1-4 digits)    %y two-digit year (69-99: 19xx, 00-68: 20xx, as POSIX)
//   %m month (1-2 digits)   %b %h %B month name, English, abbreviated or full, any case
//   %d day (1-2 digits)     %e day, space-padded (" 5")
//   %j day of the year (1-3 digits; with %Y or the year given, instead of %m %d)
//   %H hour (0-23)          %I hour (1-12) with %p (AM or PM, any case)
//   %M minute               %S second (0-60; 60 is a leap second, read as the next)
//   %f fraction of a second, 1-9 digits (more are truncated); %3f .. %9f
//      (any width 1-9) read at most that many digits
//   %z offset: Z, +hh, +hhmm, +hh:mm  %Z the zone name UTC, GMT or Z
//   %s seconds since the epoch (overrides the rest)
//   %a %A weekday name (checked for a name, not for agreeing with the date)
//   %T = %H:%M:%S   %F = %Y-%m-%d   %D = %m/%d/%y   %R = %H:%M   %% a '%'
//   a blank in the format matches one or more blanks in the text (and none
//   at its end); any other character matches itself.
//
// Written (format_time), every directive gives its field zero-padded, in
// UTC: %e space-padded, %j three digits, %y the year's last two digits, %b
// %a "Nov" "Wed", %B %A "November" "Wednesday", %p "AM" "PM", %z "+0000",
// %Z "UTC", %s whole seconds (floor), %f six digits (microseconds, as
// Python's), %Nf N digits (%3f milliseconds, %9f nanoseconds), truncated;
// %n a newline, %t a tab.
//
// What the layout lacks comes from TimeFormatDefaults: the year (a layout
// without one, like Android's "%m-%d %H:%M:%S.%f"), the zone (a layout
// without %z). The whole text must be read.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "time/timeutil.h"

namespace olly {

struct TimeFormatDefaults {
  // The year of a layout without %Y or %y; 0: the current year, or last year
  // when that puts the time more than a day ahead of now (a December log
  // read in January), as RFC 3164 syslog lines are dated.
  int year = 0;
  const TimeZone* tz = nullptr;  // for a layout without %z (UTC when null)
  TimeNs now = 0;                // the clock, for year 0 (0: read it)
};

// The time text names in layout, nullopt when it does not fit.
std::optional<TimeNs> parse_time_format(std::string_view text, std::string_view layout,
                                        const TimeFormatDefaults& defaults = {});

// Whether layout is one parse_time_format reads: every '%' starts a
// directive above. On false, *error names the first that is not.
bool check_time_format(std::string_view layout, std::string* error);

// t written in layout, in UTC, appended to out. False when layout is not one
// check_time_format accepts (out then holds what came before the bad '%').
// Writes at most 9 bytes per byte of layout.
bool format_time(std::string& out, TimeNs t, std::string_view layout);

}  // namespace olly
