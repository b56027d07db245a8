// Unit tests for lib/schema_infer and lib/schema_diff (olly-schema).
#include <doctest/doctest.h>
#include <simdjson.h>

#include <string>

#include "core/diag.h"
#include "schema/jsonschema.h"
#include "schema/schema_diff.h"
#include "schema/schema_infer.h"

namespace {

std::string infer(const std::vector<std::string>& lines, olly::InferOptions opts = {}) {
  olly::SchemaInferrer inf(opts);
  simdjson::dom::parser p;
  for (auto& l : lines) inf.add(p.parse(l));
  return inf.contract();
}

std::string compact(const std::string& pretty) {
  simdjson::dom::parser p;
  return simdjson::minify(p.parse(pretty));
}

}  // namespace

TEST_CASE("infer: types, null, integer vs number, required, ranges") {
  std::string c = compact(infer({R"({"a":1,"b":1.5,"c":null,"d":true})", R"({"a":2,"b":2,"c":"x"})"}));
  CHECK(c.find(R"("a":{"type":"integer","minimum":1,"maximum":2})") != std::string::npos);
  CHECK(c.find(R"("b":{"type":"number","minimum":1.5,"maximum":2})") != std::string::npos);
  CHECK(c.find(R"("c":{"type":["string","null"]})") != std::string::npos);
  CHECK(c.find(R"("required":["a","b","c"])") != std::string::npos);
}

TEST_CASE("infer: enums only for repeated low-cardinality strings; formats") {
  olly::InferOptions o;
  o.max_enum = 2;
  std::string c = compact(infer({R"({"lvl":"info","id":"2eb8aa08-aa98-11ea-b4aa-73b441d16380","ip":"10.0.0.1"})",
                                 R"({"lvl":"warn","id":"2eb8aa08-aa98-11ea-b4aa-73b441d16381","ip":"10.0.0.2"})",
                                 R"({"lvl":"info","id":"2eb8aa08-aa98-11ea-b4aa-73b441d16382","ip":"10.0.0.3"})",
                                 R"({"lvl":"warn","id":"2eb8aa08-aa98-11ea-b4aa-73b441d16383","ip":"10.0.0.4"})"},
                                o));
  CHECK(c.find(R"("lvl":{"type":"string","enum":["info","warn"]})") != std::string::npos);
  CHECK(c.find(R"("id":{"type":"string","format":"uuid"})") != std::string::npos);
  CHECK(c.find(R"("ip":{"type":"string","format":"ipv4"})") != std::string::npos);
}

TEST_CASE("infer: nested objects and arrays; the result validates its sample") {
  std::vector<std::string> sample = {R"({"e":{"t":"x","n":[1,2]},"tags":["a"]})", R"({"e":{"t":"y"},"tags":[]})"};
  std::string text = infer(sample);
  std::string c = compact(text);
  CHECK(c.find(R"("e":{"type":"object","properties":{"t":)") != std::string::npos);
  CHECK(c.find(R"("required":["t"])") != std::string::npos);
  CHECK(c.find(R"("tags":{"type":"array","items":{"type":"string"}})") != std::string::npos);
  olly::JsonSchema s(text);
  simdjson::dom::parser p;
  for (auto& l : sample) CHECK(s.valid(p.parse(l)));
}

TEST_CASE("infer: empty input gives an open contract; pretty_json keeps strings intact") {
  CHECK(compact(infer({})) == R"({"$schema":"https://json-schema.org/draft/2020-12/schema"})");
  CHECK(olly::pretty_json(R"({"a":["x,{y","]"],"b":{}})") == "{\n  \"a\": [\"x,{y\", \"]\"],\n  \"b\": {}\n}\n");
}

TEST_CASE("diff: breaking and compatible changes") {
  auto changes = olly::diff_schemas(
      R"({"required":["a","b"],"properties":{"a":{"type":"integer","minimum":0},"b":{"enum":["x","y"]},"c":{}}})",
      R"({"required":["a","d"],"properties":{"a":{"type":"number","minimum":1},"b":{"enum":["x","z"]},"d":{}}})");
  auto find = [&](std::string_view change, std::string_view path) -> const olly::SchemaChange* {
    for (auto& c : changes)
      if (c.change == change && c.path == path) return &c;
    return nullptr;
  };
  REQUIRE(find("type_widened", "a"));
  CHECK(find("type_widened", "a")->breaking);
  REQUIRE(find("range_narrowed", "a"));
  CHECK_FALSE(find("range_narrowed", "a")->breaking);
  REQUIRE(find("enum_value_removed", "b"));
  CHECK_FALSE(find("enum_value_removed", "b")->breaking);
  REQUIRE(find("enum_value_added", "b"));
  CHECK(find("enum_value_added", "b")->breaking);
  REQUIRE(find("no_longer_required", "b"));
  CHECK(find("no_longer_required", "b")->breaking);
  REQUIRE(find("newly_required", "d"));
  CHECK_FALSE(find("newly_required", "d")->breaking);
  REQUIRE(find("field_removed", "c"));
  CHECK(find("field_removed", "c")->breaking);
  REQUIRE(find("field_added", "d"));
  CHECK_FALSE(find("field_added", "d")->breaking);
}

TEST_CASE("diff: identical contracts, refs followed, bad input") {
  std::string s = R"({"$defs":{"t":{"type":"string"}},"properties":{"a":{"$ref":"#/$defs/t"}}})";
  CHECK(olly::diff_schemas(s, s).empty());
  auto changes = olly::diff_schemas(s, R"({"properties":{"a":{"type":["string","null"]}}})");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].change == "type_widened");
  CHECK_THROWS_AS(olly::diff_schemas("{", "{}"), olly::UsageError);
  CHECK_THROWS_AS(olly::diff_schemas("[1]", "{}"), olly::UsageError);
}
