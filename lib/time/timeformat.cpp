#include "time/timeformat.h"

#include <chrono>

#include "time/time_internal.h"
#include "time/timezone.h"

namespace olly {

using detail::days_in_month;
using detail::is_digit;
using detail::kSecPerDay;

namespace {

constexpr std::string_view kMonths[12] = {"january", "february", "march",     "april",   "may",      "june",
                                          "july",    "august",   "september", "october", "november", "december"};
constexpr std::string_view kWeekdays[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                           "friday", "saturday", "sunday"};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Up to max_digits digits at text[i] (at least one); i moves past them.
bool read_number(std::string_view text, size_t& i, int max_digits, int64_t& out) {
  int64_t v = 0;
  int n = 0;
  while (i < text.size() && n < max_digits && is_digit(text[i])) {
    v = v * 10 + (text[i++] - '0');
    ++n;
  }
  out = v;
  return n > 0;
}

// An English name from names, whole or its first three letters, any case;
// returns its index + 1, 0 when none.
template <size_t N>
int read_name(std::string_view text, size_t& i, const std::string_view (&names)[N]) {
  for (size_t k = 0; k < N; ++k) {
    std::string_view name = names[k];
    size_t n = 0;
    while (n < name.size() && i + n < text.size() && lower(text[i + n]) == name[n]) ++n;
    if (n == name.size() || n == 3) {
      // "Mar" must not read as a prefix of a longer word: a full name, or
      // three letters and no letter after them.
      if (n == 3 && n < name.size() && i + n < text.size() && lower(text[i + n]) >= 'a' && lower(text[i + n]) <= 'z')
        continue;
      i += n;
      return static_cast<int>(k) + 1;
    }
  }
  return 0;
}

struct Fields {
  int64_t year = -1, month = -1, day = -1, yday = -1;
  int64_t hour = 0, minute = 0, second = 0, frac = 0;
  int pm = -1;  // %p: 0 AM, 1 PM
  bool hour12 = false;
  bool has_offset = false;
  int32_t offset = 0;
  bool has_epoch = false;
  int64_t epoch = 0;
};

bool read_offset(std::string_view text, size_t& i, Fields& f) {
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z')) {
    ++i;
    f.has_offset = true;
    f.offset = 0;
    return true;
  }
  if (i >= text.size() || (text[i] != '+' && text[i] != '-')) return false;
  const bool negative = text[i++] == '-';
  int64_t hh, mm = 0;
  size_t start = i;
  if (!read_number(text, i, 2, hh) || i - start != 2) return false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    start = i;
    if (!read_number(text, i, 2, mm) || i - start != 2) return false;
  } else if (i + 1 < text.size() && is_digit(text[i]) && is_digit(text[i + 1])) {
    read_number(text, i, 2, mm);
  }
  if (hh > 23 || mm > 59) return false;
  f.has_offset = true;
  f.offset = static_cast<int32_t>((hh * 3600 + mm * 60) * (negative ? -1 : 1));
  return true;
}

// %f (max_digits 0: any number of digits, those past 9 truncated) and %Nf
// (at most N digits, the rest left for what the layout says next).
bool read_fraction(std::string_view text, size_t& i, int max_digits, Fields& f) {
  const size_t start = i;
  int64_t frac = 0;
  int kept = 0;
  while (i < text.size() && is_digit(text[i]) && (max_digits == 0 || kept < max_digits)) {
    if (kept < 9) {
      frac = frac * 10 + (text[i] - '0');
      ++kept;
    }
    ++i;
  }
  if (i == start) return false;
  for (; kept < 9; ++kept) frac *= 10;
  f.frac = frac;
  return true;
}

// The width of "%Nf" at layout[k] (the N), 0 when layout[k] starts no such width.
int fraction_width(std::string_view layout, size_t k) {
  const char c = layout[k];
  return c >= '1' && c <= '9' && k + 1 < layout.size() && layout[k + 1] == 'f' ? c - '0' : 0;
}

