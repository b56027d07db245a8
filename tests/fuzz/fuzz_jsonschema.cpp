// JSON Schema (lib/schema): the input is a schema and instances, split at
// the first NUL (else half way); the instances part is NDJSON (a part that
// is no JSON at all is one string instance). The schema is compiled (a
// UsageError is a fine answer) and every instance validated.
//
// Invariants: valid(), validate() and evaluate() give one verdict (validate
// lists violations exactly when invalid); the fast path (jsonschema_fast.cpp),
// where the schema has one and it decides, agrees with the full evaluator.
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "fuzz_common.h"
#include "schema/jsonschema.h"

using namespace olly;

namespace {

void check_instance(const JsonSchema& schema, std::string_view text) {
  static simdjson::dom::parser dom;
  static simdjson::ondemand::parser ondemand;
  simdjson::dom::element el;
  if (dom.parse(text.data(), text.size(), true).get(el)) return;
  std::string undecided;
  std::vector<SchemaViolation> violations;
  const bool full = schema.evaluate(el, &violations, undecided);
  if (!undecided.empty()) {
    FUZZ_CHECK(!full, "an undecided instance counted as valid", text);
    return;  // valid() and validate() would walk to the same limit again
  }
  FUZZ_CHECK(schema.valid(el) == full, "valid() != evaluate()", text);
  std::vector<SchemaViolation> listed;
  FUZZ_CHECK(schema.validate(el, listed) == full, "validate() != evaluate()", text);
  FUZZ_CHECK(full == listed.empty(), "violations listed for a valid instance (or none for an invalid one)", text);
  if (!schema.has_fast_path()) return;
  simdjson::padded_string padded(text);
  simdjson::ondemand::document doc;
  if (ondemand.iterate(padded).get(doc)) return;
  bool fast = false;
  if (schema.fast_valid(doc, fast)) return;  // the fast path could not decide
  FUZZ_CHECK(fast == full, fast ? "fast path accepts what the full evaluator rejects"
                                : "fast path rejects what the full evaluator accepts",
             text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t cut = input.find('\0');
  std::string_view schema_text, instances;
  if (cut == std::string_view::npos) {
    schema_text = input.substr(0, size / 2);
    instances = input.substr(size / 2);
  } else {
    schema_text = input.substr(0, cut);
    instances = input.substr(cut + 1);
  }
  SchemaOptions opts;
  opts.format_assertion = (size & 1) != 0;
  opts.max_steps = 100'000;  // the limit's logic without its 10 million steps (seconds under ASan)
  std::optional<JsonSchema> schema;
  try {
    schema.emplace(schema_text, opts);
  } catch (const UsageError&) {
    return 0;
  }
  size_t start = 0, lines = 0;
  while (start <= instances.size() && lines++ < 64) {
    size_t nl = instances.find('\n', start);
    if (nl == std::string_view::npos) nl = instances.size();
    check_instance(*schema, instances.substr(start, nl - start));
    start = nl + 1;
  }
  for (const char* fixed : {"null", "0", "-1.5", "\"\"", "\"abc\"", "[]", "[1,\"a\",null]", "{}", "{\"a\":1}",
                            "true", "18446744073709551616", "1e308"}) {
    check_instance(*schema, fixed);
  }
  return 0;
}
