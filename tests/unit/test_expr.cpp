#include <doctest/doctest.h>
#include <simdjson.h>

#include "core/diag.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/json_value.h"
#include "core/stage.h"
#include "expr_eval.h"

using namespace olly;
using test::eval_on;

namespace {

bool holds(const std::string& expr_text, const std::string& json) {
  return truthy(eval_on(expr_text, json));
}

std::string compile_error(const std::string& text) {
  try {
    Expr::compile(text, "EXPR");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("comparisons follow DESIGN.md's null and coercion rules") {
  const std::string ev = R"({"status":503,"s":"500","name":"api","n":null,"f":1.5,"ok":true})";
  CHECK(holds("status >= 500", ev));
  CHECK_FALSE(holds("status < 500", ev));
  CHECK(holds("s >= 500", ev));          // whole-number string compares numerically
  CHECK(holds("s == 500", ev));
  CHECK_FALSE(holds("name > 5", ev));    // not a number: false
  CHECK_FALSE(holds("name < 5", ev));
  CHECK_FALSE(holds("missing < 5", ev)); // null compares false (unlike jq)
  CHECK_FALSE(holds("missing != 5", ev));
  CHECK(holds("missing == null", ev));
  CHECK(holds("n == null", ev));
  CHECK_FALSE(holds("n != null", ev));
  CHECK(holds("status != null", ev));
  CHECK(holds("ok == true", ev));
  CHECK(holds("f > 1 && f < 2", ev));
  CHECK(holds("!(status == 200)", ev));
  CHECK(holds("not status == 200", ev));
  CHECK(holds("status == 200 or name == 'api'", ev));
}

TEST_CASE("regex, in, functions") {
  const std::string ev =
      R"({"path":"/api/checkout/7","tags":["a","b"],"obj":{"k":1},"msg":"Failed password for root","n":3,"ts":"2026-11-25T02:40:00Z"})";
  CHECK(holds(R"(path =~ "^/api/checkout")", ev));
  CHECK(holds(R"(path !~ "^/health")", ev));
  CHECK(holds(R"(msg =~ "(?i)failed PASSWORD")", ev));
  CHECK(holds(R"(n in [1, 2, 3])", ev));
  CHECK_FALSE(holds(R"(n in [1, 2])", ev));
  CHECK(holds(R"("b" in tags)", ev));
  CHECK(holds(R"("k" in obj)", ev));
  CHECK(holds(R"("check" in path)", ev));
  CHECK(holds("len(tags) == 2", ev));
  CHECK(holds("len(obj) == 1", ev));
  CHECK(holds("len(path) == 15", ev));
  CHECK(holds("exists(obj.k) && !exists(obj.z)", ev));
  CHECK(holds(R"(lower("AbC") == "abc" && upper(path) == "/API/CHECKOUT/7")", ev));
  CHECK(holds(R"(contains(msg, "password") && starts_with(path, "/api") && ends_with(path, "/7"))", ev));
  CHECK(holds(R"(int("42") == 42 && float("1.5") == 1.5 && str(n) == "3")", ev));
  CHECK(holds("ts(ts) == 1795574400", ev));
  CHECK(holds("coalesce(nope, n) == 3", ev));
  CHECK(holds("tags[1] == 'b' && obj.k == 1", ev));
  CHECK(holds("now() > ts(ts)", ev));
}

TEST_CASE("arithmetic and durations") {
  const std::string ev = R"({"latency_ms":250,"big":9223372036854775807})";
  CHECK(eval_on("latency_ms / 1000", ev).d == doctest::Approx(0.25));
  CHECK(eval_on("latency_ms * 2 + 1", ev).i == 501);
  CHECK(eval_on("latency_ms % 7", ev).i == 5);
  CHECK(eval_on("-latency_ms", ev).i == -250);
  CHECK(eval_on("big + 1", ev).kind == Kind::number);  // overflow becomes a double
  CHECK(eval_on("1 / 0", ev).kind == Kind::null);
  CHECK(eval_on("250ms", ev).d == doctest::Approx(0.25));
  CHECK(eval_on("1h30m", ev).d == doctest::Approx(5400));
  std::string s;
  eval_on("'a' + 'b'", ev, &s);
  CHECK(s == "ab");
}

TEST_CASE("syntax errors point at the column") {
  std::string e = compile_error("status >= && x");
  CHECK(e.find("column 11") != std::string::npos);
  CHECK(e.find("\n  status >= && x\n            ^") != std::string::npos);
  CHECK(compile_error("status = 5").find("'=='") != std::string::npos);
  CHECK(compile_error("a == 1 == 2").find("do not chain") != std::string::npos);
  CHECK(compile_error("nosuch(1)").find("unknown function") != std::string::npos);
  CHECK(compile_error(R"(x =~ "(")").find("bad regex") != std::string::npos);
  CHECK(compile_error("'open").find("unterminated") != std::string::npos);
  CHECK(compile_error("(a").find("expected ')'") != std::string::npos);
  CHECK(compile_error("exists(1)").find("field path") != std::string::npos);
  CHECK(compile_error("5xyz").find("not a number or a duration") != std::string::npos);
  CHECK(compile_error("").find("expected an operand") != std::string::npos);
}

TEST_CASE("hostile expressions do not crash") {
  std::string deep(100000, '(');
  CHECK(compile_error(deep).find("nested too deeply") != std::string::npos);
  CHECK(compile_error(std::string(100000, '!') + "x").find("nested too deeply") != std::string::npos);
  CHECK(compile_error(std::string(100000, '-') + "x").find("nested too deeply") != std::string::npos);
  std::string text = "(((((((((((1)))))))))))";
  CHECK(eval_on(text, "{}").i == 1);
  CHECK(compile_error(std::string("a == \"\xff\"")).empty());
  // Long flat chains: arithmetic is bounded, || and && are one node each.
  std::string sum = "1";
  for (int i = 0; i < 30000; ++i) sum += "+1";
  CHECK(compile_error(sum).find("too deeply nested") != std::string::npos);
  std::string ors = "a == 0";
  for (int i = 1; i < 30000; ++i) ors += " || a == " + std::to_string(i);
  CHECK(holds(ors, R"({"a":29999})"));
  CHECK(!holds(ors, R"({"a":30000})"));
  std::string path = "a";
  for (int i = 0; i < 50000; ++i) path += ".a";
  CHECK(compile_error(path).find("more than 1000 steps") != std::string::npos);
}

TEST_CASE("the caret counts characters, not bytes") {
  std::string msg = compile_error("\xc3\xa9 == && x");
  CHECK(msg.find("at column 6") != std::string::npos);
  CHECK(msg.find("\n       ^") != std::string::npos);
}

TEST_CASE("a list literal is a JSON array value") {
  auto json_of = [](const std::string& expr, const std::string& doc) {
    Value v = eval_on(expr, doc);
    std::string out;
    append_value_json(out, v);
    return out;
  };
  CHECK(json_of("[1, \"a\\\"b\", [true, null], nope, o]", R"({"o": [1, 2] })") == R"([1,"a\"b",[true,null],null,[1, 2]])");
  CHECK(json_of("coalesce(nope, [1])", "{}") == "[1]");
  CHECK(json_of("[]", "{}") == "[]");
  CHECK(eval_on("len([1, 2, 3])", "{}").i == 3);
  CHECK(holds("2 in coalesce(nope, [1, 2])", "{}"));
  CHECK(holds("[1, 2] == o", R"({"o":[1,2]})"));
}

TEST_CASE("integers above INT64_MAX stay exact") {
  const std::string ev = R"({"n":18446744073709551615,"m":9223372036854775808,"s":"18446744073709551615"})";
  CHECK(!holds("n == 18446744073709551614", ev));
  CHECK(holds("n == 18446744073709551615", ev));
  CHECK(holds("n > 18446744073709551614", ev));
  CHECK(holds("m > 9223372036854775807", ev));
  CHECK(!holds("m == 9223372036854775807", ev));
  CHECK(holds("m == 9223372036854775808.0", ev));
  CHECK(holds("n < 1.8446744073709552e19", ev));  // that double is 2^64
  CHECK(holds("n == s", ev));
  CHECK(holds("n in [1, 18446744073709551615]", ev));
  auto json_of = [&](const std::string& expr) {
    std::string out;
    append_value_json(out, eval_on(expr, ev));
    return out;
  };
  CHECK(json_of("n") == "18446744073709551615");
  CHECK(json_of("str(n)") == "\"18446744073709551615\"");
  CHECK(json_of("-18446744073709551615") == "-1.8446744073709552e+19");
  CHECK(json_of("n + 1") == "1.8446744073709552e+19");
  CHECK(eval_on("int(n)", ev).kind == Kind::null);
}
