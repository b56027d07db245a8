// Time parsing/formatting and time zones. Hot paths (parse_rfc3339,
// time_from_epoch, offset lookups) never allocate and never touch the locale.
#include "time/timeutil.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <unistd.h>

namespace olly {

namespace {

constexpr int64_t kSecPerDay = 86400;
// Last civil year whose every second fits TimeNs (2262-04-11 is the limit);
// zone rules are expanded up to here.
constexpr int64_t kLastRuleYear = 2262;
constexpr int64_t kFirstRuleYear = 1678;

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

bool is_digit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }

// Exactly n ASCII digits at p.
bool read_digits(const char* p, int n, int& out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  out = v;
  return true;
}

// secs + frac_ns (0 <= frac_ns < 1e9) as TimeNs, nullopt when out of range.
std::optional<TimeNs> combine_ns(int64_t secs, int64_t frac_ns) {
  // Near INT64_MIN, secs*1e9 alone can overflow although the sum fits.
  if (secs < 0 && frac_ns > 0) {
    secs += 1;
    frac_ns -= kNsPerSec;
  }
  int64_t r;
  if (__builtin_mul_overflow(secs, kNsPerSec, &r)) return std::nullopt;
  if (__builtin_add_overflow(r, frac_ns, &r)) return std::nullopt;
  return r;
}

// Fraction digits after the '.', scaled to nanoseconds (extra digits are
// truncated). Advances i; false when there is no digit.
bool read_fraction(const char* p, size_t n, size_t& i, int64_t& frac_ns) {
  size_t start = i;
  int kept = 0;
  int64_t v = 0;
  while (i < n && is_digit(p[i])) {
    if (kept < 9) {
      v = v * 10 + (p[i] - '0');
      ++kept;
    }
    ++i;
  }
  if (i == start) return false;
  for (; kept < 9; ++kept) v *= 10;
  frac_ns = v;
  return true;
}

// "+hh:mm", "+hhmm", "+hh" (sign included) at p[i..n). Seconds east of UTC.
bool read_numeric_offset(const char* p, size_t n, size_t& i, int32_t& offset) {
  if (i >= n || (p[i] != '+' && p[i] != '-')) return false;
  bool negative = p[i] == '-';
  ++i;
  int hh, mm = 0;
  if (n - i < 2 || !read_digits(p + i, 2, hh)) return false;
  i += 2;
  if (i < n && p[i] == ':') {
    if (n - i < 3 || !read_digits(p + i + 1, 2, mm)) return false;
    i += 3;
  } else if (n - i >= 2 && is_digit(p[i])) {
    if (!read_digits(p + i, 2, mm)) return false;
    i += 2;
  }
  if (hh > 23 || mm > 59) return false;
  offset = (hh * 3600 + mm * 60) * (negative ? -1 : 1);
  return true;
}

// Three-letter English month abbreviation, any case; 0 when not one.
int month_from_abbrev(const char* p) {
  static constexpr char kNames[] = "janfebmaraprmayjunjulaugsepoctnovdec";
  char a = static_cast<char>(p[0] | 0x20), b = static_cast<char>(p[1] | 0x20),
       c = static_cast<char>(p[2] | 0x20);
  for (int m = 0; m < 12; ++m) {
    if (kNames[m * 3] == a && kNames[m * 3 + 1] == b && kNames[m * 3 + 2] == c) return m + 1;
  }
  return 0;
}

// Local wall-clock seconds (as if UTC) to UTC seconds.
int64_t local_to_utc(int64_t local, const TimeZone* tz) {
  return tz ? local - tz->offset_for_local(local) : local;
}

// "hh:mm:ss" at p (n >= 8 guaranteed by caller).
bool read_clock(const char* p, int& h, int& m, int& s) {
  return read_digits(p, 2, h) && p[2] == ':' && read_digits(p + 3, 2, m) && p[5] == ':' &&
         read_digits(p + 6, 2, s) && h <= 23 && m <= 59 && s <= 59;
}

// "[-]digits[.digits]" epoch number; unit by magnitude of the integer part.
std::optional<TimeNs> parse_epoch_decimal(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size(), i = 0;
  bool negative = false;
  if (i < n && p[i] == '-') {
    negative = true;
    ++i;
  }
  size_t int_start = i;
  uint64_t whole = 0;
  while (i < n && is_digit(p[i])) {
    if (whole > (UINT64_MAX - 9) / 10) return std::nullopt;
    whole = whole * 10 + static_cast<uint64_t>(p[i] - '0');
    ++i;
  }
  if (i == int_start) return std::nullopt;
  size_t frac_start = n, frac_end = n;
  if (i < n && p[i] == '.') {
    frac_start = ++i;
    while (i < n && is_digit(p[i])) ++i;
    frac_end = i;
    if (frac_end == frac_start) return std::nullopt;
  }
  if (i != n) return std::nullopt;

  uint64_t mult;
  int frac_digits;
  if (whole < 100'000'000'000ULL) {
    mult = 1'000'000'000;
    frac_digits = 9;
  } else if (whole < 100'000'000'000'000ULL) {
    mult = 1'000'000;
    frac_digits = 6;
  } else if (whole < 100'000'000'000'000'000ULL) {
    mult = 1'000;
    frac_digits = 3;
  } else {
    mult = 1;
    frac_digits = 0;
  }
  uint64_t mag;
  if (__builtin_mul_overflow(whole, mult, &mag)) return std::nullopt;
  uint64_t frac = 0;
  for (int k = 0; k < frac_digits; ++k) {
    size_t at = frac_start + static_cast<size_t>(k);
    frac = frac * 10 + (at < frac_end ? static_cast<uint64_t>(p[at] - '0') : 0);
  }
  if (__builtin_add_overflow(mag, frac, &mag)) return std::nullopt;
  if (negative) {
    if (mag > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<TimeNs>(0 - mag);
  }
  if (mag > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<TimeNs>(mag);
}

}  // namespace

// ---------------------------------------------------------------------------
// Civil dates (Howard Hinnant's days_from_civil / civil_from_days).

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

// ---------------------------------------------------------------------------
// RFC 3339

std::optional<TimeNs> parse_rfc3339(std::string_view s, const TimeZone* tz) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n < 10) return std::nullopt;
  int year, mon, day;
  if (!read_digits(p, 4, year) || p[4] != '-' || !read_digits(p + 5, 2, mon) || p[7] != '-' ||
      !read_digits(p + 8, 2, day))
    return std::nullopt;
  if (mon < 1 || mon > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, mon))
    return std::nullopt;

  int hour = 0, min = 0, sec = 0;
  int64_t frac = 0;
  bool has_offset = false;
  int32_t offset = 0;
  size_t i = 10;
  if (i < n) {
    if (p[i] != 'T' && p[i] != 't' && p[i] != ' ') return std::nullopt;
    ++i;
    if (n - i < 5 || !read_digits(p + i, 2, hour) || p[i + 2] != ':' ||
        !read_digits(p + i + 3, 2, min))
      return std::nullopt;
    i += 5;
    if (i < n && p[i] == ':') {
      if (n - i < 3 || !read_digits(p + i + 1, 2, sec)) return std::nullopt;
      i += 3;
      if (i < n && (p[i] == '.' || p[i] == ',')) {
        ++i;
        if (!read_fraction(p, n, i, frac)) return std::nullopt;
      }
    }
    if (hour > 23 || min > 59 || sec > 60) return std::nullopt;
    if (i < n) {
      if (p[i] == 'Z' || p[i] == 'z') {
        has_offset = true;
        ++i;
      } else if (read_numeric_offset(p, n, i, offset)) {
        has_offset = true;
      } else {
        return std::nullopt;
      }
    }
    if (i != n) return std::nullopt;
  }

  // A leap second (":60") is folded onto the last nanosecond of ":59" so
  // ordering is kept; it is only accepted where one can occur (23:59:60 UTC).
  const bool leap = sec == 60;
  if (leap) {
    sec = 59;
    frac = kNsPerSec - 1;
  }
  int64_t local = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) *
                      kSecPerDay +
                  hour * 3600 + min * 60 + sec;
  int64_t utc = has_offset ? local - offset : local_to_utc(local, tz);
  if (leap && utc - floor_div(utc, kSecPerDay) * kSecPerDay != kSecPerDay - 1) return std::nullopt;
  return combine_ns(utc, frac);
}

