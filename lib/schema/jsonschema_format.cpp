// The `format` checks of olly-validate --formats (and format detection in
// olly-schema infer). Grammars follow the RFCs the 2020-12 specification
// names; only ASCII digits and letters count (a Bengali digit is not a digit).
#include <cstdint>
#include <string_view>

#include "schema/jsonschema.h"

namespace olly {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly n ASCII digits at s[pos], advancing pos.
bool digits(std::string_view s, size_t& pos, size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool parse_date(std::string_view s, size_t& pos) {
  int y, m, d;
  if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, m) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, d))
    return false;
  return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM). A leap second (60)
// is accepted only where it falls at 23:59:60 UTC.
bool parse_time(std::string_view s, size_t& pos) {
  int h, m, sec;
  if (!digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, m) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, sec))
    return false;
  if (h > 23 || m > 59 || sec > 60) return false;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om)) return false;
    if (oh > 23 || om > 59) return false;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (sec == 60) {
    int utc = ((h * 60 + m - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool is_dec_octet(std::string_view part) {
  if (part.empty() || part.size() > 3) return false;
  for (char c : part)
    if (!is_digit(c)) return false;
  if (part.size() > 1 && part[0] == '0') return false;
  int v = 0;
  for (char c : part) v = v * 10 + (c - '0');
  return v <= 255;
}

bool is_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_atext(char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

}  // namespace

bool is_format_date(std::string_view s) {
  size_t pos = 0;
  return parse_date(s, pos) && pos == s.size();
}

bool is_format_time(std::string_view s) {
  size_t pos = 0;
  return parse_time(s, pos) && pos == s.size();
}

bool is_format_date_time(std::string_view s) {
  size_t pos = 0;
  if (!parse_date(s, pos)) return false;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return false;
  ++pos;
  return parse_time(s, pos) && pos == s.size();
}

bool is_format_ipv4(std::string_view s) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!is_dec_octet(part)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool is_format_ipv6(std::string_view s) {
  if (s.size() < 2) return false;
  // An embedded IPv4 tail counts as two groups.
  int tail_groups = 0;
  size_t last_colon = s.rfind(':');
  if (last_colon == std::string_view::npos) return false;
  std::string_view body = s;
  if (s.find('.', last_colon) != std::string_view::npos) {
    if (!is_format_ipv4(s.substr(last_colon + 1))) return false;
    tail_groups = 2;
    body = s.substr(0, last_colon + 1);
    // "::1.2.3.4" keeps its "::"; "1:2:1.2.3.4" leaves a trailing single ':'.
    if (body.size() >= 2 && body.substr(body.size() - 2) == "::") {
    } else {
      body.remove_suffix(1);
    }
  }
  size_t dbl = body.find("::");
  if (dbl != std::string_view::npos && body.find("::", dbl + 1) != std::string_view::npos) return false;
  auto count_groups = [](std::string_view part, int& n) {
    if (part.empty()) return true;
    size_t start = 0;
    while (true) {
      size_t colon = part.find(':', start);
      std::string_view g = part.substr(start, colon == std::string_view::npos ? part.npos : colon - start);
      if (g.empty() || g.size() > 4) return false;
      for (char c : g)
        if (!is_hex(c)) return false;
      ++n;
      if (colon == std::string_view::npos) return true;
      start = colon + 1;
    }
  };
  int groups = 0;
  if (dbl == std::string_view::npos) {
    if (!count_groups(body, groups)) return false;
    return groups + tail_groups == 8;
  }
  if (!count_groups(body.substr(0, dbl), groups) || !count_groups(body.substr(dbl + 2), groups))
    return false;
  return groups + tail_groups <= 7;
}

bool is_format_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool is_format_email(std::string_view s) {
  size_t at;
  if (!s.empty() && s[0] == '"') {
    // quoted-string local part: printable ASCII, backslash escapes
    size_t i = 1;
    while (i < s.size() && s[i] != '"') {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '\\') {
        if (i + 1 >= s.size()) return false;
        i += 2;
        continue;
      }
      if (c < 32 || c > 126) return false;
      ++i;
    }
    if (i >= s.size() || i == 1) return false;
    at = i + 1;
    if (at >= s.size() || s[at] != '@') return false;
  } else {
    at = s.find('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string_view local = s.substr(0, at);
    if (local.front() == '.' || local.back() == '.') return false;
    if (local.find("..") != std::string_view::npos) return false;
    for (char c : local)
      if (c != '.' && !is_atext(c)) return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.empty()) return false;
  if (domain.front() == '[') {
    if (domain.back() != ']') return false;
    std::string_view lit = domain.substr(1, domain.size() - 2);
    if (lit.substr(0, 5) == "IPv6:") return is_format_ipv6(lit.substr(5));
    return is_format_ipv4(lit);
  }
  return is_hostname(domain);
}

bool is_format_uri(std::string_view s) {
  // scheme ":" hier-part: scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." );
  // the rest may hold only URI characters and well-formed %XX escapes.
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  static constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = colon + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
      continue;
    }
    if (!is_alpha(c) && !is_digit(c) && kAllowed.find(c) == std::string_view::npos) return false;
  }
  // an authority ("//host") must not hold brackets outside an IP literal; keep it simple
  return true;
}

}  // namespace olly