// One directive (the letter after '%') read from text at i.
bool read_directive(char d, std::string_view text, size_t& i, Fields& f) {
  int64_t v = 0;
  switch (d) {
    case 'Y':
      if (!read_number(text, i, 4, v) || v < 1) return false;
      f.year = v;
      return true;
    case 'y':
      if (!read_number(text, i, 2, v)) return false;
      f.year = v < 69 ? 2000 + v : 1900 + v;
      return true;
    case 'm':
      if (!read_number(text, i, 2, v) || v < 1 || v > 12) return false;
      f.month = v;
      return true;
    case 'b':
    case 'h':
    case 'B': {
      int m = read_name(text, i, kMonths);
      if (m == 0) return false;
      f.month = m;
      return true;
    }
    case 'e':
      if (i < text.size() && text[i] == ' ') ++i;
      [[fallthrough]];
    case 'd':
      if (!read_number(text, i, 2, v) || v < 1 || v > 31) return false;
      f.day = v;
      return true;
    case 'j':
      if (!read_number(text, i, 3, v) || v < 1 || v > 366) return false;
      f.yday = v;
      return true;
    case 'H':
      if (!read_number(text, i, 2, v) || v > 23) return false;
      f.hour = v;
      return true;
    case 'I':
      if (!read_number(text, i, 2, v) || v < 1 || v > 12) return false;
      f.hour = v;
      f.hour12 = true;
      return true;
    case 'p':
      if (i + 1 >= text.size() || lower(text[i + 1]) != 'm') return false;
      if (lower(text[i]) == 'a') f.pm = 0;
      else if (lower(text[i]) == 'p') f.pm = 1;
      else return false;
      i += 2;
      return true;
    case 'M':
      if (!read_number(text, i, 2, v) || v > 59) return false;
      f.minute = v;
      return true;
    case 'S':
      if (!read_number(text, i, 2, v) || v > 60) return false;
      f.second = v;
      return true;
    case 'f': return read_fraction(text, i, 0, f);
    case 'z': return read_offset(text, i, f);
    case 'Z':
      for (std::string_view name : {"UTC", "GMT", "Z"}) {
        if (text.substr(i, name.size()) == name) {
          i += name.size();
          f.has_offset = true;
          f.offset = 0;
          return true;
        }
      }
      return false;
    case 's': {
      bool negative = i < text.size() && text[i] == '-';
      if (negative) ++i;
      if (!read_number(text, i, 12, v)) return false;
      f.has_epoch = true;
      f.epoch = negative ? -v : v;
      return true;
    }
    case 'a':
    case 'A': return read_name(text, i, kWeekdays) != 0;
    case '%':
      if (i >= text.size() || text[i] != '%') return false;
      ++i;
      return true;
    default: return false;
  }
}

// The directives that stand for several.
std::string_view expansion(char d) {
  switch (d) {
    case 'T': return "%H:%M:%S";
    case 'F': return "%Y-%m-%d";
    case 'D': return "%m/%d/%y";
    case 'R': return "%H:%M";
    default: return {};
  }
}

bool read_layout(std::string_view text, size_t& i, std::string_view layout, Fields& f, int depth) {
  for (size_t k = 0; k < layout.size(); ++k) {
    const char c = layout[k];
    if (c == '%') {
      if (++k >= layout.size()) return false;
      const char d = layout[k];
      if (int width = fraction_width(layout, k)) {
        ++k;
        if (!read_fraction(text, i, width, f)) return false;
        continue;
      }
      if (std::string_view e = expansion(d); !e.empty()) {
        if (depth > 0 || !read_layout(text, i, e, f, depth + 1)) return false;
        continue;
      }
      if (d == 'n' || d == 't') {
        while (i < text.size() && is_blank(text[i])) ++i;
        continue;
      }
      if (!read_directive(d, text, i, f)) return false;
    } else if (is_blank(c)) {
      // A blank matches one or more: "Nov  5" and "Nov 5" alike.
      if (i >= text.size() || !is_blank(text[i])) return false;
      while (i < text.size() && is_blank(text[i])) ++i;
    } else {
      if (i >= text.size() || text[i] != c) return false;
      ++i;
    }
  }
  return true;
}

