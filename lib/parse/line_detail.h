// Small helpers shared by the line-format parsers (logfmt, access logs,
// syslog, CSV). Internal to lib/parse.
#pragma once
#include <charconv>
#include <cstdint>
#include <cstring>
#if defined(__AVX512BW__) && defined(__BMI2__)
#include <immintrin.h>
#endif
#include <string>
#include <string_view>
#include <vector>

#include "time/timeutil.h"
#include "core/writer.h"

namespace olly::parse::detail {

// For each key, the index of its first occurrence (group[i] == i for the
// first one). Quadratic for the usual handful of keys, hashed past that so a
// hostile line with 100k keys stays linear.
void group_keys(const std::vector<std::string_view>& keys, std::vector<uint32_t>& group);

// Whole-string parses: no leading '+', no spaces.
bool parse_int64(std::string_view s, int64_t& v);
// True when s is a JSON number (-?int frac? exp?) by the grammar.
bool is_json_number(std::string_view s);
// True when s is a JSON number that JSON readers (simdjson, so every olly
// tool) read back: an integer within int64 or uint64, or a number with a
// fraction or exponent that is a finite double (1e999 is not; 1e-999, which
// reads as 0, is). Only such text may be written raw as a number.
bool is_readable_number(std::string_view s);
// --infer-types, the same for every format: a readable number is written as
// it is, true and false as booleans, anything else as a string.
void append_inferred(std::string& buf, std::string_view v);
// Whether append_inferred writes v as something other than a string.
inline bool infers_non_string(std::string_view v) {
  return v == "true" || v == "false" || is_readable_number(v);
}

// The line without a trailing '\r'.
inline std::string_view strip_cr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}
inline bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t') return false;
  return true;
}

// Writes `ts` as an RFC 3339 UTC string through a reused buffer.
void write_ts(JsonBuilder& out, TimeNs t);

// Fast member writing for the hot paths (1M lines/s and more): the builder
// only places the comma (raw() with nothing), the key and a scalar value are
// appended straight to its string. Only scalar values may follow member();
// nested values go through JsonBuilder::key().
bool is_plain_ascii(std::string_view s);  // printable ASCII, no '"' or '\'

#if defined(__AVX512BW__) && defined(__BMI2__)
// The first n <= 64 bytes at p are plain (as is_plain_ascii). A masked load
// never touches the bytes past n, so short strings need no scalar tail.
inline bool plain_block(const char* p, size_t n) {
  const __mmask64 m = _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(n));
  const __m512i x = _mm512_maskz_loadu_epi8(m, p);
  // Signed compare: below 0x20 covers control bytes and bytes >= 0x80.
  __mmask64 bad = _mm512_mask_cmplt_epi8_mask(m, x, _mm512_set1_epi8(0x20));
  bad |= _mm512_mask_cmpeq_epi8_mask(m, x, _mm512_set1_epi8('"'));
  bad |= _mm512_mask_cmpeq_epi8_mask(m, x, _mm512_set1_epi8('\\'));
  return bad == 0;
}
inline bool is_plain_short(std::string_view s) {
  return s.size() <= 64 ? plain_block(s.data(), s.size()) : is_plain_ascii(s);
}
// Where byte c first occurs in s at or after from (npos when it does not):
// fields are short, so one 64-byte block usually answers without a call.
inline size_t find_byte(std::string_view s, size_t from, char c) {
  const __m512i needle = _mm512_set1_epi8(c);
  while (from < s.size()) {
    const size_t n = s.size() - from;
    const __mmask64 m = _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(n < 64 ? n : 64));
    const __m512i x = _mm512_maskz_loadu_epi8(m, s.data() + from);
    const uint64_t hits = _mm512_mask_cmpeq_epi8_mask(m, x, needle);
    if (hits) return from + static_cast<size_t>(__builtin_ctzll(hits));
    from += 64;
  }
  return std::string_view::npos;
}
// a == b for short strings without a library call.
inline bool same_bytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.size() > 64) return a == b;
  const __mmask64 m = _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(a.size()));
  const __m512i x = _mm512_maskz_loadu_epi8(m, a.data());
  const __m512i y = _mm512_maskz_loadu_epi8(m, b.data());
  return _mm512_mask_cmpneq_epi8_mask(m, x, y) == 0;
}
// memcpy for short runs without a library call.
inline void copy_short(char* d, std::string_view s) {
  if (s.size() <= 64) {
    const __mmask64 m = _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(s.size()));
    _mm512_mask_storeu_epi8(d, m, _mm512_maskz_loadu_epi8(m, s.data()));
  } else {
    std::memcpy(d, s.data(), s.size());
  }
}
#else
inline void copy_short(char* d, std::string_view s) {
  if (!s.empty()) std::memcpy(d, s.data(), s.size());
}
inline bool is_plain_short(std::string_view s) { return is_plain_ascii(s); }
inline size_t find_byte(std::string_view s, size_t from, char c) {
  if (from >= s.size()) return std::string_view::npos;
  const void* q = std::memchr(s.data() + from, c, s.size() - from);
  return q ? static_cast<size_t>(static_cast<const char*>(q) - s.data()) : std::string_view::npos;
}
inline bool same_bytes(std::string_view a, std::string_view b) { return a == b; }
#endif

