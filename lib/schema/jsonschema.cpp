// JSON Schema 2020-12: the JsonSchema object and the value helpers shared by
// the compiler and both evaluators (equality, exact multipleOf). See
// jsonschema.h. The parts:
//   jsonschema_uri.cpp      URIs: $id / $ref resolution
//   jsonschema_compile.cpp  the compiler (schema text -> validator tree)
//   jsonschema_eval.cpp     the full evaluator (every violation, DOM)
//   jsonschema_fast.cpp     the one-pass evaluator (valid or not, On-Demand)
//   jsonschema_pattern.cpp  `pattern`: ECMA-262 -> RE2, and a small matcher
//   jsonschema_format.cpp   `format` checks
#include "schema/jsonschema.h"

#include <fmt/format.h>

#include <cmath>

#include "schema/jsonschema_internal.h"

namespace olly {

using simdjson::dom::element;
using simdjson::dom::element_type;

// ---------------------------------------------------------------- equality and numbers

bool json_equal(element a, element b) {
  using detail::is_number_type, detail::number_value;
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

}  // namespace detail

JsonSchema::~JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;

bool JsonSchema::validate(element instance, std::vector<SchemaViolation>& out, size_t max_errors,
                          size_t value_limit) const {
  std::string undecided;
  bool ok = evaluate(instance, &out, undecided, max_errors, value_limit);
  if (!undecided.empty()) {
    out.clear();
    // one aggregate, not field by field: GCC 12 warns (-Wrestrict, a false
    // positive) on `v.schema_location = "#"` here
    out.push_back({.schema_location = "#", .keyword = "undecided", .message = undecided, .value = "null"});
  }
  return ok;
}

bool JsonSchema::has_fast_path() const { return impl_->fast_root != nullptr; }

const std::vector<std::string>& JsonSchema::keywords_used() const { return impl_->keywords_used; }

}  // namespace olly
