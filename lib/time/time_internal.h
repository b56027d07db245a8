// Helpers shared by timeutil.cpp and timezone.cpp (internal to lib/time).
#pragma once
#include <cstddef>
#include <cstdint>

namespace olly::detail {

constexpr int64_t kSecPerDay = 86400;

inline bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') <= 9; }

// Exactly n ASCII digits at p.
inline bool read_digits(const char* p, int n, int& out) {
  int v = 0;
  for (int i = 0; i < n; ++i) {
    unsigned d = static_cast<unsigned char>(p[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  out = v;
  return true;
}

// "+hh:mm", "+hhmm", "+hh" (sign included) at p[i..n). Seconds east of UTC.
inline bool read_numeric_offset(const char* p, size_t n, size_t& i, int32_t& offset) {
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

}  // namespace olly::detail
