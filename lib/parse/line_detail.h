// Small helpers shared by the line-format parsers (logfmt, access logs,
// syslog, CSV). Internal to lib/parse.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "timeutil.h"
#include "writer.h"

namespace olly::parse::detail {

// For each key, the index of its first occurrence (group[i] == i for the
// first one). Quadratic for the usual handful of keys, hashed past that so a
// hostile line with 100k keys stays linear.
void group_keys(const std::vector<std::string_view>& keys, std::vector<uint32_t>& group);

// Whole-string parses: no leading '+', no spaces.
bool parse_int64(std::string_view s, int64_t& v);
// True when s is a JSON number (-?int frac? exp?), so it can be written raw.
bool is_json_number(std::string_view s);

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
inline void append_string(std::string& buf, std::string_view s) {
  if (is_plain_ascii(s)) {
    buf.push_back('"');
    buf.append(s);
    buf.push_back('"');
  } else {
    append_json_string(buf, s);
  }
}
inline std::string& member(JsonBuilder& out, std::string_view key) {
  out.raw(std::string_view());
  std::string& buf = out.out();
  append_string(buf, key);
  buf.push_back(':');
  return buf;
}
inline void member_string(JsonBuilder& out, std::string_view key, std::string_view v) {
  append_string(member(out, key), v);
}
inline void member_raw(JsonBuilder& out, std::string_view key, std::string_view json) {
  member(out, key).append(json);
}
inline void member_null(JsonBuilder& out, std::string_view key) { member(out, key).append("null"); }
// An integer already validated by parse_int64: its text when canonical.
void member_int(JsonBuilder& out, std::string_view key, std::string_view text, int64_t v);

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
