// JSON Schema 2020-12: the compiler (schema text -> validator tree) and the
// full evaluator over simdjson DOM elements. See jsonschema.h.
#include "schema/jsonschema.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/diag.h"
#include "schema/jsonschema_internal.h"
#include "core/writer.h"

namespace olly {

using simdjson::dom::element;
using simdjson::dom::element_type;

namespace detail {
namespace {

// ---------------------------------------------------------------- URIs

struct UriParts {
  std::string_view scheme, authority, path, query, fragment;
  bool has_scheme = false, has_authority = false, has_query = false, has_fragment = false;
};

UriParts parse_uri(std::string_view s) {
  UriParts u;
  size_t hash = s.find('#');
  if (hash != s.npos) {
    u.fragment = s.substr(hash + 1);
    u.has_fragment = true;
    s = s.substr(0, hash);
  }
  size_t q = s.find('?');
  if (q != s.npos) {
    u.query = s.substr(q + 1);
    u.has_query = true;
    s = s.substr(0, q);
  }
  size_t colon = s.find(':');
  if (colon != s.npos && colon > 0) {
    bool ok = std::isalpha(static_cast<unsigned char>(s[0]));
    for (size_t i = 1; i < colon && ok; ++i) {
      char c = s[i];
      ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    }
    if (ok) {
      u.scheme = s.substr(0, colon);
      u.has_scheme = true;
      s = s.substr(colon + 1);
    }
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    size_t slash = s.find('/');
    u.authority = s.substr(0, slash);
    u.has_authority = true;
    s = slash == s.npos ? std::string_view() : s.substr(slash);
  }
  u.path = s;
  return u;
}

std::string remove_dot_segments(std::string_view in) {
  std::string input(in), out;
  while (!input.empty()) {
    if (input.rfind("../", 0) == 0) {
      input.erase(0, 3);
    } else if (input.rfind("./", 0) == 0) {
      input.erase(0, 2);
    } else if (input.rfind("/./", 0) == 0) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.rfind("/../", 0) == 0 || input == "/..") {
      input = input == "/.." ? "/" : input.substr(3);
      size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      size_t start = input[0] == '/' ? 1 : 0;
      size_t next = input.find('/', start);
      out += input.substr(0, next);
      input.erase(0, next == std::string::npos ? input.size() : next);
    }
  }
  return out;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out.push_back(c);
  }
  return out;
}

std::pair<std::string, std::string> split_fragment(const std::string& uri) {
  size_t hash = uri.find('#');
  if (hash == std::string::npos) return {uri, ""};
  return {uri.substr(0, hash), uri.substr(hash + 1)};
}

}  // namespace
}  // namespace detail

std::string resolve_uri(std::string_view base, std::string_view ref) {
  using namespace detail;
  UriParts b = parse_uri(base), r = parse_uri(ref);
  std::string scheme, authority, path, query;
  bool has_authority = false, has_query = false;
  if (r.has_scheme) {
    scheme = r.scheme;
    has_authority = r.has_authority;
    authority = r.authority;
    path = remove_dot_segments(r.path);
    has_query = r.has_query;
    query = r.query;
  } else {
    scheme = b.scheme;
    if (r.has_authority) {
      has_authority = true;
      authority = r.authority;
      path = remove_dot_segments(r.path);
      has_query = r.has_query;
      query = r.query;
    } else {
      has_authority = b.has_authority;
      authority = b.authority;
      if (r.path.empty()) {
        path = b.path;
        has_query = r.has_query || b.has_query;
        query = r.has_query ? r.query : b.query;
      } else {
        if (r.path[0] == '/') {
          path = remove_dot_segments(r.path);
        } else {
          std::string merged;
          if (b.has_authority && b.path.empty()) {
            merged = "/" + std::string(r.path);
          } else {
            size_t slash = b.path.rfind('/');
            merged = slash == std::string_view::npos ? std::string(r.path)
                                                     : std::string(b.path.substr(0, slash + 1)) + std::string(r.path);
          }
          // URNs and other non-hierarchical bases keep their path as is
          path = merged.find('/') == std::string::npos ? merged : remove_dot_segments(merged);
        }
        has_query = r.has_query;
        query = r.query;
      }
    }
  }
  std::string out;
  if (!scheme.empty()) out += scheme + ":";
  if (has_authority) out += "//" + authority;
  out += path;
  if (has_query) out += "?" + query;
  if (r.has_fragment) out += "#" + std::string(r.fragment);
  return out;
}

// ---------------------------------------------------------------- equality and numbers

