#include "patterns/tokenizer.h"

#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

namespace olly {

std::string_view mask_kind_name(MaskKind kind) {
  switch (kind) {
    case MaskKind::none: return "none";
    case MaskKind::number: return "number";
    case MaskKind::hex: return "hex";
    case MaskKind::uuid: return "uuid";
    case MaskKind::ip: return "ip";
    case MaskKind::path: return "path";
    case MaskKind::url: return "url";
    case MaskKind::duration: return "duration";
    case MaskKind::time: return "time";
    case MaskKind::boolean: return "boolean";
    case MaskKind::user: return "user";
  }
  return "none";
}

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Delimiters inside a word that no mask took whole.
bool is_inner_delimiter(char c) {
  switch (c) {
    case '=': case ':': case ',': case ';': case '(': case ')': case '[': case ']':
    case '{': case '}': case '"': case '\'': case '|': case '<': case '>':
      return true;
    default:
      return false;
  }
}
bool is_leading_punct(char c) {
  return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\'';
}
bool is_trailing_punct(char c) {
  return c == ')' || c == ']' || c == '}' || c == '>' || c == '"' || c == '\'' || c == ',' ||
         c == ';' || c == '.' || c == ':' || c == '!' || c == '?';
}

// Digits [. digits] [e[+-]digits] from i; returns the end, or i when no digit.
size_t scan_decimal(std::string_view w, size_t i) {
  size_t start = i;
  while (i < w.size() && is_digit(w[i])) ++i;
  if (i == start) return start;
  if (i + 1 < w.size() && w[i] == '.' && is_digit(w[i + 1])) {
    ++i;
    while (i < w.size() && is_digit(w[i])) ++i;
  }
  if (i + 1 < w.size() && (w[i] == 'e' || w[i] == 'E')) {
    size_t j = i + 1;
    if (j < w.size() && (w[j] == '+' || w[j] == '-')) ++j;
    if (j < w.size() && is_digit(w[j])) {
      while (j < w.size() && is_digit(w[j])) ++j;
      i = j;
    }
  }
  return i;
}

bool lower_equals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// A number with an optional unit: which kind, or none.
MaskKind classify_number(std::string_view w) {
  size_t i = 0;
  if (i < w.size() && (w[i] == '-' || w[i] == '+')) ++i;
  size_t end = scan_decimal(w, i);
  if (end == i) return MaskKind::none;
  std::string_view unit = w.substr(end);
  if (unit.empty()) return MaskKind::number;
  static constexpr std::string_view kDurations[] = {"ns", "us", "\xc2\xb5s", "ms", "s", "sec", "secs",
                                                    "m", "min", "mins", "h", "hr", "d"};
  for (std::string_view d : kDurations)
    if (lower_equals(unit, d)) return MaskKind::duration;
  static constexpr std::string_view kSizes[] = {"b", "k", "kb", "kib", "mb", "mib", "g", "gb", "gib",
                                                "tb", "tib", "%", "x", "bytes"};
  for (std::string_view s : kSizes)
    if (lower_equals(unit, s)) return MaskKind::number;
  return MaskKind::none;
}

bool is_ipv4(std::string_view w) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < w.size() && is_digit(w[i]) && i - start < 3) value = value * 10 + (w[i++] - '0');
    if (i == start || value > 255) return false;
    ++parts;
    if (parts == 4) break;
    if (i >= w.size() || w[i] != '.') return false;
    ++i;
  }
  if (i == w.size()) return true;
  if (w[i] != ':') return false;  // a port
  size_t port_start = ++i;
  while (i < w.size() && is_digit(w[i])) ++i;
  return i == w.size() && i > port_start && i - port_start <= 5;
}

bool is_ipv6(std::string_view w) {
  if (w.size() < 3) return false;
  int colons = 0, hex_digits = 0;
  for (char c : w) {
    if (c == ':') ++colons;
    else if (is_hex(c)) ++hex_digits;
    else if (c != '.') return false;
  }
  return colons >= 2 && (hex_digits > 0 || w == "::");
}

