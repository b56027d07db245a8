// JSON Schema 2020-12 compiler: schema text -> the validator tree of
// jsonschema_internal.h ($id, anchors and $ref resolved, patterns compiled).
// The evaluators are jsonschema_eval.cpp (full) and jsonschema_fast.cpp.
#include <fmt/format.h>

#include <algorithm>

#include "core/diag.h"
#include "schema/jsonschema.h"
#include "schema/jsonschema_internal.h"

namespace olly {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace detail {
namespace {

constexpr std::string_view kDefaultBase = "https://olly.invalid/contract.json";

// Keywords that only annotate (accepted, not asserting).
bool is_annotation_keyword(std::string_view k) {
  static constexpr std::string_view kNames[] = {
      "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
      "$comment", "$schema", "$vocabulary", "$id", "$anchor", "$dynamicAnchor", "$defs",
      "definitions", "contentMediaType", "contentEncoding", "contentSchema"};
  for (auto n : kNames)
    if (k == n) return true;
  return k.substr(0, 2) == "x-";
}

// Keywords whose value holds subschemas, for indexing $id and anchors.
enum class Holds { kNone, kSchema, kMap, kArray };
Holds holds(std::string_view k) {
  static constexpr std::string_view kSingle[] = {
      "additionalProperties", "propertyNames", "items", "contains", "unevaluatedItems",
      "unevaluatedProperties", "not", "if", "then", "else", "contentSchema"};
  static constexpr std::string_view kMaps[] = {"properties", "patternProperties", "$defs", "definitions",
                                               "dependentSchemas"};
  static constexpr std::string_view kArrays[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
  for (auto n : kSingle)
    if (k == n) return Holds::kSchema;
  for (auto n : kMaps)
    if (k == n) return Holds::kMap;
  for (auto n : kArrays)
    if (k == n) return Holds::kArray;
  return Holds::kNone;
}

class Compiler {
 public:
  Compiler(SchemaImpl& impl) : s_(impl) {}

  void compile_contract(std::string_view text) {
    size_t doc = add_document(std::string(text), std::string(kDefaultBase), "");
    s_.root = compile_at(doc, "");
    // $dynamicRef may land on any $dynamicAnchor in the dynamic scope: compile them all.
    if (s_.uses_dynamic_ref) {
      bool added = true;
      while (added) {
        added = false;
        for (auto& [uri, res] : s_.resources) {
          for (auto& [name, where] : res.dynamic_anchor_locations) {
            if (res.dynamic_anchors.count(name)) continue;
            res.dynamic_anchors[name] = compile_at(where.first, where.second);
            added = true;
          }
        }
      }
    }
    while (!pending_defs_.empty()) {
      auto [d, pointer] = pending_defs_.back();
      pending_defs_.pop_back();
      compile_at(d, pointer);
    }
    std::sort(s_.keywords_used.begin(), s_.keywords_used.end());
    s_.keywords_used.erase(std::unique(s_.keywords_used.begin(), s_.keywords_used.end()), s_.keywords_used.end());
  }

 private:
  [[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw UsageError(fmt::format("{}: {} at {}", s_.options.name, what, where));
  }

  size_t add_document(std::string text, std::string uri, std::string prefix) {
    auto& d = s_.documents.emplace_back();
    d.parser = std::make_unique<simdjson::dom::parser>();
    d.uri = uri;
    d.location_prefix = prefix;
    auto err = d.parser->parse(text).get(d.root);
    if (err) {
      throw UsageError(fmt::format("{}: {}is not valid JSON: {}", s_.options.name,
                                   prefix.empty() ? "" : prefix + " ", simdjson::error_message(err)));
    }
    size_t index = s_.documents.size() - 1;
    s_.resource_roots.emplace(uri, std::make_pair(index, std::string()));
    s_.resources[uri].uri = uri;
    index_schema(index, d.root, "", uri);
    return index;
  }

  // Records $id, $anchor and $dynamicAnchor of every subschema, and the base
  // URI in force at each schema location.
  void index_schema(size_t doc, element e, const std::string& pointer, std::string base) {
    if (e.type() != element_type::OBJECT) {
      s_.base_of[{doc, pointer}] = base;
      return;
    }
    simdjson::dom::object obj = e;
    std::string_view id;
    if (obj["$id"].get(id) == simdjson::SUCCESS) {
      base = split_fragment(resolve_uri(base, id)).first;
      s_.resource_roots.emplace(base, std::make_pair(doc, pointer));
      s_.resources[base].uri = base;
    }
    s_.base_of[{doc, pointer}] = base;
    std::string_view anchor;
    if (obj["$anchor"].get(anchor) == simdjson::SUCCESS)
      s_.anchors.emplace(base + "#" + std::string(anchor), std::make_pair(doc, pointer));
    if (obj["$dynamicAnchor"].get(anchor) == simdjson::SUCCESS) {
      s_.anchors.emplace(base + "#" + std::string(anchor), std::make_pair(doc, pointer));
      s_.resources[base].dynamic_anchor_locations.emplace(std::string(anchor), std::make_pair(doc, pointer));
    }
    for (auto field : obj) {
      std::string child = pointer + "/" + escape_pointer_token(field.key);
      switch (holds(field.key)) {
        case Holds::kSchema: index_schema(doc, field.value, child, base); break;
        case Holds::kMap:
          if (field.value.type() == element_type::OBJECT)
            for (auto sub : simdjson::dom::object(field.value))
              index_schema(doc, sub.value, child + "/" + escape_pointer_token(sub.key), base);
          break;
        case Holds::kArray:
          if (field.value.type() == element_type::ARRAY) {
            size_t i = 0;
            for (auto sub : simdjson::dom::array(field.value))
              index_schema(doc, sub, child + "/" + std::to_string(i++), base);
          }
          break;
        case Holds::kNone: break;
      }
    }
  }

  std::string base_for(size_t doc, std::string pointer) {
    while (true) {
      auto it = s_.base_of.find({doc, pointer});
      if (it != s_.base_of.end()) return it->second;
      if (pointer.empty()) return s_.documents[doc].uri;
      pointer.erase(pointer.rfind('/'));
    }
  }

  element navigate(size_t doc, const std::string& pointer, const std::string& where, const std::string& ref) {
    element root = s_.documents[doc].root;
    if (pointer.empty()) return root;
    element target;
    if (root.at_pointer(pointer).get(target) != simdjson::SUCCESS)
      fail(where, fmt::format("$ref '{}' points to nothing", ref));
    return target;
  }

  bool try_load(const std::string& uri) {
    if (!s_.options.load_remote) return false;
    if (s_.resource_roots.count(uri)) return true;
    auto text = s_.options.load_remote(uri);
    if (!text) return false;
    add_document(std::move(*text), uri, uri);
    return true;
  }

  SchemaNode* resolve_ref(std::string_view ref, const std::string& base, const std::string& where) {
    auto [uri, raw_fragment] = split_fragment(resolve_uri(base, ref));
    std::string fragment = percent_decode(raw_fragment);
    if (fragment.empty() || fragment[0] == '/') {
      auto it = s_.resource_roots.find(uri);
      if (it == s_.resource_roots.end() && try_load(uri)) it = s_.resource_roots.find(uri);
      if (it == s_.resource_roots.end())
        fail(where, fmt::format("$ref '{}' cannot be resolved (only references within the contract are)", ref));
      auto [doc, root_pointer] = it->second;
      std::string pointer = root_pointer + fragment;
      element target = navigate(doc, pointer, where, std::string(ref));
      return compile_element(doc, pointer, target);
    }
    std::string key = uri + "#" + fragment;
    auto it = s_.anchors.find(key);
    if (it == s_.anchors.end() && try_load(uri)) it = s_.anchors.find(key);
    if (it == s_.anchors.end()) fail(where, fmt::format("$ref '{}': no such anchor", ref));
    auto [doc, pointer] = it->second;
    return compile_at(doc, pointer);
  }

  SchemaNode* compile_at(size_t doc, const std::string& pointer) {
    return compile_element(doc, pointer, navigate(doc, pointer, pointer, pointer));
  }

  std::string location(size_t doc, const std::string& pointer) {
    return s_.documents[doc].location_prefix + "#" + pointer;
  }

  SchemaNode* compile_element(size_t doc, const std::string& pointer, element e, const std::string* owner = nullptr,
                        std::string_view keyword = {}) {
    std::string key = std::to_string(doc) + '\x01' + pointer;
    if (auto it = s_.compiled.find(key); it != s_.compiled.end()) return it->second;
    SchemaNode& n = s_.nodes.emplace_back();
    s_.compiled.emplace(key, &n);
    n.location = location(doc, pointer);
    n.keyword = keyword;
    n.owner = owner;
    std::string base = base_for(doc, pointer);
    auto& resource = s_.resources[base];
    if (resource.uri.empty()) resource.uri = base;
    n.resource = &resource;
    if (e.type() == element_type::BOOL) {
      n.boolean = bool(e) ? 1 : 0;
      return &n;
    }
    if (e.type() != element_type::OBJECT) fail(n.location, "a schema must be an object or a boolean");
    compile_object(n, doc, pointer, simdjson::dom::object(e), base);
    return &n;
  }

  uint64_t non_negative(element v, const std::string& where, std::string_view k) {
    if (!is_integer_value(v) || number_value(v) < 0)
      fail(where, fmt::format("'{}' must be a non-negative integer", k));
    return static_cast<uint64_t>(number_value(v));
  }

  long double number(element v, const std::string& where, std::string_view k) {
    if (!is_number_type(v.type())) fail(where, fmt::format("'{}' must be a number", k));
    return number_value(v);
  }

  void compile_object(SchemaNode& n, size_t doc, const std::string& pointer, simdjson::dom::object obj,
                      const std::string& base) {
    std::string_view owner_text;
    if (obj["x-owner"].get(owner_text) == simdjson::SUCCESS) n.owner = &s_.owners.emplace_back(owner_text);
    auto child = [&](std::string_view k, element v, std::string_view sub = {}, bool has_sub = false) {
      std::string p = pointer + "/" + escape_pointer_token(k);
      if (has_sub) p += "/" + escape_pointer_token(sub);
      return compile_element(doc, p, v, n.owner, k);
    };
    auto schema_array = [&](std::string_view k, element v, std::vector<SchemaNode*>& out) {
      if (v.type() != element_type::ARRAY || simdjson::dom::array(v).size() == 0)
        fail(n.location, fmt::format("'{}' must be a non-empty array of schemas", k));
      size_t i = 0;
      for (auto sub : simdjson::dom::array(v)) {
        std::string index = std::to_string(i++);
        out.push_back(child(k, sub, index, true));
      }
    };
    auto string_array = [&](std::string_view k, element v) {
      std::vector<std::string> out;
      if (v.type() != element_type::ARRAY) fail(n.location, fmt::format("'{}' must be an array of strings", k));
      for (auto sub : simdjson::dom::array(v)) {
        if (sub.type() != element_type::STRING) fail(n.location, fmt::format("'{}' must be an array of strings", k));
        out.emplace_back(std::string_view(sub));
      }
      return out;
    };
    auto where = [&](std::string_view k) { return n.location + "/" + escape_pointer_token(k); };

    for (auto field : obj) {
      std::string_view k = field.key;
      element v = field.value;
      s_.keywords_used.emplace_back(k);
      if (k == "type") {
        n.has_type = true;
        auto add = [&](element t) {
          std::string_view name;
          if (t.get(name) != simdjson::SUCCESS) fail(where(k), "'type' must be a string or an array of strings");
          if (name == "null") n.types |= kTypeNull;
          else if (name == "boolean") n.types |= kTypeBoolean;
          else if (name == "object") n.types |= kTypeObject;
          else if (name == "array") n.types |= kTypeArray;
          else if (name == "number") n.types |= kTypeNumber;
          else if (name == "string") n.types |= kTypeString;
          else if (name == "integer") n.types |= kTypeInteger;
          else fail(where(k), fmt::format("unknown type '{}'", name));
        };
        if (v.type() == element_type::ARRAY) {
          // an empty list would reject every value: a mistake, not a contract
          if (simdjson::dom::array(v).size() == 0) fail(where(k), "'type' must not be an empty array");
          for (auto t : simdjson::dom::array(v)) add(t);
        } else {
          add(v);
        }
      } else if (k == "enum") {
        if (v.type() != element_type::ARRAY) fail(where(k), "'enum' must be an array");
        n.has_enum = true;
        for (auto x : simdjson::dom::array(v)) n.enum_values.push_back(x);
      } else if (k == "const") {
        n.has_const = true;
        n.const_value = v;
      } else if (k == "minimum") {
        n.minimum = number(v, where(k), k);
      } else if (k == "maximum") {
        n.maximum = number(v, where(k), k);
      } else if (k == "exclusiveMinimum") {
        n.exclusive_minimum = number(v, where(k), k);
      } else if (k == "exclusiveMaximum") {
        n.exclusive_maximum = number(v, where(k), k);
      } else if (k == "multipleOf") {
        long double m = number(v, where(k), k);
        if (m <= 0) fail(where(k), "'multipleOf' must be greater than 0");
        n.has_multiple_of = true;
        n.multiple_of = static_cast<double>(m);
        if (v.type() == element_type::DOUBLE) {
          n.multiple_of_decimal = decimal_of(double(v));
        } else {
          n.multiple_of_decimal.mantissa = static_cast<unsigned __int128>(m);
        }
      } else if (k == "minLength") {
        n.min_length = non_negative(v, where(k), k);
      } else if (k == "maxLength") {
        n.max_length = non_negative(v, where(k), k);
      } else if (k == "pattern") {
        std::string_view src;
        if (v.get(src) != simdjson::SUCCESS) fail(where(k), "'pattern' must be a string");
        n.pattern = compile_pattern(src, where(k));
      } else if (k == "format") {
        std::string_view name;
        if (v.get(name) != simdjson::SUCCESS) fail(where(k), "'format' must be a string");
        n.format_name = name;
        if (s_.options.format_assertion) {
          if (name == "date-time") n.format = SchemaFormat::kDateTime;
          else if (name == "date") n.format = SchemaFormat::kDate;
          else if (name == "time") n.format = SchemaFormat::kTime;
          else if (name == "email") n.format = SchemaFormat::kEmail;
          else if (name == "ipv4") n.format = SchemaFormat::kIpv4;
          else if (name == "ipv6") n.format = SchemaFormat::kIpv6;
          else if (name == "uuid") n.format = SchemaFormat::kUuid;
          else if (name == "uri") n.format = SchemaFormat::kUri;
        }
      } else if (k == "prefixItems") {
        schema_array(k, v, n.prefix_items);
      } else if (k == "items") {
        n.items = child(k, v);
      } else if (k == "contains") {
        n.contains = child(k, v);
      } else if (k == "minContains") {
        n.min_contains = non_negative(v, where(k), k);
      } else if (k == "maxContains") {
        n.max_contains = non_negative(v, where(k), k);
      } else if (k == "minItems") {
        n.min_items = non_negative(v, where(k), k);
      } else if (k == "maxItems") {
        n.max_items = non_negative(v, where(k), k);
      } else if (k == "uniqueItems") {
        bool b;
        if (v.get(b) != simdjson::SUCCESS) fail(where(k), "'uniqueItems' must be a boolean");
        n.unique_items = b;
      } else if (k == "unevaluatedItems") {
        n.unevaluated_items = child(k, v);
        s_.uses_unevaluated = true;
      } else if (k == "properties" || k == "patternProperties" || k == "dependentSchemas") {
        if (v.type() != element_type::OBJECT) fail(where(k), fmt::format("'{}' must be an object of schemas", k));
        for (auto sub : simdjson::dom::object(v)) {
          SchemaNode* c = child(k, sub.value, sub.key, true);
          if (k == "properties") {
            n.properties.emplace_back(std::string(sub.key), c);
          } else if (k == "dependentSchemas") {
            n.dependent_schemas.emplace_back(std::string(sub.key), c);
          } else {
            auto& pp = n.pattern_properties.emplace_back();
            pp.re = compile_pattern(sub.key, where(k));
            pp.schema = c;
          }
        }
      } else if (k == "additionalProperties") {
        n.additional_properties = child(k, v);
      } else if (k == "propertyNames") {
        n.property_names = child(k, v);
      } else if (k == "minProperties") {
        n.min_properties = non_negative(v, where(k), k);
      } else if (k == "maxProperties") {
        n.max_properties = non_negative(v, where(k), k);
      } else if (k == "required") {
        n.required = string_array(k, v);
      } else if (k == "dependentRequired") {
        if (v.type() != element_type::OBJECT) fail(where(k), "'dependentRequired' must be an object");
        for (auto sub : simdjson::dom::object(v))
          n.dependent_required.emplace_back(std::string(sub.key), string_array(k, sub.value));
      } else if (k == "unevaluatedProperties") {
        n.unevaluated_properties = child(k, v);
        s_.uses_unevaluated = true;
      } else if (k == "allOf") {
        schema_array(k, v, n.all_of);
      } else if (k == "anyOf") {
        schema_array(k, v, n.any_of);
      } else if (k == "oneOf") {
        schema_array(k, v, n.one_of);
      } else if (k == "not") {
        n.not_schema = child(k, v);
      } else if (k == "if") {
        n.if_schema = child(k, v);
      } else if (k == "then") {
        n.then_schema = child(k, v);
      } else if (k == "else") {
        n.else_schema = child(k, v);
      } else if (k == "$ref") {
        std::string_view ref;
        if (v.get(ref) != simdjson::SUCCESS) fail(where(k), "'$ref' must be a string");
        n.ref = resolve_ref(ref, base, where(k));
      } else if (k == "$dynamicRef") {
        std::string_view ref;
        if (v.get(ref) != simdjson::SUCCESS) fail(where(k), "'$dynamicRef' must be a string");
        s_.uses_dynamic_ref = true;
        n.dynamic_ref = resolve_ref(ref, base, where(k));
        auto [uri, fragment] = split_fragment(resolve_uri(base, ref));
        if (!fragment.empty() && fragment[0] != '/') n.dynamic_ref_name = fragment;
      } else if (k == "$dynamicAnchor") {
        std::string_view name;
        if (v.get(name) == simdjson::SUCCESS) n.dynamic_anchor = name;
      } else if (k == "deprecated") {
        bool b = false;
        if (v.get(b) != simdjson::SUCCESS) fail(where(k), "'deprecated' must be a boolean");
        n.deprecated = b;
      } else if (k == "$defs" || k == "definitions") {
        if (v.type() != element_type::OBJECT) fail(where(k), fmt::format("'{}' must be an object of schemas", k));
        // compiled at the end even when nothing refers to them, so that their
        // errors (unsupported keywords, bad patterns) are reported too
        for (auto def : simdjson::dom::object(v))
          pending_defs_.emplace_back(doc, pointer + "/" + std::string(k) + "/" + escape_pointer_token(def.key));
      } else if (is_annotation_keyword(k)) {
        // annotation only
      } else {
        fail(where(k), fmt::format("unsupported keyword '{}'", k));
      }
    }
  }

  std::unique_ptr<SchemaPattern> compile_pattern(std::string_view source, const std::string& where) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_never_capture(true);
    auto p = std::make_unique<SchemaPattern>();
    p->source = source;
    std::string re2_source, error;
    if (!ecma_to_re2(source, re2_source, error)) fail(where, fmt::format("pattern '{}' is not supported: {}", source, error));
    p->re = std::make_unique<RE2>(re2_source, opts);
    if (!p->re->ok())
      fail(where, fmt::format("pattern '{}' is not supported (RE2: {})", source, p->re->error()));
    p->simple = compile_simple_pattern(source);
    return p;
  }

  SchemaImpl& s_;
  std::vector<std::pair<size_t, std::string>> pending_defs_;
};

}  // namespace
}  // namespace detail

JsonSchema::JsonSchema(std::string_view schema_json, SchemaOptions options)
    : impl_(std::make_unique<detail::SchemaImpl>()) {
  impl_->options = std::move(options);
  detail::Compiler(*impl_).compile_contract(schema_json);
  detail::build_fast_path(*impl_);
}

}  // namespace olly
