// Unit tests for lib/jsonschema: violations and their locations, load-time
// errors, the one-pass fast path agreeing with the full evaluator, numbers,
// formats and URI resolution. (The official suite runs in test_jsonschema_suite.cpp.)
#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "core/diag.h"
#include "schema/jsonschema.h"

using olly::JsonSchema;
using olly::SchemaViolation;

namespace {

struct Checked {
  bool valid;
  std::vector<SchemaViolation> violations;
};

Checked check(const JsonSchema& s, const std::string& json) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  REQUIRE(p.parse(json).get(e) == simdjson::SUCCESS);
  Checked c;
  c.valid = s.validate(e, c.violations);
  CHECK(c.valid == s.valid(e));
  if (s.has_fast_path()) {
    simdjson::ondemand::parser od;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    REQUIRE(od.iterate(padded).get(doc) == simdjson::SUCCESS);
    bool fast = false;
    if (s.fast_valid(doc, fast) == simdjson::SUCCESS) CHECK(fast == c.valid);
  }
  return c;
}

std::string load_error(const std::string& schema, bool formats = false) {
  try {
    olly::SchemaOptions o;
    o.format_assertion = formats;
    JsonSchema s(schema, o);
  } catch (const olly::UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("violations carry instance and schema locations") {
  JsonSchema s(R"({"type":"object","required":["id"],"properties":{
      "a":{"type":"object","properties":{"b/c":{"type":"integer","minimum":3}}},
      "tags":{"type":"array","items":{"type":"string","maxLength":3}}}})");
  CHECK(s.has_fast_path());
  auto c = check(s, R"({"a":{"b/c":2},"tags":["ok","toolong"]})");
  CHECK_FALSE(c.valid);
  REQUIRE(c.violations.size() == 3);
  CHECK(c.violations[0].keyword == "required");
  CHECK(c.violations[0].instance_location == "");
  CHECK(c.violations[0].schema_location == "#/required");
  CHECK(c.violations[1].instance_location == "/a/b~1c");
  CHECK(c.violations[1].schema_location == "#/properties/a/properties/b~1c/minimum");
  CHECK(c.violations[1].value == "2");
  CHECK(c.violations[2].instance_location == "/tags/1");
  CHECK(c.violations[2].keyword == "maxLength");
  CHECK(c.violations[2].value == "\"toolong\"");
}

TEST_CASE("max_errors caps the list, not the verdict") {
  JsonSchema s(R"({"properties":{"a":{"type":"string"},"b":{"type":"string"}}})");
  simdjson::dom::parser p;
  simdjson::dom::element e = p.parse(std::string(R"({"a":1,"b":2})"));
  std::vector<SchemaViolation> out;
  CHECK_FALSE(s.validate(e, out, 1));
  CHECK(out.size() == 1);
}

TEST_CASE("long values are truncated") {
  JsonSchema s(R"({"type":"integer"})");
  std::string big = "\"" + std::string(500, 'x') + "\"";
  simdjson::dom::parser p;
  simdjson::dom::element e = p.parse(big);
  std::vector<SchemaViolation> out;
  CHECK_FALSE(s.validate(e, out, 10, 50));
  REQUIRE(out.size() == 1);
  CHECK(out[0].value_truncated);
  CHECK(out[0].value.size() < 60);
}

TEST_CASE("x-owner is reported with the violation") {
  JsonSchema s(R"({"x-owner":"team-a","properties":{"p":{"x-owner":"team-b","type":"string"},"q":{"type":"string"}}})");
  auto c = check(s, R"({"p":1,"q":2})");
  REQUIRE(c.violations.size() == 2);
  CHECK(c.violations[0].owner == "team-b");
  CHECK(c.violations[1].owner == "team-a");
}