bool is_uuid(std::string_view w) {
  if (w.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? w[i] != '-' : !is_hex(w[i])) return false;
  }
  return true;
}

bool is_hex_word(std::string_view w) {
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
    for (size_t i = 2; i < w.size(); ++i)
      if (!is_hex(w[i])) return false;
    return true;
  }
  // Bare hex (ids, hashes): long enough and with a digit, so words made of
  // the letters a-f ("added", "decade") stay words.
  if (w.size() < 8) return false;
  bool digit = false;
  for (char c : w) {
    if (!is_hex(c)) return false;
    digit |= is_digit(c);
  }
  return digit;
}

// Hex groups joined by ':' or '-' (MAC addresses, fingerprints).
bool is_hex_groups(std::string_view w) {
  int groups = 0;
  size_t i = 0;
  while (i < w.size()) {
    size_t start = i;
    while (i < w.size() && is_hex(w[i])) ++i;
    if (i - start != 2) return false;
    ++groups;
    if (i == w.size()) break;
    if (w[i] != ':' && w[i] != '-') return false;
    ++i;
  }
  return groups >= 4;
}

// Dates, clock times and timestamps: digit groups joined by - : . / T , and an
// optional zone (Z, +hh:mm), with at least three groups ("12:30:45",
// "2016-09-28T04:30:30.123Z", "2005-06-03-15.42.50.675872").
bool is_time_like(std::string_view w) {
  int groups = 0;
  bool colon_or_dash = false;
  size_t i = 0;
  while (i < w.size()) {
    char c = w[i];
    if (is_digit(c)) {
      ++groups;
      while (i < w.size() && is_digit(w[i])) ++i;
      continue;
    }
    if (c == ':' || c == '-' || c == '/') colon_or_dash = true;
    else if (c != '.' && c != 'T' && c != ',' && c != 'Z' && c != '+') return false;
    ++i;
  }
  return groups >= 3 && colon_or_dash;
}

bool is_path(std::string_view w) {
  if (w.size() >= 2 && w[0] == '/' && w[1] != '/') return true;
  if (w.size() >= 3 && (w.substr(0, 2) == "./" || w.substr(0, 2) == "~/")) return true;
  if (w.size() >= 4 && w.substr(0, 3) == "../") return true;
  if (w.size() >= 3 && is_alpha(w[0]) && w[1] == ':' && w[2] == '\\') return true;
  return false;
}

bool is_url(std::string_view w) {
  size_t p = w.find("://");
  if (p == std::string_view::npos || p == 0) return false;
  for (size_t i = 0; i < p; ++i)
    if (!is_alpha(w[i]) && w[i] != '+' && w[i] != '-' && w[i] != '.') return false;
  return true;
}

}  // namespace

// Day and month names (English, as logs print them): parts of a date that
// is spread over several words ("Sat Jun 18 02:08:10 2005").
constexpr uint32_t pack3(const char* p) {
  return static_cast<uint32_t>(static_cast<unsigned char>(p[0])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 8 | static_cast<uint32_t>(static_cast<unsigned char>(p[2]));
}

bool is_date_word(std::string_view w) {
  if (w.size() < 3 || w.size() > 9) return false;
  // Every word of the hot path comes here: rule most out by the first
  // three letters, packed, before comparing names.
  auto lower = [](char c) { return static_cast<uint32_t>(static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c)); };
  const uint32_t prefix = lower(w[0]) << 16 | lower(w[1]) << 8 | lower(w[2]);
  switch (prefix) {
    case pack3("mon"): case pack3("tue"): case pack3("wed"): case pack3("thu"): case pack3("fri"):
    case pack3("sat"): case pack3("sun"): case pack3("jan"): case pack3("feb"): case pack3("mar"):
    case pack3("apr"): case pack3("may"): case pack3("jun"): case pack3("jul"): case pack3("aug"):
    case pack3("sep"): case pack3("oct"): case pack3("nov"): case pack3("dec"):
      break;
    default:
      return false;
  }
  if (w.size() == 3) return true;
  static constexpr std::string_view kNames[] = {
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "sept", "january", "february",
      "march", "april", "june", "july", "august", "september", "october", "november", "december"};
  for (std::string_view n : kNames)
    if (lower_equals(w, n)) return true;
  return false;
}