namespace {

bool is_number_type(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

long double number_value(element e) {
  switch (e.type()) {
    case element_type::INT64: return static_cast<long double>(int64_t(e));
    case element_type::UINT64: return static_cast<long double>(uint64_t(e));
    default: return static_cast<long double>(double(e));
  }
}

bool is_integer_value(element e) {
  auto t = e.type();
  if (t == element_type::INT64 || t == element_type::UINT64) return true;
  if (t != element_type::DOUBLE) return false;
  double d = double(e);
  return std::isfinite(d) && std::floor(d) == d;
}

}  // namespace

bool json_equal(element a, element b) {
  auto ta = a.type(), tb = b.type();
  if (is_number_type(ta) && is_number_type(tb)) return number_value(a) == number_value(b);
  if (ta != tb) return false;
  switch (ta) {
    case element_type::STRING: return std::string_view(a) == std::string_view(b);
    case element_type::BOOL: return bool(a) == bool(b);
    case element_type::NULL_VALUE: return true;
    case element_type::ARRAY: {
      simdjson::dom::array x = a, y = b;
      if (x.size() != y.size()) return false;
      auto i = x.begin(), j = y.begin();
      for (; i != x.end(); ++i, ++j)
        if (!json_equal(*i, *j)) return false;
      return true;
    }
    case element_type::OBJECT: {
      simdjson::dom::object x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto field : x) {
        element other;
        if (y.at_key(field.key).get(other) != simdjson::SUCCESS) return false;
        if (!json_equal(field.value, other)) return false;
      }
      return true;
    }
    default: return false;
  }
}

namespace detail {

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The shortest decimal that reads back as v, split into mantissa and exponent.
SchemaDecimal decimal_of(double v) {
  SchemaDecimal d;
  std::string text = fmt::format("{}", v);
  size_t i = 0;
  if (text[0] == '-') {
    d.negative = true;
    i = 1;
  }
  int exponent = 0;
  bool after_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      after_point = true;
    } else if (c == 'e' || c == 'E') {
      exponent += std::stoi(text.substr(i + 1));
      break;
    } else if (c >= '0' && c <= '9') {
      d.mantissa = d.mantissa * 10 + static_cast<unsigned>(c - '0');
      if (after_point) --exponent;
    }
  }
  d.exponent = exponent;
  return d;
}

namespace {

// (base^exp) mod m, for m < 2^64.
unsigned __int128 pow_mod(unsigned __int128 base, int exp, unsigned __int128 m) {
  unsigned __int128 result = 1 % m;
  base %= m;
  while (exp > 0) {
    if (exp & 1) result = result * base % m;
    base = base * base % m;
    exp >>= 1;
  }
  return result;
}

// x is a multiple of y, both exact decimals with mantissas below 2^64.
bool decimal_multiple(const SchemaDecimal& x, const SchemaDecimal& y) {
  if (x.mantissa == 0) return true;
  if (y.mantissa == 0) return false;
  int shift = x.exponent - y.exponent;
  if (shift >= 0) {
    // x/y = (xm * 10^shift) / ym
    return (x.mantissa % y.mantissa) * pow_mod(10, shift, y.mantissa) % y.mantissa == 0;
  }
  // x/y = xm / (ym * 10^-shift): need ym*10^-shift <= xm, which bounds the shift
  unsigned __int128 divisor = y.mantissa;
  for (int i = 0; i < -shift; ++i) {
    divisor *= 10;
    if (divisor > x.mantissa) return false;
  }
  return x.mantissa % divisor == 0;
}

}  // namespace

bool is_multiple_of_value(const SchemaDecimal& divisor, double divisor_value, int64_t i, uint64_t u, double d, int kind) {
  SchemaDecimal x;
  if (kind == 0) {
    x.negative = i < 0;
    x.mantissa = i < 0 ? static_cast<unsigned __int128>(-(i + 1)) + 1 : static_cast<unsigned __int128>(i);
  } else if (kind == 1) {
    x.mantissa = u;
  } else {
    // exact decimal arithmetic throughout: d / divisor may overflow a double (1e308 / 0.5)
    // while the answer is plain
    if (!std::isfinite(d)) return false;
    (void)divisor_value;
    x = decimal_of(d);
  }
  return decimal_multiple(x, divisor);
}

bool is_multiple_of(const SchemaDecimal& divisor, double divisor_value, element e) {
  switch (e.type()) {
    case element_type::INT64: return is_multiple_of_value(divisor, divisor_value, int64_t(e), 0, 0, 0);
    case element_type::UINT64: return is_multiple_of_value(divisor, divisor_value, 0, uint64_t(e), 0, 1);
    default: return is_multiple_of_value(divisor, divisor_value, 0, 0, double(e), 2);
  }
}

// ---------------------------------------------------------------- the compiler

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

