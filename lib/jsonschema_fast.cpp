// The one-pass On-Demand evaluator (see jsonschema.h).
#include "jsonschema_internal.h"

namespace olly {
namespace detail {

struct FastNode {};

void build_fast_path(SchemaImpl&) {}

}  // namespace detail

simdjson::error_code JsonSchema::fast_valid(simdjson::ondemand::value, bool& valid) const {
  valid = false;
  return simdjson::UNSUPPORTED_ARCHITECTURE;
}

simdjson::error_code JsonSchema::fast_valid(simdjson::ondemand::document&, bool& valid) const {
  valid = false;
  return simdjson::UNSUPPORTED_ARCHITECTURE;
}

}  // namespace olly
