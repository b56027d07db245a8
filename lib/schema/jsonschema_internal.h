// The compiled validator tree, built by jsonschema_compile.cpp and read by
// jsonschema_eval.cpp (the full evaluator) and jsonschema_fast.cpp (the
// one-pass On-Demand evaluator), and the helpers these files share.
#pragma once
#include <re2/re2.h>
#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "schema/jsonschema.h"

namespace olly::detail {

enum TypeBit : uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeString = 32,
  kTypeInteger = 64,
};

enum class SchemaFormat : uint8_t { kNone, kDateTime, kDate, kTime, kEmail, kIpv4, kIpv6, kUuid, kUri };

// A number written in the schema as an exact decimal: mantissa * 10^exponent.
struct SchemaDecimal {
  unsigned __int128 mantissa = 0;
  int exponent = 0;
  bool negative = false;
};

struct SchemaNode;
struct SchemaResource;

// See jsonschema_pattern.cpp.
struct SimplePattern {
  std::array<uint64_t, 128> accepts{};  // per ASCII byte: the positions that take it
  uint64_t epsilon = 0;                 // positions that may be skipped (?, *)
  uint64_t star = 0;                    // positions that repeat (*, +)
  uint64_t accept_bit = 1;
  bool anchored_start = false, anchored_end = false;
  int closure_rounds = 0;
  bool match(std::string_view s) const;
  bool closure_step(uint64_t& active) const;
};
std::optional<SimplePattern> compile_simple_pattern(std::string_view ecma_pattern);

// A compiled `pattern` or patternProperties key: the simple matcher when it
// can, else RE2.
struct SchemaPattern {
  std::unique_ptr<RE2> re;
  std::optional<SimplePattern> simple;
  std::string source;
  bool match(std::string_view s) const {
    if (simple) return simple->match(s);
    return re->Match(s, 0, s.size(), RE2::UNANCHORED, nullptr, 0);
  }
};

struct SchemaPatternProperty {
  std::unique_ptr<SchemaPattern> re;
  SchemaNode* schema = nullptr;
};

struct SchemaNode {
  std::string location;   // "#/properties/a" (remote documents: "URI#/...")
  std::string keyword;    // the keyword this subschema sits under ("items"), for false-schema messages
  int8_t boolean = -1;    // -1: an object schema; 0: false; 1: true
  const SchemaResource* resource = nullptr;
  const std::string* owner = nullptr;  // nearest x-owner

  bool has_type = false;
  uint8_t types = 0;
  bool has_enum = false;
  std::vector<simdjson::dom::element> enum_values;
  bool has_const = false;
  simdjson::dom::element const_value;

  std::optional<long double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  bool has_multiple_of = false;
  double multiple_of = 0;
  SchemaDecimal multiple_of_decimal;

  std::optional<uint64_t> min_length, max_length;
  std::unique_ptr<SchemaPattern> pattern;
  SchemaFormat format = SchemaFormat::kNone;
  std::string format_name;

  std::vector<SchemaNode*> prefix_items;
  SchemaNode* items = nullptr;
  SchemaNode* contains = nullptr;
  std::optional<uint64_t> min_contains, max_contains, min_items, max_items;
  bool unique_items = false;
  SchemaNode* unevaluated_items = nullptr;

  std::vector<std::pair<std::string, SchemaNode*>> properties;
  std::vector<SchemaPatternProperty> pattern_properties;
  SchemaNode* additional_properties = nullptr;
  SchemaNode* property_names = nullptr;
  std::optional<uint64_t> min_properties, max_properties;
  std::vector<std::string> required;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, SchemaNode*>> dependent_schemas;
  SchemaNode* unevaluated_properties = nullptr;

  std::vector<SchemaNode*> all_of, any_of, one_of;
  SchemaNode* not_schema = nullptr;
  SchemaNode* if_schema = nullptr;
  SchemaNode* then_schema = nullptr;
  SchemaNode* else_schema = nullptr;
  SchemaNode* ref = nullptr;
  SchemaNode* dynamic_ref = nullptr;
  std::string dynamic_ref_name;  // the plain-name fragment of $dynamicRef, if any
  std::string dynamic_anchor;    // this schema's own $dynamicAnchor

  bool deprecated = false;

  SchemaNode* find_property(std::string_view key) const {
    for (auto& [name, schema] : properties)
      if (name == key) return schema;
    return nullptr;
  }
};

struct SchemaResource {
  std::string uri;
  std::map<std::string, std::pair<size_t, std::string>> dynamic_anchor_locations;  // name -> (doc, pointer)
  std::map<std::string, SchemaNode*> dynamic_anchors;                                    // compiled
};

