#include <doctest/doctest.h>

#include "core/diag.h"
#include "expr/extract.h"
#include "expr/rewrite.h"
#include "core/stage.h"

using namespace olly;

namespace {

struct Doc {
  simdjson::ondemand::parser parser;
  PaddedLine padded;
  simdjson::ondemand::document doc;
  simdjson::error_code load(const std::string& json) { return parser.iterate(padded.set(json)).get(doc); }
};

Path path(const char* text) { return parse_path_or_throw(text, "test"); }

}  // namespace

TEST_CASE("paths parse with dots, indexes and quoted keys") {
  Path p = path(R"(a.b[2]["odd.key"]['x y'])");
  REQUIRE(p.steps.size() == 5);
  CHECK(p.steps[0].key == "a");
  CHECK(p.steps[2].index == 2);
  CHECK(p.steps[3].key == "odd.key");
  CHECK(p.steps[4].key == "x y");
  CHECK(path("@timestamp").steps[0].key == "@timestamp");
  CHECK_THROWS_AS(path("a..b"), UsageError);
  CHECK_THROWS_AS(path("a["), UsageError);
  CHECK_THROWS_AS(path(""), UsageError);
  CHECK_THROWS_AS(path("a.b."), UsageError);
}

TEST_CASE("one pass reads nested, indexed, escaped and duplicate keys") {
  Doc d;
  REQUIRE(!d.load(R"({"a":{"b":[10,{"c":"x"}]},"st\u0061tus":500,"dup":1,"dup":2,"n":null,"big":18446744073709551615})"));
  FieldExtractor ex;
  size_t c = ex.add(path("a.b[1].c"));
  size_t b0 = ex.add(path("a.b[0]"));
  size_t status = ex.add(path("status"));
  size_t dup = ex.add(path("dup"));
  size_t n = ex.add(path("n"));
  size_t missing = ex.add(path("zzz"));
  size_t big = ex.add(path("big"));
  CHECK(ex.add(path("status")) == status);
  std::vector<Value> slots;
  REQUIRE(!ex.extract(d.doc, slots));
  CHECK(slots[c].kind == Kind::string);
  CHECK(slots[c].s == "x");
  CHECK(slots[b0].i == 10);
  CHECK(slots[status].i == 500);
  CHECK(slots[dup].i == 1);  // the first occurrence counts
  CHECK(slots[n].kind == Kind::null);
  CHECK(slots[missing].kind == Kind::missing);
  CHECK(slots[big].kind == Kind::number);
  CHECK(slots[big].u64);
  CHECK(slots[big].u() == UINT64_MAX);
}

// Found by tests/fuzz/fuzz_expr: a field name longer than what is left of
// the line (and its padding) made the key comparison read past the buffer
// (ASan: heap-buffer-overflow in key_equals).
TEST_CASE("a field name longer than the line reads nothing past it") {
  const std::string long_name(300, 'k');
  Doc d;
  REQUIRE(!d.load(R"({"k":1,"kk":2})"));
  FieldExtractor ex;
  size_t slot = ex.add(path(long_name.c_str()));
  std::vector<Value> slots;
  REQUIRE(!ex.extract(d.doc, slots));
  CHECK(slots[slot].kind == Kind::missing);

  // A long name that is there is still found (escaped or not).
  Doc e;
  REQUIRE(!e.load("{\"a\":0,\"" + long_name + "\":7,\"\\u006b" + long_name.substr(1) + "x\":8}"));
  FieldExtractor ex2;
  size_t plain = ex2.add(path(long_name.c_str()));
  size_t escaped = ex2.add(path((long_name + "x").c_str()));
  REQUIRE(!ex2.extract(e.doc, slots));
  CHECK(slots[plain].i == 7);
  CHECK(slots[escaped].i == 8);
}

