// olly-schema infer: a JSON Schema (2020-12) contract learned from a sample
// of events: types per field (null, integer vs number), required fields
// (present in every event that has the parent object), enums for
// low-cardinality strings, numeric ranges seen, detected formats.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace olly {

struct InferOptions {
  size_t max_enum = 10;   // at most this many distinct strings become an enum...
  size_t enum_repeat = 2; // ...and only when each value was seen this many times on average
  bool formats = true;    // detect date-time, date, ipv4, ipv6, uuid, email
  bool ranges = true;     // write minimum/maximum seen
  bool closed = false;    // additionalProperties: false on every object
  std::string title;
};

namespace detail {
struct FieldStats;
}

class SchemaInferrer {
 public:
  explicit SchemaInferrer(InferOptions opts);
  ~SchemaInferrer();
  SchemaInferrer(const SchemaInferrer&) = delete;
  SchemaInferrer& operator=(const SchemaInferrer&) = delete;

  void add(simdjson::dom::element event);
  uint64_t events() const { return events_; }
  // The contract as indented JSON text (ends with a newline).
  std::string contract() const;

 private:
  InferOptions opts_;
  std::unique_ptr<detail::FieldStats> root_;
  uint64_t events_ = 0;
};

// Re-indents compact JSON text with two spaces (arrays of scalars stay on one line).
std::string pretty_json(std::string_view compact);

}  // namespace olly