// ---------------------------------------------------------------------------
// Epoch numbers

std::optional<TimeNs> time_from_epoch(int64_t v) {
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int64_t mult = mag < 100'000'000'000ULL           ? 1'000'000'000
                 : mag < 100'000'000'000'000ULL     ? 1'000'000
                 : mag < 100'000'000'000'000'000ULL ? 1'000
                                                    : 1;
  int64_t r;
  if (__builtin_mul_overflow(v, mult, &r)) return std::nullopt;
  return r;
}

std::optional<TimeNs> time_from_epoch(double v) {
  if (!std::isfinite(v)) return std::nullopt;
  if (std::fabs(v) >= 9.3e18) return std::nullopt;
  if (v == std::trunc(v)) return time_from_epoch(static_cast<int64_t>(v));
  if (std::fabs(v) < 1e-9) return TimeNs{0};
  // The shortest decimal that round-trips is what the writer of the number
  // meant (1732500000.123, not ...122999906); read that decimal exactly.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  if (res.ec != std::errc()) return std::nullopt;
  return parse_epoch_decimal(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
}

std::optional<TimeNs> parse_time_string(std::string_view s, const TimeZone* tz) {
  if (s.empty()) return std::nullopt;
  // An RFC 3339 time has '-' at index 4; anything else numeric is an epoch.
  if (s.size() >= 5 && s[4] == '-' && is_digit(s[0])) return parse_rfc3339(s, tz);
  // Access logs' "25/Nov/2026:02:40:01 +0000": what olly parse reads, every verb reads.
  if (s.size() >= 3 && s[2] == '/' && is_digit(s[0])) return parse_clf_time(s);
  if (!is_digit(s[0]) && s[0] != '-') return std::nullopt;
  if (auto t = parse_epoch_decimal(s)) return t;
  // Exponent forms ("1.7325e9").
  if (s.find_first_of("eE") == std::string_view::npos) return std::nullopt;
  double d;
  auto res = std::from_chars(s.data(), s.data() + s.size(), d);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return time_from_epoch(d);
}

// ---------------------------------------------------------------------------
// Formatting

void format_rfc3339(std::string& out, TimeNs t, int frac_digits) {
  char buf[kRfc3339MaxLen];
  out.append(buf, static_cast<size_t>(format_rfc3339(buf, t, frac_digits) - buf));
}

char* format_rfc3339(char* buf, TimeNs t, int frac_digits) {
  int64_t secs = floor_div(t, kNsPerSec);
  int64_t ns = t % kNsPerSec;
  if (ns < 0) ns += kNsPerSec;
  int64_t days = floor_div(secs, kSecPerDay);
  int64_t sod = secs - days * kSecPerDay;
  // Consecutive events mostly fall on one day: its date is worked out once.
  thread_local int64_t cached_days = std::numeric_limits<int64_t>::min();
  thread_local int64_t y;
  thread_local unsigned m, d;
  if (days != cached_days) {
    civil_from_days(days, y, m, d);
    cached_days = days;
  }

  if (frac_digits < 0) {
    frac_digits = ns == 0 ? 0 : ns % 1'000'000 == 0 ? 3 : ns % 1'000 == 0 ? 6 : 9;
  } else if (frac_digits > 9) {
    frac_digits = 9;
  }
  auto put2 = [](char* p, int64_t v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  // TimeNs spans years 1677..2262, always four digits.
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  put2(buf + 2, y % 100);
  buf[4] = '-';
  put2(buf + 5, m);
  buf[7] = '-';
  put2(buf + 8, d);
  buf[10] = 'T';
  put2(buf + 11, sod / 3600);
  buf[13] = ':';
  put2(buf + 14, sod / 60 % 60);
  buf[16] = ':';
  put2(buf + 17, sod % 60);
  size_t len = 19;
  if (frac_digits > 0) {
    buf[len++] = '.';
    char digits[9];
    for (int k = 8; k >= 0; --k, ns /= 10) digits[k] = static_cast<char>('0' + ns % 10);
    std::memcpy(buf + len, digits, static_cast<size_t>(frac_digits));
    len += static_cast<size_t>(frac_digits);
  }
  buf[len++] = 'Z';
  return buf + len;
}

std::string format_rfc3339(TimeNs t, int frac_digits) {
  std::string s;
  format_rfc3339(s, t, frac_digits);
  return s;
}

// ---------------------------------------------------------------------------
// Durations

namespace {

struct DurationUnit {
  std::string_view name;
  uint64_t ns;
};
// Longer spellings first so "ms" is not read as "m" followed by junk.
constexpr DurationUnit kDurationUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 MICRO SIGN
    {"\xCE\xBCs", 1'000},  // U+03BC GREEK SMALL LETTER MU
    {"ms", 1'000'000},
    {"s", 1'000'000'000ULL},
    {"m", 60'000'000'000ULL},
    {"h", 3'600'000'000'000ULL},
    {"d", 86'400'000'000'000ULL},
    {"w", 604'800'000'000'000ULL},
};

constexpr uint64_t kPow10[19] = {1ULL,
                                 10ULL,
                                 100ULL,
                                 1'000ULL,
                                 10'000ULL,
                                 100'000ULL,
                                 1'000'000ULL,
                                 10'000'000ULL,
                                 100'000'000ULL,
                                 1'000'000'000ULL,
                                 10'000'000'000ULL,
                                 100'000'000'000ULL,
                                 1'000'000'000'000ULL,
                                 10'000'000'000'000ULL,
                                 100'000'000'000'000ULL,
                                 1'000'000'000'000'000ULL,
                                 10'000'000'000'000'000ULL,
                                 100'000'000'000'000'000ULL,
                                 1'000'000'000'000'000'000ULL};

}  // namespace

std::optional<int64_t> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s == "0") return int64_t{0};
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  uint64_t total = 0;
  while (i < n) {
    if (!is_digit(p[i])) return std::nullopt;
    uint64_t whole = 0;
    while (i < n && is_digit(p[i])) {
      if (whole > (UINT64_MAX - 9) / 10) return std::nullopt;
      whole = whole * 10 + static_cast<uint64_t>(p[i] - '0');
      ++i;
    }
    uint64_t frac = 0;
    int frac_len = 0;
    if (i < n && p[i] == '.') {
      ++i;
      if (i >= n || !is_digit(p[i])) return std::nullopt;
      // Digits past 18 are below a nanosecond for every unit: ignored.
      while (i < n && is_digit(p[i])) {
        if (frac_len < 18) {
          frac = frac * 10 + static_cast<uint64_t>(p[i] - '0');
          ++frac_len;
        }
        ++i;
      }
    }
    const DurationUnit* unit = nullptr;
    for (const auto& u : kDurationUnits) {
      if (s.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (!unit) return std::nullopt;
    i += unit->name.size();
    uint64_t part;
    if (__builtin_mul_overflow(whole, unit->ns, &part)) return std::nullopt;
    unsigned __int128 frac_ns = static_cast<unsigned __int128>(frac) * unit->ns / kPow10[frac_len];
    if (__builtin_add_overflow(part, static_cast<uint64_t>(frac_ns), &part)) return std::nullopt;
    if (__builtin_add_overflow(total, part, &total)) return std::nullopt;
    if (total > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  }
  return static_cast<int64_t>(total);
}

int64_t round_up_duration(int64_t ns) {
  constexpr int64_t kSecond = 1'000'000'000, kMinute = 60 * kSecond, kHour = 60 * kMinute;
  const int64_t unit = ns <= kMinute ? kSecond : ns <= kHour ? kMinute : kHour;
  if (ns <= 0) return unit;
  if (ns > INT64_MAX - unit) return ns;
  return (ns + unit - 1) / unit * unit;
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  uint64_t v = static_cast<uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    v = 0 - v;
  }
  auto append_num = [&out](uint64_t x) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, x);
    out.append(buf, r.ptr);
  };
  // Whole weeks, days, hours, minutes greedily ("1h30m"), then seconds with
  // a decimal fraction ("1.5s"), or one sub-second unit ("250ms", "1.5us").
  for (const char* sym : {"w", "d", "h", "m"}) {
    uint64_t unit = 0;
    for (const auto& u : kDurationUnits)
      if (u.name == sym) unit = u.ns;
    if (v >= unit) {
      append_num(v / unit);
      out += sym;
      v %= unit;
    }
  }
  if (v == 0) return out;
  uint64_t unit = v >= 1'000'000'000 ? 1'000'000'000 : v >= 1'000'000 ? 1'000'000 : v >= 1'000 ? 1'000 : 1;
  const char* sym = unit == 1'000'000'000 ? "s" : unit == 1'000'000 ? "ms" : unit == 1'000 ? "us" : "ns";
  append_num(v / unit);
  uint64_t rest = v % unit;
  if (rest) {
    int width = unit == 1'000'000'000 ? 9 : unit == 1'000'000 ? 6 : 3;
    char buf[10];
    for (int k = width - 1; k >= 0; --k, rest /= 10) buf[k] = static_cast<char>('0' + rest % 10);
    int len = width;
    while (buf[len - 1] == '0') --len;
    out += '.';
    out.append(buf, static_cast<size_t>(len));
  }
  out += sym;
  return out;
}

// ---------------------------------------------------------------------------
// Log timestamps

std::optional<TimeNs> parse_clf_time(std::string_view s) {
  // dd/Mon/yyyy:hh:mm:ss[.frac] +hhmm
  const char* p = s.data();
  const size_t n = s.size();
  if (n < 26) return std::nullopt;
  int day, year, hour, min, sec;
  if (!read_digits(p, 2, day) || p[2] != '/' || p[6] != '/' || !read_digits(p + 7, 4, year) ||
      p[11] != ':' || !read_clock(p + 12, hour, min, sec))
    return std::nullopt;
  int mon = month_from_abbrev(p + 3);
  if (mon == 0 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, mon)) return std::nullopt;
  size_t i = 20;
  int64_t frac = 0;
  if (i < n && p[i] == '.') {
    ++i;
    if (!read_fraction(p, n, i, frac)) return std::nullopt;
  }
  if (i >= n || p[i] != ' ') return std::nullopt;
  ++i;
  int32_t offset;
  if (!read_numeric_offset(p, n, i, offset) || i != n) return std::nullopt;
  int64_t local = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) *
                      kSecPerDay +
                  hour * 3600 + min * 60 + sec;
  return combine_ns(local - offset, frac);
}