// s.find(lit, from) for the short literals of a log layout.
inline size_t find_literal(std::string_view s, std::string_view lit, size_t from) {
  if (lit.empty()) return from <= s.size() ? from : std::string_view::npos;
  while (true) {
    const size_t at = find_byte(s, from, lit[0]);
    if (at == std::string_view::npos || lit.size() > s.size() - at) return std::string_view::npos;
    size_t k = 1;
    while (k < lit.size() && s[at + k] == lit[k]) ++k;
    if (k == lit.size()) return at;
    from = at + 1;
  }
}
// s.substr(at).starts_with(lit), inline.
inline bool has_literal_at(std::string_view s, size_t at, std::string_view lit) {
  if (at > s.size() || lit.size() > s.size() - at) return false;
  for (size_t k = 0; k < lit.size(); ++k)
    if (s[at + k] != lit[k]) return false;
  return true;
}

// Appends s as a JSON string: copied as is when plain, escaped otherwise.
inline void append_string(std::string& buf, std::string_view s) {
  if (is_plain_short(s)) {
    const size_t at = buf.size();
    buf.resize(at + s.size() + 2);  // one capacity check; the bytes are overwritten
    char* d = buf.data() + at;
    d[0] = '"';
    copy_short(d + 1, s);
    d[s.size() + 1] = '"';
  } else {
    append_json_string(buf, s);
  }
}
// Appends `"key":` (and the comma before it when needed).
inline std::string& member(JsonBuilder& out, std::string_view key) {
  out.raw(std::string_view());
  std::string& buf = out.out();
  if (is_plain_short(key)) {
    const size_t at = buf.size();
    buf.resize(at + key.size() + 3);
    char* d = buf.data() + at;
    d[0] = '"';
    copy_short(d + 1, key);
    d[key.size() + 1] = '"';
    d[key.size() + 2] = ':';
  } else {
    append_json_string(buf, key);
    buf.push_back(':');
  }
  return buf;
}
// Appends `"key":` followed by text (raw JSON) in one step, for a key known
// to be plain: a single capacity check.
inline void member_text(JsonBuilder& out, std::string_view key, std::string_view text) {
  out.raw(std::string_view());
  std::string& buf = out.out();
  const size_t at = buf.size();
  buf.resize(at + key.size() + text.size() + 3);
  char* d = buf.data() + at;
  *d++ = '"';
  copy_short(d, key);
  d += key.size();
  *d++ = '"';
  *d++ = ':';
  copy_short(d, text);
}
// `"key":"value"` in one step, for a key and value known to be plain
// (is_plain_ascii): a single capacity check and no escaping.
inline void member_plain(JsonBuilder& out, std::string_view key, std::string_view v) {
  out.raw(std::string_view());
  std::string& buf = out.out();
  const size_t at = buf.size();
  buf.resize(at + key.size() + v.size() + 5);
  char* d = buf.data() + at;
  *d++ = '"';
  copy_short(d, key);
  d += key.size();
  *d++ = '"';
  *d++ = ':';
  *d++ = '"';
  copy_short(d, v);
  d[v.size()] = '"';
}

// The member_* writers below take a format's own field names as keys
// ("status", "ts", an nginx variable name): plain ASCII, written unchecked.
// Keys read from the input go through member().
inline void member_string(JsonBuilder& out, std::string_view key, std::string_view v) {
  if (is_plain_short(v)) member_plain(out, key, v);
  else append_string(member(out, key), v);
}
inline void member_raw(JsonBuilder& out, std::string_view key, std::string_view json) {
  member_text(out, key, json);
}
inline void member_null(JsonBuilder& out, std::string_view key) { member_text(out, key, "null"); }
// An integer already validated by parse_int64: its text when canonical.
void member_int_slow(JsonBuilder& out, std::string_view key, int64_t v);
// True when an integer's text is how JSON writes it: no leading zeros, no "-0".
inline bool is_canonical_int(std::string_view text) {
  return !text.empty() && (text[0] != '0' || text.size() == 1) &&
         !(text[0] == '-' && (text.size() == 1 || text[1] == '0'));
}
inline void member_int(JsonBuilder& out, std::string_view key, std::string_view text, int64_t v) {
  if (is_canonical_int(text)) member_text(out, key, text);
  else member_int_slow(out, key, v);
}