TimeNs clock_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The seconds of a date and clock read as UTC; nullopt for a day the month lacks.
std::optional<int64_t> civil_seconds(const Fields& f, int64_t year) {
  int64_t days;
  if (f.yday > 0 && f.month < 0) {
    if (f.yday > (detail::is_leap(year) ? 366 : 365)) return std::nullopt;
    days = days_from_civil(year, 1, 1) + f.yday - 1;
  } else {
    const int64_t month = f.month < 0 ? 1 : f.month;
    const int64_t day = f.day < 0 ? 1 : f.day;
    if (day > days_in_month(year, static_cast<unsigned>(month))) return std::nullopt;
    days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  }
  int64_t hour = f.hour;
  if (f.hour12) hour = hour % 12 + (f.pm == 1 ? 12 : 0);
  return days * kSecPerDay + hour * 3600 + f.minute * 60 + f.second;
}

std::optional<TimeNs> to_ns(int64_t secs, int64_t frac) {
  int64_t r;
  if (__builtin_mul_overflow(secs, kNsPerSec, &r) || __builtin_add_overflow(r, frac, &r)) return std::nullopt;
  return r;
}

// Every directive a layout may hold ("%3f" is checked apart: a width).
constexpr std::string_view kDirectives = "YymbhBedjHIpMSfzZsaA%TFDRnt";

// A time split into what the directives write.
struct Civil {
  int64_t year = 1970, yday = 1, hour = 0, minute = 0, second = 0, frac = 0, epoch = 0;
  unsigned month = 1, day = 1;
  int weekday = 3;  // index into kWeekdays (Monday 0)
};

Civil civil_of(TimeNs t) {
  Civil c;
  // The remainder, not secs * kNsPerSec: that overflows near INT64_MIN.
  c.frac = t % kNsPerSec;
  if (c.frac < 0) c.frac += kNsPerSec;
  c.epoch = floor_div(t, kNsPerSec);
  const int64_t days = floor_div(c.epoch, kSecPerDay);
  const int64_t in_day = c.epoch - days * kSecPerDay;
  civil_from_days(days, c.year, c.month, c.day);
  c.yday = days - days_from_civil(c.year, 1, 1) + 1;
  c.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  c.hour = in_day / 3600;
  c.minute = in_day / 60 % 60;
  c.second = in_day % 60;
  return c;
}

// v (>= 0) in at least width digits, padded with pad.
void put_number(std::string& out, int64_t v, int width, char pad = '0') {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0 && n < 20);
  for (int k = n; k < width; ++k) out.push_back(pad);
  while (n > 0) out.push_back(buf[--n]);
}

// A name of kMonths or kWeekdays as written: capitalized, whole or its first three letters.
void put_name(std::string& out, std::string_view name, bool whole) {
  if (!whole) name = name.substr(0, 3);
  out.push_back(static_cast<char>(name[0] - 32));
  out.append(name.substr(1));
}

