#include "parse/json_format.h"

#include <cstring>

namespace olly::parse {

bool JsonFormat::parse(std::string_view line, EventWriter& out, std::string& reason) {
  size_t b = 0, e = line.size();
  while (b < e && (line[b] == ' ' || line[b] == '\t' || line[b] == '\r')) ++b;
  while (e > b && (line[e - 1] == ' ' || line[e - 1] == '\t' || line[e - 1] == '\r')) --e;
  std::string_view text = line.substr(b, e - b);
  if (padded_.size() < text.size()) padded_ = simdjson::padded_string(text.size() * 2 + 64);
  std::memcpy(padded_.data(), text.data(), text.size());
  // The DOM parser validates the whole document (On-Demand would not).
  simdjson::dom::element root;
  auto error = parser_.parse(padded_.data(), text.size(), false).get(root);
  if (error) {
    reason = std::string("invalid JSON: ") + simdjson::error_message(error);
    return false;
  }
  out.begin().raw(text);
  out.end();
  return true;
}

}  // namespace olly::parse