// ECMA-262 whitespace (\s: the JS WhiteSpace and LineTerminator sets) as RE2
// class members, and their complement (\S).
constexpr std::string_view kEcmaSpace =
    "\\t\\n\\x{B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
constexpr std::string_view kEcmaNonSpace =
    "\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}"
    "\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}";

bool is_hex(char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; }

// ECMA-262 pattern (with the u flag, as JSON Schema reads them) -> RE2
// syntax. Constructs RE2 spells differently are translated (\s, '.', \uXXXX,
// \u{...}, \p{Script=...}, (?<name>, \cX, an empty class); syntax that is not
// ECMA-262 ((?i), [[:alpha:]], \A, \z, invalid escapes) is refused with a
// reason in error. Lookaround and backreferences are left for RE2 to refuse.
bool ecma_to_re2(std::string_view p, std::string& out, std::string& error) {
  static const std::pair<std::string_view, std::string_view> kCategories[] = {
      {"Letter", "L"}, {"Lowercase_Letter", "Ll"}, {"Uppercase_Letter", "Lu"},
      {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"},
      {"Mark", "M"}, {"Number", "N"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"},
      {"Letter_Number", "Nl"}, {"Other_Number", "No"}, {"Punctuation", "P"}, {"punct", "P"},
      {"Symbol", "S"}, {"Separator", "Z"}, {"Space_Separator", "Zs"}, {"Other", "C"},
      {"Control", "Cc"}, {"cntrl", "Cc"}};
  out.clear();
  bool in_class = false;
  auto hex4 = [&](size_t at, unsigned& cp) {
    if (at + 4 > p.size()) return false;
    cp = 0;
    for (size_t k = at; k < at + 4; ++k) {
      if (!is_hex(p[k])) return false;
      cp = cp * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(p[k])) ? p[k] - '0'
                                                                                      : (p[k] | 32) - 'a' + 10);
    }
    return true;
  };
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        error = "it ends with a lone backslash";
        return false;
      }
      char n = p[++i];
      switch (n) {
        case 'd': case 'D': case 'w': case 'W': case 'f': case 'n': case 'r': case 't': case 'v':
          out += '\\';
          out += n;
          continue;
        case 'b':
          out += in_class ? "\\x{8}" : "\\b";
          continue;
        case 'B':
          if (in_class) {
            error = "\\B inside a character class is not ECMA-262 syntax";
            return false;
          }
          out += "\\B";
          continue;
        case 's':
        case 'S': {
          std::string_view set = n == 's' ? kEcmaSpace : kEcmaNonSpace;
          if (in_class) {
            out += set;
          } else {
            out += '[';
            out += set;
            out += ']';
          }
          continue;
        }
        case 'c':
          if (i + 1 < p.size() && std::isalpha(static_cast<unsigned char>(p[i + 1]))) {
            out += fmt::format("\\x{{{:X}}}", static_cast<unsigned>(p[i + 1]) % 32);
            ++i;
            continue;
          }
          error = "\\c must be followed by a letter";
          return false;
        case 'x':
          if (i + 2 < p.size() && is_hex(p[i + 1]) && is_hex(p[i + 2])) {
            out += "\\x{";
            out += p.substr(i + 1, 2);
            out += '}';
            i += 2;
            continue;
          }
          error = "\\x must be followed by two hex digits";
          return false;
        case 'u': {
          unsigned cp = 0;
          if (i + 1 < p.size() && p[i + 1] == '{') {
            size_t close = p.find('}', i + 2);
            std::string_view digits = close == std::string_view::npos ? "" : p.substr(i + 2, close - i - 2);
            if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), is_hex)) {
              error = "\\u{...} must hold 1 to 6 hex digits";
              return false;
            }
            cp = static_cast<unsigned>(std::strtoul(std::string(digits).c_str(), nullptr, 16));
            i = close;
          } else if (hex4(i + 1, cp)) {
            i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
              // a UTF-16 surrogate pair spelled as two escapes
              unsigned lo = 0;
              if (i + 2 < p.size() && p[i + 1] == '\\' && p[i + 2] == 'u' && hex4(i + 3, lo) && lo >= 0xDC00 &&
                  lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              }
            }
          } else {
            error = "\\u must be followed by four hex digits or {hex}";
            return false;
          }
          if (cp > 0x10FFFF) {
            error = "\\u{...} is beyond U+10FFFF";
            return false;
          }
          if (cp >= 0xD800 && cp < 0xE000) {
            error = fmt::format("a lone surrogate \\u{:04X} cannot match UTF-8 text", cp);
            return false;
          }
          out += fmt::format("\\x{{{:X}}}", cp);
          continue;
        }
        case '0':
          if (i + 1 < p.size() && std::isdigit(static_cast<unsigned char>(p[i + 1]))) {
            error = "octal escapes are not ECMA-262 syntax with the u flag";
            return false;
          }
          out += "\\x{0}";
          continue;
        case 'p':
        case 'P': {
          size_t close = i + 1 < p.size() && p[i + 1] == '{' ? p.find('}', i + 2) : std::string_view::npos;
          if (close == std::string_view::npos) {
            error = fmt::format("\\{} must be followed by {{name}}", n);
            return false;
          }
          std::string_view name = p.substr(i + 2, close - i - 2);
          if (size_t eq = name.find('='); eq != std::string_view::npos) name = name.substr(eq + 1);
          for (auto& [long_name, short_name] : kCategories)
            if (name == long_name) name = short_name;
          out += fmt::format("\\{}{{{}}}", n, name);
          i = close;
          continue;
        }
        default:
          if (n >= '1' && n <= '9') {
            error = "backreferences are not supported (RE2 runs in linear time)";
            return false;
          }
          if (n == '/') {
            out += '/';
            continue;
          }
          if (std::string_view("^$\\.*+?()[]{}|").find(n) != std::string_view::npos || (in_class && n == '-')) {
            out += '\\';
            out += n;
            continue;
          }
          error = fmt::format("'\\{}' is not an ECMA-262 escape", n);
          return false;
      }
    }
    if (in_class) {
      if (c == ']') {
        in_class = false;
        out += ']';
      } else if (c == '[') {
        if (i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '=' || p[i + 1] == '.')) {
          error = fmt::format("'[{}' (a POSIX class) is not ECMA-262 syntax", p[i + 1]);
          return false;
        }
        out += "\\[";
      } else {
        out += c;
      }
      continue;
    }
    switch (c) {
      case '[': {
        in_class = true;
        bool negated = i + 1 < p.size() && p[i + 1] == '^';
        size_t next = i + (negated ? 2 : 1);
        if (next < p.size() && p[next] == ']') {
          // [] matches nothing, [^] anything
          out += negated ? "[\\x{0}-\\x{10FFFF}]" : "[^\\x{0}-\\x{10FFFF}]";
          in_class = false;
          i = next;
          continue;
        }
        out += negated ? "[^" : "[";
        if (negated) ++i;
        continue;
      }
      case '.':
        out += "[^\\n\\r\\x{2028}\\x{2029}]";
        continue;
      case '(':
        if (i + 1 < p.size() && p[i + 1] == '?') {
          char k = i + 2 < p.size() ? p[i + 2] : '\0';
          if (k == ':' || k == '=' || k == '!') {
            out += "(?";
            out += k;
            i += 2;
            continue;
          }
          if (k == '<') {
            char k2 = i + 3 < p.size() ? p[i + 3] : '\0';
            if (k2 == '=' || k2 == '!') {
              out += "(?<";
              out += k2;
              i += 3;
            } else {
              out += "(?P<";
              i += 2;
            }
            continue;
          }
          error = fmt::format("'(?{}' (inline flags and the like) is not ECMA-262 syntax", k);
          return false;
        }
        out += c;
        continue;
      default:
        out += c;
    }
  }
  if (in_class) {
    error = "a character class is not closed";
    return false;
  }
  return true;
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