TEST_CASE("anyOf failure explains the closest branch") {
  JsonSchema s(R"({"anyOf":[{"type":"object","required":["a","b"]},{"type":"string"}]})");
  CHECK_FALSE(s.has_fast_path());
  auto c = check(s, R"({"a":1})");
  REQUIRE(c.violations.size() == 2);
  CHECK(c.violations[0].keyword == "anyOf");
  CHECK(c.violations[1].keyword == "required");
}

TEST_CASE("load-time errors name the problem and its location") {
  CHECK(load_error(R"({"properties":{"a":{"nullable":true}}})").find("unsupported keyword 'nullable' at #/properties/a/nullable") !=
        std::string::npos);
  CHECK(load_error(R"({"pattern":"(?=a)b"})").find("pattern '(?=a)b' is not supported") != std::string::npos);
  CHECK(load_error(R"({"pattern":"(a)\\1"})").find("is not supported") != std::string::npos);
  CHECK(load_error(R"({"$ref":"other.json"})").find("cannot be resolved") != std::string::npos);
  CHECK(load_error(R"({"$ref":"#/$defs/missing"})").find("points to nothing") != std::string::npos);
  CHECK(load_error(R"({"type":"integr"})").find("unknown type 'integr'") != std::string::npos);
  CHECK(load_error(R"({"minLength":-1})").find("non-negative integer") != std::string::npos);
  CHECK(load_error(R"({"multipleOf":0})").find("greater than 0") != std::string::npos);
  CHECK(load_error(R"({"allOf":[]})").find("non-empty array") != std::string::npos);
  CHECK(load_error(R"([1])").find("must be an object or a boolean") != std::string::npos);
  CHECK(load_error(R"({"a":)").find("not valid JSON") != std::string::npos);
  CHECK(load_error(R"({"title":"t","description":"d","deprecated":true,"x-anything":1,"examples":[1]})").empty());
}

TEST_CASE("ECMA-262 patterns are translated for RE2") {
  JsonSchema s(R"({"properties":{"l":{"pattern":"^\\p{Letter}+$"},"u":{"pattern":"^\\u00e9$"}}})");
  CHECK(check(s, R"({"l":"héllo","u":"é"})").valid);
  CHECK_FALSE(check(s, R"({"l":"h3llo"})").valid);
  CHECK_FALSE(check(s, R"({"u":"e"})").valid);
}

TEST_CASE("integer vs number, big and fractional numbers") {
  JsonSchema integer(R"({"type":"integer"})");
  CHECK(check(integer, "1.0").valid);
  CHECK(check(integer, "-9223372036854775808").valid);
  CHECK(check(integer, "18446744073709551615").valid);
  CHECK_FALSE(check(integer, "1.5").valid);
  JsonSchema range(R"({"minimum":9007199254740993,"exclusiveMaximum":18446744073709551615})");
  CHECK(check(range, "9007199254740993").valid);
  CHECK_FALSE(check(range, "9007199254740992").valid);
  CHECK_FALSE(check(range, "18446744073709551615").valid);
  JsonSchema cents(R"({"multipleOf":0.01})");
  CHECK(check(cents, "19.99").valid);
  CHECK(check(cents, "1e300").valid);
  CHECK_FALSE(check(cents, "19.999").valid);
  JsonSchema three(R"({"multipleOf":3})");
  CHECK(check(three, "-9").valid);
  CHECK_FALSE(check(three, "10").valid);
  CHECK(check(three, "4.5e1").valid);
  // the quotient overflows a double; the exact answer does not care
  JsonSchema tiny(R"({"multipleOf":1e-10})");
  CHECK(check(tiny, "1e300").valid);
  CHECK_FALSE(check(tiny, "1.00000000001e-9").valid);
  JsonSchema half(R"({"multipleOf":0.5})");
  CHECK(check(half, "1e308").valid);
  CHECK(check(half, "1.5e307").valid);
  JsonSchema odd(R"({"type":"integer","multipleOf":0.123456789})");
  CHECK_FALSE(check(odd, "1e308").valid);
}

TEST_CASE("lengths count code points") {
  JsonSchema s(R"({"minLength":2,"maxLength":3})");
  CHECK(check(s, "\"éé\"").valid);
  CHECK(check(s, "\"💩💩💩\"").valid);
  CHECK_FALSE(check(s, "\"💩💩💩💩\"").valid);
  CHECK_FALSE(check(s, "\"é\"").valid);
}

TEST_CASE("formats assert only when asked") {
  olly::SchemaOptions on;
  on.format_assertion = true;
  JsonSchema annotation(R"({"format":"ipv4"})");
  JsonSchema asserting(R"({"format":"ipv4"})", on);
  CHECK(check(annotation, "\"999.1.1.1\"").valid);
  CHECK_FALSE(check(asserting, "\"999.1.1.1\"").valid);
  CHECK(olly::is_format_date_time("2026-11-25T02:38:05.970Z"));
  CHECK_FALSE(olly::is_format_date_time("2026-11-25 02:38:05Z"));
  CHECK(olly::is_format_date("2024-02-29"));
  CHECK_FALSE(olly::is_format_date("2023-02-29"));
  CHECK(olly::is_format_time("23:59:60Z"));
  CHECK(olly::is_format_uri("https://example.com/a?b=c#d"));
  CHECK_FALSE(olly::is_format_uri("not a uri"));
  CHECK_FALSE(olly::is_format_uri("//example.com"));
  CHECK(olly::is_format_email("a.b@example.com"));
  CHECK(olly::is_format_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
  CHECK(olly::is_format_ipv6("::ffff:10.0.0.1"));
}

TEST_CASE("URI references resolve as RFC 3986 says") {
  CHECK(olly::resolve_uri("http://a/b/c/d;p?q", "g") == "http://a/b/c/g");
  CHECK(olly::resolve_uri("http://a/b/c/d;p?q", "../g") == "http://a/b/g");
  CHECK(olly::resolve_uri("http://a/b/c/d;p?q", "/g") == "http://a/g");
  CHECK(olly::resolve_uri("http://a/b/c/d;p?q", "#s") == "http://a/b/c/d;p?q#s");
  CHECK(olly::resolve_uri("http://a/b/c/d;p?q", "//g") == "http://g");
  CHECK(olly::resolve_uri("urn:uuid:x", "#/a") == "urn:uuid:x#/a");
  CHECK(olly::resolve_uri("http://a/b/", "c.json") == "http://a/b/c.json");
}

TEST_CASE("recursive references and anchors") {
  JsonSchema tree(R"({"$defs":{"node":{"$anchor":"node","type":"object","required":["v"],
      "properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#node"}}}}},
      "$ref":"#/$defs/node"})");
  CHECK(check(tree, R"({"v":1,"kids":[{"v":2,"kids":[{"v":3}]}]})").valid);
  auto c = check(tree, R"({"v":1,"kids":[{"v":2,"kids":[{"v":"x"}]}]})");
  CHECK_FALSE(c.valid);
  REQUIRE(c.violations.size() == 1);
  CHECK(c.violations[0].instance_location == "/kids/0/kids/0/v");
  CHECK(c.violations[0].schema_location == "#/$defs/node/properties/v/type");
}

