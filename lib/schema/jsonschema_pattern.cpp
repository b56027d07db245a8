// A small matcher for the patterns contracts use most: an optionally
// anchored sequence of ASCII literals and classes with quantifiers
// (^web-\d+$, ^[0-9a-f]{32}$, ^u-[0-9]+$, ^/). It simulates the pattern's
// NFA with one bit per position (shift-and), so a check costs a few
// instructions per byte and takes no lock, where RE2 pays a call and a cache
// lock per match. Anything else (groups, alternation, '.', negated classes,
// non-ASCII, more than 63 positions) is left to RE2.
#include <algorithm>

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

}  // namespace olly::detail
