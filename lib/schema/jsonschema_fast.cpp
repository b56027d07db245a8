// The one-pass On-Demand evaluator (see jsonschema.h). It covers the common
// event contract (types, scalar enums, ranges, lengths, patterns, formats,
// properties, required, additionalProperties, items) and answers valid or
// not; whether a schema qualifies is decided once, in build_fast_path.
#include <cmath>
#include <unordered_map>

#include "schema/jsonschema_internal.h"

namespace olly {
namespace detail {

bool check_format_text(SchemaFormat f, std::string_view s) {
  switch (f) {
    case SchemaFormat::kDateTime: return is_format_date_time(s);
    case SchemaFormat::kDate: return is_format_date(s);
    case SchemaFormat::kTime: return is_format_time(s);
    case SchemaFormat::kEmail: return is_format_email(s);
    case SchemaFormat::kIpv4: return is_format_ipv4(s);
    case SchemaFormat::kIpv6: return is_format_ipv6(s);
    case SchemaFormat::kUuid: return is_format_uuid(s);
    case SchemaFormat::kUri: return is_format_uri(s);
    case SchemaFormat::kNone: return true;
  }
  return true;
}

namespace {

using simdjson::error_code;
using simdjson::SUCCESS;
namespace od = simdjson::ondemand;

bool is_scalar(simdjson::dom::element e) {
  auto t = e.type();
  return t != simdjson::dom::element_type::ARRAY && t != simdjson::dom::element_type::OBJECT;
}

// Can this node be checked in one forward pass? (Keywords that look at a
// value twice, or need annotations, cannot.)
// A node holding only $ref (and annotations) is an alias of its target.
bool is_bare_ref(const SchemaNode& n) {
  return n.boolean < 0 && n.ref && !n.has_type && !n.has_enum && !n.has_const && !n.minimum && !n.maximum &&
         !n.exclusive_minimum && !n.exclusive_maximum && !n.has_multiple_of && !n.min_length && !n.max_length &&
         !n.pattern && n.format == SchemaFormat::kNone && n.prefix_items.empty() && !n.items && !n.min_items &&
         !n.max_items && n.properties.empty() && n.pattern_properties.empty() && !n.additional_properties &&
         !n.property_names && !n.min_properties && !n.max_properties && n.required.empty() &&
         n.dependent_required.empty() && !n.dynamic_ref && !n.contains && !n.unique_items &&
         !n.unevaluated_items && !n.unevaluated_properties && n.all_of.empty() && n.any_of.empty() &&
         n.one_of.empty() && !n.not_schema && !n.if_schema && n.dependent_schemas.empty();
}

// Can this node be checked in one forward pass? (Keywords that look at a
// value twice, or need annotations, cannot.)
bool node_qualifies(const SchemaNode& n) {
  if (n.boolean >= 0) return true;
  if (n.ref) return false;  // $ref beside other keywords would visit the value twice
  if (n.dynamic_ref || n.contains || n.unique_items || n.unevaluated_items || n.unevaluated_properties ||
      !n.all_of.empty() || !n.any_of.empty() || !n.one_of.empty() || n.not_schema || n.if_schema ||
      !n.dependent_schemas.empty() || !n.dependent_required.empty())
    return false;
  if (n.has_const && !is_scalar(n.const_value)) return false;
  for (auto& e : n.enum_values)
    if (!is_scalar(e)) return false;
  return true;
}

class Builder {
 public:
  explicit Builder(SchemaImpl& s) : s_(s) {}