TEST_CASE("the fast path agrees on scalars, nesting, escapes and odd keys") {
  JsonSchema s(R"({"type":["object","string"],"required":["a\"b"],"additionalProperties":{"type":"integer"},
      "properties":{"a\"b":{"enum":["x\ny",1,null,true]},"n":{"type":"object","properties":{"m":{"const":2.5}}}},
      "patternProperties":{"^p_":{"type":"boolean"}}})");
  REQUIRE(s.has_fast_path());
  CHECK(check(s, R"({"a\"b":"x\ny"})").valid);
  CHECK(check(s, R"({"a\u0022b":1,"z":3,"p_1":false})").valid);
  CHECK_FALSE(check(s, R"({"a\"b":"x"})").valid);
  CHECK_FALSE(check(s, R"({"a\"b":null,"z":3.5})").valid);
  CHECK_FALSE(check(s, R"({"a\"b":true,"p_1":1})").valid);
  CHECK(check(s, R"({"a\"b":true,"n":{"m":2.50}})").valid);
  CHECK_FALSE(check(s, R"({"a\"b":true,"n":{"m":2}})").valid);
  CHECK(check(s, R"("a string")").valid);
  CHECK_FALSE(check(s, "12").valid);
  CHECK_FALSE(check(s, "[]").valid);
  CHECK_FALSE(check(s, "{}").valid);
}

