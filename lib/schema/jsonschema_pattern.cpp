// A small matcher for the patterns contracts use most: an optionally
// anchored sequence of ASCII literals and classes with quantifiers
// (^web-\d+$, ^[0-9a-f]{32}$, ^u-[0-9]+$, ^/). It simulates the pattern's
// NFA with one bit per position (shift-and), so a check costs a few
// instructions per byte and takes no lock, where RE2 pays a call and a cache
// lock per match. Anything else (groups, alternation, '.', negated classes,
// non-ASCII, more than 63 positions) is left to RE2.
//
// Also here: the translation of ECMA-262 patterns (as JSON Schema writes
// them) to RE2 syntax, for the patterns this matcher leaves to RE2.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "schema/jsonschema_internal.h"

namespace olly::detail {
namespace {

using ByteSet = std::array<bool, 128>;

bool parse_escape(char e, ByteSet& set) {
  auto range = [&](char a, char b) {
    for (int c = a; c <= b; ++c) set[static_cast<size_t>(c)] = true;
  };
  switch (e) {
    case 'd': range('0', '9'); return true;
    case 'w': range('0', '9'); range('a', 'z'); range('A', 'Z'); set['_'] = true; return true;
    // \s is left to RE2: ECMA-262's takes non-ASCII spaces too (U+00A0, U+2028, ...)
    default:
      // an escaped punctuation character stands for itself
      if (static_cast<unsigned char>(e) < 128 && !std::isalnum(static_cast<unsigned char>(e))) {
        set[static_cast<size_t>(e)] = true;
        return true;
      }
      return false;
  }
}

}  // namespace

std::optional<SimplePattern> compile_simple_pattern(std::string_view p) {
  SimplePattern sp;
  size_t i = 0;
  if (i < p.size() && p[i] == '^') {
    sp.anchored_start = true;
    ++i;
  }
  std::vector<std::pair<ByteSet, int>> atoms;  // kind: 0 one, 1 optional, 2 star
  while (i < p.size()) {
    char c = p[i];
    if (c == '$') {
      if (i + 1 != p.size()) return std::nullopt;
      sp.anchored_end = true;
      ++i;
      break;
    }
    ByteSet set{};
    if (static_cast<unsigned char>(c) >= 128) return std::nullopt;
    if (c == '\\') {
      if (i + 1 >= p.size() || !parse_escape(p[i + 1], set)) return std::nullopt;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i < p.size() && p[i] == '^') return std::nullopt;
      bool closed = false;
      while (i < p.size()) {
        char d = p[i];
        if (d == ']') {
          closed = true;
          ++i;
          break;
        }
        if (static_cast<unsigned char>(d) >= 128) return std::nullopt;
        if (d == '\\') {
          if (i + 1 >= p.size() || !parse_escape(p[i + 1], set)) return std::nullopt;
          i += 2;
          continue;
        }
        if (d == '[') return std::nullopt;  // [[:alpha:]] and the like
        if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
          char hi = p[i + 2];
          if (hi == '\\' || static_cast<unsigned char>(hi) >= 128 || hi < d) return std::nullopt;
          for (int x = d; x <= hi; ++x) set[static_cast<size_t>(x)] = true;
          i += 3;
          continue;
        }
        set[static_cast<size_t>(d)] = true;
        ++i;
      }
      if (!closed) return std::nullopt;
    } else if (std::string_view("().|*+?{}]^").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      set[static_cast<size_t>(c)] = true;
      ++i;
    }
    // quantifier
    size_t lo = 1, hi = 1;
    bool unbounded = false;
    if (i < p.size()) {
      char q = p[i];
      if (q == '?') { lo = 0; ++i; }
      else if (q == '*') { lo = 0; unbounded = true; ++i; }
      else if (q == '+') { unbounded = true; ++i; }
      else if (q == '{') {
        size_t close = p.find('}', i);
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view body = p.substr(i + 1, close - i - 1);
        size_t comma = body.find(',');
        auto num = [](std::string_view s, size_t& out) {
          if (s.empty() || s.size() > 3) return false;
          out = 0;
          for (char ch : s) {
            if (ch < '0' || ch > '9') return false;
            out = out * 10 + static_cast<size_t>(ch - '0');
          }
          return true;
        };
        if (comma == std::string_view::npos) {
          if (!num(body, lo)) return std::nullopt;
          hi = lo;
        } else {
          if (!num(body.substr(0, comma), lo)) return std::nullopt;
          if (comma + 1 == body.size()) unbounded = true;
          else if (!num(body.substr(comma + 1), hi) || hi < lo) return std::nullopt;
        }
        i = close + 1;
      }
      if (i < p.size() && p[i] == '?') ++i;  // lazy: same verdict
      if (i < p.size() && (p[i] == '*' || p[i] == '+' || p[i] == '{')) return std::nullopt;
    }
    for (size_t k = 0; k < lo; ++k) atoms.emplace_back(set, 0);
    if (unbounded) atoms.emplace_back(set, 2);
    else
      for (size_t k = lo; k < hi; ++k) atoms.emplace_back(set, 1);
    if (atoms.size() > 63) return std::nullopt;
  }
  sp.accept_bit = uint64_t{1} << atoms.size();
  for (size_t a = 0; a < atoms.size(); ++a) {
    uint64_t bit = uint64_t{1} << a;
    for (size_t c = 0; c < 128; ++c)
      if (atoms[a].first[c]) sp.accepts[c] |= bit;
    if (atoms[a].second != 0) sp.epsilon |= bit;
    if (atoms[a].second == 2) sp.star |= bit;
  }
  int run = 0;
  for (size_t a = 0; a < atoms.size(); ++a) {
    run = atoms[a].second != 0 ? run + 1 : 0;
    sp.closure_rounds = std::max(sp.closure_rounds, run);
  }
  return sp;
}