  const SchemaFastNode* build(const SchemaNode* n) {
    // follow bare $ref aliases
    std::vector<const SchemaNode*> seen;
    while (is_bare_ref(*n)) {
      if (std::find(seen.begin(), seen.end(), n) != seen.end()) return nullptr;  // $ref cycle of aliases
      seen.push_back(n);
      n = n->ref;
    }
    if (auto it = done_.find(n); it != done_.end()) return it->second;
    if (!node_qualifies(*n)) return nullptr;
    SchemaFastNode& f = s_.fast_nodes.emplace_back();
    done_[n] = &f;
    f.node = n;
    f.boolean = n->boolean;
    if (n->boolean >= 0) return &f;
    auto add_enum = [&](simdjson::dom::element e) {
      switch (e.type()) {
        case simdjson::dom::element_type::STRING: f.enum_strings.emplace_back(std::string_view(e)); break;
        case simdjson::dom::element_type::BOOL: (bool(e) ? f.enum_true : f.enum_false) = true; break;
        case simdjson::dom::element_type::NULL_VALUE: f.enum_null = true; break;
        case simdjson::dom::element_type::INT64: f.enum_numbers.push_back(int64_t(e)); break;
        case simdjson::dom::element_type::UINT64: f.enum_numbers.push_back(uint64_t(e)); break;
        default: f.enum_numbers.push_back(double(e)); break;
      }
    };
    if (n->has_enum || n->has_const) {
      f.has_enum = true;
      if (n->has_const) {
        add_enum(n->const_value);
        // enum and const together: the const alone decides unless it is also in the enum
        if (n->has_enum) {
          bool in_enum = false;
          for (auto& e : n->enum_values) in_enum |= json_equal(e, n->const_value);
          if (!in_enum) {
            f.enum_strings.clear();
            f.enum_numbers.clear();
            f.enum_true = f.enum_false = f.enum_null = false;
          }
        }
      } else {
        for (auto& e : n->enum_values) add_enum(e);
      }
    }
    for (auto& [name, schema] : n->properties) {
      const SchemaFastNode* c = build(schema);
      if (!c) return fail(n);
      f.properties.push_back({name, c, -1});
    }
    for (auto& name : n->required) {
      auto it = std::find_if(f.properties.begin(), f.properties.end(), [&](auto& p) { return p.name == name; });
      if (it == f.properties.end()) {
        f.properties.push_back({name, nullptr, -1});
        it = f.properties.end() - 1;
      }
      if (it->required_bit < 0) it->required_bit = f.required_count++;
    }
    if (f.required_count > 64 || f.properties.size() > 60000) return fail(n);
    f.buckets.assign(256, 0);
    f.next_in_bucket.assign(f.properties.size(), 0);
    for (size_t i = f.properties.size(); i-- > 0;) {
      size_t b = SchemaFastNode::key_bucket(f.properties[i].name);
      f.next_in_bucket[i] = f.buckets[b];
      f.buckets[b] = static_cast<uint16_t>(i + 1);
    }
    for (auto& pp : n->pattern_properties) {
      const SchemaFastNode* c = build(pp.schema);
      if (!c) return fail(n);
      f.pattern_properties.emplace_back(pp.re.get(), c);
    }
    if (n->additional_properties && !(f.additional = build(n->additional_properties))) return fail(n);
    if (n->property_names && !(f.property_names = build(n->property_names))) return fail(n);
    f.needs_object_pass = !f.properties.empty() || !f.pattern_properties.empty() || f.additional ||
                          f.property_names || n->min_properties || n->max_properties;
    for (SchemaNode* item : n->prefix_items) {
      const SchemaFastNode* c = build(item);
      if (!c) return fail(n);
      f.prefix_items.push_back(c);
    }
    if (n->items && !(f.items = build(n->items))) return fail(n);
    return &f;
  }

 private:
  const SchemaFastNode* fail(const SchemaNode* n) {
    done_[n] = nullptr;
    failed_ = true;
    return nullptr;
  }

  SchemaImpl& s_;
  std::unordered_map<const SchemaNode*, const SchemaFastNode*> done_;