TEST_CASE("deep nesting does not crash") {
  JsonSchema s(R"({"$ref":"#/$defs/a","$defs":{"a":{"type":["array","integer"],"items":{"$ref":"#/$defs/a"}}}})");
  std::string nested(100, '[');
  nested += std::string(100, ']');
  CHECK(check(s, nested).valid);
  std::string deep(1000, '[');  // simdjson's own limit is 1024
  deep += std::string(1000, ']');
  CHECK(check(s, deep).valid);  // as deep as the parser goes: a real verdict, not a depth violation
  std::string bad = std::string(1000, '[') + "\"x\"" + std::string(1000, ']');
  CHECK_FALSE(check(s, bad).valid);
}

// The one-pass evaluator must never call a malformed document valid: either
// it reports an error (the caller then parses a DOM, which refuses the line)
// or it answers invalid.
bool fast_says_valid(const JsonSchema& s, const std::string& json) {
  simdjson::ondemand::parser od;
  simdjson::padded_string padded(json);
  simdjson::ondemand::document doc;
  if (od.iterate(padded).get(doc) != simdjson::SUCCESS) return false;
  bool valid = false;
  return s.fast_valid(doc, valid) == simdjson::SUCCESS && valid;
}

TEST_CASE("the fast path walks every value and rejects trailing content") {
  JsonSchema s(R"({"type":"object","required":["a"],"properties":{"a":{"type":"integer"}}})");
  REQUIRE(s.has_fast_path());
  CHECK(fast_says_valid(s, R"({"a":1,"b":{"c":[true,null,"\u00e9",-1.5e3,{}]}})"));
  for (const char* bad : {R"({"a":1}})", R"({"a":1} xyz)", R"({"a":1,"b":{"c":tru}})", R"({"a":1,"b":[1 2]})",
                          R"({"a":1,"b":01})", R"({"a":1,"b":"\x"})", R"({"a":1,"b":nul})", R"({"a":1,"b":[1,]})",
                          R"({"a":1,"b":{"c" 1}})", R"({"a":1,"b":-})"})
    CHECK_MESSAGE(!fast_says_valid(s, bad), bad);
  JsonSchema any(R"({"type":"object"})");
  CHECK(fast_says_valid(any, R"({"x":[1,{"y":"z"}]})"));
  CHECK_FALSE(fast_says_valid(any, R"({"x":[1,{"y":z}]})"));
  JsonSchema yes(R"({"properties":{"a":true}})");
  CHECK_FALSE(fast_says_valid(yes, R"({"a":[1 2]})"));
  JsonSchema str(R"({"type":"string"})");
  CHECK_FALSE(fast_says_valid(str, R"("abc" xyz)"));
}

std::string undecided_reason(const std::string& schema, const std::string& json) {
  JsonSchema s(schema);
  simdjson::dom::parser p;
  simdjson::dom::element e;
  REQUIRE(p.parse(json).get(e) == simdjson::SUCCESS);
  std::string why;
  std::vector<SchemaViolation> out;
  CHECK_FALSE(s.evaluate(e, &out, why));
  CHECK(out.empty());
  CHECK_FALSE(s.valid(e));
  return why;
}

TEST_CASE("schemas that cannot be evaluated give no verdict") {
  // 2^300 branches before: now the cycle is seen at once
  CHECK(undecided_reason(R"({"anyOf":[{"$ref":"#"},{"$ref":"#"}]})", "{}").find("$ref cycle") != std::string::npos);
  // under not, a depth violation used to flip into "valid"
  CHECK(undecided_reason(R"({"not":{"$ref":"#"}})", "{}").find("$ref cycle") != std::string::npos);
  CHECK(undecided_reason(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"})", "1")
            .find("$ref cycle") != std::string::npos);
  std::string deep = std::string(40, '[') + "1" + std::string(40, ']');
  CHECK(undecided_reason(R"({"anyOf":[{"type":"array","items":{"$ref":"#"}},{"type":"array","items":{"$ref":"#"}}]})",
                         deep)
            .find("too expensive") != std::string::npos);
  {
    // The step budget is an option (fuzz_jsonschema lowers it: the default
    // takes seconds under ASan).
    olly::SchemaOptions few;
    few.max_steps = 1000;
    JsonSchema s(R"({"anyOf":[{"type":"array","items":{"$ref":"#"}},{"type":"array","items":{"$ref":"#"}}]})", few);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    REQUIRE(p.parse(std::string(20, '[') + "1" + std::string(20, ']')).get(e) == simdjson::SUCCESS);
    std::string why;
    CHECK_FALSE(s.evaluate(e, nullptr, why));
    CHECK(why.find("more than 1000 steps") != std::string::npos);
  }
  // recursion that looks into the value is not a cycle
  JsonSchema tree(R"({"type":"object","properties":{"kids":{"items":{"$ref":"#"}}}})");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  REQUIRE(p.parse(std::string(R"({"kids":[{"kids":[{}]},{}]})")).get(e) == simdjson::SUCCESS);
  std::string why;
  CHECK(tree.evaluate(e, nullptr, why));
  CHECK(why.empty());
}

#include "schema/jsonschema_internal.h"

TEST_CASE("the simple pattern matcher agrees with RE2") {
  const char* patterns[] = {"^web-\\d+$", "^[0-9a-f]{32}$", "^u-[0-9]+$", "^/", "a*b", "^a?b?c$", "x{2,3}",
                            "^[+-]?\\d{1,3}$", "^\\w+@\\w+\\.com$", "b+$", "^$", "", "a{0}b", "^[a-c-]+z?$",
                            "\\s", "^a*a$", "^(a|b)$", "[^a]", "a.c", "é"};
  const char* inputs[] = {"", "web-1", "web-", "web-12x", "0123456789abcdef0123456789abcdef", "u-1", "/x", "x/",
                          "aaab", "ab", "c", "bc", "ac", "xx", "xxxx", "x", "-12", "+1234", "a_1@b.com", "abbb",
                          "abbbc", "a-cz", "a b", "aaa", "é", "b"};
  for (const char* p : patterns) {
    auto simple = olly::detail::compile_simple_pattern(p);
    RE2 re(p);
    REQUIRE(re.ok());
    for (const char* s : inputs) {
      bool expected = RE2::PartialMatch(s, re);
      if (simple) CHECK_MESSAGE(simple->match(s) == expected, "pattern " << p << " on '" << s << "'");
    }
  }
  CHECK(olly::detail::compile_simple_pattern("^web-\\d+$"));
  CHECK_FALSE(olly::detail::compile_simple_pattern("^(a|b)$"));
  CHECK_FALSE(olly::detail::compile_simple_pattern("a.c"));
  CHECK_FALSE(olly::detail::compile_simple_pattern("[^a]"));
  CHECK_FALSE(olly::detail::compile_simple_pattern("a^b"));  // ^ is an assertion, not a literal
  CHECK_FALSE(olly::detail::compile_simple_pattern("^\\s$"));  // ECMA's \s is not ASCII only
}
