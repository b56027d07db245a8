#include <doctest/doctest.h>

#include <string>

#include "core/diag.h"
#include "expr/reshape.h"

using namespace olly;

namespace {

Path path(const char* text) { return parse_path_or_throw(text, "test"); }

struct Shape {
  ReshapeOptions opts;
  Shape& select(const char* p) { return opts.selects.push_back(path(p)), *this; }
  Shape& drop(const char* p) { return opts.drops.push_back(path(p)), *this; }
  Shape& rename(const char* spec) { return opts.renames.push_back(parse_rename(spec, "--rename")), *this; }
  Shape& flatten(const char* sep = ".") { return opts.flatten = true, opts.separator = sep, *this; }
  Shape& nest(const char* sep = ".") { return opts.nest = true, opts.separator = sep, *this; }
  // The reshaped event, or "error" (and nothing appended).
  std::string operator()(const std::string& event) {
    Reshaper r(opts);
    std::string out = "prefix:";
    if (r.apply(event, out)) {
      CHECK(out == "prefix:");
      return "error";
    }
    REQUIRE(out.rfind("prefix:", 0) == 0);
    return out.substr(7);
  }
};

}  // namespace

TEST_CASE("reshape: --rename within an object keeps the position and replaces a field it lands on") {
  CHECK(Shape().rename("a=x")(R"({"a":1,"b":2})") == R"({"x":1,"b":2})");
  CHECK(Shape().rename("b=a")(R"({"a":1,"b":2,"c":3})") == R"({"a":2,"c":3})");
  CHECK(Shape().rename("a=c")(R"({"a":1,"b":2,"c":3})") == R"({"c":1,"b":2})");
  CHECK(Shape().rename("missing=x")(R"({"a":1})") == R"({"a":1})");
  CHECK(Shape().rename("a=a")(R"({"a":1})") == R"({"a":1})");
  CHECK(Shape().rename("req.ua=req.agent")(R"({"req":{"ua":"c","p":1}})") == R"({"req":{"agent":"c","p":1}})");
  // In order: the second sees the first's result.
  CHECK(Shape().rename("a=b").rename("b=c")(R"({"a":1})") == R"({"c":1})");
}

TEST_CASE("reshape: --rename across objects moves, creates and replaces as --set does") {
  CHECK(Shape().rename("req.ua=user_agent")(R"({"req":{"ua":"curl","m":"GET"},"n":1})") ==
        R"({"req":{"m":"GET"},"n":1,"user_agent":"curl"})");
  CHECK(Shape().rename("req.ua=user_agent")(R"({"user_agent":0,"req":{"ua":"curl"}})") ==
        R"({"user_agent":"curl","req":{}})");
  CHECK(Shape().rename("a=x.y.z")(R"({"a":[1,2]})") == R"({"x":{"y":{"z":[1,2]}}})");
  CHECK(Shape().rename("a=b.c")(R"({"a":1,"b":7})") == R"({"b":{"c":1}})");  // a value in the way
  CHECK(Shape().rename("a.b=a")(R"({"a":{"b":{"c":1}}})") == R"({"a":{"c":1}})");
  CHECK(Shape().rename("a=a.b")(R"({"a":{"c":1},"d":2})") == R"({"d":2,"a":{"b":{"c":1}}})");
  CHECK(Shape().rename("a.b=c")(R"({"a":5})") == R"({"a":5})");  // a is no object: nothing to move
}

TEST_CASE("reshape: --rename parses OLD=NEW outside quotes") {
  auto [from, to] = parse_rename(R"(a["x=y"]=b['c=d'])", "--rename");
  CHECK(from.steps.size() == 2);
  CHECK(from.steps[1].key == "x=y");
  CHECK(to.steps[1].key == "c=d");
  CHECK_THROWS_AS(parse_rename("a", "--rename"), UsageError);
  CHECK_THROWS_AS(parse_rename("=a", "--rename"), UsageError);
  CHECK_THROWS_AS(parse_rename("a=", "--rename"), UsageError);
  CHECK_THROWS_AS(Shape().rename("a[0]=b")("{}"), UsageError);
}

