// Expressions evaluated over one JSON document, for the unit tests of the
// expression language (test_expr, test_expr_strings, test_expr_time).
#pragma once
#include <doctest/doctest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/stage.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/json_value.h"

namespace olly::test {

// Evaluates expr over one JSON document; text_out, when given, gets a
// string result's text. The value's views live until the next call.
inline Value eval_on(const std::string& expr_text, const std::string& json, std::string* text_out = nullptr) {
  static simdjson::ondemand::parser parser;
  static PaddedLine padded;
  static EvalScratch scratch;
  static std::vector<Value> slots;
  // Kept to the next call: a result may point into the expression (a constant's text).
  static std::optional<Expr> kept;
  kept = Expr::compile(expr_text);
  const Expr& expr = *kept;
  FieldExtractor ex;
  for (const auto& p : expr.paths()) ex.add(p);
  simdjson::ondemand::document doc;
  REQUIRE(!parser.iterate(padded.set(json)).get(doc));
  REQUIRE(!ex.extract(doc, slots));
  scratch.reset();
  Value v = expr.eval(slots, scratch);
  if (text_out) {
    text_out->clear();
    if (v.kind == Kind::string) text_out->assign(v.s);
  }
  return v;
}

// The value of expr over one JSON document, as JSON text ("missing" when absent).
inline std::string json_of(const std::string& expr_text, const std::string& json = "{}") {
  const Value v = eval_on(expr_text, json);
  if (v.kind == Kind::missing) return "missing";
  std::string out;
  append_value_json(out, v);
  return out;
}

// The message of the UsageError compiling text throws ("" when it compiles).
inline std::string compile_error(const std::string& text) {
  try {
    Expr::compile(text, "EXPR");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

inline bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace olly::test
