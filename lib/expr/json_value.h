// Bridges between simdjson values and olly::Value, and Value back to JSON text.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>

#include "expr/value.h"

namespace olly {

// Reads an On-Demand value of a known type into out (strings point into the
// parser's buffer; arrays and objects become their raw JSON text).
[[nodiscard]] simdjson::error_code read_value(simdjson::ondemand::value& v, simdjson::ondemand::json_type type,
                                              Value& out);
// A DOM element as a Value (strings point into the DOM parser; containers
// keep their minified JSON text in scratch-free form only when small: see .cpp).
Value value_from_dom(simdjson::dom::element el);

// raw_json() text without the whitespace simdjson leaves after a container.
std::string_view trim_json_space(std::string_view s);

// Unescapes the body of a JSON string (without quotes). False when malformed.
bool unescape_json_string(std::string_view body, std::string& out);

// Appends a value's JSON text as it is in the document (containers whole,
// blanks after them dropped), checking each scalar reads, so a damaged token
// is caught even where nothing looks inside it.
[[nodiscard]] simdjson::error_code copy_raw_value(simdjson::ondemand::value& v, std::string& out);

// Appends v as JSON (missing becomes null).
void append_value_json(std::string& out, const Value& v);

}  // namespace olly