std::optional<TimeNs> parse_bsd_syslog_time(std::string_view s, int year, const TimeZone* tz) {
  // "Mon dd hh:mm:ss", "Mon  d hh:mm:ss", "Mon d hh:mm:ss", optional ".frac".
  const char* p = s.data();
  const size_t n = s.size();
  if (n < 14 || p[3] != ' ' || year < 1 || year > 9999) return std::nullopt;
  int mon = month_from_abbrev(p);
  if (mon == 0) return std::nullopt;
  size_t i = 4;
  int day;
  if (p[i] == ' ' && is_digit(p[i + 1])) {
    day = p[i + 1] - '0';
    i += 2;
  } else if (is_digit(p[i]) && is_digit(p[i + 1])) {
    day = (p[i] - '0') * 10 + (p[i + 1] - '0');
    i += 2;
  } else if (is_digit(p[i]) && p[i + 1] == ' ') {
    day = p[i] - '0';
    i += 1;
  } else {
    return std::nullopt;
  }
  if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, mon)) return std::nullopt;
  int hour, min, sec;
  if (n - i < 9 || p[i] != ' ' || !read_clock(p + i + 1, hour, min, sec)) return std::nullopt;
  i += 9;
  int64_t frac = 0;
  if (i < n && p[i] == '.') {
    ++i;
    if (!read_fraction(p, n, i, frac)) return std::nullopt;
  }
  if (i != n) return std::nullopt;
  int64_t local = days_from_civil(year, static_cast<unsigned>(mon), static_cast<unsigned>(day)) *
                      kSecPerDay +
                  hour * 3600 + min * 60 + sec;
  return combine_ns(local_to_utc(local, tz), frac);
}

