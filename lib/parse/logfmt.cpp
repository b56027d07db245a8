// logfmt: key=value pairs, following go-logfmt's decoder (the de-facto spec).
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>
#if defined(__AVX512BW__) && defined(__BMI2__)
#include <immintrin.h>
#endif

#include "parse/line_detail.h"
#include "parse/line_formats.h"

namespace olly::parse {
namespace {

using detail::set_reason;

enum class ValueKind : uint8_t { bare, raw, quoted_raw, decoded };

struct Pair {
  std::string_view key;
  std::string_view value;  // into the line (raw, quoted_raw) or the decode buffer
  ValueKind kind;
  bool key_plain = false;    // known to need no JSON escaping
  bool value_plain = false;
};

// Reused across lines: parsing allocates only while these grow.
struct Scratch {
  std::vector<Pair> pairs;
  std::vector<std::string_view> keys;
  std::vector<uint32_t> group;
  std::vector<uint32_t> last;
  std::string decoded;  // unescaped quoted values, back to back
};


int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


// Reads `digits` hex digits at s[i..]; -1 when malformed.
int64_t read_hex(std::string_view s, size_t i, size_t digits) {
  if (i + digits > s.size()) return -1;
  int64_t v = 0;
  for (size_t k = 0; k < digits; ++k) {
    int h = hex_value(s[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// Decodes the Go-quoted body s (without the quotes) onto out.
bool unescape(std::string_view s, std::string& out) {
  size_t i = 0;
  while (i < s.size()) {
    const char* bs = static_cast<const char*>(std::memchr(s.data() + i, '\\', s.size() - i));
    size_t stop = bs ? static_cast<size_t>(bs - s.data()) : s.size();
    out.append(s.data() + i, stop - i);
    if (!bs) break;
    i = stop + 1;
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case '\'': out.push_back('\''); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'a': out.push_back('\a'); break;
      case 'v': out.push_back('\v'); break;
      case 'x': {
        int64_t v = read_hex(s, i, 2);
        if (v < 0) return false;
        out.push_back(static_cast<char>(v));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        size_t digits = e == 'u' ? 4 : 8;
        int64_t v = read_hex(s, i, digits);
        if (v < 0) return false;
        i += digits;
        uint32_t cp = static_cast<uint32_t>(v);
        // A UTF-16 surrogate pair written as two \u escapes (JSON style).
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
          int64_t lo = read_hex(s, i + 2, 4);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + static_cast<uint32_t>(lo - 0xDC00);
            i += 6;
          }
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
        append_utf8(out, cp);
        break;
      }
      default:
        if (e >= '0' && e <= '7' && i + 2 <= s.size()) {  // Go octal \NNN
          int v = e - '0';
          for (int k = 0; k < 2; ++k) {
            char c = s[i + k];
            if (c < '0' || c > '7') return false;
            v = v * 8 + (c - '0');
          }
          if (v > 255) return false;
          out.push_back(static_cast<char>(v));
          i += 2;
          break;
        }
        return false;
    }
  }
  return true;
}

// A key is a printable token: ASCII graphic bytes (letters, digits, '_',
// '.', '-', '/', '@', ':', ...; '=' and '"' end it) and printable non-ASCII
// text ("ƒ" in go-logfmt's vectors). Keys with a byte >= 0x7f (flagged
// kHigh by the scan) are checked here: no DEL, valid UTF-8, no U+FFFD
// (go-logfmt) and no C1 control (U+0080..U+009F).
bool valid_key(std::string_view key) {
  if (key.find('\x7f') != std::string_view::npos || !is_valid_utf8(key)) return false;
  for (size_t at = key.find('\xC2'); at != std::string_view::npos; at = key.find('\xC2', at + 1))
    if (static_cast<unsigned char>(key[at + 1]) < 0xA0) return false;  // valid UTF-8: at + 1 exists
  return key.find("\xEF\xBF\xBD") == std::string_view::npos;
}

// Bytes <= ' ' end a key or a bare value. Of those, whitespace (\t \n \v
// \f \r ' ') and the information separators 0x1c..0x1f (go-logfmt's vectors
// separate pairs with 0x1e; Python's str.split does too) separate pairs; any
// other control byte outside quotes makes the line a bad line rather than
// vanish between pairs (a line of binary noise is no event).
enum ByteClass : uint8_t { kSeparator = 1, kControl = 2 };
constexpr auto kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kControl;
  for (int c : {0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20}) t[c] = kSeparator;
  return t;
}();
inline bool is_separator(unsigned char c) { return c <= ' '; }

// The end of the run of plain bytes (keys, bare values) starting at i. Sets
// kHigh in flags when the run has a byte >= 0x7f (non-ASCII keys need a
// check) and kBackslash for a '\\': without either it needs no JSON escaping
// (the run has no control byte or '"' by definition).
constexpr unsigned char kHigh = 0x80, kBackslash = 0x01;
#if defined(__AVX512BW__) && defined(__BMI2__)
// The line classified once, 64 bytes per step, into bit masks (bit k of
// word b is byte 64b+k): stop (a byte that ends a key or bare value: <= ' ',
// '=' or '"'; every byte past the end counts as one), quote, backslash and
// high (>= 0x7f). Scanning is then bit arithmetic, with no load per field.
class LineMasks {
 public:
  void build(const unsigned char* p, size_t n) {
    const size_t words = n / 64 + 1;
    stop_.resize(words);
    quote_.resize(words);
    backslash_.resize(words);
    high_.resize(words);
    n_ = n;
    for (size_t b = 0; b < words; ++b) {
      const size_t at = b * 64, left = n - at;
      const __mmask64 m = _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(left < 64 ? left : 64));
      const __m512i x = _mm512_maskz_loadu_epi8(m, p + at);
      const uint64_t quote = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"'));
      stop_[b] = _mm512_cmple_epu8_mask(x, _mm512_set1_epi8(' ')) | ~m | quote |
                 _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('='));
      quote_[b] = quote;
      backslash_[b] = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\\'));
      high_[b] = _mm512_cmpge_epu8_mask(x, _mm512_set1_epi8(0x7f));
    }
  }
  // The first set bit of masks at or after i (n when none).
  size_t next(const std::vector<uint64_t>& masks, size_t i) const {
    if (i >= n_) return n_;
    size_t b = i >> 6;
    uint64_t w = masks[b] >> (i & 63);
    if (w) return std::min(n_, i + static_cast<size_t>(__builtin_ctzll(w)));
    for (++b; b < masks.size(); ++b)
      if (masks[b]) return std::min(n_, b * 64 + static_cast<size_t>(__builtin_ctzll(masks[b])));
    return n_;
  }
  // Whether masks has a bit in [i, end).
  static bool any(const std::vector<uint64_t>& masks, size_t i, size_t end) {
    while (i < end) {
      const size_t b = i >> 6, k = i & 63;
      const size_t take = std::min<size_t>(64 - k, end - i);
      if (_bzhi_u64(masks[b] >> k, static_cast<unsigned>(take))) return true;
      i += take;
    }
    return false;
  }
  size_t run_end(size_t i, unsigned char& flags) const {
    const size_t end = next(stop_, i);
    if (any(high_, i, end)) flags |= kHigh;
    if (any(backslash_, i, end)) flags |= kBackslash;
    return end;
  }
  size_t next_quote(size_t i) const { return next(quote_, i); }
  bool backslash_in(size_t i, size_t end) const { return any(backslash_, i, end); }