 public:
  bool failed_ = false;
};

// The checker: every function returns a simdjson error (malformed JSON) and
// sets ok_ to false at the first violation.
// A JSON string without escapes is its own text: read it in place (stage 1
// has validated its UTF-8) instead of copying it out. False when it has escapes.
inline bool unescaped_in_place(const char* raw, std::string_view& out) {
  const char* p = raw;
  while (*p != '"') {
    if (*p == '\\') return false;
    ++p;
  }
  out = std::string_view(raw, static_cast<size_t>(p - raw));
  return true;
}

inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Walks a value the schema does not look into, so that a document is only
// ever valid when it is well-formed JSON throughout: On-Demand skips unread
// values by bracket counting alone, and would let `tru` or `[1 2]` through.
// Scalars are parsed (numbers, literals, strings with escapes), containers
// iterated (which checks their commas and colons).
error_code walk_value(od::value v, int depth);

// A field's key with escapes decoded (a view into the input when it has none).
error_code decoded_key(od::field& field, std::string_view& key) {
  if (unescaped_in_place(field.key().raw(), key)) return SUCCESS;
  return field.unescaped_key().get(key);
}

// Every key (escapes decoded) and value of an object, each value walked at depth.
error_code walk_fields(od::object& obj, int depth) {
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key;
    if (auto e = decoded_key(field, key)) return e;
    if (auto e = walk_value(field.value(), depth)) return e;
  }
  return SUCCESS;
}

error_code walk_value(od::value v, int depth) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::object: {
      if (depth > 2048) return simdjson::DEPTH_ERROR;
      od::object obj;
      if (auto e = v.get_object().get(obj)) return e;
      return walk_fields(obj, depth + 1);
    }
    case od::json_type::array: {
      if (depth > 2048) return simdjson::DEPTH_ERROR;
      od::array arr;
      if (auto e = v.get_array().get(arr)) return e;
      for (auto item_result : arr) {
        od::value item;
        if (auto e = std::move(item_result).get(item)) return e;
        if (auto e = walk_value(item, depth + 1)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::string: {
      od::raw_json_string raw;
      if (auto e = v.get_raw_json_string().get(raw)) return e;
      std::string_view s;
      if (!unescaped_in_place(raw.raw(), s)) {
        if (auto e = v.get_string().get(s)) return e;
      }
      return SUCCESS;
    }
    case od::json_type::number: {
      od::number num;
      auto e = v.get_number().get(num);
      if (e == simdjson::NUMBER_ERROR) {
        // well-formed JSON, only beyond 64 bits: read it as a double
        double d;
        e = v.get_double().get(d);
      }
      return e;
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null;
      if (auto e = v.is_null().get(is_null)) return e;
      return is_null ? SUCCESS : simdjson::INCORRECT_TYPE;
    }
  }
  return simdjson::TAPE_ERROR;
}

class Checker {
  int depth_ = 0;
  static constexpr int kMaxFastDepth = 1100;  // instance levels (the parsers stop at 1024)

 public:
  error_code check(const SchemaFastNode& f, od::value v) {
    // As deep as the full evaluator goes (it reports the depth violation).
    struct DepthGuard {
      int& depth;
      explicit DepthGuard(int& d) : depth(d) { ++depth; }
      ~DepthGuard() { --depth; }
    } guard(depth_);
    if (depth_ > kMaxFastDepth) {
      ok_ = false;
      return SUCCESS;
    }
    if (f.boolean >= 0) {
      if (!f.boolean) {
        ok_ = false;
        return SUCCESS;
      }
      return walk_value(v, depth_);
    }
    const SchemaNode& n = *f.node;
    od::json_type t;
    if (auto e = v.type().get(t)) return e;
    switch (t) {
      case od::json_type::object: {
        if (n.has_type && !(n.types & kTypeObject)) return reject();
        if (f.has_enum) return reject();
        od::object obj;
        if (auto e = v.get_object().get(obj)) return e;
        return check_object(f, obj);
      }
      case od::json_type::array: {
        if (n.has_type && !(n.types & kTypeArray)) return reject();
        if (f.has_enum) return reject();
        od::array arr;
        if (auto e = v.get_array().get(arr)) return e;
        return check_array(f, arr);
      }
      case od::json_type::string: {
        if (n.has_type && !(n.types & kTypeString)) return reject();
        std::string_view s;
        od::raw_json_string raw;
        if (auto e = v.get_raw_json_string().get(raw)) return e;
        if (!unescaped_in_place(raw.raw(), s)) {
          if (auto e = v.get_string().get(s)) return e;
        }
        return check_string(f, s);
      }
      case od::json_type::number: {
        od::number num;
        if (auto e = v.get_number().get(num)) return e;
        return check_number(f, num);
      }
      case od::json_type::boolean: {
        if (n.has_type && !(n.types & kTypeBoolean)) return reject();
        bool b;
        if (auto e = v.get_bool().get(b)) return e;
        if (f.has_enum && !(b ? f.enum_true : f.enum_false)) return reject();
        return SUCCESS;
      }
      case od::json_type::null: {
        if (n.has_type && !(n.types & kTypeNull)) return reject();
        bool is_null;
        if (auto e = v.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::INCORRECT_TYPE;
        if (f.has_enum && !f.enum_null) return reject();
        return SUCCESS;
      }
    }
    return SUCCESS;
  }

  bool ok_ = true;

 private:
  error_code reject() {
    ok_ = false;
    return SUCCESS;
  }

  error_code check_string(const SchemaFastNode& f, std::string_view s) {
    const SchemaNode& n = *f.node;
    if (f.has_enum) {
      bool found = false;
      for (auto& e : f.enum_strings)
        if (same_text(e, s)) {
          found = true;
          break;
        }
      if (!found) return reject();
    }
    // code points lie between bytes/4 and bytes: count only when that range straddles a bound
    if (n.min_length && s.size() / 4 < *n.min_length) {
      if (s.size() < *n.min_length || utf8_length(s) < *n.min_length) return reject();
    }
    if (n.max_length && s.size() > *n.max_length && utf8_length(s) > *n.max_length) return reject();
    if (n.pattern && !n.pattern->match(s)) return reject();
    if (n.format != SchemaFormat::kNone && !check_format_text(n.format, s)) return reject();
    return SUCCESS;
  }

  error_code check_number(const SchemaFastNode& f, od::number& num) {
    const SchemaNode& n = *f.node;
    long double v;
    int kind;
    int64_t i = 0;
    uint64_t u = 0;
    double d = 0;
    switch (num.get_number_type()) {
      case od::number_type::signed_integer: i = num.get_int64(); v = i; kind = 0; break;
      case od::number_type::unsigned_integer: u = num.get_uint64(); v = u; kind = 1; break;
      default: d = num.get_double(); v = d; kind = 2; break;
    }
    if (n.has_type && !(n.types & kTypeNumber)) {
      bool integral = kind != 2 || (std::isfinite(d) && std::floor(d) == d);
      if (!(n.types & kTypeInteger) || !integral) return reject();
    }
    if (f.has_enum) {
      bool found = false;
      for (long double e : f.enum_numbers)
        if (e == v) {
          found = true;
          break;
        }
      if (!found) return reject();
    }
    if ((n.minimum && v < *n.minimum) || (n.maximum && v > *n.maximum) ||
        (n.exclusive_minimum && v <= *n.exclusive_minimum) || (n.exclusive_maximum && v >= *n.exclusive_maximum))
      return reject();
    if (n.has_multiple_of && !is_multiple_of_value(n.multiple_of_decimal, n.multiple_of, i, u, d, kind))
      return reject();
    return SUCCESS;
  }

  error_code check_object(const SchemaFastNode& f, od::object& obj) {
    const SchemaNode& n = *f.node;
    if (!f.needs_object_pass && f.required_count == 0) return walk_fields(obj, depth_);
    uint64_t seen = 0;
    uint64_t count = 0;
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return e;
      std::string_view key;
      if (auto e = decoded_key(field, key)) return e;
      ++count;
      if (f.property_names) {
        // propertyNames over a key: only string keywords apply
        const SchemaFastNode& pn = *f.property_names;
        if (pn.boolean == 0) return reject();
        if (pn.boolean < 0) {
          if (pn.node->has_type && !(pn.node->types & kTypeString)) return reject();
          if (auto e = check_string(pn, key)) return e;
          if (!ok_) return SUCCESS;
        }
      }
      bool matched = false;
      if (const SchemaFastProperty* p = f.find(key)) {
        if (p->required_bit >= 0) seen |= uint64_t{1} << p->required_bit;
        if (p->schema) {
          matched = true;
          if (auto e = check(*p->schema, field.value())) return e;
          if (!ok_) return SUCCESS;
        }
      }
      for (auto& [re, schema] : f.pattern_properties) {
        if (!re->match(key)) continue;
        if (matched) {
          // a value checked twice does not fit one pass; build_fast_path rules out overlap only
          // statically, so fall back to the full evaluator's verdict through an error
          return simdjson::UNSUPPORTED_ARCHITECTURE;
        }
        matched = true;
        if (auto e = check(*schema, field.value())) return e;
        if (!ok_) return SUCCESS;
      }
      if (!matched) {
        if (f.additional) {
          if (auto e = check(*f.additional, field.value())) return e;
          if (!ok_) return SUCCESS;
        } else {
          if (auto e = walk_value(field.value(), depth_)) return e;
        }
      }
    }
    if (f.required_count > 0) {
      uint64_t all = f.required_count == 64 ? ~uint64_t{0} : (uint64_t{1} << f.required_count) - 1;
      if (seen != all) return reject();
    }
    if ((n.min_properties && count < *n.min_properties) || (n.max_properties && count > *n.max_properties))
      return reject();
    return SUCCESS;
  }

  error_code check_array(const SchemaFastNode& f, od::array& arr) {
    const SchemaNode& n = *f.node;
    uint64_t count = 0;
    bool visit = !f.prefix_items.empty() || f.items;
    for (auto item_result : arr) {
      od::value item;
      if (auto e = std::move(item_result).get(item)) return e;
      if (visit) {
        const SchemaFastNode* schema = count < f.prefix_items.size() ? f.prefix_items[count] : f.items;
        if (schema) {
          if (auto e = check(*schema, item)) return e;
          if (!ok_) return SUCCESS;
        } else if (auto e = walk_value(item, depth_)) {
          return e;
        }
      } else if (auto e = walk_value(item, depth_)) {
        return e;
      }
      ++count;
    }
    if ((n.min_items && count < *n.min_items) || (n.max_items && count > *n.max_items)) return reject();
    return SUCCESS;
  }
};

}  // namespace

void build_fast_path(SchemaImpl& impl) {
  Builder b(impl);
  const SchemaFastNode* root = b.build(impl.root);
  impl.fast_root = b.failed_ ? nullptr : root;
  if (!impl.fast_root) impl.fast_nodes.clear();
}

}  // namespace detail

simdjson::error_code JsonSchema::fast_valid(simdjson::ondemand::value value, bool& valid) const {
  detail::Checker c;
  auto err = c.check(*impl_->fast_root, value);
  valid = c.ok_;
  return err;
}

simdjson::error_code JsonSchema::fast_valid(simdjson::ondemand::document& doc, bool& valid) const {
  // a scalar document is not a value in simdjson; objects and arrays are
  bool scalar;
  if (auto e = doc.is_scalar().get(scalar)) return e;
  if (!scalar) {
    simdjson::ondemand::value v;
    if (auto e = doc.get_value().get(v)) return e;
    if (auto e = fast_valid(v, valid)) return e;
    // a document is one value: anything after it ({"a":1}} or {"a":1} xyz) makes it malformed
    if (valid && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return simdjson::TRAILING_CONTENT;
    return simdjson::SUCCESS;
  }
  // scalar documents (rare for events): undecided here; the caller's DOM parse
  // of the whole line checks them, trailing content included
  valid = false;
  return simdjson::SCALAR_DOCUMENT_AS_VALUE;
}

}  // namespace olly
