#include "schema/schema_infer.h"

#include <cmath>

#include "schema/jsonschema.h"
#include "core/writer.h"

namespace olly {
namespace detail {

enum FormatBit : uint8_t {
  kFmtDateTime = 1,
  kFmtDate = 2,
  kFmtIpv4 = 4,
  kFmtIpv6 = 8,
  kFmtUuid = 16,
  kFmtEmail = 32,
  kFmtAll = 63,
};

uint8_t formats_of(std::string_view s) {
  uint8_t f = 0;
  if (is_format_date_time(s)) f |= kFmtDateTime;
  if (is_format_date(s)) f |= kFmtDate;
  if (is_format_ipv4(s)) f |= kFmtIpv4;
  if (is_format_ipv6(s)) f |= kFmtIpv6;
  if (is_format_uuid(s)) f |= kFmtUuid;
  if (is_format_email(s)) f |= kFmtEmail;
  return f;
}

struct FieldStats {
  uint64_t present = 0;  // values seen (times the field was present)
  uint64_t nulls = 0, booleans = 0, integers = 0, numbers = 0, strings = 0, objects = 0, arrays = 0;
  // numbers: exact bounds as written (integers kept apart so 64-bit values survive)
  bool has_range = false;
  long double min = 0, max = 0;
  std::string min_text, max_text;
  // strings
  std::map<std::string, uint64_t> values;
  bool too_many_values = false;
  uint8_t formats = kFmtAll;
  // objects: properties in first-seen order
  std::vector<std::pair<std::string, std::unique_ptr<FieldStats>>> properties;
  std::map<std::string, size_t, std::less<>> index;
  // arrays
  std::unique_ptr<FieldStats> items;

  FieldStats& property(std::string_view name) {
    auto it = index.find(name);
    if (it != index.end()) return *properties[it->second].second;
    index.emplace(std::string(name), properties.size());
    properties.emplace_back(std::string(name), std::make_unique<FieldStats>());
    return *properties.back().second;
  }
};

namespace {

void observe(FieldStats& f, simdjson::dom::element e, const InferOptions& opts) {
  using simdjson::dom::element_type;
  ++f.present;
  switch (e.type()) {
    case element_type::NULL_VALUE: ++f.nulls; break;
    case element_type::BOOL: ++f.booleans; break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      long double v;
      bool integral;
      if (e.type() == element_type::DOUBLE) {
        double d = double(e);
        v = d;
        integral = std::isfinite(d) && std::floor(d) == d;
      } else {
        v = e.type() == element_type::INT64 ? static_cast<long double>(int64_t(e)) : uint64_t(e);
        integral = true;
      }
      ++(integral ? f.integers : f.numbers);
      if (!f.has_range || v < f.min) {
        f.min = v;
        f.min_text = simdjson::minify(e);
      }
      if (!f.has_range || v > f.max) {
        f.max = v;
        f.max_text = simdjson::minify(e);
      }
      f.has_range = true;
      break;
    }
    case element_type::STRING: {
      ++f.strings;
      std::string_view s = e;
      if (!f.too_many_values) {
        auto it = f.values.find(std::string(s));
        if (it != f.values.end()) {
          ++it->second;
        } else if (f.values.size() >= opts.max_enum) {
          f.too_many_values = true;
          f.values.clear();
        } else {
          f.values.emplace(std::string(s), 1);
        }
      }
      if (opts.formats && f.formats) f.formats &= formats_of(s);
      break;
    }
    case element_type::ARRAY: {
      ++f.arrays;
      if (!f.items) f.items = std::make_unique<FieldStats>();
      for (auto item : simdjson::dom::array(e)) observe(*f.items, item, opts);
      break;
    }
    case element_type::OBJECT: {
      ++f.objects;
      for (auto field : simdjson::dom::object(e)) observe(f.property(field.key), field.value, opts);
      break;
    }
  }
}

void write_schema(JsonBuilder& b, const FieldStats& f, const InferOptions& opts) {
  b.begin_object();
  std::vector<std::string_view> types;
  if (f.objects) types.push_back("object");
  if (f.arrays) types.push_back("array");
  if (f.strings) types.push_back("string");
  if (f.numbers) types.push_back("number");
  else if (f.integers) types.push_back("integer");
  if (f.booleans) types.push_back("boolean");
  if (f.nulls) types.push_back("null");
  if (types.size() == 1) {
    b.field("type", types[0]);
  } else if (!types.empty()) {
    b.key("type");
    b.begin_array();
    for (auto t : types) b.string(t);
    b.end_array();
  }
  if (f.strings) {
    // an enum lists strings only: on a field that also held numbers, booleans, objects or arrays it
    // would reject them, so the contract would reject its own sample
    bool only_strings = !f.objects && !f.arrays && !f.numbers && !f.integers && !f.booleans;
    bool as_enum = only_strings && !f.too_many_values && !f.values.empty() &&
                   f.strings >= opts.enum_repeat * f.values.size();
    if (as_enum) {
      b.key("enum");
      b.begin_array();
      for (auto& [value, count] : f.values) b.string(value);
      if (f.nulls) b.null();
      b.end_array();
    } else if (opts.formats && f.formats) {
      static constexpr std::pair<uint8_t, std::string_view> kOrder[] = {
          {kFmtDateTime, "date-time"}, {kFmtDate, "date"}, {kFmtUuid, "uuid"},
          {kFmtIpv4, "ipv4"}, {kFmtIpv6, "ipv6"}, {kFmtEmail, "email"}};
      for (auto& [bit, name] : kOrder)
        if (f.formats & bit) {
          b.field("format", name);
          break;
        }
    }
  }
  if (opts.ranges && f.has_range) {
    b.field_raw("minimum", f.min_text);
    b.field_raw("maximum", f.max_text);
  }
  if (f.objects && !f.properties.empty()) {
    b.key("properties");
    b.begin_object();
    for (auto& [name, stats] : f.properties) {
      b.key(name);
      write_schema(b, *stats, opts);
    }
    b.end_object();
    std::vector<std::string_view> required;
    for (auto& [name, stats] : f.properties)
      if (stats->present == f.objects) required.push_back(name);
    if (!required.empty()) {
      b.key("required");
      b.begin_array();
      for (auto r : required) b.string(r);
      b.end_array();
    }
  }
  if (f.objects && opts.closed) b.field_bool("additionalProperties", false);
  if (f.arrays && f.items && f.items->present) {
    b.key("items");
    write_schema(b, *f.items, opts);
  }
  b.end_object();
}

}  // namespace
}  // namespace detail

