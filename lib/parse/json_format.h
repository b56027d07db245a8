// olly-parse json: each line must be one complete JSON value; it is
// validated and written again (surrounding blanks trimmed, bytes otherwise
// unchanged). With --time-field, the EventWriter rewrites that field to
// RFC 3339 UTC and keeps the original next to it.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>

#include "parse/driver.h"

namespace olly::parse {

class JsonFormat : public Format {
 public:
  bool parse(std::string_view line, EventWriter& out, std::string& reason) override;

 private:
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
};

}  // namespace olly::parse
