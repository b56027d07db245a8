// A field value as the expression engine sees it: a small tagged view. Strings
// and raw JSON point into the parser's buffers or an EvalScratch, valid until
// the next event.
#pragma once
#include <cstdint>
#include <string_view>

namespace olly {

enum class Kind : uint8_t {
  missing,  // the path is absent (exists() is false); compares like null
  null,
  boolean,
  integer,  // int64
  number,   // double; or, with u64 set, an integer above INT64_MAX held exactly
  string,   // s holds the unescaped text
  array,    // s holds the raw JSON text
  object,   // s holds the raw JSON text
};

struct Value {
  Kind kind = Kind::missing;
  bool b = false;
  bool u64 = false;  // Kind::number read from an integer above INT64_MAX: exact in u(), d is the nearest double
  int64_t i = 0;
  double d = 0;
  std::string_view s;

  static Value missing() { return {}; }
  static Value null() { Value v; v.kind = Kind::null; return v; }
  static Value boolean(bool x) { Value v; v.kind = Kind::boolean; v.b = x; return v; }
  static Value integer(int64_t x) { Value v; v.kind = Kind::integer; v.i = x; return v; }
  static Value number(double x) { Value v; v.kind = Kind::number; v.d = x; return v; }
  // An unsigned integer: an integer when it fits int64, else an exact u64 number.
  static Value unsigned_integer(uint64_t x) {
    if (x <= static_cast<uint64_t>(INT64_MAX)) return integer(static_cast<int64_t>(x));
    Value v;
    v.kind = Kind::number;
    v.d = static_cast<double>(x);
    v.i = static_cast<int64_t>(x);
    v.u64 = true;
    return v;
  }
  uint64_t u() const { return static_cast<uint64_t>(i); }
  static Value string(std::string_view x) { Value v; v.kind = Kind::string; v.s = x; return v; }
  static Value array_json(std::string_view raw) { Value v; v.kind = Kind::array; v.s = raw; return v; }
  static Value object_json(std::string_view raw) { Value v; v.kind = Kind::object; v.s = raw; return v; }

  bool is_nullish() const { return kind == Kind::missing || kind == Kind::null; }
  bool is_numeric() const { return kind == Kind::integer || kind == Kind::number; }
  double as_double() const { return kind == Kind::integer ? static_cast<double>(i) : d; }
};

}  // namespace olly
