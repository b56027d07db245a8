#include "parse/json_format.h"

#include <cstring>

namespace olly::parse {

bool JsonFormat::parse(std::string_view line, EventWriter& out, std::string& reason) {
  size_t b = 0, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  std::string_view text = line.substr(b, e - b);
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2 + 64);
  if (!text.empty()) std::memcpy(padded_.data(), text.data(), text.size());
  // The DOM parser validates the whole document (On-Demand would not).
  simdjson::dom::element root;
  auto error = parser_.parse(padded_.data(), text.size(), false).get(root);
  if (error) {
    reason = std::string("invalid JSON: ") + simdjson::error_message(error);
    return false;
  }
  if (text.find('\n') == std::string_view::npos) {
    out.begin().raw(text);
  } else {
    // A valid document holds no raw line break inside a string: each one,
    // with the blanks around it, is layout and can go.
    compact_.clear();
    size_t start = 0;
    while (start <= text.size()) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view piece = text.substr(start, nl - start);
      size_t b = 0, e = piece.size();
      if (start > 0) while (b < e && (piece[b] == ' ' || piece[b] == '\t')) ++b;
      while (e > b && (piece[e - 1] == ' ' || piece[e - 1] == '\t' || piece[e - 1] == '\r')) --e;
      compact_.append(piece.substr(b, e - b));
      start = nl + 1;
    }
    out.begin().raw(compact_);
  }
  out.end();
  return true;
}

}  // namespace olly::parse