bool is_boolean_word(std::string_view w) {
  return lower_equals(w, "true") || lower_equals(w, "false") || lower_equals(w, "null");
}

MaskKind classify_word(std::string_view w) {
  if (w.empty()) return MaskKind::none;
  char c = w[0];
  // Most words of a log line are plain words: rule them out from the first
  // characters before trying every shape.
  if (is_alpha(c)) {
    if (is_date_word(w)) return MaskKind::time;
    if (is_boolean_word(w)) return MaskKind::boolean;
  }
  if (is_alpha(c) && !is_hex(c)) {
    if (is_url(w)) return MaskKind::url;
    if (is_path(w)) return MaskKind::path;
    return MaskKind::none;
  }
  if (c == '/' || c == '.' || c == '~') return is_path(w) ? MaskKind::path : MaskKind::none;
  if (is_digit(c) || c == '-' || c == '+') {
    MaskKind n = classify_number(w);
    if (n != MaskKind::none) return n;
    if (is_ipv4(w)) return MaskKind::ip;
    if (is_uuid(w)) return MaskKind::uuid;
    if (is_hex_groups(w)) return MaskKind::hex;
    if (is_time_like(w)) return MaskKind::time;
    if (is_hex_word(w)) return MaskKind::hex;
    if (is_ipv6(w)) return MaskKind::ip;
    return MaskKind::none;
  }
  if (is_hex(c) || c == ':') {  // a-f, A-F: uuid, hex, ipv6, MAC
    if (is_uuid(w)) return MaskKind::uuid;
    if (is_hex_groups(w)) return MaskKind::hex;
    if (is_hex_word(w)) return MaskKind::hex;
    if (is_ipv6(w)) return MaskKind::ip;
    if (is_url(w)) return MaskKind::url;
    if (is_path(w)) return MaskKind::path;
  }
  return MaskKind::none;
}

Tokenizer::Tokenizer(const std::vector<UserMask>& masks, bool builtin_masks)
    : masks_(masks), builtin_(builtin_masks) {
  for (const UserMask& m : masks_) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(m.regex, options);
    if (!re->ok()) throw std::invalid_argument("mask " + m.name + ": " + re->error());
    compiled_.push_back(std::move(re));
  }
}

Tokenizer::~Tokenizer() = default;

Tokenizer::Tokenizer(const Tokenizer& other) : Tokenizer(other.masks_, other.builtin_) {}

namespace {

void widen_to_value(std::string_view message, size_t& begin, size_t& end) {
  size_t wb = begin, we = end;
  while (wb > 0 && !is_space(message[wb - 1])) --wb;
  while (we < message.size() && !is_space(message[we])) ++we;
  if (wb == begin && we == end) return;
  while (wb < we && is_leading_punct(message[wb])) ++wb;
  while (we > wb && is_trailing_punct(message[we - 1])) --we;
  if (wb > begin || we < end || (wb == begin && we == end)) return;
  if (classify_word(message.substr(wb, we - wb)) == MaskKind::none) return;
  begin = wb;
  end = we;
}

}  // namespace

