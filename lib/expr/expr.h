// The expression language of DESIGN.md (filter, eval, alert, explain, agg):
// compiled once into an evaluator tree, evaluated per event over "slots",
// the values of the field paths the expression reads.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "expr/path.h"
#include "expr/value.h"

namespace olly {

// Per-thread scratch for strings an evaluation creates (lower(), str(), ...).
// Reset per event by the caller: views into it stay valid until then.
class EvalScratch {
 public:
  // A cleared string owned by the scratch; fill it, then view it until reset().
  std::string& buffer();
  std::string_view keep(std::string_view s) {
    std::string& b = buffer();
    b.assign(s);
    return b;
  }
  void reset() {
    used_ = 0;
    error_ = 0;
  }

  // A JSON error (a simdjson::error_code, e.g. DEPTH_ERROR for an array
  // nested deeper than the parser reads) met while evaluating: the value
  // could not be computed, so the caller makes the event a bad record
  // instead of using the null it got. 0 when none; cleared by reset().
  int error() const { return error_; }
  void set_error(int code) {
    if (error_ == 0) error_ = code;
  }

 private:
  std::vector<std::unique_ptr<std::string>> strings_;
  size_t used_ = 0;
  int error_ = 0;
};

namespace detail { struct Node; }

class Expr {
 public:
  // Compiles text; a syntax error throws UsageError whose message names the
  // flag (or argument) and shows the expression with a caret under the column:
  //   olly-filter: EXPR: expected an operand at column 12
  //     status >= && x
  //                ^
  static Expr compile(std::string_view text, std::string_view what = "expression");

  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;

  // The field paths the expression reads. Slot i holds the value of paths()[i].
  const std::vector<Path>& paths() const { return paths_; }

  Value eval(std::span<const Value> slots, EvalScratch& scratch) const;
  // Truthiness: false for missing, null, false, 0, "" ; true otherwise.
  bool test(std::span<const Value> slots, EvalScratch& scratch) const;

  const std::string& text() const { return text_; }
  // True when the expression is the constant `true` (filter 'true').
  bool is_constant_true() const;

 private:
  std::unique_ptr<detail::Node> root_;
  std::vector<Path> paths_;
  std::string text_;
};

// The value at steps inside v when v is an array or object (held as JSON
// text, such as an object an earlier olly-eval --set computed); missing when
// v is not a container or has nothing there. What it returns stays valid
// until scratch is reset.
Value value_at(const Value& v, std::span<const PathStep> steps, EvalScratch& scratch);

bool truthy(const Value& v);
// Comparison semantics of DESIGN.md: with null only == / != hold; a string
// compares with a number numerically when the whole string is a number.
// Returns -2 when the two are not comparable (every ordering test false).
int compare_values(const Value& a, const Value& b);
bool values_equal(const Value& a, const Value& b);

}  // namespace olly
