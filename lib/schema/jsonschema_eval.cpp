// JSON Schema 2020-12 full evaluator: walks a simdjson DOM element over the
// compiled tree (jsonschema_compile.cpp) and reports every violation with its
// instance and schema locations.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>

#include "core/writer.h"
#include "schema/jsonschema.h"
#include "schema/jsonschema_internal.h"

namespace olly {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace detail {
namespace {

// What in-place applicators evaluated, for unevaluatedProperties/Items.
struct Annotations {
  bool all_properties = false;
  std::vector<std::string_view> properties;
  bool all_items = false;
  size_t prefix_items = 0;
  std::vector<size_t> contained;

  void merge(const Annotations& o) {
    all_properties |= o.all_properties;
    properties.insert(properties.end(), o.properties.begin(), o.properties.end());
    all_items |= o.all_items;
    prefix_items = std::max(prefix_items, o.prefix_items);
    contained.insert(contained.end(), o.contained.begin(), o.contained.end());
  }
  bool has_property(std::string_view k) const {
    return all_properties || std::find(properties.begin(), properties.end(), k) != properties.end();
  }
  bool has_item(size_t i) const {
    return all_items || i < prefix_items || std::find(contained.begin(), contained.end(), i) != contained.end();
  }
};

const char* type_name(element e) {
  switch (e.type()) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
    default: return is_integer_value(e) ? "integer" : "number";
  }
}

std::string type_list(uint8_t types) {
  static constexpr std::pair<uint8_t, std::string_view> kNames[] = {
      {kTypeNull, "null"}, {kTypeBoolean, "boolean"}, {kTypeObject, "object"}, {kTypeArray, "array"},
      {kTypeNumber, "number"}, {kTypeString, "string"}, {kTypeInteger, "integer"}};
  std::string out;
  for (auto& [bit, name] : kNames) {
    if (!(types & bit)) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

bool type_matches(uint8_t types, element e) {
  switch (e.type()) {
    case element_type::ARRAY: return types & kTypeArray;
    case element_type::OBJECT: return types & kTypeObject;
    case element_type::STRING: return types & kTypeString;
    case element_type::BOOL: return types & kTypeBoolean;
    case element_type::NULL_VALUE: return types & kTypeNull;
    default:
      if (types & kTypeNumber) return true;
      return (types & kTypeInteger) && is_integer_value(e);
  }
}

std::string number_text(long double v) { return fmt::format("{}", static_cast<double>(v)); }

class Evaluator {
 public:
  Evaluator(const SchemaImpl& s, std::vector<SchemaViolation>* out, size_t max_errors, size_t value_limit)
      : s_(s), out_(out), max_errors_(max_errors), value_limit_(value_limit) {}

  bool eval(const SchemaNode& n, element inst, Annotations* ann) {
    // Recursive schemas over deeply nested instances must end in a violation,
    // not a stack overflow.
    struct DepthGuard {
      int& depth;
      explicit DepthGuard(int& d) : depth(d) { ++depth; }
      ~DepthGuard() { --depth; }
    } guard(depth_);
    if (aborted_) return false;
    if (depth_ > kMaxEvalDepth) {
      // no verdict rather than a made-up one: the caller reports the event as undecided
      abort(fmt::format("nested deeper than {} schema levels: too deep to evaluate", kMaxEvalDepth));
      return false;
    }
    if (++steps_ > s_.options.max_steps) {
      abort(fmt::format("schema too expensive to evaluate (more than {} steps for this event)",
                        s_.options.max_steps));
      return false;
    }
    if (n.boolean >= 0) {
      if (n.boolean) return true;
      report(n, n.keyword.empty() ? "false" : n.keyword, inst, false_message(n.keyword));
      return false;
    }
    bool pushed = false;
    if (s_.uses_dynamic_ref && (scope_.empty() || scope_.back() != n.resource)) {
      scope_.push_back(n.resource);
      pushed = true;
    }
    // unevaluated* see only what this schema and its in-place subschemas evaluated
    Annotations local;
    Annotations* use = ann;
    if (n.unevaluated_properties || n.unevaluated_items) use = &local;
    bool ok = eval_object_schema(n, inst, use);
    if (ok && ann && use == &local) ann->merge(local);
    if (pushed) scope_.pop_back();
    return ok;
  }

 private:
  bool stopping() const { return aborted_ || out_ == nullptr || out_->size() >= max_errors_; }

 public:
  bool aborted_ = false;
  std::string abort_reason_;

 private:
  void abort(std::string reason) {
    if (aborted_) return;
    aborted_ = true;
    abort_reason_ = std::move(reason);
  }

  // A $ref (or $dynamicRef) entered again for the same instance location
  // before the first visit ended would recurse forever (each visit re-enters
  // it): the event gets no verdict. The instance depth identifies the
  // location, since along one chain of calls it only grows.
  bool eval_ref(const SchemaNode& from, const SchemaNode& target, element inst, Annotations* ann) {
    size_t where = path_.size();
    for (auto& [node, at] : active_refs_)
      if (node == &target && at == where) {
        abort(fmt::format("$ref cycle at {}: the schema refers to itself without looking into the value",
                          from.location));
        return false;
      }
    active_refs_.emplace_back(&target, where);
    bool ok = eval(target, inst, ann);
    active_refs_.pop_back();
    return ok;
  }

  static std::string false_message(std::string_view keyword) {
    if (keyword == "additionalProperties") return "property is not allowed";
    if (keyword == "unevaluatedProperties") return "property is not allowed (not evaluated by any keyword)";
    if (keyword == "items") return "item is not allowed";
    if (keyword == "unevaluatedItems") return "item is not allowed (not evaluated by any keyword)";
    if (keyword == "properties" || keyword == "patternProperties") return "property is not allowed";
    return "no value is allowed here (false schema)";
  }

  void report(const SchemaNode& n, std::string_view keyword, element inst, std::string message) {
    if (!out_ || out_->size() >= max_errors_) return;
    auto& v = out_->emplace_back();
    for (auto& seg : path_) {
      v.instance_location += '/';
      if (seg.is_key) v.instance_location += escape_pointer_token(seg.key);
      else v.instance_location += std::to_string(seg.index);
    }
    v.schema_location = n.location;
    if (n.boolean < 0) {
      v.schema_location += '/';
      v.schema_location += keyword;
    }
    v.keyword = keyword;
    v.message = std::move(message);
    if (n.owner) v.owner = *n.owner;
    std::string json = simdjson::minify(inst);
    if (json.size() > value_limit_) {
      size_t cut = value_limit_;
      while (cut > 0 && (static_cast<unsigned char>(json[cut]) & 0xC0) == 0x80) --cut;
      v.value.clear();
      append_json_string(v.value, json.substr(0, cut) + "...");
      v.value_truncated = true;
    } else {
      v.value = std::move(json);
    }
  }

  struct Segment {
    bool is_key;
    std::string_view key;
    size_t index;
  };
  struct PathGuard {
    std::vector<Segment>& path;
    PathGuard(std::vector<Segment>& p, std::string_view key) : path(p) { path.push_back({true, key, 0}); }
    PathGuard(std::vector<Segment>& p, size_t index) : path(p) { path.push_back({false, {}, index}); }
    ~PathGuard() { path.pop_back(); }
  };
  // Evaluates a subschema for its verdict only (anyOf branches, not, if, contains).
  bool quietly(const SchemaNode& n, element inst, Annotations* ann) {
    auto* saved = out_;
    out_ = nullptr;
    bool ok = eval(n, inst, ann);
    out_ = saved;
    return ok;
  }

#define OLLY_FAIL(...)              \
  do {                              \
    report(__VA_ARGS__);            \
    ok = false;                     \
    if (stopping()) return false;   \
  } while (0)
#define OLLY_SUB(expr)              \
  do {                              \
    if (!(expr)) {                  \
      ok = false;                   \
      if (stopping()) return false; \
    }                               \
  } while (0)

  bool eval_object_schema(const SchemaNode& n, element inst, Annotations* ann) {
    bool ok = true;
    if (n.has_type && !type_matches(n.types, inst))
      OLLY_FAIL(n, "type", inst, fmt::format("expected {}, got {}", type_list(n.types), type_name(inst)));
    if (n.has_const && !json_equal(n.const_value, inst))
      OLLY_FAIL(n, "const", inst, fmt::format("must be {}", simdjson::minify(n.const_value)));
    if (n.has_enum) {
      bool found = false;
      for (auto& e : n.enum_values)
        if (json_equal(e, inst)) {
          found = true;
          break;
        }
      if (!found) OLLY_FAIL(n, "enum", inst, "not one of the allowed values");
    }
    switch (inst.type()) {
      case element_type::INT64:
      case element_type::UINT64:
      case element_type::DOUBLE: ok = eval_number(n, inst) && ok; break;
      case element_type::STRING: ok = eval_string(n, inst) && ok; break;
      case element_type::ARRAY: ok = eval_array(n, inst, ann) && ok; break;
      case element_type::OBJECT: ok = eval_object(n, inst, ann) && ok; break;
      default: break;
    }
    if (!ok && stopping()) return false;
    if (n.ref) OLLY_SUB(eval_ref(n, *n.ref, inst, ann));
    if (n.dynamic_ref) OLLY_SUB(eval_ref(n, *resolve_dynamic(n), inst, ann));
    for (SchemaNode* sub : n.all_of) OLLY_SUB(eval(*sub, inst, ann));
    if (!n.any_of.empty()) {
      bool any = false;
      for (SchemaNode* sub : n.any_of) {
        Annotations branch;
        if (quietly(*sub, inst, ann ? &branch : nullptr)) {
          any = true;
          if (!ann) break;
          ann->merge(branch);
        }
      }
      if (!any) {
        report(n, "anyOf", inst, "matches none of the anyOf schemas; the closest one says:");
        explain_closest(n.any_of, inst);
        ok = false;
        if (stopping()) return false;
      }
    }
    if (!n.one_of.empty()) {
      size_t matches = 0;
      Annotations chosen;
      std::string which;
      for (size_t i = 0; i < n.one_of.size(); ++i) {
        Annotations branch;
        if (quietly(*n.one_of[i], inst, ann ? &branch : nullptr)) {
          ++matches;
          if (!which.empty()) which += ", ";
          which += std::to_string(i);
          if (matches == 1 && ann) chosen = std::move(branch);
        }
      }
      if (matches == 1 && ann) ann->merge(chosen);
      if (matches == 0) {
        report(n, "oneOf", inst, "matches none of the oneOf schemas; the closest one says:");
        explain_closest(n.one_of, inst);
        ok = false;
        if (stopping()) return false;
      }
      if (matches > 1) OLLY_FAIL(n, "oneOf", inst, fmt::format("matches more than one oneOf schema ({})", which));
    }
    if (n.not_schema && quietly(*n.not_schema, inst, nullptr))
      OLLY_FAIL(n, "not", inst, "matches the schema under 'not'");
    if (n.if_schema) {
      Annotations cond;
      bool holds = quietly(*n.if_schema, inst, ann ? &cond : nullptr);
      if (holds) {
        if (ann) ann->merge(cond);
        if (n.then_schema) OLLY_SUB(eval(*n.then_schema, inst, ann));
      } else if (n.else_schema) {
        OLLY_SUB(eval(*n.else_schema, inst, ann));
      }
    }
    if (!n.dependent_schemas.empty() && inst.type() == element_type::OBJECT) {
      simdjson::dom::object obj = inst;
      for (auto& [name, sub] : n.dependent_schemas) {
        element ignored;
        if (obj.at_key(name).get(ignored) == simdjson::SUCCESS) OLLY_SUB(eval(*sub, inst, ann));
      }
    }
    // unevaluated* come last: they see what every other keyword evaluated
    if (n.unevaluated_properties && inst.type() == element_type::OBJECT) {
      for (auto field : simdjson::dom::object(inst)) {
        if (ann->has_property(field.key)) continue;
        PathGuard g(path_, field.key);
        OLLY_SUB(eval(*n.unevaluated_properties, field.value, nullptr));
      }
      ann->all_properties = true;
    }
    if (n.unevaluated_items && inst.type() == element_type::ARRAY) {
      size_t i = 0;
      for (auto item : simdjson::dom::array(inst)) {
        if (!ann->has_item(i)) {
          PathGuard g(path_, i);
          OLLY_SUB(eval(*n.unevaluated_items, item, nullptr));
        }
        ++i;
      }
      ann->all_items = true;
    }
    return ok;
  }

  // After an anyOf/oneOf failure: the violations of the branch with the fewest.
  void explain_closest(const std::vector<SchemaNode*>& branches, element inst) {
    if (!out_ || out_->size() >= max_errors_) return;
    auto* saved = out_;
    size_t saved_max = max_errors_;
    std::vector<SchemaViolation> best;
    bool have = false;
    max_errors_ = SIZE_MAX;
    for (SchemaNode* branch : branches) {
      std::vector<SchemaViolation> mine;
      out_ = &mine;
      eval(*branch, inst, nullptr);
      if (!have || mine.size() < best.size()) {
        best = std::move(mine);
        have = true;
      }
    }
    out_ = saved;
    max_errors_ = saved_max;
    for (auto& v : best) {
      if (out_->size() >= max_errors_) break;
      out_->push_back(std::move(v));
    }
  }

  const SchemaNode* resolve_dynamic(const SchemaNode& n) {
    const SchemaNode* target = n.dynamic_ref;
    if (n.dynamic_ref_name.empty() || target->dynamic_anchor != n.dynamic_ref_name) return target;
    for (const SchemaResource* r : scope_) {
      auto it = r->dynamic_anchors.find(n.dynamic_ref_name);
      if (it != r->dynamic_anchors.end()) return it->second;
    }
    return target;
  }

  bool eval_number(const SchemaNode& n, element inst) {
    bool ok = true;
    long double v = number_value(inst);
    if (n.minimum && v < *n.minimum)
      OLLY_FAIL(n, "minimum", inst, fmt::format("must be >= {}", number_text(*n.minimum)));
    if (n.maximum && v > *n.maximum)
      OLLY_FAIL(n, "maximum", inst, fmt::format("must be <= {}", number_text(*n.maximum)));
    if (n.exclusive_minimum && v <= *n.exclusive_minimum)
      OLLY_FAIL(n, "exclusiveMinimum", inst, fmt::format("must be > {}", number_text(*n.exclusive_minimum)));
    if (n.exclusive_maximum && v >= *n.exclusive_maximum)
      OLLY_FAIL(n, "exclusiveMaximum", inst, fmt::format("must be < {}", number_text(*n.exclusive_maximum)));
    if (n.has_multiple_of && !is_multiple_of(n.multiple_of_decimal, n.multiple_of, inst))
      OLLY_FAIL(n, "multipleOf", inst, fmt::format("must be a multiple of {}", n.multiple_of));
    return ok;
  }

  bool eval_string(const SchemaNode& n, element inst) {
    bool ok = true;
    std::string_view s = inst;
    if (n.min_length || n.max_length) {
      size_t len = utf8_length(s);
      if (n.min_length && len < *n.min_length)
        OLLY_FAIL(n, "minLength", inst, fmt::format("must be at least {} characters long", *n.min_length));
      if (n.max_length && len > *n.max_length)
        OLLY_FAIL(n, "maxLength", inst, fmt::format("must be at most {} characters long", *n.max_length));
    }
    if (n.pattern && !n.pattern->match(s))
      OLLY_FAIL(n, "pattern", inst, fmt::format("does not match pattern '{}'", n.pattern->source));
    if (n.format != SchemaFormat::kNone && !check_format_text(n.format, s))
      OLLY_FAIL(n, "format", inst, fmt::format("is not a valid {}", n.format_name));
    return ok;
  }

  bool eval_array(const SchemaNode& n, element inst, Annotations* ann) {
    bool ok = true;
    simdjson::dom::array arr = inst;
    size_t len = arr.size();
    if (n.min_items && len < *n.min_items)
      OLLY_FAIL(n, "minItems", inst, fmt::format("must have at least {} items", *n.min_items));
    if (n.max_items && len > *n.max_items)
      OLLY_FAIL(n, "maxItems", inst, fmt::format("must have at most {} items", *n.max_items));
    if (n.unique_items && len > 1) {
      std::vector<element> items(arr.begin(), arr.end());
      bool dup = false;
      for (size_t i = 0; i < items.size() && !dup; ++i)
        for (size_t j = i + 1; j < items.size() && !dup; ++j) {
          if (json_equal(items[i], items[j])) {
            dup = true;
            OLLY_FAIL(n, "uniqueItems", inst, fmt::format("items {} and {} are equal", i, j));
          }
        }
    }
    if (!n.prefix_items.empty() || n.items || n.contains) {
      size_t i = 0;
      size_t contained = 0;
      for (auto item : arr) {
        PathGuard g(path_, i);
        if (i < n.prefix_items.size()) {
          OLLY_SUB(eval(*n.prefix_items[i], item, nullptr));
        } else if (n.items) {
          OLLY_SUB(eval(*n.items, item, nullptr));
        }
        if (n.contains && quietly(*n.contains, item, nullptr)) {
          ++contained;
          if (ann) ann->contained.push_back(i);
        }
        ++i;
      }
      if (ann) {
        ann->prefix_items = std::max(ann->prefix_items, std::min(len, n.prefix_items.size()));
        if (n.items) ann->all_items = true;
      }
      if (n.contains) {
        uint64_t min = n.min_contains.value_or(1);
        if (contained < min)
          OLLY_FAIL(n, n.min_contains ? "minContains" : "contains", inst,
                    fmt::format("must contain at least {} matching item{} (found {})", min, min == 1 ? "" : "s",
                                contained));
        if (n.max_contains && contained > *n.max_contains)
          OLLY_FAIL(n, "maxContains", inst,
                    fmt::format("must contain at most {} matching items (found {})", *n.max_contains, contained));
      }
    }
    return ok;
  }

  bool eval_object(const SchemaNode& n, element inst, Annotations* ann) {
    bool ok = true;
    simdjson::dom::object obj = inst;
    if (n.min_properties || n.max_properties) {
      size_t count = obj.size();
      if (n.min_properties && count < *n.min_properties)
        OLLY_FAIL(n, "minProperties", inst, fmt::format("must have at least {} properties", *n.min_properties));
      if (n.max_properties && count > *n.max_properties)
        OLLY_FAIL(n, "maxProperties", inst, fmt::format("must have at most {} properties", *n.max_properties));
    }
    for (auto& name : n.required) {
      element ignored;
      if (obj.at_key(name).get(ignored) != simdjson::SUCCESS)
        OLLY_FAIL(n, "required", inst, fmt::format("missing required property '{}'", name));
    }
    for (auto& [name, needs] : n.dependent_required) {
      element ignored;
      if (obj.at_key(name).get(ignored) != simdjson::SUCCESS) continue;
      for (auto& other : needs)
        if (obj.at_key(other).get(ignored) != simdjson::SUCCESS)
          OLLY_FAIL(n, "dependentRequired", inst,
                    fmt::format("property '{}' requires property '{}'", name, other));
    }
    if (n.properties.empty() && n.pattern_properties.empty() && !n.additional_properties && !n.property_names)
      return ok;
    for (auto field : obj) {
      PathGuard g(path_, field.key);
      if (n.property_names && !check_property_name(n, field.key)) ok = false;
      if (!ok && stopping()) return false;
      bool matched = false;
      if (SchemaNode* sub = n.find_property(field.key)) {
        matched = true;
        OLLY_SUB(eval(*sub, field.value, nullptr));
      }
      for (auto& pp : n.pattern_properties) {
        if (!pp.re->match(field.key)) continue;
        matched = true;
        OLLY_SUB(eval(*pp.schema, field.value, nullptr));
      }
      if (!matched && n.additional_properties) {
        OLLY_SUB(eval(*n.additional_properties, field.value, nullptr));
        if (ann) ann->all_properties = true;
      }
      if (matched && ann) ann->properties.push_back(field.key);
    }
    return ok;
  }

  // propertyNames: the key is checked as a string instance of its own.
  bool check_property_name(const SchemaNode& n, std::string_view key) {
    std::string json;
    append_json_string(json, key);
    simdjson::dom::parser parser;
    element e;
    if (parser.parse(json).get(e) != simdjson::SUCCESS) return false;
    return eval(*n.property_names, e, nullptr);
  }

#undef OLLY_FAIL
#undef OLLY_SUB

  const SchemaImpl& s_;
  std::vector<SchemaViolation>* out_;
  size_t max_errors_;
  size_t value_limit_;
  std::vector<Segment> path_;
  std::vector<const SchemaResource*> scope_;
  std::vector<std::pair<const SchemaNode*, size_t>> active_refs_;
  uint64_t steps_ = 0;
  int depth_ = 0;
  // Schema levels: 4096 (a 1024-deep instance under a recursive schema takes
  // 2-3 per level), fewer when the stack is small. A level takes under 1 KiB
  // of stack in an optimised build; AddressSanitizer's frames are many times
  // larger (dev/test.sh gives its test run a larger stack).
#if defined(__SANITIZE_ADDRESS__)
  static constexpr rlim_t kStackPerLevel = 32 * 1024;
#else
  static constexpr rlim_t kStackPerLevel = 2048;
#endif
  const int kMaxEvalDepth = max_eval_depth();
  static int max_eval_depth() {
    static const int depth = [] {
      struct rlimit rl;
      if (getrlimit(RLIMIT_STACK, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 4096;
      return static_cast<int>(std::clamp<rlim_t>(rl.rlim_cur / kStackPerLevel, 64, 4096));
    }();
    return depth;
  }
};

}  // namespace
}  // namespace detail

bool JsonSchema::valid(element instance) const {
  detail::Evaluator ev(*impl_, nullptr, 0, 0);
  return ev.eval(*impl_->root, instance, nullptr) && !ev.aborted_;
}

bool JsonSchema::evaluate(element instance, std::vector<SchemaViolation>* out, std::string& undecided,
                          size_t max_errors, size_t value_limit) const {
  detail::Evaluator ev(*impl_, out, out ? max_errors : 0, value_limit);
  bool ok = ev.eval(*impl_->root, instance, nullptr);
  if (ev.aborted_) {
    undecided = ev.abort_reason_;
    if (out) out->clear();
    return false;
  }
  undecided.clear();
  return ok;
}

}  // namespace olly