 private:
  std::vector<uint64_t> stop_, quote_, backslash_, high_;
  size_t n_ = 0;
};
#else
inline bool is_plain(unsigned char c) { return c > ' ' && c != '=' && c != '"'; }

// The same answers, byte by byte.
class LineMasks {
 public:
  void build(const unsigned char* p, size_t n) { p_ = p; n_ = n; }
  size_t run_end(size_t i, unsigned char& flags) const {
    while (i < n_ && is_plain(p_[i])) {
      flags |= (p_[i] >= 0x7f ? kHigh : 0) | (p_[i] == '\\' ? kBackslash : 0);
      ++i;
    }
    return i;
  }
  size_t next_quote(size_t i) const {
    if (i >= n_) return n_;
    const void* q = std::memchr(p_ + i, '"', n_ - i);
    return q ? static_cast<size_t>(static_cast<const unsigned char*>(q) - p_) : n_;
  }
  bool backslash_in(size_t i, size_t end) const {
    return end > i && std::memchr(p_ + i, '\\', end - i) != nullptr;
  }

 private:
  const unsigned char* p_ = nullptr;
  size_t n_ = 0;
};
#endif

// Scans the pairs of line into s.pairs; false with reason on a syntax error.
bool scan(std::string_view line, Scratch& s, std::string& reason) {
  const size_t n = line.size();
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  size_t i = 0;
  thread_local LineMasks masks;
  masks.build(p, n);
  s.decoded.clear();
  // Decoded values point into s.decoded, which may reallocate: keep offsets
  // first and fix the views at the end.
  bool any_decoded = false;
  while (true) {
    // Pairs are mostly one space apart: the table is read only for other bytes <= ' '.
    while (i < n && is_separator(p[i])) {
      if (p[i] != ' ' && kByteClass[p[i]] == kControl) {
        set_reason(reason, "unexpected control byte", i);
        return false;
      }
      ++i;
    }
    if (i == n) break;
    size_t key_begin = i;
    unsigned char high = 0;
    i = masks.run_end(i, high);
    if (i == key_begin) {
      set_reason(reason, p[i] == '=' ? "unexpected '='" : "unexpected '\"'", i);
      return false;
    }
    std::string_view key = line.substr(key_begin, i - key_begin);
    if ((high & kHigh) && !valid_key(key)) {
      set_reason(reason, "invalid key", i);
      return false;
    }
    if (i < n && p[i] == '"') {
      set_reason(reason, "unexpected '\"'", i);
      return false;
    }
    if (i == n || is_separator(p[i])) {
      s.pairs.push_back({key, {}, ValueKind::bare, high == 0, true});
      continue;
    }
    ++i;  // '='
    if (i == n || is_separator(p[i])) {
      s.pairs.push_back({key, std::string_view(), ValueKind::raw, high == 0, true});
      continue;
    }
    if (p[i] == '=') {
      set_reason(reason, "unexpected '='", i);
      return false;
    }
    if (p[i] == '"') {
      size_t body = i + 1;
      size_t j = body;
      bool escaped = false;
      while (true) {
        const size_t quote = masks.next_quote(j);
        if (quote == n) {
          set_reason(reason, "unterminated quoted value", n);
          return false;
        }
        // The quote is escaped when an odd run of backslashes precedes it.
        size_t back = quote;
        while (back > body && p[back - 1] == '\\') --back;
        if ((quote - back) % 2 == 0) {
          if (!escaped && masks.backslash_in(body, quote)) escaped = true;
          j = quote;
          break;
        }
        escaped = true;
        j = quote + 1;
      }
      std::string_view raw = line.substr(body, j - body);
      i = j + 1;
      if (!escaped) {
        s.pairs.push_back({key, raw, ValueKind::quoted_raw, high == 0, false});
      } else {
        size_t start = s.decoded.size();
        if (!unescape(raw, s.decoded)) {
          set_reason(reason, "invalid quoted value", i);
          return false;
        }
        // Offsets for now (see above): data() is patched after the loop.
        s.pairs.push_back({key, std::string_view(reinterpret_cast<const char*>(start),
                                                 s.decoded.size() - start),
                           ValueKind::decoded, high == 0, false});
        any_decoded = true;
      }
      continue;
    }
    size_t value_begin = i;
    unsigned char value_high = 0;
    i = masks.run_end(i, value_high);
    if (i < n && !is_separator(p[i])) {
      set_reason(reason, p[i] == '=' ? "unexpected '='" : "unexpected '\"'", i);
      return false;
    }
    s.pairs.push_back({key, line.substr(value_begin, i - value_begin), ValueKind::raw,
                       high == 0, value_high == 0});
  }
  if (any_decoded) {
    for (Pair& pr : s.pairs) {
      if (pr.kind == ValueKind::decoded) {
        size_t off = reinterpret_cast<size_t>(pr.value.data());
        pr.value = std::string_view(s.decoded.data() + off, pr.value.size());
      }
    }
  }
  return true;
}

void write_member(JsonBuilder& out, std::string_view key, bool key_plain, const Pair& pr,
                  bool infer) {
  if (key_plain && pr.value_plain && pr.kind == ValueKind::raw &&
      !(infer && detail::infers_non_string(pr.value))) {
    detail::member_plain(out, key, pr.value);  // scan() saw every byte: no escaping needed
    return;
  }
  std::string& buf = detail::member(out, key);
  switch (pr.kind) {
    case ValueKind::bare:
      buf.append("true");
      return;
    case ValueKind::raw:
      if (infer) detail::append_inferred(buf, pr.value);
      else detail::append_string(buf, pr.value);
      return;
    case ValueKind::quoted_raw:
    case ValueKind::decoded:
      detail::append_string(buf, pr.value);
      return;
  }
}

// ts=TIME: an RFC 3339 time not already in RFC 3339 UTC is written as `ts`
// in RFC 3339 UTC, the text as written kept as `ts_original` (as
// --time-field keeps F_original). False: write the pair as it is (no time,
// already UTC, or the line has its own ts_original).
// Already written as format_rfc3339 writes UTC ("2024-06-01T10:00:00.120Z":
// a fraction of 3, 6 or 9 digits, the shortest that holds it): nothing to
// rewrite, so most ts values need no parse.
bool looks_canonical_utc(std::string_view v) {
  const size_t n = v.size();
  if (n < 20 || v[n - 1] != 'Z') return false;
  auto digits = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
      if (v[k] < '0' || v[k] > '9') return false;
    return true;
  };
  if (!digits(0, 4) || v[4] != '-' || !digits(5, 7) || v[7] != '-' || !digits(8, 10) ||
      v[10] != 'T' || !digits(11, 13) || v[13] != ':' || !digits(14, 16) || v[16] != ':' ||
      !digits(17, 19))
    return false;
  if (n == 20) return true;
  const size_t frac = n - 21;
  if (v[19] != '.' || (frac != 3 && frac != 6 && frac != 9) || !digits(20, n - 1)) return false;
  return v.substr(n - 4, 3) != "000";
}

