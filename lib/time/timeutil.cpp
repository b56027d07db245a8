// Time parsing and formatting (time zones: timezone.cpp). Hot paths
// (parse_rfc3339, time_from_epoch) never allocate and never touch the locale.
#include "time/timeutil.h"

#include "core/diag.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "time/time_internal.h"

namespace olly {

using detail::days_in_month;
using detail::is_digit;
using detail::is_leap;
using detail::kSecPerDay;
using detail::read_digits;
using detail::read_numeric_offset;

namespace {


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
  // Beyond int64 (2^63) the cast below would be undefined (found by fuzz_expr: ts(-n)).
  if (v >= 9223372036854775808.0 || v < -9223372036854775808.0) return std::nullopt;
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

}  // namespace olly

namespace olly {

int64_t duration_or_throw(std::string_view text, std::string_view what, bool allow_zero) {
  auto ns = parse_duration(text);
  if (!ns || *ns < 0 || (!allow_zero && *ns == 0)) {
    throw UsageError(fmt::format("{}: '{}' is not a {}duration (e.g. 250ms, 10s, 1m, 1h)", what, text,
                                 allow_zero ? "" : "positive "));
  }
  return *ns;
}

}  // namespace olly
