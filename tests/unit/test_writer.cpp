#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <limits>

#include "core/writer.h"

using namespace olly;

TEST_CASE("JsonBuilder writes nested objects with commas in the right places") {
  std::string out;
  JsonBuilder b(out);
  b.begin_object();
  b.field("a", "x");
  b.key("n");
  b.begin_array();
  b.int64(1);
  b.int64(-2);
  b.begin_object();
  b.end_object();
  b.end_array();
  b.field_bool("t", true);
  b.key("z");
  b.null();
  b.end_object();
  CHECK(out == R"({"a":"x","n":[1,-2,{}],"t":true,"z":null})");
}

TEST_CASE("numbers round-trip exactly") {
  std::string out;
  append_json_number(out, 0.1);
  CHECK(out == "0.1");
  out.clear();
  append_json_number(out, 1e300);
  CHECK(std::stod(out) == 1e300);
  out.clear();
  append_json_number(out, -0.0);
  CHECK(out == "-0");
  out.clear();
  append_json_number(out, std::nan(""));
  CHECK(out == "null");
  out.clear();
  append_json_number(out, std::numeric_limits<double>::infinity());
  CHECK(out == "null");
  out.clear();
  JsonBuilder b(out);
  b.int64(std::numeric_limits<int64_t>::min());
  CHECK(out == "-9223372036854775808");
  out.clear();
  b.reset();
  b.uint64(std::numeric_limits<uint64_t>::max());
  CHECK(out == "18446744073709551615");
}

TEST_CASE("strings are escaped; invalid UTF-8 becomes U+FFFD") {
  std::string out;
  append_json_string(out, std::string_view("a\"b\\c\n\t\x01\x7f", 9));
  CHECK(out == "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\"");
  out.clear();
  append_json_string(out, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(out == "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  out.clear();
  append_json_string(out, "bad \xff byte \xc3");
  CHECK(out == "\"bad \xEF\xBF\xBD byte \xEF\xBF\xBD\"");
  out.clear();
  append_json_string(out, "\xed\xa0\x80");  // a UTF-16 surrogate encoded in UTF-8 is invalid
  CHECK(out == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  out.clear();
  append_json_string(out, std::string_view("nul\0x", 5));
  CHECK(out == "\"nul\\u0000x\"");
  CHECK(is_valid_utf8("plain"));
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));  // overlong
}

TEST_CASE("the word-at-a-time fast path agrees with byte-by-byte escaping") {
  // Reference: escape one byte at a time (valid UTF-8 input only).
  auto reference = [](std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c == '\b') out += "\\b";
      else if (c == '\f') out += "\\f";
      else if (c < 0x20) { char buf[8]; std::snprintf(buf, sizeof buf, "\\u%04x", c); out += buf; }
      else out.push_back(static_cast<char>(c));
    }
    return out + "\"";
  };
  uint64_t seed = 42;
  const char alphabet[] = "abcXYZ09 \"\\\n\t\x01\x1f\x7f/";
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    size_t len = (seed >> 33) % 40;
    for (size_t i = 0; i < len; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      s.push_back(alphabet[(seed >> 33) % (sizeof alphabet - 1)]);
    }
    std::string out;
    append_json_string(out, s);
    CHECK(out == reference(s));
  }
}
