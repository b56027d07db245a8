// The string functions of the expression language (olly(7) "Functions"):
// each works on views and appends into a caller's reused buffer, so an
// evaluation allocates nothing once the buffers have grown.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 { class RE2; }

namespace olly {

// What extract() returns for a compiled pattern, decided once at compile time.
struct ExtractPlan {
  // With named groups: their indices and `"name":` keys (JSON-escaped), in
  // the order the pattern names them; extract() gives an object of them.
  std::vector<std::pair<int, std::string>> named;
  int group = 0;        // without named groups: 1 (the first group), or 0 (the whole match)
  int submatches = 1;   // how many submatches to ask RE2 for
};
ExtractPlan plan_extract(const re2::RE2& re);

enum class ExtractResult : uint8_t { no_match, string, object };
// Matches re anywhere in s. string: *text is the group's text, a view into s.
// object: out holds the JSON object of the named groups (an unmatched group
// is null). no_match also when the group did not take part in the match.
ExtractResult extract(const re2::RE2& re, const ExtractPlan& plan, std::string_view s, std::string_view* text,
                      std::string& out);

// Every non-overlapping match of re in s replaced by rewrite (\0..\9 name
// submatches), as RE2::GlobalReplace does. False when nothing matched (out
// is then untouched and s is the answer). rewrite must have passed
// re.CheckRewriteString.
bool replace_all(const re2::RE2& re, std::string_view s, std::string_view rewrite, std::string& out);

// A JSON array of the pieces of s between occurrences of sep; an empty sep
// splits into code points, an empty s gives [].
void split_json(std::string_view s, std::string_view sep, std::string& out);

// Code points [start, start+len) of s (len < 0: to the end); a negative start
// counts from the end; out-of-range bounds clamp. A byte that is not UTF-8
// counts as one code point, as len() counts.
std::string_view substr_code_points(std::string_view s, int64_t start, int64_t len);

// s without leading and trailing ASCII whitespace (space, \t, \n, \v, \f, \r).
std::string_view trim_space(std::string_view s);

// Percent-decoding with '+' as a space. A '%' not followed by two hex digits
// stays as it is. False when s has nothing to decode (s is the answer).
bool url_decode(std::string_view s, std::string& out);

}  // namespace olly