void Tokenizer::add_user_spans(std::string_view message) const {
  spans_.clear();
  for (size_t m = 0; m < compiled_.size(); ++m) {
    re2::StringPiece input(message.data(), message.size());
    re2::StringPiece match;
    size_t pos = 0;
    while (pos <= message.size() &&
           compiled_[m]->Match(input, pos, message.size(), RE2::UNANCHORED, &match, 1)) {
      const size_t match_begin = static_cast<size_t>(match.data() - message.data());
      const size_t match_end = match_begin + match.size();
      pos = match_end > match_begin ? match_end : match_end + 1;
      if (match_end == match_begin) continue;
      // A match inside a word makes the whole word a variable (\d+ in an
      // id): widen it to the word, up to spaces and inner delimiters, but
      // not over punctuation that ends the word.
      size_t begin = match_begin, end = match_end;
      while (begin > 0 && !is_space(message[begin - 1]) && !is_inner_delimiter(message[begin - 1])) --begin;
      while (end < message.size() && !is_space(message[end]) && !is_inner_delimiter(message[end])) ++end;
      while (end > match_end && is_trailing_punct(message[end - 1])) --end;
      // A mask must not cut a value apart: when the whole word around the
      // match is one built-in value ("com.example.x-db://host/p1" is a URL
      // whose scheme a dotted-name mask would take alone, leaving "://host"
      // as a word of its own), the span is the whole value.
      if (builtin_) widen_to_value(message, begin, end);
      spans_.push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(end), static_cast<uint16_t>(m)});
      pos = std::max(pos, end);
    }
  }
  if (spans_.size() < 2) return;
  // Earliest first, longest first at the same start; overlaps go to the first.
  std::sort(spans_.begin(), spans_.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  size_t kept = 0;
  for (const Span& s : spans_) {
    if (kept > 0 && s.begin < spans_[kept - 1].end) continue;
    spans_[kept++] = s;
  }
  spans_.resize(kept);
}

void Tokenizer::split_word(std::string_view message, uint32_t sep_begin, uint32_t begin, uint32_t end,
                           std::vector<Token>& out) const {
  // Leading and trailing punctuation is separator text: "(10.0.0.1:80)," is an address.
  uint32_t b = begin, e = end;
  while (b < e && is_leading_punct(message[b])) ++b;
  while (e > b && is_trailing_punct(message[e - 1])) --e;
  if (b == e) return;  // punctuation only: it stays separator text
  if (builtin_) {
    MaskKind kind = classify_word(message.substr(b, e - b));
    if (kind != MaskKind::none) {
      out.push_back({sep_begin, b, e, kind, false, 0});
      return;
    }
  }
  // Cut at inner delimiters; each piece is tested again.
  uint32_t piece_sep = sep_begin;
  uint32_t i = b;
  while (i < e) {
    bool after_equals = false;
    while (i < e && is_inner_delimiter(message[i])) after_equals = message[i++] == '=';
    if (i >= e) break;
    uint32_t start = i;
    while (i < e && !is_inner_delimiter(message[i])) ++i;
    uint32_t stop = i;
    while (stop > start && message[stop - 1] == '.') --stop;  // "failed." ends a sentence
    if (stop == start) continue;
    MaskKind kind = builtin_ ? classify_word(message.substr(start, stop - start)) : MaskKind::none;
    out.push_back({piece_sep, start, stop, kind, after_equals, 0});
    piece_sep = stop;
  }
}

void Tokenizer::tokenize(std::string_view message, std::vector<Token>& out) const {
  out.clear();
  if (!compiled_.empty()) add_user_spans(message);
  const uint32_t n = static_cast<uint32_t>(message.size());
  size_t next_span = 0;
  uint32_t sep_begin = 0;  // where the text after the last token starts
  uint32_t i = 0;
  while (i < n) {
    if (!compiled_.empty() && next_span < spans_.size() && spans_[next_span].begin == i) {
      const Span& s = spans_[next_span++];
      out.push_back({sep_begin, s.begin, s.end, MaskKind::user, false, s.mask});
      sep_begin = s.end;
      i = s.end;
      continue;
    }
    if (is_space(message[i])) {
      ++i;
      continue;
    }
    uint32_t word_end = i;
    uint32_t limit = (!compiled_.empty() && next_span < spans_.size()) ? spans_[next_span].begin : n;
    while (word_end < limit && !is_space(message[word_end])) ++word_end;
    size_t before = out.size();
    split_word(message, sep_begin, i, word_end, out);
    if (out.size() > before) sep_begin = out.back().end;
    i = word_end;
  }
}

}  // namespace olly