bool write_ts_normalised(JsonBuilder& out, const Scratch& s, const Pair& pr,
                         const LineFormatOptions& opts) {
  if (pr.kind == ValueKind::bare || looks_canonical_utc(pr.value)) return false;
  auto t = parse_rfc3339(pr.value, opts.tz);
  if (!t) return false;
  thread_local std::string utc;
  utc.clear();
  format_rfc3339(utc, *t);
  if (utc == pr.value) return false;
  for (const Pair& other : s.pairs)
    if (other.key == "ts_original") return false;
  detail::member_plain(out, "ts", utc);
  detail::append_string(detail::member(out, "ts_original"), pr.value);
  return true;
}

}  // namespace

bool parse_logfmt(std::string_view line, JsonBuilder& out, std::string& reason) {
  return parse_logfmt(line, out, reason, LineFormatOptions{});
}

bool parse_logfmt(std::string_view line, JsonBuilder& out, std::string& reason,
                  const LineFormatOptions& opts) {
  thread_local Scratch s;
  line = detail::strip_cr(line);
  if (detail::is_blank(line)) {
    reason = "empty line";
    return false;
  }
  s.pairs.clear();
  if (!scan(line, s, reason)) return false;
  if (s.pairs.empty()) {  // only separators such as 0x1e: no event to write
    reason = "no key";
    return false;
  }

  const size_t n = s.pairs.size();
  s.keys.clear();
  for (const Pair& pr : s.pairs) s.keys.push_back(pr.key);
  detail::group_keys(s.keys, s.group);
  // last[g]: the index of the last pair in group g (the value that wins).
  s.last.resize(n);
  bool has_duplicates = false;
  for (size_t i = 0; i < n; ++i) {
    s.last[s.group[i]] = static_cast<uint32_t>(i);
    if (s.group[i] != i) has_duplicates = true;
  }

  out.begin_object();
  const Pair* time_pair = nullptr;
  bool has_ts = false;
  for (size_t i = 0; i < n; ++i) {
    if (has_duplicates && s.group[i] != i) continue;
    const Pair& pr = has_duplicates ? s.pairs[s.last[i]] : s.pairs[i];
    std::string_view k = s.pairs[i].key;
    if (k == "ts") {
      has_ts = true;
      if (write_ts_normalised(out, s, pr, opts)) continue;
    }
    write_member(out, s.pairs[i].key, s.pairs[i].key_plain, pr, opts.infer_types);
    if (!time_pair && pr.kind != ValueKind::bare && (k == "time" || k == "timestamp" || k == "t"))
      time_pair = &pr;
  }
  if (!has_ts && time_pair) {
    if (auto t = parse_rfc3339(time_pair->value, opts.tz)) detail::write_ts(out, *t);
  }
  out.end_object();
  return true;
}

}  // namespace olly::parse
