#include "expr/json_value.h"

#include <fmt/format.h>

#include <charconv>

#include "core/writer.h"

namespace olly {

namespace ondemand = simdjson::ondemand;

std::string_view trim_json_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

simdjson::error_code read_value(ondemand::value& v, ondemand::json_type type, Value& out) {
  switch (type) {
    case ondemand::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      out = Value::string(s);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::number: {
      ondemand::number_type nt;
      if (auto e = v.get_number_type().get(nt)) return e;
      if (nt == ondemand::number_type::signed_integer) {
        int64_t i;
        if (auto e = v.get_int64().get(i)) return e;
        out = Value::integer(i);
      } else if (uint64_t u; nt == ondemand::number_type::unsigned_integer && !v.get_uint64().get(u)) {
        out = Value::unsigned_integer(u);  // kept exact: 18446744073709551615 stays itself
      } else {
        // A double, or an integer beyond uint64 (reported as unsigned too): the nearest double.
        double d;
        if (auto e = v.get_double().get(d)) return e;
        out = Value::number(d);
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) return e;
      out = Value::boolean(b);
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::null: {
      bool is_null;
      if (auto e = v.is_null().get(is_null)) return e;
      if (!is_null) return simdjson::INCORRECT_TYPE;
      out = Value::null();
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array arr;
      std::string_view raw;
      if (auto e = v.get_array().get(arr)) return e;
      if (auto e = arr.raw_json().get(raw)) return e;
      out = Value::array_json(trim_json_space(raw));
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::object: {
      ondemand::object obj;
      std::string_view raw;
      if (auto e = v.get_object().get(obj)) return e;
      if (auto e = obj.raw_json().get(raw)) return e;
      out = Value::object_json(trim_json_space(raw));
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

Value value_from_dom(simdjson::dom::element el) {
  using simdjson::dom::element_type;
  switch (el.type()) {
    case element_type::NULL_VALUE: return Value::null();
    case element_type::BOOL: return Value::boolean(el.get_bool().value_unsafe());
    case element_type::INT64: return Value::integer(el.get_int64().value_unsafe());
    case element_type::UINT64: return Value::unsigned_integer(el.get_uint64().value_unsafe());
    case element_type::DOUBLE: return Value::number(el.get_double().value_unsafe());
    case element_type::STRING: return Value::string(el.get_string().value_unsafe());
    case element_type::ARRAY: {
      // Containers inside a DOM have no raw text; keep a minified copy alive
      // for this thread until the next call.
      thread_local std::string text;
      text = simdjson::minify(el);
      return Value::array_json(text);
    }
    case element_type::OBJECT: {
      thread_local std::string text;
      text = simdjson::minify(el);
      return Value::object_json(text);
    }
  }
  return Value::null();
}

simdjson::error_code copy_raw_value(ondemand::value& v, std::string& out) {
  ondemand::json_type type;
  if (auto e = v.type().get(type)) return e;
  std::string_view raw;
  if (type == ondemand::json_type::object) {
    ondemand::object obj;
    if (auto e = v.get_object().get(obj)) return e;
    if (auto e = obj.raw_json().get(raw)) return e;
  } else if (type == ondemand::json_type::array) {
    ondemand::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    if (auto e = arr.raw_json().get(raw)) return e;
  } else {
    raw = v.raw_json_token();
    if (type == ondemand::json_type::number) {
      double d;
      if (auto e = v.get_double().get(d)) return e;
    } else if (type == ondemand::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
    } else if (type == ondemand::json_type::boolean) {
      bool b;
      if (auto e = v.get_bool().get(b)) return e;
    } else {
      bool is_null;
      if (auto e = v.is_null().get(is_null)) return e;
      if (!is_null) return simdjson::N_ATOM_ERROR;
    }
  }
  out.append(trim_json_space(raw));
  return simdjson::SUCCESS;
}

namespace {

bool hex4(std::string_view s, size_t at, uint32_t& out) {
  if (at + 4 > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + 4, out, 16);
  return ec == std::errc() && p == s.data() + at + 4;
}
}  // namespace

bool unescape_json_string(std::string_view body, std::string& out) {
  out.clear();
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= body.size()) return false;
    switch (body[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!hex4(body, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (i + 2 < body.size() && body[i + 1] == '\\' && body[i + 2] == 'u' && hex4(body, i + 3, lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        append_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

void append_value_json(std::string& out, const Value& v) {
  switch (v.kind) {
    case Kind::missing:
    case Kind::null: out.append("null"); break;
    case Kind::boolean: out.append(v.b ? "true" : "false"); break;
    case Kind::integer: fmt::format_to(std::back_inserter(out), "{}", v.i); break;
    case Kind::number:
      if (v.u64) {
        fmt::format_to(std::back_inserter(out), "{}", v.u());
      } else {
        append_json_number(out, v.d);
      }
      break;
    case Kind::string: append_json_string(out, v.s); break;
    case Kind::array:
    case Kind::object: out.append(v.s); break;
  }
}

}  // namespace olly
