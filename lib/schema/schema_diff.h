// olly-schema diff: the changes between two contracts, each marked breaking
// or compatible for a consumer. A change is breaking when the new contract
// accepts events the old one rejected (a consumer written against OLD may
// receive something it does not expect): a field removed, a type widened, a
// field no longer required, an enum value added, a range widened, a pattern
// changed. Narrowing changes (newly required, enum value removed, range
// narrowed, type narrowed) are compatible.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace olly {

struct SchemaChange {
  std::string change;           // "field_removed", "type_widened", ...
  std::string path;             // field path in events ("error.type", "tags[]"); "" is the event
  std::string schema_location;  // JSON Pointer into NEW (into OLD for removals): "#/properties/error"
  bool breaking = false;
  std::string old_json, new_json;  // the old and new keyword values as JSON ("" when absent)
  std::string message;
};

// Throws UsageError when either text is not a JSON object or boolean.
std::vector<SchemaChange> diff_schemas(std::string_view old_json, std::string_view new_json,
                                       std::string_view old_name = "OLD", std::string_view new_name = "NEW");

}  // namespace olly
