// Field paths: a.b.c, a[0], a["odd.key"], a['x'].
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

struct PathStep {
  std::string key;     // object member (when index < 0)
  int64_t index = -1;  // array element (>= 0)
  bool is_index() const { return index >= 0; }
};

struct Path {
  std::vector<PathStep> steps;
  std::string text;  // as written, for messages and output names
  bool operator==(const Path& o) const;
};

// Longest path accepted: simdjson reads documents at most 1024 levels deep,
// and the walks over a path recurse once per step.
inline constexpr size_t kMaxPathSteps = 1000;

// Parses a path; on error returns false with error holding a message
// and *error_column the 0-based column of the offending character.
bool parse_path(std::string_view text, Path& out, std::string& error, size_t* error_column = nullptr);
// Parses or throws UsageError("FLAG: ...").
Path parse_path_or_throw(std::string_view text, std::string_view flag);

}  // namespace olly
