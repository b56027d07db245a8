#include "parse/line_detail.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <limits>
#include <unordered_map>

namespace olly::parse::detail {

void group_keys(const std::vector<std::string_view>& keys, std::vector<uint32_t>& group) {
  const size_t n = keys.size();
  group.resize(n);
  if (n <= 24) {
    // Length and end bytes first: distinct keys almost never share all three,
    // so the byte compare runs only for real duplicates.
    uint64_t print[24];
    for (size_t i = 0; i < n; ++i) {
      std::string_view k = keys[i];
      uint64_t ends = k.empty() ? 0
                                : static_cast<unsigned char>(k.front()) << 8 |
                                      static_cast<unsigned char>(k.back());
      print[i] = static_cast<uint64_t>(k.size()) << 16 | ends;
    }
    for (size_t i = 0; i < n; ++i) {
      group[i] = static_cast<uint32_t>(i);
#if defined(__AVX512F__)
      // Eight earlier prints per compare.
      const __m512i mine = _mm512_set1_epi64(static_cast<long long>(print[i]));
      for (size_t b = 0; b < i; b += 8) {
        const size_t lanes = i - b < 8 ? i - b : 8;
        const __mmask8 m = static_cast<__mmask8>((1u << lanes) - 1);
        unsigned hits = _mm512_mask_cmpeq_epu64_mask(m, _mm512_maskz_loadu_epi64(m, print + b), mine);
        for (; hits; hits &= hits - 1) {
          const size_t j = b + static_cast<size_t>(__builtin_ctz(hits));
          if (keys[j] == keys[i]) { group[i] = group[j]; goto next; }
        }
      }
    next:;
#else
      for (size_t j = 0; j < i; ++j) {
        if (print[j] == print[i] && keys[j] == keys[i]) { group[i] = group[j]; break; }
      }
#endif
    }
    return;
  }
  // Rare (hostile or very wide lines): allocation is fine here.
  std::unordered_map<std::string_view, uint32_t> first;
  first.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = first.emplace(keys[i], static_cast<uint32_t>(i));
    group[i] = it->second;
  }
}

bool parse_int64(std::string_view s, int64_t& v) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && s[i] == '-') { neg = true; ++i; }
  if (i == s.size()) return false;
  uint64_t acc = 0;
  for (; i < s.size(); ++i) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    if (acc > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    acc = acc * 10 + d;
  }
  if (neg) {
    if (acc > uint64_t{1} << 63) return false;
    v = static_cast<int64_t>(0 - acc);
  } else {
    if (acc > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    v = static_cast<int64_t>(acc);
  }
  return true;
}

bool is_json_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') ++i;
  else while (digit(i)) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

bool is_readable_number(std::string_view s) {
  if (!is_json_number(s)) return false;
  if (s.find_first_of(".eE") == std::string_view::npos) {
    int64_t i;
    if (parse_int64(s, i)) return true;
    uint64_t u;
    auto r = std::from_chars(s.data(), s.data() + s.size(), u);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  double d;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec == std::errc()) return std::isfinite(d);
  if (r.ec != std::errc::result_out_of_range) return false;
  // Out of range: an underflow reads as zero, an overflow not at all.
  std::string copy(s);
  errno = 0;
  double v = std::strtod(copy.c_str(), nullptr);
  return std::isfinite(v);
}

void append_inferred(std::string& buf, std::string_view v) {
  if (v == "true" || v == "false" || is_readable_number(v)) buf.append(v);
  else append_string(buf, v);
}

void write_ts(JsonBuilder& out, TimeNs t) {
  member_text(out, "ts", "\"");
  std::string& buf = out.out();
  format_rfc3339(buf, t);
  buf.push_back('"');
}

bool is_plain_ascii(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  size_t i = 0;
  uint64_t bad = 0;
  // SWAR: a high bit per byte that is < 0x20, '"', '\\' or >= 0x80.
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    uint64_t low = (x - kOnes * 0x20) & ~x;
    uint64_t q = x ^ (kOnes * '"');
    uint64_t quote = (q - kOnes) & ~q;
    uint64_t b = x ^ (kOnes * '\\');
    uint64_t backslash = (b - kOnes) & ~b;
    bad |= (low | quote | backslash | x) & kHighs;
  }
  if (bad) return false;
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return false;
  }
  return true;
}

void member_int_slow(JsonBuilder& out, std::string_view key, int64_t v) {
  auto& buf = member(out, key);
  fmt::format_to(std::back_inserter(buf), "{}", v);
}

void MemberCursor::overran() {
  std::fputs("olly-parse: internal error: an event outgrew its reserved space\n", stderr);
  std::abort();
}

void set_reason(std::string& reason, std::string_view what, size_t offset) {
  reason.clear();
  fmt::format_to(std::back_inserter(reason), "{} at column {}", what, offset + 1);
}

}  // namespace olly::parse::detail