bool write_layout(std::string& out, const Civil& c, std::string_view layout, int depth) {
  for (size_t k = 0; k < layout.size(); ++k) {
    if (layout[k] != '%') {
      out.push_back(layout[k]);
      continue;
    }
    if (++k >= layout.size()) return false;
    const char d = layout[k];
    if (int width = fraction_width(layout, k)) {
      ++k;
      int64_t v = c.frac;
      for (int w = width; w < 9; ++w) v /= 10;
      put_number(out, v, width);
      continue;
    }
    if (std::string_view e = expansion(d); !e.empty()) {
      if (depth > 0 || !write_layout(out, c, e, depth + 1)) return false;
      continue;
    }
    switch (d) {
      case 'Y': put_number(out, c.year, 4); break;
      case 'y': put_number(out, c.year % 100, 2); break;
      case 'm': put_number(out, c.month, 2); break;
      case 'b':
      case 'h':
      case 'B': put_name(out, kMonths[c.month - 1], d == 'B'); break;
      case 'd': put_number(out, c.day, 2); break;
      case 'e': put_number(out, c.day, 2, ' '); break;
      case 'j': put_number(out, c.yday, 3); break;
      case 'H': put_number(out, c.hour, 2); break;
      case 'I': put_number(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2); break;
      case 'p': out.append(c.hour < 12 ? "AM" : "PM"); break;
      case 'M': put_number(out, c.minute, 2); break;
      case 'S': put_number(out, c.second, 2); break;
      case 'f': put_number(out, c.frac / 1000, 6); break;
      case 'z': out.append("+0000"); break;
      case 'Z': out.append("UTC"); break;
      case 's':
        if (c.epoch < 0) out.push_back('-');
        put_number(out, c.epoch < 0 ? -c.epoch : c.epoch, 1);  // |epoch| < 1e10: no INT64_MIN
        break;
      case 'a':
      case 'A': put_name(out, kWeekdays[c.weekday], d == 'A'); break;
      case '%': out.push_back('%'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      default: return false;
    }
  }
  return true;
}

}  // namespace

std::optional<TimeNs> parse_time_format(std::string_view text, std::string_view layout,
                                        const TimeFormatDefaults& defaults) {
  Fields f;
  size_t i = 0;
  if (!read_layout(text, i, layout, f, 0)) return std::nullopt;
  while (i < text.size() && (is_blank(text[i]) || text[i] == '\r')) ++i;
  if (i != text.size()) return std::nullopt;
  if (f.hour12 && f.pm < 0) return std::nullopt;  // %I without %p is ambiguous
  if (f.has_epoch) return to_ns(f.epoch, f.frac);
  auto utc_of = [&](int64_t year) -> std::optional<TimeNs> {
    auto local = civil_seconds(f, year);
    if (!local) return std::nullopt;
    int64_t secs = f.has_offset ? *local - f.offset
                                : (defaults.tz ? *local - defaults.tz->offset_for_local(*local) : *local);
    return to_ns(secs, f.frac);
  };
  if (f.year >= 0) return utc_of(f.year);
  if (defaults.year > 0) return utc_of(defaults.year);
  // No year anywhere: this year, or last year when this year's date is more
  // than a day ahead of the clock.
  const TimeNs now = defaults.now != 0 ? defaults.now : clock_now();
  int64_t y;
  unsigned mo, d;
  civil_from_days(floor_div(now / kNsPerSec, kSecPerDay), y, mo, d);
  auto t = utc_of(y);
  // Feb 29 in a common year: no such day this year; last year is tried too.
  if (!t || *t > now + kSecPerDay * kNsPerSec) return utc_of(y - 1);
  return t;
}

bool check_time_format(std::string_view layout, std::string* error) {
  for (size_t k = 0; k < layout.size(); ++k) {
    if (layout[k] != '%') continue;
    if (k + 1 >= layout.size()) {
      if (error) *error = "it ends with a lone '%'";
      return false;
    }
    if (fraction_width(layout, k + 1)) {
      k += 2;
      continue;
    }
    const char d = layout[++k];
    if (kDirectives.find(d) == std::string_view::npos) {
      if (error) *error = std::string("%") + d + " is no directive olly reads (see --help: %Y %m %d %H %M %S %f %z ...)";
      return false;
    }
  }
  return true;
}

bool format_time(std::string& out, TimeNs t, std::string_view layout) {
  return write_layout(out, civil_of(t), layout, 0);
}

}  // namespace olly
