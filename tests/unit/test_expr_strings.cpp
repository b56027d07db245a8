// The string functions and conditionals of the expression language:
// extract replace split substr trim url_decode json if case (olly(7)).
#include <doctest/doctest.h>
#include <re2/re2.h>
#include <simdjson.h>

#include "core/diag.h"
#include "core/stage.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/json_value.h"
#include "expr_eval.h"
#include "expr/strings.h"

using namespace olly;

namespace {

using test::compile_error;
using test::has;
using test::json_of;

const std::string kSshd =
    R"~({"msg":"Failed password for root from 203.0.113.9 port 52114 ssh2","ua":"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"})~";

}  // namespace

TEST_CASE("extract: the first group, the whole match, or an object of named groups") {
  CHECK(json_of(R"~(extract(msg, "from (\S+)"))~", kSshd) == R"~("203.0.113.9")~");
  CHECK(json_of(R"~(extract(msg, "port \d+"))~", kSshd) == R"~("port 52114")~");
  CHECK(json_of(R"~(extract(msg, "from (?P<ip>\S+) port (?P<port>\d+)"))~", kSshd) ==
        R"~({"ip":"203.0.113.9","port":"52114"})~");
  // Named groups in the pattern's order, not by name; unnamed groups left out.
  CHECK(json_of(R"~(extract(msg, "(?P<z>\w+) (password) for (?P<a>\w+)"))~", kSshd) == R"~({"z":"Failed","a":"root"})~");
  CHECK(json_of(R"~(extract(ua, "(Firefox|Chrome)/(\S+)"))~", kSshd) == R"~("Firefox")~");
  CHECK(json_of(R"~(extract(msg, "nothing like this"))~", kSshd) == "null");
  CHECK(json_of(R"~(extract(msg, "(?P<x>nothing)"))~", kSshd) == "null");
  // A group that did not take part in the match.
  CHECK(json_of(R"~(extract(msg, "(xyz)?Failed"))~", kSshd) == "null");
  CHECK(json_of(R"~(extract(msg, "(?P<a>xyz)?(?P<b>Failed)"))~", kSshd) == R"~({"a":null,"b":"Failed"})~");
  // An empty match is a match.
  CHECK(json_of(R"~(extract(msg, "()"))~", kSshd) == R"~("")~");
  CHECK(json_of(R"~(extract("", "^$"))~") == R"~("")~");
  // Not a string: null.
  CHECK(json_of(R"~(extract(nope, "x"))~") == "null");
  CHECK(json_of(R"~(extract(5, "5"))~") == "null");
  // Unicode: groups are code points, (?i) folds non-ASCII letters.
  CHECK(json_of(R"~(extract("Grüße aus Köln", "aus (\pL+)"))~") == R"~("Köln")~");
  CHECK(json_of(R"~(extract("ÄRGER", "(?i)(ärger)"))~") == R"~("ÄRGER")~");
  // Invalid UTF-8 in the subject: matched bytewise, written with U+FFFD.
  // RE2 classes match code points, so [^;]* stops at the bad bytes; \C takes any byte.
  CHECK(json_of("extract(\"id=\xff\xfe;\", \"id=([^;]*)\")") == "\"\"");
  CHECK(json_of("extract(\"id=\xff\xfe;\", \"id=(\\C+);\")") == "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  // Nested: the inner result is the outer subject.
  CHECK(json_of(R"~(extract(extract(msg, "from (\S+ port \d+)"), "port (\d+)"))~", kSshd) == R"~("52114")~");
  CHECK(json_of(R"~(int(extract(msg, "port (\d+)")) + 1)~", kSshd) == "52115");
  CHECK(json_of(R"~(upper(extract(msg, "for (\w+)")))~", kSshd) == R"~("ROOT")~");
}

TEST_CASE("extract on a huge input and a pattern with many groups") {
  std::string big(1 << 20, 'a');
  big += "key=value";
  CHECK(json_of(R"~(extract(s, "key=(\w+)"))~", R"~({"s":")~" + big + R"~("})~") == R"~("value")~");
  std::string many = "extract(\"";
  std::string pat;
  for (int i = 0; i < 40; ++i) {
    many += static_cast<char>('a' + i % 26);
    pat += "(?P<g" + std::to_string(i) + ">.)";
  }
  many += "\", \"" + pat + "\")";
  std::string got = json_of(many);
  CHECK(has(got, R"~("g0":"a")~"));
  CHECK(has(got, R"~("g39":"n")~"));
}

TEST_CASE("replace: every match, with \\1 backrefs") {
  CHECK(json_of(R"~(replace(msg, "\d+", "N"))~", kSshd) == R"~("Failed password for root from N.N.N.N port N sshN")~");
  CHECK(json_of(R"~(replace(msg, "from (\S+) port (\d+)", "from \2:\1"))~", kSshd) ==
        R"~("Failed password for root from 52114:203.0.113.9 ssh2")~");
  CHECK(json_of(R"~(replace("abc", "x*", "-"))~") == R"~("-a-b-c-")~");  // as RE2::GlobalReplace
  CHECK(json_of(R"~(replace("aaa", "a", "<\\0>"))~") == R"~("<a><a><a>")~");  // "\0" alone is a NUL character
  CHECK(json_of(R"~(replace("", "^", "x"))~") == R"~("x")~");
  CHECK(json_of(R"~(replace("", "y", "x"))~") == R"~("")~");
  CHECK(json_of(R"~(replace("no match here", "\d", "#"))~") == R"~("no match here")~");
  CHECK(json_of(R"~(replace("élan vital", "(?i)É", "E"))~") == R"~("Elan vital")~");
  CHECK(json_of(R"~(replace("日本語", "", "|"))~") == R"~("|日|本|語|")~");  // steps over code points
  CHECK(json_of(R"~(replace(nope, "a", "b"))~") == "null");
  CHECK(json_of(R"~(replace("a", "a", 5))~") == "null");
  // A replacement read from the event is checked per event.
  CHECK(json_of(R"~(replace("ab", "a", r))~", R"~({"r":"<\\1>"})~") == "null");
  CHECK(json_of(R"~(replace("ab", "(a)", r))~", R"~({"r":"<\\1>"})~") == R"~("<a>b")~");
  CHECK(json_of(R"~(replace(replace("a-b", "-", "+"), "\+", "="))~") == R"~("a=b")~");
  std::string big(1 << 20, 'x');
  std::string got = json_of(R"~(len(replace(s, "x", "yy")))~", R"~({"s":")~" + big + R"~("})~");
  CHECK(got == std::to_string(2 << 20));
}

TEST_CASE("split, substr, trim, url_decode") {
  CHECK(json_of(R"~(split("a,b,,c", ","))~") == R"~(["a","b","","c"])~");
  CHECK(json_of(R"~(split("a::b", "::"))~") == R"~(["a","b"])~");
  CHECK(json_of(R"~(split(",", ","))~") == R"~(["",""])~");
  CHECK(json_of(R"~(split("", ","))~") == "[]");
  CHECK(json_of(R"~(split("abc", "x"))~") == R"~(["abc"])~");
  CHECK(json_of(R"~(split("añb", ""))~") == R"~(["a","ñ","b"])~");
  CHECK(json_of(R"~(len(split("a b c", " ")))~") == "3");
  CHECK(json_of(R"~("b" in split("a b c", " "))~") == "true");
  CHECK(json_of(R"~(split(1, ","))~") == "null");
  CHECK(json_of("split(\"a\xff,b\", \",\")") == "[\"a\xef\xbf\xbd\",\"b\"]");

  CHECK(json_of(R"~(substr("hello", 1, 3))~") == R"~("ell")~");
  CHECK(json_of(R"~(substr("hello", 1))~") == R"~("ello")~");
  CHECK(json_of(R"~(substr("hello", -3))~") == R"~("llo")~");
  CHECK(json_of(R"~(substr("hello", -3, 2))~") == R"~("ll")~");
  CHECK(json_of(R"~(substr("hello", -99, 2))~") == R"~("he")~");
  CHECK(json_of(R"~(substr("hello", 99))~") == R"~("")~");
  CHECK(json_of(R"~(substr("hello", 2, 99))~") == R"~("llo")~");
  CHECK(json_of(R"~(substr("hello", 2, -1))~") == R"~("")~");
  CHECK(json_of(R"~(substr("hello", 1.9, 2.9))~") == R"~("el")~");
  CHECK(json_of(R"~(substr("", 0, 5))~") == R"~("")~");
  CHECK(json_of(R"~(substr("日本語テキスト", 2, 3))~") == R"~("語テキ")~");
  CHECK(json_of(R"~(substr("日本語", -1))~") == R"~("語")~");
  CHECK(json_of(R"~(substr("hello", -9223372036854775807 - 1, 9223372036854775807))~") == R"~("hello")~");
  CHECK(json_of(R"~(substr("hello", "1"))~") == "null");
  // An empty result is still a string an empty match can be found in.
  CHECK(json_of(R"~(extract(substr("abc", 9), "^(.*)$"))~") == R"~("")~");
  CHECK(json_of(R"~(replace(substr("abc", 1, 0), "^", "x"))~") == R"~("x")~");
  CHECK(json_of(R"~(replace(trim("  "), "^", "x"))~") == R"~("x")~");
  CHECK(json_of(R"~(substr(nope, 1))~") == "null");

  CHECK(json_of(R"~(trim("  a b \t\r\n"))~") == R"~("a b")~");
  CHECK(json_of(R"~(trim(""))~") == R"~("")~");
  CHECK(json_of(R"~(trim("   "))~") == R"~("")~");
  CHECK(json_of(R"~(trim(" ü "))~") == R"~("ü")~");
  CHECK(json_of(R"~(trim(1))~") == "null");

  CHECK(json_of(R"~(url_decode("a%20b+c%2Fd"))~") == R"~("a b c/d")~");
  CHECK(json_of(R"~(url_decode("%E2%9C%93"))~") == R"~("✓")~");
  CHECK(json_of(R"~(url_decode("100%"))~") == R"~("100%")~");
  CHECK(json_of(R"~(url_decode("%zz%4"))~") == R"~("%zz%4")~");
  CHECK(json_of(R"~(url_decode("%%41"))~") == R"~("%A")~");
  CHECK(json_of(R"~(url_decode("plain"))~") == R"~("plain")~");
  CHECK(json_of(R"~(url_decode("%FF"))~") == "\"\xef\xbf\xbd\"");  // not UTF-8: written as U+FFFD
  CHECK(json_of(R"~(url_decode(nope))~") == "null");
}

TEST_CASE("json: the value a JSON string holds") {
  CHECK(json_of(R"~(json(s))~", R"~({"s":"{\"a\": [1, 2], \"b\": \"x\"}"})~") == R"~({"a":[1,2],"b":"x"})~");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"[1,\n 2]"})~") == "[1,2]");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"42"})~") == "42");
  CHECK(json_of(R"~(json(s))~", R"~({"s":" \"str\" "})~") == R"~("str")~");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"null"})~") == "null");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"true"})~") == "true");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"18446744073709551615"})~") == "18446744073709551615");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"not json"})~") == "null");
  CHECK(json_of(R"~(json(s))~", R"~({"s":"{\"a\":1} trailing"})~") == "null");
  CHECK(json_of(R"~(json(s))~", R"~({"s":""})~") == "null");
  CHECK(json_of(R"~(json(s))~", R"~({"s":{"a":1}})~") == "null");  // not a string
  CHECK(json_of(R"~(json("{\"k\":\"v\"}") == json("{ \"k\" : \"v\" }"))~") == "true");
  CHECK(json_of(R"~(len(json("[1,2,3]")) + len(json("{\"a\":1}")))~") == "4");
  CHECK(json_of(R"~(json("\"a\"") + json("\"b\""))~") == R"~("ab")~");  // both strings outlive the parser
  CHECK(json_of("json(\"\\\"\xff\\\"\")") == "null");  // invalid UTF-8 is not JSON
}

TEST_CASE("if and case evaluate only the branch they choose") {
  const std::string ev = R"~({"status":503,"latency_ms":120})~";
  CHECK(json_of(R"~(if(status >= 500, "error", "ok"))~", ev) == R"~("error")~");
  CHECK(json_of(R"~(if(status < 500, "error", "ok"))~", ev) == R"~("ok")~");
  CHECK(json_of(R"~(if(nope, 1, 2))~", ev) == "2");
  CHECK(json_of(R"~(if(true, nope, 2))~", ev) == "missing");
  CHECK(json_of(R"~(case(status >= 500, "5xx", status >= 400, "4xx", "ok"))~", ev) == R"~("5xx")~");
  CHECK(json_of(R"~(case(status >= 600, "?", status >= 500, "5xx", "ok"))~", ev) == R"~("5xx")~");
  CHECK(json_of(R"~(case(false, 1, "default"))~", ev) == R"~("default")~");
  CHECK(json_of(R"~(if(status >= 500, if(latency_ms > 100, "slow error", "error"), "ok"))~", ev) ==
        R"~("slow error")~");
  // Lazy: the branch not taken is never evaluated, so its scratch strings
  // and errors (json() nested too deeply) do not happen.
  std::string deep = std::string(2000, '[') + std::string(2000, ']');
  CHECK(json_of(R"~(if(true, "fine", json(s)))~", R"~({"s":")~" + deep + R"~("})~") == R"~("fine")~");
  CHECK(json_of(R"~(case(true, 1, json(s)))~", R"~({"s":")~" + deep + R"~("})~") == "1");
}

TEST_CASE("a json() value nested deeper than the parser reads is an error for the event") {
  std::string deep = std::string(2000, '[') + std::string(2000, ']');
  Expr expr = Expr::compile("json(s)");
  FieldExtractor ex;
  for (const auto& p : expr.paths()) ex.add(p);
  simdjson::ondemand::parser parser;
  PaddedLine padded;
  std::vector<Value> slots;
  EvalScratch scratch;
  simdjson::ondemand::document doc;
  REQUIRE(!parser.iterate(padded.set(R"~({"s":")~" + deep + R"~("})~")).get(doc));
  REQUIRE(!ex.extract(doc, slots));
  CHECK(expr.eval(slots, scratch).kind == Kind::null);
  CHECK(scratch.error() == simdjson::DEPTH_ERROR);
}

TEST_CASE("string functions: wrong arguments are compile errors with the column") {
  std::string e = compile_error(R"~(extract(msg, pat))~");
  CHECK(has(e, "extract() takes its regex as a string literal at column 14"));
  CHECK(has(compile_error(R"~(replace(msg, 5, "x"))~"), "replace() takes its regex as a string literal at column 14"));
  CHECK(has(compile_error(R"~(replace(msg, "a" + "b", "x"))~"), "string literal at column 18"));
  e = compile_error(R"~(x == 1 && extract(msg, "(unclosed"))~");
  CHECK(has(e, "bad regex: missing ): (unclosed at column 24"));
  CHECK(has(compile_error(R"~(replace(msg, "a", "\1"))~"), "bad replacement: Rewrite schema requests 1 matches, but the regexp only has 0 parenthesized subexpressions at column 19"));
  CHECK(has(compile_error(R"~(extract(msg))~"), "extract() takes 2 arguments at column 1"));
  CHECK(has(compile_error(R"~(replace(msg, "a"))~"), "replace() takes 3 arguments"));
  CHECK(has(compile_error(R"~(split(msg))~"), "split() takes 2 arguments"));
  CHECK(has(compile_error(R"~(substr(msg))~"), "substr() takes at least 2 arguments"));
  CHECK(has(compile_error(R"~(substr(msg, 1, 2, 3))~"), "substr() takes at most 3 arguments"));
  CHECK(has(compile_error(R"~(trim())~"), "trim() takes 1 argument"));
  CHECK(has(compile_error(R"~(json(a, b))~"), "json() takes 1 argument"));
  CHECK(has(compile_error(R"~(url_decode())~"), "url_decode() takes 1 argument"));
  CHECK(has(compile_error(R"~(if(a, b))~"), "if() takes 3 arguments"));
  CHECK(has(compile_error(R"~(x + case(a, b))~"), "case() takes at least 3 arguments at column 5"));
  CHECK(has(compile_error(R"~(case(a, b, c, d))~"), "an odd number of arguments at column 1"));
  CHECK(compile_error(R"~(case(a, b, c, d, e))~").empty());
  CHECK(has(compile_error("strip(x)"), "known: "));
  CHECK(has(compile_error("strip(x)"), "extract replace split substr trim url_decode json if case"));
}

TEST_CASE("the string helpers directly") {
  std::string out;
  CHECK(!url_decode("nothing to do", out));
  CHECK(trim_space("\v\f x \f\v") == "x");
  CHECK(substr_code_points("abc", 0, 0).empty());
  RE2 re("(?P<k>\\w+)=(?P<v>\\w*)");
  ExtractPlan plan = plan_extract(re);
  REQUIRE(plan.named.size() == 2);
  CHECK(plan.submatches == 3);
  std::string_view text;
  CHECK(extract(re, plan, "a=1 b=2", &text, out) == ExtractResult::object);
  CHECK(out == R"~({"k":"a","v":"1"})~");
  CHECK(!replace_all(re, "---", "x", out));
  CHECK(replace_all(re, "a=1 b=2", "\\2=\\1", out));
  CHECK(out == "1=a 2=b");
}

TEST_CASE("value_at reads inside a computed object or array") {
  EvalScratch scratch;
  std::string error;
  auto at = [&](const Value& v, const std::string& path) {
    Path q;
    REQUIRE(parse_path("x" + path, q, error));
    std::span<const PathStep> steps(q.steps);
    std::string out;
    Value r = value_at(v, steps.subspan(1), scratch);
    if (r.kind == Kind::missing) return std::string("missing");
    append_value_json(out, r);
    return out;
  };
  Value obj = Value::object_json(R"({"ip":"203.0.113.9","port":"22","nested":{"a":[1,{"b":"deep"}]}})");
  CHECK(at(obj, "") == R"({"ip":"203.0.113.9","port":"22","nested":{"a":[1,{"b":"deep"}]}})");
  CHECK(at(obj, ".ip") == R"("203.0.113.9")");
  CHECK(at(obj, ".nested.a[1].b") == R"("deep")");
  CHECK(at(obj, ".nested.a") == R"([1,{"b":"deep"}])");
  CHECK(at(obj, ".nested.a[5]") == "missing");
  CHECK(at(obj, ".nope") == "missing");
  CHECK(at(obj, ".ip.x") == "missing");
  CHECK(at(obj, "[0]") == "missing");
  CHECK(at(Value::string("s"), ".a") == "missing");
  CHECK(at(Value::null(), ".a") == "missing");
  CHECK(at(Value::array_json("[10, 20]"), "[1]") == "20");
  // Two reads in one evaluation keep both strings.
  Value ip = value_at(obj, std::span<const PathStep>(Path{{PathStep{"ip"}}, "ip"}.steps), scratch);
  Value port = value_at(obj, std::span<const PathStep>(Path{{PathStep{"port"}}, "port"}.steps), scratch);
  CHECK(ip.s == "203.0.113.9");
  CHECK(port.s == "22");
}