bool SimplePattern::closure_step(uint64_t& active) const {
  // one round per position in the longest run of skippable positions
  for (int i = 0; i < closure_rounds; ++i) active |= (active & epsilon) << 1;
  return true;
}

bool SimplePattern::match(std::string_view s) const {
  uint64_t start = 1;
  closure_step(start);
  uint64_t active = start;
  if (!anchored_end && (active & accept_bit)) return true;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    uint64_t t = c < 128 ? active & accepts[c] : 0;
    active = ((t & ~star) << 1) | (t & star);
    closure_step(active);
    if (!anchored_start) active |= start;  // a search: a match may begin at any byte
    if (!anchored_end && (active & accept_bit)) return true;
    if (active == 0) return false;
  }
  return (active & accept_bit) != 0;
}

// ---------------------------------------------------------------- ECMA-262 -> RE2

namespace {

// ECMA-262 whitespace (\s: the JS WhiteSpace and LineTerminator sets) as RE2
// class members, and their complement (\S).
constexpr std::string_view kEcmaSpace =
    "\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
constexpr std::string_view kEcmaNonSpace =
    "\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}"
    "\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}";

bool is_hex(char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; }

}  // namespace

// ECMA-262 pattern (with the u flag, as JSON Schema reads them) -> RE2
// syntax. Constructs RE2 spells differently are translated (\s, '.', \uXXXX,
// \u{...}, \p{Script=...}, (?<name>, \cX, an empty class); syntax that is not
// ECMA-262 ((?i), [[:alpha:]], \A, \z, invalid escapes) is refused with a
// reason in error. Lookaround and backreferences are left for RE2 to refuse.
bool ecma_to_re2(std::string_view p, std::string& out, std::string& error) {
  static const std::pair<std::string_view, std::string_view> kCategories[] = {
      {"Letter", "L"}, {"Lowercase_Letter", "Ll"}, {"Uppercase_Letter", "Lu"},
      {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"},
      {"Mark", "M"}, {"Number", "N"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"},
      {"Letter_Number", "Nl"}, {"Other_Number", "No"}, {"Punctuation", "P"}, {"punct", "P"},
      {"Symbol", "S"}, {"Separator", "Z"}, {"Space_Separator", "Zs"}, {"Other", "C"},
      {"Control", "Cc"}, {"cntrl", "Cc"}};
  out.clear();
  bool in_class = false;
  auto hex4 = [&](size_t at, unsigned& cp) {
    if (at + 4 > p.size()) return false;
    cp = 0;
    for (size_t k = at; k < at + 4; ++k) {
      if (!is_hex(p[k])) return false;
      cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(p[k])) ? p[k] - '0'
                                                                                      : (p[k] | 32) - 'a' + 10);
    }
    return true;
  };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        error = "it ends with a lone backslash";
        return false;
      }
      char n = p[++i];
      switch (n) {
        case 'd': case 'D': case 'w': case 'W': case 'f': case 'n': case 'r': case 't': case 'v':
          out += '\\';
          out += n;
          continue;
        case 'b':
          out += in_class ? "\\x{8}" : "\\b";
          continue;
        case 'B':
          if (in_class) {
            error = "\\B inside a character class is not ECMA-262 syntax";
            return false;
          }
          out += "\\B";
          continue;
        case 's':
        case 'S': {
          std::string_view set = n == 's' ? kEcmaSpace : kEcmaNonSpace;
          if (in_class) {
            out += set;
          } else {
            out += '[';
            out += set;
            out += ']';
          }
          continue;
        }
        case 'c':
          if (i + 1 < p.size() && std::isalpha(static_cast<unsigned char>(p[i + 1]))) {
            out += fmt::format("\\x{{{:X}}}", static_cast<unsigned>(p[i + 1]) % 32);
            ++i;
            continue;
          }
          error = "\\c must be followed by a letter";
          return false;
        case 'x':
          if (i + 2 < p.size() && is_hex(p[i + 1]) && is_hex(p[i + 2])) {
            out += "\\x{";
            out += p.substr(i + 1, 2);
            out += '}';
            i += 2;
            continue;
          }
          error = "\\x must be followed by two hex digits";
          return false;
        case 'u': {
          unsigned cp = 0;
          if (i + 1 < p.size() && p[i + 1] == '{') {
            size_t close = p.find('}', i + 2);
            std::string_view digits = close == std::string_view::npos ? "" : p.substr(i + 2, close - i - 2);
            if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), is_hex)) {
              error = "\\u{...} must hold 1 to 6 hex digits";
              return false;
            }
            cp = static_cast<unsigned>(std::strtoul(std::string(digits).c_str(), nullptr, 16));
            i = close;
          } else if (hex4(i + 1, cp)) {
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
              // a UTF-16 surrogate pair spelled as two escapes
              unsigned lo = 0;
              if (i + 2 < p.size() && p[i + 1] == '\\' && p[i + 2] == 'u' && hex4(i + 3, lo) && lo >= 0xDC00 &&
                  lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              }
            }
          } else {
            error = "\\u must be followed by four hex digits or {hex}";
            return false;
          }
          if (cp > 0x10FFFF) {
            error = "\\u{...} is beyond U+10FFFF";
            return false;
          }
          if (cp >= 0xD800 && cp < 0xE000) {
            error = fmt::format("a lone surrogate \\u{:04X} cannot match UTF-8 text", cp);
            return false;
          }
          out += fmt::format("\\x{{{:X}}}", cp);
          continue;
        }
        case '0':
          if (i + 1 < p.size() && std::isdigit(static_cast<unsigned char>(p[i + 1]))) {
            error = "octal escapes are not ECMA-262 syntax with the u flag";
            return false;
          }
          out += "\\x{0}";
          continue;
        case 'p':
        case 'P': {
          size_t close = i + 1 < p.size() && p[i + 1] == '{' ? p.find('}', i + 2) : std::string_view::npos;
          if (close == std::string_view::npos) {
            error = fmt::format("\\{} must be followed by {{name}}", n);
            return false;
          }
          std::string_view name = p.substr(i + 2, close - i - 2);
          if (size_t eq = name.find('='); eq != std::string_view::npos) name = name.substr(eq + 1);
          for (auto& [long_name, short_name] : kCategories)
            if (name == long_name) name = short_name;
          out += fmt::format("\\{}{{{}}}", n, name);
          i = close;
          continue;
        }
        default:
          if (n >= '1' && n <= '9') {
            error = "backreferences are not supported (RE2 runs in linear time)";
            return false;
          }
          if (n == '/') {
            out += '/';
            continue;
          }
          if (std::string_view("^$\\.*+?()[]{}|").find(n) != std::string_view::npos || (in_class && n == '-')) {
            out += '\\';
            out += n;
            continue;
          }
          error = fmt::format("'\\{}' is not an ECMA-262 escape", n);
          return false;
      }
    }
    if (in_class) {
      if (c == ']') {
        in_class = false;
        out += ']';
      } else if (c == '[') {
        if (i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
          error = fmt::format("'[{}' (a POSIX class) is not ECMA-262 syntax", p[i + 1]);
          return false;
        }
        out += "\\[";
      } else {
        out += c;
      }
      continue;
    }
    switch (c) {
      case '[': {
        in_class = true;
        bool negated = i + 1 < p.size() && p[i + 1] == '^';
        size_t next = i + (negated ? 2 : 1);
        if (next < p.size() && p[next] == ']') {
          // [] matches nothing, [^] anything
          out += negated ? "[\\x{0}-\\x{10FFFF}]" : "[^\\x{0}-\\x{10FFFF}]";
          in_class = false;
          i = next;
          continue;
        }
        out += negated ? "[^" : "[";
        if (negated) ++i;
        continue;
      }
      case '.':
        out += "[^\\n\\r\\x{2028}\\x{2029}]";
        continue;
      case '(':
        if (i + 1 < p.size() && p[i + 1] == '?') {
          char k = i + 2 < p.size() ? p[i + 2] : '\0';
          if (k == ':' || k == '=' || k == '!') {
            out += "(?";
            out += k;
            i += 2;
            continue;
          }
          if (k == '<') {
            char k2 = i + 3 < p.size() ? p[i + 3] : '\0';
            if (k2 == '=' || k2 == '!') {
              out += "(?<";
              out += k2;
              i += 3;
            } else {
              out += "(?P<";
              i += 2;
            }
            continue;
          }
          error = fmt::format("'(?{}' (inline flags and the like) is not ECMA-262 syntax", k);
          return false;
        }
        out += c;
        continue;
      default:
        out += c;
    }
  }
  if (in_class) {
    error = "a character class is not closed";
    return false;
  }
  return true;
}

}  // namespace olly::detail
