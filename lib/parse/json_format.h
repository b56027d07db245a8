// olly-parse json: JSON documents (objects or arrays), one per line, several
// on a line, or pretty-printed over many lines (framed as otlp's are). Each is
// validated and written again on one line: surrounding blanks trimmed, a
// multi-line document's line breaks and indentation dropped, bytes otherwise
// unchanged. With --time-field, the EventWriter rewrites that field to RFC
// 3339 UTC and keeps the original next to it.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>

#include "parse/driver.h"

namespace olly::parse {

class JsonFormat : public Format {
 public:
  Framing framing() const override { return Framing::json_documents; }
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override;

 private:
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
  std::string compact_;
};

}  // namespace olly::parse
