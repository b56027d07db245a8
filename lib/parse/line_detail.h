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

// "what at column N" (1-based column = byte offset + 1).
void set_reason(std::string& reason, std::string_view what, size_t offset);

}  // namespace olly::parse::detail