// Found by tests/fuzz/fuzz_path: a name with a quote matched the document's
// bytes past the key's closing quote.
TEST_CASE("a field name with a quote or backslash matches its own key only") {
  Doc d;
  REQUIRE(!d.load(R"({"f":1.5,"s":2,"a\"":3,"b\\":4})"));
  FieldExtractor ex;
  size_t across = ex.add(path(R"(['f":1.5,"s'])"));
  size_t quote = ex.add(path(R"(['a"'])"));
  size_t backslash = ex.add(path(R"(['a\\'])"));  // a\ : not the key a"
  size_t b = ex.add(path(R"(['b\\'])"));
  std::vector<Value> slots;
  REQUIRE(!ex.extract(d.doc, slots));
  CHECK(slots[across].kind == Kind::missing);
  CHECK(slots[quote].i == 3);
  CHECK(slots[backslash].kind == Kind::missing);
  CHECK(slots[b].i == 4);
}

TEST_CASE("a value wanted whole and by member") {
  Doc d;
  REQUIRE(!d.load(R"({"http":{"method":"GET","status":200}})"));
  FieldExtractor ex;
  size_t whole = ex.add(path("http"));
  size_t method = ex.add(path("http.method"));
  std::vector<Value> slots;
  REQUIRE(!ex.extract(d.doc, slots));
  CHECK(slots[whole].kind == Kind::object);
  CHECK(slots[method].s == "GET");
}

TEST_CASE("non-object documents have no fields; broken ones are errors") {
  Doc d;
  FieldExtractor ex;
  ex.add(path("a"));
  std::vector<Value> slots;
  REQUIRE(!d.load("[1,2]"));
  CHECK(!ex.extract(d.doc, slots));
  CHECK(slots[0].kind == Kind::missing);
  REQUIRE(!d.load("42"));
  CHECK(!ex.extract(d.doc, slots));
  Doc bad;
  bool failed = bad.load(R"({"a": tru})") || ex.extract(bad.doc, slots);
  CHECK(failed);
  Doc bad2;
  failed = bad2.load(R"({"a": )") || ex.extract(bad2.doc, slots);
  CHECK(failed);
}

TEST_CASE("rewriting keeps bytes, order, and places new fields last") {
  Doc d;
  const std::string json = R"({"b":1.50,"a":{"x":"\u00e9","y":[1, 2]},"c":"keep"})";
  std::vector<Value> values{Value::integer(7), Value::string("new")};
  std::string out;

  ObjectRewriter select(ObjectRewriter::Mode::keep_listed);
  select.keep(path("c"), "--select");
  select.keep(path("a.y"), "--select");
  select.keep(path("nope"), "--select");
  REQUIRE(!d.load(json));
  REQUIRE(!select.rewrite(d.doc, values, out));
  CHECK(out == R"({"a":{"y":[1, 2]},"c":"keep"})");

  out.clear();
  ObjectRewriter drop;
  drop.drop(path("a.x"), "--drop");
  REQUIRE(!d.load(json));
  REQUIRE(!drop.rewrite(d.doc, values, out));
  CHECK(out == R"({"b":1.50,"a":{"y":[1, 2]},"c":"keep"})");

  out.clear();
  ObjectRewriter set;
  set.set(path("b"), 0, "--set");
  set.set(path("a.z"), 1, "--set");
  set.set(path("m.n"), 0, "--set");
  REQUIRE(!d.load(json));
  REQUIRE(!set.rewrite(d.doc, values, out));
  CHECK(out == R"({"b":7,"a":{"x":"\u00e9","y":[1, 2],"z":"new"},"c":"keep","m":{"n":7}})");

  out.clear();
  REQUIRE(!d.load("[1]"));
  REQUIRE(!set.rewrite(d.doc, values, out));
  CHECK(out == R"({"b":7,"a":{"z":"new"},"m":{"n":7}})");

  CHECK_THROWS_AS(select.keep(path("a[0]"), "--select"), UsageError);
}

TEST_CASE("a value wanted whole and by member keeps every member container") {
  Doc d;
  REQUIRE(!d.load(R"({"a":{"b":[1,2],"c":[3],"d":{"k":"v"}}})"));
  FieldExtractor ex;
  size_t a = ex.add(path("a"));
  size_t b = ex.add(path("a.b"));
  size_t c = ex.add(path("a.c"));
  size_t dd = ex.add(path("a.d"));
  std::vector<Value> slots;
  REQUIRE(!ex.extract(d.doc, slots));
  CHECK(slots[a].kind == Kind::object);
  CHECK(slots[b].s == "[1,2]");
  CHECK(slots[c].s == "[3]");
  CHECK(slots[dd].s == R"({"k":"v"})");
}