TEST_CASE("reshape: --select and --drop are the filter's projection, before --rename") {
  CHECK(Shape().select("c").select("a.b")(R"({"a":{"b":1,"x":2},"c":3,"d":4})") == R"({"a":{"b":1},"c":3})");
  CHECK(Shape().drop("a.b").drop("d")(R"({"a":{"b":1,"x":2},"c":3,"d":4})") == R"({"a":{"x":2},"c":3})");
  CHECK(Shape().select("a").rename("a=z")(R"({"a":1,"b":2})") == R"({"z":1})");
  CHECK(Shape().rename("a=z").select("z")(R"({"a":1,"b":2})") == R"({})");  // select names input fields
  CHECK(Shape().drop("b").flatten()(R"({"a":{"c":1},"b":2})") == R"({"a.c":1})");
  CHECK_THROWS_AS(Shape().select("a").drop("b")("{}"), UsageError);
}

TEST_CASE("reshape: --flatten") {
  CHECK(Shape().flatten()(R"({"a":{"b":1,"c":{"d":"x"}},"e":2})") == R"({"a.b":1,"a.c.d":"x","e":2})");
  // Arrays stay values (what is inside them too), empty objects stay {}.
  CHECK(Shape().flatten()(R"({"a":[{"b":1}],"e":{},"f":{"g":{}}})") == R"({"a":[{"b":1}],"e":{},"f.g":{}})");
  CHECK(Shape().flatten("__")(R"({"a":{"b":1}})") == R"({"a__b":1})");
  // Values byte for byte: numbers keep their text.
  CHECK(Shape().flatten()(R"({"a":{"n":1.000000000000000000001,"m":-0.0e-7,"s":"\u00e9\n"}})") ==
        R"({"a.n":1.000000000000000000001,"a.m":-0.0e-7,"a.s":"\u00e9\n"})");
  // A key met again keeps the first value.
  CHECK(Shape().flatten()(R"({"a":{"b":1},"a.b":2})") == R"({"a.b":1})");
  CHECK(Shape().flatten()(R"({"a.b":2,"a":{"b":1}})") == R"({"a.b":2})");
  // Keys are unescaped when read and escaped when written.
  CHECK(Shape().flatten()(R"({"q\"\u0041":{"\\":1}})") == R"({"q\"A.\\":1})");
  CHECK(Shape().flatten()("{}") == "{}");
}

TEST_CASE("reshape: --nest") {
  CHECK(Shape().nest()(R"({"a.b":1,"x":0,"a.c.d":2,"a.c.e":3})") == R"({"a":{"b":1,"c":{"d":2,"e":3}},"x":0})");
  // Clashes stay flat, the same whatever the order.
  CHECK(Shape().nest()(R"({"a":1,"a.b":2})") == R"({"a":1,"a.b":2})");
  CHECK(Shape().nest()(R"({"a.b":2,"a":1})") == R"({"a.b":2,"a":1})");
  CHECK(Shape().nest()(R"({"a":{"x":1},"a.b":2})") == R"({"a":{"x":1},"a.b":2})");
  // A value on the path, or the same key again: the later key stays flat.
  CHECK(Shape().nest()(R"({"a.b":1,"a.b.c":2})") == R"({"a":{"b":1},"a.b.c":2})");
  CHECK(Shape().nest()(R"({"a.b.c":2,"a.b":1})") == R"({"a":{"b":{"c":2}},"a.b":1})");
  CHECK(Shape().nest()(R"({"a.b":1,"a.b":2})") == R"({"a":{"b":1},"a.b":2})");
  // Empty parts are no path.
  CHECK(Shape().nest()(R"({"x..y":1,".z":2,"k.":3,".":4})") == R"({"x..y":1,".z":2,"k.":3,".":4})");
  CHECK(Shape().nest("::")(R"({"a::b":1,"a.c":2})") == R"({"a":{"b":1},"a.c":2})");
  // Only top-level keys are split.
  CHECK(Shape().nest()(R"({"o":{"a.b":1}})") == R"({"o":{"a.b":1}})");
  // --flatten undone.
  const std::string nested = R"({"a":{"b":1,"c":{"d":[1,{"e.f":2}]}},"g":{}})";
  CHECK(Shape().nest()(Shape().flatten()(nested)) == nested);
}