SchemaInferrer::SchemaInferrer(InferOptions opts)
    : opts_(std::move(opts)), root_(std::make_unique<detail::FieldStats>()) {}
SchemaInferrer::~SchemaInferrer() = default;

void SchemaInferrer::add(simdjson::dom::element event) {
  ++events_;
  detail::observe(*root_, event, opts_);
}

std::string SchemaInferrer::contract() const {
  std::string compact;
  JsonBuilder b(compact);
  // The root's keys come first so the file reads top-down.
  std::string body;
  JsonBuilder inner(body);
  detail::write_schema(inner, *root_, opts_);
  b.begin_object();
  b.field("$schema", "https://json-schema.org/draft/2020-12/schema");
  if (!opts_.title.empty()) b.field("title", opts_.title);
  b.end_object();
  // splice: {"$schema":...} + the root schema's members
  compact.pop_back();
  if (body.size() > 2) {
    compact += ',';
    compact.append(body, 1, std::string::npos);
  } else {
    compact += '}';
  }
  return pretty_json(compact);
}

std::string pretty_json(std::string_view s) {
  std::string out;
  int depth = 0;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(depth) * 2, ' ');
  };
  // an array holding no object or array is written on one line
  auto flat_array_at = [&](size_t i) {
    bool in_string = false;
    for (size_t j = i + 1; j < s.size(); ++j) {
      char c = s[j];
      if (in_string) {
        if (c == '\\') ++j;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        return false;
      } else if (c == ']') {
        return true;
      }
    }
    return true;
  };
  bool in_string = false;
  int flat = 0;  // > 0 while inside a one-line array
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      out += c;
      if (c == '\\') out += s[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; out += c; break;
      case '{':
      case '[':
        out += c;
        if (c == '[' && flat_array_at(i)) {
          ++flat;
          break;
        }
        if (i + 1 < s.size() && (s[i + 1] == '}' || s[i + 1] == ']')) break;
        ++depth;
        newline();
        break;
      case '}':
      case ']':
        if (flat && c == ']') {
          --flat;
          out += c;
          break;
        }
        if (s[i - 1] != '{' && s[i - 1] != '[') {
          --depth;
          newline();
        }
        out += c;
        break;
      case ',':
        out += c;
        if (flat) out += ' ';
        else newline();
        break;
      case ':': out += ": "; break;
      default: out += c;
    }
  }
  out += '\n';
  return out;
}

}  // namespace olly
