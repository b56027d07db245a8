#include "expr/path.h"

#include <fmt/format.h>

#include "core/diag.h"

namespace olly {

bool Path::operator==(const Path& o) const {
  if (steps.size() != o.steps.size()) return false;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].index != o.steps[i].index || steps[i].key != o.steps[i].key) return false;
  }
  return true;
}

namespace {

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '$' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

bool parse_path(std::string_view text, Path& out, std::string& error, size_t* error_column) {
  out.steps.clear();
  out.text = std::string(text);
  size_t i = 0;
  auto fail = [&](size_t col, std::string msg) {
    error = std::move(msg);
    if (error_column) *error_column = col;
    return false;
  };
  if (text.empty()) return fail(0, "empty field path");
  bool expect_name = true;  // at start or after '.'
  while (i < text.size()) {
    if (out.steps.size() > kMaxPathSteps) {
      return fail(i, fmt::format("field path has more than {} steps", kMaxPathSteps));
    }
    char c = text[i];
    if (c == '[') {
      ++i;
      if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        char quote = text[i++];
        std::string key;
        while (i < text.size() && text[i] != quote) {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          key.push_back(text[i++]);
        }
        if (i >= text.size()) return fail(i, "unterminated quoted key in field path");
        ++i;
        if (i >= text.size() || text[i] != ']') return fail(i, "expected ']' in field path");
        ++i;
        out.steps.push_back({std::move(key), -1});
      } else {
        size_t start = i;
        int64_t index = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
          if (index > (INT64_MAX - 9) / 10) return fail(start, "array index too large");
          index = index * 10 + (text[i++] - '0');
        }
        if (i == start) return fail(i, "expected an array index or a quoted key after '['");
        if (i >= text.size() || text[i] != ']') return fail(i, "expected ']' in field path");
        ++i;
        out.steps.push_back({std::string(), index});
      }
      expect_name = false;
    } else if (c == '.') {
      if (expect_name) return fail(i, "unexpected '.' in field path");
      ++i;
      expect_name = true;
      if (i >= text.size()) return fail(i, "field path ends with '.'");
    } else if (is_ident_char(c)) {
      if (!expect_name) return fail(i, "expected '.' or '[' in field path");
      size_t start = i;
      while (i < text.size() && is_ident_char(text[i])) ++i;
      out.steps.push_back({std::string(text.substr(start, i - start)), -1});
      expect_name = false;
    } else {
      return fail(i, fmt::format("unexpected character '{}' in field path", c));
    }
  }
  if (out.steps.size() > kMaxPathSteps) {
    return fail(text.size(), fmt::format("field path has more than {} steps", kMaxPathSteps));
  }
  return true;
}

Path parse_path_or_throw(std::string_view text, std::string_view flag) {
  Path p;
  std::string error;
  size_t col = 0;
  if (!parse_path(text, p, error, &col)) {
    auto is_lead = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    size_t char_column = 1;
    for (size_t i = 0; i < col && i < text.size(); ++i) char_column += is_lead(text[i]);
    // A long path is shown as the part around the column.
    size_t from = 0, to = text.size();
    if (text.size() > 100) {
      from = col > 60 ? col - 60 : 0;
      to = std::min(text.size(), from + 100);
      while (from > 0 && !is_lead(text[from])) --from;
      while (to < text.size() && !is_lead(text[to])) ++to;
    }
    throw UsageError(fmt::format("{}: {} at column {}: '{}{}{}'", flag, error, char_column, from > 0 ? "..." : "",
                                 text.substr(from, to - from), to < text.size() ? "..." : ""));
  }
  return p;
}

}  // namespace olly