TEST_CASE("reshape: hostile events") {
  Shape flat = Shape().flatten();
  CHECK(flat("[1,2]") == "error");
  CHECK(flat("\"s\"") == "error");
  CHECK(flat("not json") == "error");
  CHECK(flat(R"({"a":1}})") == "error");
  CHECK(flat(R"({"a":1)") == "error");
  CHECK(flat(R"({"a":tru})") == "error");
  CHECK(Shape().select("a")("[1]") == "error");
  // Nested beyond the depth limit: kept whole as a value.
  std::string deep;
  for (size_t i = 0; i < 200; ++i) deep += R"({"k":)";
  deep += "1";
  deep.append(200, '}');
  const std::string flattened = flat(deep);
  std::string key = "k";
  for (size_t i = 1; i < Reshaper::kMaxDepth; ++i) key += ".k";
  CHECK(flattened.rfind("{\"" + key + "\":{\"k\":", 0) == 0);
  // A dotted key of more parts than the limit stays flat (no deep recursion).
  std::string many = "a";
  for (size_t i = 0; i < 100000; ++i) many += ".a";
  const std::string event = "{\"" + many + "\":1}";
  CHECK(Shape().nest()(event) == event);
  std::string huge(1 << 20, 'x');
  CHECK(Shape().rename(("a=" + std::string(1000, 'y')).c_str())("{\"a\":\"" + huge + "\"}") ==
        "{\"" + std::string(1000, 'y') + "\":\"" + huge + "\"}");
}

TEST_CASE("reshape: bad options") {
  CHECK_THROWS_AS(Shape().flatten().nest()("{}"), UsageError);
  CHECK_THROWS_AS(Shape().flatten("")("{}"), UsageError);
  CHECK_FALSE(Reshaper(ReshapeOptions{}).active());
  ReshapeOptions lone_separator;
  lone_separator.separator = "/";
  CHECK_THROWS_AS(Reshaper{lone_separator}, UsageError);
}

TEST_CASE("reshape: one reshaper over events of changing shapes (its nodes are reused)") {
  for (int mode = 0; mode < 3; ++mode) {
    ReshapeOptions o;
    if (mode == 0) o.flatten = true;
    if (mode == 1) o.nest = true;
    if (mode == 2) o.renames.push_back(parse_rename("a=z", "--rename"));
    Reshaper r(o);
    auto run = [&](std::string_view ev) {
      std::string out;
      if (r.apply(ev, out)) return std::string("error");
      return out;
    };
    const std::string one = run(R"({"a":{"b":{"c":1}},"d":2,"e.f":3})");
    const std::string two = run(R"({"a":5})");
    const std::string three = run(R"({"a":{"x":1},"d":{"e":[1]},"f":{}})");
    CHECK(run("[1]") == "error");
    CHECK(run(R"({"a":{"b":)") == "error");
    const std::string four = run(R"({"a":{}})");
    if (mode == 0) {
      CHECK(one == R"({"a.b.c":1,"d":2,"e.f":3})");
      CHECK(two == R"({"a":5})");
      CHECK(three == R"({"a.x":1,"d.e":[1],"f":{}})");
      CHECK(four == R"({"a":{}})");
    } else if (mode == 1) {
      CHECK(one == R"({"a":{"b":{"c":1}},"d":2,"e":{"f":3}})");
      CHECK(two == R"({"a":5})");
      CHECK(three == R"({"a":{"x":1},"d":{"e":[1]},"f":{}})");
      CHECK(four == R"({"a":{}})");
    } else {
      CHECK(one == R"({"z":{"b":{"c":1}},"d":2,"e.f":3})");
      CHECK(two == R"({"z":5})");
      CHECK(three == R"({"z":{"x":1},"d":{"e":[1]},"f":{}})");
      CHECK(four == R"({"z":{}})");
    }
  }
}