struct SchemaDocument {
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::element root;
  std::string uri;
  std::string location_prefix;  // "" for the contract itself, the URI for others
};

// Fast-path tree: a view of the Nodes that only use one-pass keywords.
struct SchemaFastNode;

struct SchemaFastProperty {
  std::string name;
  const SchemaFastNode* schema = nullptr;  // from "properties"; null: only required
  int required_bit = -1;
};

struct SchemaFastNode {
  const SchemaNode* node = nullptr;  // numeric, string and size constraints are read from here
  int8_t boolean = -1;
  // enum/const over scalars only
  bool has_enum = false;
  std::vector<std::string> enum_strings;
  std::vector<long double> enum_numbers;
  bool enum_true = false, enum_false = false, enum_null = false;
  // objects
  std::vector<SchemaFastProperty> properties;
  // properties by key_bucket(key): index + 1 of the first, chained through next_in_bucket
  std::vector<uint16_t> buckets;
  std::vector<uint16_t> next_in_bucket;
  static size_t key_bucket(std::string_view key) {
    if (key.empty()) return 0;
    return (key.size() * 131 + static_cast<unsigned char>(key[0]) * 31 +
            static_cast<unsigned char>(key[key.size() - 1])) & 255;
  }
  const SchemaFastProperty* find(std::string_view key) const {
    for (uint16_t i = buckets[key_bucket(key)]; i != 0; i = next_in_bucket[i - 1]) {
      const auto& p = properties[i - 1];
      if (p.name.size() != key.size()) continue;
      size_t j = 0;
      while (j < key.size() && p.name[j] == key[j]) ++j;
      if (j == key.size()) return &p;
    }
    return nullptr;
  }
  std::vector<std::pair<const SchemaPattern*, const SchemaFastNode*>> pattern_properties;
  const SchemaFastNode* additional = nullptr;
  const SchemaFastNode* property_names = nullptr;
  int required_count = 0;
  bool needs_object_pass = false;
  // arrays
  std::vector<const SchemaFastNode*> prefix_items;
  const SchemaFastNode* items = nullptr;
};

struct SchemaImpl {
  SchemaOptions options;
  std::deque<SchemaDocument> documents;
  std::deque<SchemaNode> nodes;
  std::unordered_map<std::string, SchemaResource> resources;  // by absolute URI (no fragment)
  std::unordered_map<std::string, std::pair<size_t, std::string>> resource_roots;  // uri -> (doc, pointer)
  std::unordered_map<std::string, std::pair<size_t, std::string>> anchors;         // "uri#name" -> (doc, pointer)
  std::map<std::pair<size_t, std::string>, std::string> base_of;                  // (doc, pointer) -> base URI
  std::unordered_map<std::string, SchemaNode*> compiled;  // "doc\x01pointer" -> node
  std::deque<std::string> owners;
  std::vector<std::string> keywords_used;
  SchemaNode* root = nullptr;
  bool uses_dynamic_ref = false;
  bool uses_unevaluated = false;

  std::deque<SchemaFastNode> fast_nodes;
  const SchemaFastNode* fast_root = nullptr;
};

// Builds the fast-path tree when the schema allows one (jsonschema_fast.cpp).
void build_fast_path(SchemaImpl& impl);

// Numbers in DOM elements (the compiler, the evaluator, json_equal).
inline bool is_number_type(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE;
}

inline long double number_value(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::INT64: return static_cast<long double>(int64_t(e));
    case T::UINT64: return static_cast<long double>(uint64_t(e));
    default: return static_cast<long double>(double(e));
  }
}

inline bool is_integer_value(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  auto t = e.type();
  if (t == T::INT64 || t == T::UINT64) return true;
  if (t != T::DOUBLE) return false;
  double d = double(e);
  return std::isfinite(d) && std::floor(d) == d;
}

// URIs and JSON Pointers (jsonschema_uri.cpp).
std::string percent_decode(std::string_view s);
std::string escape_pointer_token(std::string_view token);
std::pair<std::string, std::string> split_fragment(const std::string& uri);  // {uri, fragment}

// ECMA-262 pattern -> RE2 syntax, or false with a reason (jsonschema_pattern.cpp).
bool ecma_to_re2(std::string_view p, std::string& out, std::string& error);

// Shared numeric helpers.
bool is_multiple_of(const SchemaDecimal& divisor, double divisor_value, simdjson::dom::element instance);
bool is_multiple_of_value(const SchemaDecimal& divisor, double divisor_value, int64_t i, uint64_t u, double d,
                          int kind);  // kind: 0 int64, 1 uint64, 2 double
SchemaDecimal decimal_of(double v);
size_t utf8_length(std::string_view s);
bool check_format_text(SchemaFormat f, std::string_view s);

}  // namespace olly::detail
