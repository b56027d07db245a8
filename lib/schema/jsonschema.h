// JSON Schema (draft 2020-12) contracts: a schema is compiled once into a
// validator tree (refs, anchors and $defs resolved, patterns compiled to RE2)
// and then checked against many instances.
//
// Two evaluators share the tree. The full one walks a simdjson DOM element and
// reports every violation with its instance and schema locations. The fast one
// checks an On-Demand value in one forward pass and only answers valid or not;
// it exists when the schema allows a single pass (decided at compile time, see
// has_fast_path()), and callers re-run the full evaluator on the events it
// rejects to describe them.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace olly {

struct SchemaOptions {
  // `format` asserts (date-time, date, time, email, ipv4, ipv6, uuid, uri)
  // instead of being an annotation only.
  bool format_assertion = false;
  // Returns the JSON text of a schema document outside the contract, by its
  // absolute URI (no fragment), or nullopt. Unset: only refs within the
  // contract resolve; any other ref is a configuration error.
  std::function<std::optional<std::string>(const std::string& uri)> load_remote;
  // Where the contract came from, for messages ("contract.json").
  std::string name = "schema";
  // Evaluation steps an event may take before it is undecided (an
  // exponential schema); lowered by tests/fuzz/fuzz_jsonschema so that an
  // expensive case ends quickly under sanitizers.
  uint64_t max_steps = 10'000'000;
};

// One violation found by the full evaluator.
struct SchemaViolation {
  std::string instance_location;  // JSON Pointer into the instance ("" is the whole event)
  std::string schema_location;    // "#/properties/a/type" (remote documents: "URI#/...")
  std::string keyword;            // "type"
  std::string message;            // "expected integer, got string"
  std::string value;              // the offending value as compact JSON; when longer than
                                  // value_limit: a JSON string of its first bytes and "..."
  bool value_truncated = false;
  std::string owner;              // nearest enclosing "x-owner" annotation, if any
};

namespace detail {
struct SchemaImpl;
}

class JsonSchema {
 public:
  // Compiles the schema text. Throws olly::UsageError naming the problem and
  // its schema location: JSON syntax, unsupported keyword, a keyword with a
  // value of the wrong shape, a pattern RE2 cannot take, an unresolvable $ref.
  JsonSchema(std::string_view schema_json, SchemaOptions options = {});
  ~JsonSchema();
  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;

  // True when the instance is valid. Stops at the first violation.
  bool valid(simdjson::dom::element instance) const;

  // Appends violations (at most max_errors in total in out) and returns true
  // when the instance is valid.
  bool validate(simdjson::dom::element instance, std::vector<SchemaViolation>& out,
                size_t max_errors = SIZE_MAX, size_t value_limit = 200) const;

  // The verdict, or none: undecided is set (and false returned) when the
  // instance cannot be evaluated within the limits (nested deeper than the
  // evaluator goes, more than 10 million steps, a $ref cycle that does not
  // look into the value). out (optional) gets the violations as validate().
  // valid() and validate() answer false for such instances (validate() with
  // one violation of keyword "undecided").
  bool evaluate(simdjson::dom::element instance, std::vector<SchemaViolation>* out, std::string& undecided,
                size_t max_errors = SIZE_MAX, size_t value_limit = 200) const;

  // True when fast_valid can decide every instance (see the header comment).
  bool has_fast_path() const;

  // One forward pass over an On-Demand value. Sets valid; returns a simdjson
  // error when the value turned out not to be well-formed JSON or holds a
  // case the pass cannot decide (a key matched by two keywords): callers then
  // parse the event as a DOM and use validate(). Only callable when
  // has_fast_path().
  simdjson::error_code fast_valid(simdjson::ondemand::value value, bool& valid) const;
  // The same for a whole document (a scalar document is not a value in simdjson).
  simdjson::error_code fast_valid(simdjson::ondemand::document& doc, bool& valid) const;

  // Keywords that the compiled schema uses, for diagnostics and tests.
  const std::vector<std::string>& keywords_used() const;

 private:
  std::unique_ptr<detail::SchemaImpl> impl_;
};

// Format checks shared with olly-schema infer (exact RFC 3339 / RFC 5321 /
// RFC 4291 / RFC 4122 / RFC 3986 grammars; ASCII only).
bool is_format_date_time(std::string_view s);
bool is_format_date(std::string_view s);
bool is_format_time(std::string_view s);
bool is_format_email(std::string_view s);
bool is_format_ipv4(std::string_view s);
bool is_format_ipv6(std::string_view s);
bool is_format_uuid(std::string_view s);
bool is_format_uri(std::string_view s);

// JSON Schema equality (numbers by value, objects regardless of key order).
bool json_equal(simdjson::dom::element a, simdjson::dom::element b);

// Resolves reference `ref` against absolute URI `base` (RFC 3986 section 5).
std::string resolve_uri(std::string_view base, std::string_view ref);

}  // namespace olly