// ---------------------------------------------------------------- the full evaluator

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
    if (++steps_ > kMaxSteps) {
      abort(fmt::format("schema too expensive to evaluate (more than {} steps for this event)", kMaxSteps));
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
  static constexpr uint64_t kMaxSteps = 10'000'000;
};

}  // namespace
}  // namespace detail

JsonSchema::JsonSchema(std::string_view schema_json, SchemaOptions options)
    : impl_(std::make_unique<detail::SchemaImpl>()) {
  impl_->options = std::move(options);
  detail::Compiler(*impl_).compile_contract(schema_json);
  detail::build_fast_path(*impl_);
}

JsonSchema::~JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;

bool JsonSchema::valid(element instance) const {
  detail::Evaluator ev(*impl_, nullptr, 0, 0);
  return ev.eval(*impl_->root, instance, nullptr) && !ev.aborted_;
}

bool JsonSchema::validate(element instance, std::vector<SchemaViolation>& out, size_t max_errors,
                          size_t value_limit) const {
  std::string undecided;
  bool ok = evaluate(instance, &out, undecided, max_errors, value_limit);
  if (!undecided.empty()) {
    out.clear();
    auto& v = out.emplace_back();
    v.schema_location = "#";
    v.keyword = "undecided";
    v.message = undecided;
    v.value = "null";
  }
  return ok;
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

bool JsonSchema::has_fast_path() const { return impl_->fast_root != nullptr; }

const std::vector<std::string>& JsonSchema::keywords_used() const { return impl_->keywords_used; }

}  // namespace olly