// One event's members written through a pointer into room reserved by a
// single resize. Each member_* call above pays std::string's capacity check
// and zero fill on its own, which was about a third of the access-log
// parser's time. The caller bounds the members' size (bound) and passes
// only plain keys and values (is_plain_ascii); done() trims the room to
// what was written. Nothing else may touch buf until then.
class MemberCursor {
 public:
  // Opens the room after what buf holds; the first member gets no comma
  // when first is true.
  MemberCursor(std::string& buf, size_t bound, bool first)
      : buf_(buf), first_(first) {
    const size_t at = buf.size();
    buf.resize(at + bound);
    p_ = buf.data() + at;
    end_ = p_ + bound;
  }
  void put(char c) { *p_++ = c; }
  void text(std::string_view s) {
    copy_short(p_, s);
    p_ += s.size();
  }
  // `,"key":`
  void key(std::string_view k) {
    if (!first_) *p_++ = ',';
    first_ = false;
    *p_++ = '"';
    text(k);
    *p_++ = '"';
    *p_++ = ':';
  }
  void member_plain(std::string_view k, std::string_view v) {
    key(k);
    *p_++ = '"';
    text(v);
    *p_++ = '"';
  }
  void member_text(std::string_view k, std::string_view json) {
    key(k);
    text(json);
  }
  void member_ts(TimeNs t) {
    key("ts");
    *p_++ = '"';
    p_ = format_rfc3339(p_, t);
    *p_++ = '"';
  }
  // An integer in at most 20 bytes (the bound counts its text's length).
  void member_int(std::string_view k, int64_t v) {
    key(k);
    p_ = std::to_chars(p_, p_ + 20, v).ptr;
  }
  void done() {
    // A bound too small is a bug in the caller's arithmetic: stop before
    // the output is trusted.
    if (p_ > end_) overran();
    buf_.resize(static_cast<size_t>(p_ - buf_.data()));
  }

 private:
  [[noreturn]] static void overran();

  std::string& buf_;
  char* p_;
  char* end_;
  bool first_;
};

// Where a format's writer puts scalar members, so one writer serves both
// ways: BuilderMembers escapes what needs it; CursorMembers writes through
// a MemberCursor when every value is known plain. The bound a MemberCursor
// needs: keys + 8 a member, a value's length (an integer's or a null's
// text is no longer than its input plus that), ts 48.
class BuilderMembers {
 public:
  static constexpr bool kPlainValues = false;
  explicit BuilderMembers(JsonBuilder& out) : out_(out) {}
  void null(std::string_view key) { member_null(out_, key); }
  void string(std::string_view key, std::string_view v) { member_string(out_, key, v); }
  void plain(std::string_view key, std::string_view v) { member_plain(out_, key, v); }
  void raw(std::string_view key, std::string_view json) { member_raw(out_, key, json); }
  void integer(std::string_view key, std::string_view text, int64_t v) { member_int(out_, key, text, v); }
  void ts(TimeNs t) { write_ts(out_, t); }

 private:
  JsonBuilder& out_;
};

class CursorMembers {
 public:
  // Values are plain, so hold no backslash: nothing to decode.
  static constexpr bool kPlainValues = true;
  explicit CursorMembers(MemberCursor& cur) : cur_(cur) {}
  void null(std::string_view key) { cur_.member_text(key, "null"); }
  void string(std::string_view key, std::string_view v) { cur_.member_plain(key, v); }
  void plain(std::string_view key, std::string_view v) { cur_.member_plain(key, v); }
  void raw(std::string_view key, std::string_view json) { cur_.member_text(key, json); }
  // text: an integer parse_int64 read as v.
  void integer(std::string_view key, std::string_view text, int64_t v) {
    if (is_canonical_int(text)) cur_.member_text(key, text);
    else cur_.member_int(key, v);
  }
  void ts(TimeNs t) { cur_.member_ts(t); }

 private:
  MemberCursor& cur_;
};

// Remembers the last time text and its RFC 3339 rendering: consecutive log
// lines mostly share their second.
struct TimeCache {
  std::string text;
  std::string ts;  // rendered, without quotes
  int year = 0;
  bool valid = false;
};

// "what at column N" (1-based column = byte offset + 1).
void set_reason(std::string& reason, std::string_view what, size_t offset);

}  // namespace olly::parse::detail