// ---------------------------------------------------------------------------
// Time zones

namespace {

// A POSIX TZ rule date: Jn (1..365, Feb 29 never counted), n (0..365), or
// Mm.w.d; plus the local time of day (seconds, may be negative or > 24h).
struct PosixDate {
  enum Kind { kJulian1, kJulian0, kMonthWeekDay } kind = kMonthWeekDay;
  int month = 0, week = 0, weekday = 0, day = 0;
  int32_t time = 7200;

  // Local seconds (as if UTC) of this date in year y.
  int64_t local_seconds(int64_t y) const {
    int64_t days;
    switch (kind) {
      case kJulian1:
        days = days_from_civil(y, 1, 1) + day - 1 + (is_leap(y) && day >= 60 ? 1 : 0);
        break;
      case kJulian0:
        days = days_from_civil(y, 1, 1) + day;
        break;
      default: {
        int64_t first = days_from_civil(y, static_cast<unsigned>(month), 1);
        int64_t wd_first = (first % 7 + 7 + 4) % 7;  // 1970-01-01 was a Thursday
        days = first + (weekday - wd_first + 7) % 7 + (week - 1) * 7;
        int64_t end = first + days_in_month(y, static_cast<unsigned>(month));
        while (days >= end) days -= 7;
      }
    }
    return days * kSecPerDay + time;
  }
};

struct PosixTz {
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  PosixDate start, end;
};

class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  bool parse(PosixTz& tz) {
    if (!name()) return false;
    int32_t off;
    if (!hms(off, 24)) return false;
    tz.std_offset = -off;  // POSIX counts west of UTC as positive
    if (done()) return true;
    if (!name()) return false;
    tz.has_dst = true;
    tz.dst_offset = tz.std_offset + 3600;
    if (!done() && peek() != ',') {
      if (!hms(off, 24)) return false;
      tz.dst_offset = -off;
    }
    if (done()) {  // no rules: the US rules, as glibc does
      tz.start = {PosixDate::kMonthWeekDay, 3, 2, 0, 0, 7200};
      tz.end = {PosixDate::kMonthWeekDay, 11, 1, 0, 0, 7200};
      return true;
    }
    return eat(',') && date(tz.start) && eat(',') && date(tz.end) && done();
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool number(int& v, int max) {
    size_t start = i_;
    v = 0;
    while (!done() && is_digit(s_[i_]) && i_ - start < 4) v = v * 10 + (s_[i_++] - '0');
    return i_ > start && v <= max;
  }
  bool name() {
    if (eat('<')) {
      size_t start = i_;
      while (!done() && s_[i_] != '>') ++i_;
      return i_ - start >= 1 && eat('>');
    }
    size_t start = i_;
    while (!done() && ((s_[i_] | 0x20) >= 'a' && (s_[i_] | 0x20) <= 'z')) ++i_;
    return i_ - start >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool hms(int32_t& out, int max_hours) {
    int sign = 1;
    if (eat('-'))
      sign = -1;
    else
      eat('+');
    int h, m = 0, sec = 0;
    if (!number(h, max_hours)) return false;
    if (eat(':')) {
      if (!number(m, 59)) return false;
      if (eat(':') && !number(sec, 59)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool date(PosixDate& d) {
    if (eat('J')) {
      d.kind = PosixDate::kJulian1;
      if (!number(d.day, 365) || d.day < 1) return false;
    } else if (eat('M')) {
      d.kind = PosixDate::kMonthWeekDay;
      if (!number(d.month, 12) || d.month < 1 || !eat('.') || !number(d.week, 5) || d.week < 1 ||
          !eat('.') || !number(d.weekday, 6))
        return false;
    } else {
      d.kind = PosixDate::kJulian0;
      if (!number(d.day, 365)) return false;
    }
    d.time = 7200;
    if (eat('/')) return hms(d.time, 167);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool parse_fixed_offset(std::string_view s, int32_t& offset) {
  size_t i = 0;
  return read_numeric_offset(s.data(), s.size(), i, offset) && i == s.size();
}

bool is_utc_name(std::string_view s) {
  return s == "UTC" || s == "utc" || s == "Z" || s == "z";
}

bool valid_zone_name(std::string_view s) {
  if (s.empty() || s.size() > 255 || s[0] == '/' || s[0] == '.') return false;
  if (s.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '/' ||
              c == '_' || c == '-' || c == '+' || c == '.';
    if (!ok) return false;
  }
  return true;
}

void set_error(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
}

// Reads a whole small file; false with errno-based reason on failure.
bool read_small_file(const std::string& path, std::string& data, std::string& reason) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    reason = std::strerror(errno);
    return false;
  }
  constexpr size_t kMax = 1 << 20;  // real TZif files are a few KB
  data.clear();
  char buf[8192];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    data.append(buf, got);
    if (data.size() > kMax) {
      std::fclose(f);
      reason = "file too large";
      return false;
    }
  }
  bool failed = std::ferror(f);
  int err = errno;
  std::fclose(f);
  if (failed) {
    reason = std::strerror(err);
    return false;
  }
  return true;
}

const char* zoneinfo_dir() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

}  // namespace

struct TimeZoneLoader {
  using Transition = TimeZone::Transition;

  static TimeZone fixed(std::string name, int32_t offset) {
    TimeZone tz;
    tz.name_ = std::move(name);
    tz.fixed_offset_ = offset;
    return tz;
  }

  // Appends the transitions a POSIX rule implies after the table's end, up
  // to the last year TimeNs can represent.
  static void expand_rule(TimeZone& tz, const PosixTz& rule) {
    auto& tr = tz.transitions_;
    if (!rule.has_dst) {
      if (tr.empty())
        tz.fixed_offset_ = rule.std_offset;
      else if (tr.back().offset != rule.std_offset)
        tr.push_back({tr.back().at + 1, rule.std_offset});  // cannot happen in valid TZif
      return;
    }
    int64_t first_year = kFirstRuleYear;
    if (!tr.empty()) {
      int64_t y;
      unsigned m, d;
      civil_from_days(floor_div(tr.back().at, kSecPerDay), y, m, d);
      first_year = std::max<int64_t>(y, kFirstRuleYear);
    } else {
      tz.fixed_offset_ = rule.std_offset;
    }
    for (int64_t y = first_year; y <= kLastRuleYear; ++y) {
      int64_t start = rule.start.local_seconds(y) - rule.std_offset;
      int64_t end = rule.end.local_seconds(y) - rule.dst_offset;
      int64_t year_len = (is_leap(y) ? 366 : 365) * kSecPerDay;
      if (start < end && end - start >= year_len) {  // DST all year ("EST5EDT4,0/0,J365/25")
        append(tz, start, rule.dst_offset);
        return;
      }
      Transition ev[2] = {{start, rule.dst_offset}, {end, rule.std_offset}};
      if (end < start) std::swap(ev[0], ev[1]);
      append(tz, ev[0].at, ev[0].offset);
      append(tz, ev[1].at, ev[1].offset);
    }
  }

  static void append(TimeZone& tz, int64_t at, int32_t offset) {
    auto& tr = tz.transitions_;
    int32_t current = tr.empty() ? tz.fixed_offset_ : tr.back().offset;
    if (!tr.empty() && at <= tr.back().at) return;
    if (offset == current) return;
    tr.push_back({at, offset});
  }

  static bool parse_tzif(std::string_view data, TimeZone& tz, std::string& reason) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    const size_t n = data.size();
    auto be32 = [&](size_t at) {
      return static_cast<uint32_t>(p[at]) << 24 | static_cast<uint32_t>(p[at + 1]) << 16 |
             static_cast<uint32_t>(p[at + 2]) << 8 | static_cast<uint32_t>(p[at + 3]);
    };
    auto be64 = [&](size_t at) { return static_cast<uint64_t>(be32(at)) << 32 | be32(at + 4); };

    struct Header {
      uint64_t isut, isstd, leap, time, type, chars;
    };
    auto read_header = [&](size_t at, Header& h) {
      if (n < at + 44 || std::memcmp(p + at, "TZif", 4) != 0) return false;
      h = {be32(at + 20), be32(at + 24), be32(at + 28), be32(at + 32), be32(at + 36), be32(at + 40)};
      return h.type >= 1 && h.type <= 256 && h.chars >= 1;
    };
    auto block_size = [](const Header& h, uint64_t time_size) {
      return h.time * time_size + h.time + h.type * 6 + h.chars + h.leap * (time_size + 4) +
             h.isstd + h.isut;
    };

    Header h;
    if (!read_header(0, h)) {
      reason = "not a TZif file";
      return false;
    }
    const char version = static_cast<char>(p[4]);
    size_t at = 44;
    uint64_t time_size = 4;
    if (version >= '2') {
      uint64_t skip = block_size(h, 4);
      if (skip > n - at || !read_header(at + skip, h)) {
        reason = "truncated TZif file";
        return false;
      }
      at += skip + 44;
      time_size = 8;
    }
    uint64_t size = block_size(h, time_size);
    if (size > n - at) {
      reason = "truncated TZif file";
      return false;
    }
    const size_t times_at = at;
    const size_t idx_at = times_at + h.time * time_size;
    const size_t types_at = idx_at + h.time;
    auto type_offset = [&](size_t t) { return static_cast<int32_t>(be32(types_at + t * 6)); };
    for (size_t t = 0; t < h.type; ++t) {
      int32_t off = type_offset(t);
      if (off < -26 * 3600 || off > 26 * 3600) {
        reason = "bad UTC offset in TZif file";
        return false;
      }
    }
    // Before the first transition, time type 0 applies (RFC 8536).
    tz.fixed_offset_ = type_offset(0);
    tz.transitions_.clear();
    tz.transitions_.reserve(h.time);
    for (size_t k = 0; k < h.time; ++k) {
      int64_t when = time_size == 8 ? static_cast<int64_t>(be64(times_at + k * 8))
                                    : static_cast<int64_t>(static_cast<int32_t>(be32(times_at + k * 4)));
      size_t type = p[idx_at + k];
      if (type >= h.type || (!tz.transitions_.empty() && when <= tz.transitions_.back().at)) {
        reason = "corrupt TZif transition table";
        return false;
      }
      tz.transitions_.push_back({when, type_offset(type)});
    }
    at += size;

    // Footer: "\n<POSIX TZ>\n" (v2+) governs times after the last transition.
    if (version >= '2' && at < n && p[at] == '\n') {
      size_t end = data.find('\n', at + 1);
      if (end != std::string_view::npos && end > at + 1) {
        PosixTz rule;
        if (!PosixParser(data.substr(at + 1, end - at - 1)).parse(rule)) {
          reason = "unsupported TZ rule in TZif footer";
          return false;
        }
        expand_rule(tz, rule);
      }
    }
    return true;
  }

  static std::optional<TimeZone> from_file(const std::string& path, std::string name,
                                           std::string* error) {
    std::string data, reason;
    if (!read_small_file(path, data, reason)) {
      set_error(error, "cannot read time zone file " + path + ": " + reason);
      return std::nullopt;
    }
    TimeZone tz;
    tz.name_ = std::move(name);
    if (!parse_tzif(data, tz, reason)) {
      set_error(error, "time zone file " + path + ": " + reason);
      return std::nullopt;
    }
    return tz;
  }

  static std::optional<TimeZone> from_zone_name(std::string_view name, std::string* error) {
    if (!valid_zone_name(name)) {
      set_error(error, "invalid time zone name '" + std::string(name) +
                           "' (expected UTC, an offset like +05:30, local, or an IANA name like "
                           "Europe/Berlin)");
      return std::nullopt;
    }
    std::string dir = zoneinfo_dir();
    std::string path = dir + "/" + std::string(name);
    if (access(path.c_str(), F_OK) != 0) {
      if (access(dir.c_str(), F_OK) != 0) {
        set_error(error, "unknown time zone '" + std::string(name) + "': no time zone database at " +
                             dir + " (install the tzdata package)");
      } else {
        set_error(error, "unknown time zone '" + std::string(name) + "' (not found in " + dir + ")");
      }
      return std::nullopt;
    }
    return from_file(path, std::string(name), error);
  }

  static std::optional<TimeZone> from_posix_string(std::string_view s) {
    PosixTz rule;
    if (!PosixParser(s).parse(rule)) return std::nullopt;
    TimeZone tz;
    tz.name_ = std::string(s);
    expand_rule(tz, rule);
    return tz;
  }

  static std::optional<TimeZone> local(std::string* error) {
    if (const char* env = std::getenv("TZ")) {
      std::string_view v = env;
      if (!v.empty() && v[0] == ':') v.remove_prefix(1);
      if (v.empty()) return TimeZone::utc();  // glibc: empty TZ is UTC
      if (v[0] == '/') return from_file(std::string(v), std::string(v), error);
      if (is_utc_name(v)) return TimeZone::utc();
      if (valid_zone_name(v)) {
        std::string path = std::string(zoneinfo_dir()) + "/" + std::string(v);
        if (access(path.c_str(), F_OK) == 0) return from_file(path, std::string(v), error);
      }
      if (auto tz = from_posix_string(v)) return tz;
      set_error(error, "TZ=" + std::string(v) + ": unknown time zone");
      return std::nullopt;
    }
    const char* localtime = "/etc/localtime";
    if (access(localtime, F_OK) != 0) return TimeZone::utc();
    std::string name = "local";
    char target[512];
    ssize_t len = readlink(localtime, target, sizeof target - 1);
    if (len > 0) {
      std::string_view t(target, static_cast<size_t>(len));
      size_t pos = t.find("zoneinfo/");
      if (pos != std::string_view::npos) name = std::string(t.substr(pos + 9));
    }
    return from_file(localtime, name, error);
  }
};

std::optional<TimeZone> TimeZone::load(std::string_view name, std::string* error) {
  if (is_utc_name(name)) return utc();
  int32_t offset;
  if (parse_fixed_offset(name, offset)) return TimeZoneLoader::fixed(std::string(name), offset);
  if (name == "local") return TimeZoneLoader::local(error);
  if (name.find('\0') != std::string_view::npos) {
    set_error(error, "invalid time zone name (contains a NUL byte)");
    return std::nullopt;
  }
  return TimeZoneLoader::from_zone_name(name, error);
}

const TimeZone& TimeZone::utc() {
  static const TimeZone zone = TimeZoneLoader::fixed("UTC", 0);
  return zone;
}

int32_t TimeZone::offset_at_utc(TimeNs t) const {
  if (transitions_.empty()) return fixed_offset_;
  const int64_t secs = floor_div(t, kNsPerSec);
  // Last transition at or before secs.
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), secs,
                             [](int64_t s, const Transition& tr) { return s < tr.at; });
  return it == transitions_.begin() ? fixed_offset_ : std::prev(it)->offset;
}

int32_t TimeZone::offset_for_local(int64_t local_seconds) const {
  if (transitions_.empty()) return fixed_offset_;
  // Transition k happens at wall-clock time at+before (in the old offset).
  // Find the last one whose wall-clock moment is at or before local_seconds.
  size_t lo = 0, hi = transitions_.size();
  auto before = [&](size_t k) { return k == 0 ? fixed_offset_ : transitions_[k - 1].offset; };
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (transitions_[mid].at + before(mid) <= local_seconds)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return fixed_offset_;
  const Transition& tr = transitions_[lo - 1];
  // Inside a gap (spring forward) the wall time does not exist: keep the old
  // offset, which lands after the gap. Ambiguous times (fall back) never get
  // here for the first occurrence: they are before at+before.
  if (local_seconds < tr.at + tr.offset) return before(lo - 1);
  return tr.offset;
}

}  // namespace olly
