// The expression language: tokenizer, recursive-descent parser (grammar in
// DESIGN.md and olly(7)), and a tree evaluator over slot values.
#include "expr/expr.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/diag.h"
#include "expr/json_value.h"
#include "expr/strings.h"
#include "time/timeformat.h"
#include "time/timeutil.h"
#include "core/writer.h"

namespace olly {

std::string& EvalScratch::buffer() {
  if (used_ == strings_.size()) strings_.push_back(std::make_unique<std::string>());
  std::string& s = *strings_[used_++];
  s.clear();
  return s;
}

namespace detail {

enum class Op : uint8_t {
  constant, slot, list,
  logical_or, logical_and, logical_not,
  eq, ne, lt, le, gt, ge, is_null, not_null,
  match, not_match, in,
  add, sub, mul, div, mod, neg,
  call,
};

enum class Func : uint8_t {
  exists, len, lower, upper, contains, starts_with, ends_with,
  to_int, to_float, to_str, now, ts, coalesce,
  extract, replace, split, substr, trim, url_decode, json, if_, case_,
  strftime,
};

struct Node {
  Op op = Op::constant;
  Func func = Func::exists;
  Value constant;
  std::string storage;  // backing text of a string constant
  size_t slot = 0;
  size_t column = 0;
  uint32_t height = 1;  // levels of this subtree (bounded at compile time)
  std::vector<std::unique_ptr<Node>> kids;
  std::unique_ptr<RE2> regex;  // =~ with a literal pattern, extract(), replace(): compiled once
  std::unique_ptr<ExtractPlan> extract_plan;
  bool rewrite_checked = false;  // replace() with a literal replacement, checked at compile time
};

}  // namespace detail

using detail::Func;
using detail::Node;
using detail::Op;

namespace {

// ---------------------------------------------------------------- values

// A string that is entirely a JSON-style number ("500", "-1.5e3") as a number.
bool string_as_number(std::string_view s, Value& out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  int64_t i = 0;
  auto [p, ec] = std::from_chars(b, e, i);
  if (ec == std::errc() && p == e) {
    out = Value::integer(i);
    return true;
  }
  uint64_t u = 0;
  auto [pu, ecu] = std::from_chars(b, e, u);
  if (ecu == std::errc() && pu == e) {
    out = Value::unsigned_integer(u);
    return true;
  }
  double d = 0;
  auto [p2, ec2] = std::from_chars(b, e, d);
  if (ec2 == std::errc() && p2 == e && std::isfinite(d)) {
    out = Value::number(d);
    return true;
  }
  return false;
}

// b is an integer above INT64_MAX (u64); a is any number.
int compare_with_u64(const Value& a, const Value& b) {
  uint64_t y = b.u();
  if (a.u64) return a.u() < y ? -1 : (a.u() > y ? 1 : 0);
  if (a.kind == Kind::integer) return -1;  // a <= INT64_MAX < b
  double x = a.d;
  if (std::isnan(x)) return -2;
  if (x < 9223372036854775808.0) return -1;
  if (x >= 18446744073709551616.0) return 1;
  uint64_t t = static_cast<uint64_t>(x);  // exact: doubles this large are integers
  return t < y ? -1 : (t > y ? 1 : 0);
}

// An int64 with a double, exactly.
int compare_int_double(int64_t i, double d) {
  if (std::isnan(d)) return -2;
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  const double whole = std::trunc(d);
  const int64_t t = static_cast<int64_t>(whole);  // exact: |whole| < 2^63
  if (i != t) return i < t ? -1 : 1;
  return d > whole ? -1 : (d < whole ? 1 : 0);
}

int compare_numbers(const Value& a, const Value& b) {
  if (a.kind == Kind::integer && b.kind == Kind::integer) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  if (b.u64) return compare_with_u64(a, b);
  if (a.u64) {
    int c = compare_with_u64(b, a);
    return c == -2 ? -2 : -c;
  }
  // An int64 with a double: exactly (olly(7)), not through a double, which
  // rounds integers above 2^53 (9007199254740993 == 9007199254740992.0).
  if (a.kind == Kind::integer) return compare_int_double(a.i, b.d);
  if (b.kind == Kind::integer) {
    int c = compare_int_double(b.i, a.d);
    return c == -2 ? -2 : -c;
  }
  double x = a.d, y = b.d;
  if (std::isnan(x) || std::isnan(y)) return -2;
  return x < y ? -1 : (x > y ? 1 : 0);
}

// Raw JSON text compared ignoring insignificant whitespace outside strings.
bool raw_json_equal(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  bool in_string = false;
  auto skip = [&](std::string_view s, size_t& k) {
    if (in_string) return;
    while (k < s.size() && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) ++k;
  };
  for (;;) {
    skip(a, i);
    skip(b, j);
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (a[i] != b[j]) return false;
    if (a[i] == '"') in_string = !in_string;
    if (in_string && a[i] == '\\' && i + 1 < a.size() && j + 1 < b.size()) {
      ++i;
      ++j;
      if (a[i] != b[j]) return false;
    }
    ++i;
    ++j;
  }
}

simdjson::dom::parser& raw_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool parse_int_strict(std::string_view s, int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

bool truthy(const Value& v) {
  switch (v.kind) {
    case Kind::missing:
    case Kind::null: return false;
    case Kind::boolean: return v.b;
    case Kind::integer: return v.i != 0;
    case Kind::number: return v.d != 0 && !std::isnan(v.d);
    case Kind::string: return !v.s.empty();
    case Kind::array:
    case Kind::object: return true;
  }
  return false;
}

int compare_values(const Value& a, const Value& b) {
  if (a.is_nullish() || b.is_nullish()) return (a.is_nullish() && b.is_nullish()) ? 0 : -2;
  if (a.is_numeric() && b.is_numeric()) return compare_numbers(a, b);
  if (a.kind == Kind::string && b.kind == Kind::string) {
    int c = a.s.compare(b.s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  Value n;
  if (a.kind == Kind::string && b.is_numeric()) {
    return string_as_number(a.s, n) ? compare_numbers(n, b) : -2;
  }
  if (b.kind == Kind::string && a.is_numeric()) {
    return string_as_number(b.s, n) ? compare_numbers(a, n) : -2;
  }
  if (a.kind == Kind::boolean && b.kind == Kind::boolean) return a.b == b.b ? 0 : -2;
  if ((a.kind == Kind::array || a.kind == Kind::object) && a.kind == b.kind) {
    return raw_json_equal(a.s, b.s) ? 0 : -2;
  }
  return -2;
}

bool values_equal(const Value& a, const Value& b) { return compare_values(a, b) == 0; }

namespace {
bool is_string_and_number(const Value& a, const Value& b) {
  return (a.kind == Kind::string && b.is_numeric()) || (b.kind == Kind::string && a.is_numeric());
}
}  // namespace

// ---------------------------------------------------------------- tokenizer

namespace {

enum class Tok : uint8_t {
  end, number, string, path, ident_call, kw_true, kw_false, kw_null,
  oror, andand, bang, eq, ne, lt, le, gt, ge, match, not_match, kw_in,
  plus, minus, star, slash, percent, lparen, rparen, lbracket, rbracket, comma,
};

struct Token {
  Tok kind = Tok::end;
  size_t column = 0;
  std::string_view text;
  Value number;      // for Tok::number (durations already in seconds)
  std::string str;   // unescaped string literal, or the function name
};

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '@' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

class Parser {
 public:
  Parser(std::string_view text, std::string_view what, std::vector<Path>& paths)
      : text_(text), what_(what), paths_(paths) {}

  std::unique_ptr<Node> parse_all() {
    advance();
    auto root = parse_or();
    if (tok_.kind != Tok::end) fail(tok_.column, "unexpected '" + std::string(tok_.text) + "'");
    return root;
  }

 private:
  [[noreturn]] void fail(size_t column, const std::string& message) {
    column = std::min(column, text_.size());
    auto is_lead = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
    // A long expression is shown as the part around the column.
    constexpr size_t kContext = 60;
    size_t from = 0, to = text_.size();
    if (text_.size() > 3 * kContext) {
      from = column > kContext ? column - kContext : 0;
      to = std::min(text_.size(), column + kContext);
      while (from > 0 && !is_lead(text_[from])) --from;
      while (to < text_.size() && !is_lead(text_[to])) ++to;
    }
    std::string shown = from > 0 ? "..." : "";
    std::string caret(shown.size(), ' ');
    for (size_t i = from; i < to; ++i) {
      char c = text_[i];
      shown.push_back(c == '\n' || c == '\r' ? ' ' : c);
      // One caret column per character, so it stays under multi-byte text.
      if (i < column && is_lead(c)) caret.push_back(c == '\t' ? '\t' : ' ');
    }
    if (to < text_.size()) shown += "...";
    size_t char_column = 1;
    for (size_t i = 0; i < column; ++i) char_column += is_lead(text_[i]);
    throw UsageError(fmt::format("{}: {} at column {}\n  {}\n  {}^", what_, message, char_column, shown,
                                 caret));
  }

  // -- lexing
  void advance() {
    size_t i = pos_;
    while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
    tok_ = Token{};
    tok_.column = i;
    if (i >= text_.size()) {
      tok_.kind = Tok::end;
      tok_.text = "end of expression";
      pos_ = i;
      return;
    }
    char c = text_[i];
    auto two = [&](char next) { return i + 1 < text_.size() && text_[i + 1] == next; };
    auto op = [&](Tok k, size_t len) {
      tok_.kind = k;
      tok_.text = text_.substr(i, len);
      pos_ = i + len;
    };
    if (c == '|' && two('|')) return op(Tok::oror, 2);
    if (c == '&' && two('&')) return op(Tok::andand, 2);
    if (c == '=' && two('=')) return op(Tok::eq, 2);
    if (c == '=' && two('~')) return op(Tok::match, 2);
    if (c == '!' && two('=')) return op(Tok::ne, 2);
    if (c == '!' && two('~')) return op(Tok::not_match, 2);
    if (c == '<' && two('=')) return op(Tok::le, 2);
    if (c == '>' && two('=')) return op(Tok::ge, 2);
    switch (c) {
      case '!': return op(Tok::bang, 1);
      case '<': return op(Tok::lt, 1);
      case '>': return op(Tok::gt, 1);
      case '+': return op(Tok::plus, 1);
      case '-': return op(Tok::minus, 1);
      case '*': return op(Tok::star, 1);
      case '/': return op(Tok::slash, 1);
      case '%': return op(Tok::percent, 1);
      case '(': return op(Tok::lparen, 1);
      case ')': return op(Tok::rparen, 1);
      case '[': return op(Tok::lbracket, 1);
      case ']': return op(Tok::rbracket, 1);
      case ',': return op(Tok::comma, 1);
      case '=': fail(i, "'=' is not an operator; use '==' to compare");
      case '&': fail(i, "use '&&' (or 'and')");
      case '|': fail(i, "use '||' (or 'or')");
      default: break;
    }
    if (c == '"' || c == '\'') return lex_string(i);
    if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < text_.size() && text_[i + 1] >= '0' && text_[i + 1] <= '9')) {
      return lex_number(i);
    }
    if (ident_start(c)) return lex_identifier(i);
    fail(i, fmt::format("unexpected character '{}'", c));
  }

  void lex_string(size_t i) {
    char quote = text_[i];
    size_t j = i + 1;
    std::string out;
    while (j < text_.size() && text_[j] != quote) {
      char c = text_[j];
      if (c == '\\') {
        if (j + 1 >= text_.size()) break;
        char e = text_[j + 1];
        j += 2;
        switch (e) {
          case 'n': out.push_back('\n'); break;
          case 't': out.push_back('\t'); break;
          case 'r': out.push_back('\r'); break;
          case 'b': out.push_back('\b'); break;
          case 'f': out.push_back('\f'); break;
          case '0': out.push_back('\0'); break;
          case 'u': {
            if (j + 4 > text_.size()) fail(j - 2, "bad \\u escape");
            unsigned cp = 0;
            auto [p, ec] = std::from_chars(text_.data() + j, text_.data() + j + 4, cp, 16);
            if (ec != std::errc() || p != text_.data() + j + 4) fail(j - 2, "bad \\u escape");
            j += 4;
            append_utf8(out, cp);
            break;
          }
          default:
            // \\, \", \' and regex escapes like \d keep their meaning: pass the
            // backslash through unless it escapes a quote or a backslash.
            if (e != quote && e != '\\' && e != '"' && e != '\'') out.push_back('\\');
            out.push_back(e);
        }
        continue;
      }
      out.push_back(c);
      ++j;
    }
    if (j >= text_.size()) fail(i, "unterminated string");
    tok_.kind = Tok::string;
    tok_.str = std::move(out);
    tok_.text = text_.substr(i, j + 1 - i);
    pos_ = j + 1;
  }



  void lex_number(size_t i) {
    size_t j = i;
    while (j < text_.size() && ((text_[j] >= '0' && text_[j] <= '9') || text_[j] == '.' || text_[j] == '_')) ++j;
    // exponent
    if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
      size_t k = j + 1;
      if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
      if (k < text_.size() && text_[k] >= '0' && text_[k] <= '9') {
        j = k;
        while (j < text_.size() && text_[j] >= '0' && text_[j] <= '9') ++j;
      }
    }
    // A unit directly after the digits makes a duration: 250ms, 1h30m.
    if (j < text_.size() && (ident_start(text_[j]))) {
      size_t k = j;
      while (k < text_.size() && (ident_char(text_[k]) || text_[k] == '.')) ++k;
      std::string_view word = text_.substr(i, k - i);
      auto ns = parse_duration(word);
      if (!ns) fail(i, fmt::format("'{}' is not a number or a duration (units: ns us ms s m h d w)", word));
      tok_.kind = Tok::number;
      tok_.number = Value::number(static_cast<double>(*ns) / 1e9);
      tok_.text = word;
      pos_ = k;
      return;
    }
    std::string digits;
    for (size_t k = i; k < j; ++k) {
      if (text_[k] != '_') digits.push_back(text_[k]);
    }
    tok_.kind = Tok::number;
    tok_.text = text_.substr(i, j - i);
    pos_ = j;
    int64_t iv = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), iv);
    if (ec == std::errc() && p == digits.data() + digits.size()) {
      tok_.number = Value::integer(iv);
      return;
    }
    uint64_t uv = 0;
    auto [pu, ecu] = std::from_chars(digits.data(), digits.data() + digits.size(), uv);
    if (ecu == std::errc() && pu == digits.data() + digits.size()) {
      tok_.number = Value::unsigned_integer(uv);
      return;
    }
    double dv = 0;
    auto [p2, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), dv);
    if ((ec2 == std::errc() || ec2 == std::errc::result_out_of_range) && p2 == digits.data() + digits.size()) {
      tok_.number = Value::number(ec2 == std::errc() ? dv : HUGE_VAL);
      return;
    }
    fail(i, fmt::format("malformed number '{}'", tok_.text));
  }

  void lex_identifier(size_t i) {
    size_t j = i;
    while (j < text_.size() && ident_char(text_[j])) ++j;
    std::string_view word = text_.substr(i, j - i);
    auto keyword = [&](Tok k) {
      tok_.kind = k;
      tok_.text = word;
      pos_ = j;
    };
    if (word == "true") return keyword(Tok::kw_true);
    if (word == "false") return keyword(Tok::kw_false);
    if (word == "null") return keyword(Tok::kw_null);
    if (word == "and") return keyword(Tok::andand);
    if (word == "or") return keyword(Tok::oror);
    if (word == "not") return keyword(Tok::bang);
    if (word == "in") return keyword(Tok::kw_in);
    // A name followed by '(' is a call.
    size_t k = j;
    while (k < text_.size() && text_[k] == ' ') ++k;
    if (k < text_.size() && text_[k] == '(') {
      tok_.kind = Tok::ident_call;
      tok_.str = std::string(word);
      tok_.text = word;
      pos_ = j;
      return;
    }
    // Path continuation: .name, [0], ["key"], ['key'].
    while (j < text_.size()) {
      if (text_[j] == '.' && j + 1 < text_.size() && ident_start(text_[j + 1])) {
        ++j;
        while (j < text_.size() && ident_char(text_[j])) ++j;
      } else if (text_[j] == '[' && j + 1 < text_.size() &&
                 ((text_[j + 1] >= '0' && text_[j + 1] <= '9') || text_[j + 1] == '"' || text_[j + 1] == '\'')) {
        size_t close = j + 1;
        if (text_[close] == '"' || text_[close] == '\'') {
          char q = text_[close++];
          while (close < text_.size() && text_[close] != q) close += (text_[close] == '\\') ? 2 : 1;
          ++close;
        }
        while (close < text_.size() && text_[close] != ']') ++close;
        if (close >= text_.size()) fail(j, "expected ']' in field path");
        j = close + 1;
      } else {
        break;
      }
    }
    tok_.kind = Tok::path;
    tok_.text = text_.substr(i, j - i);
    pos_ = j;
  }

  // -- parsing
  std::unique_ptr<Node> make(Op op, size_t column) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->column = column;
    return n;
  }
  std::unique_ptr<Node> binary(Op op, size_t column, std::unique_ptr<Node> a, std::unique_ptr<Node> b) {
    auto n = make(op, column);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(b));
    return sealed(std::move(n));
  }
  // Records a finished node's height, bounding the tree so that evaluating
  // (and freeing) it cannot run out of stack: 1+1+...+1 nests one level per '+'.
  std::unique_ptr<Node> sealed(std::unique_ptr<Node> n) {
    uint32_t h = 0;
    for (const auto& k : n->kids) h = std::max(h, k->height);
    n->height = h + 1;
    if (n->height > kMaxHeight) {
      fail(n->column, fmt::format("expression too deeply nested (more than {} levels of operators; "
                                  "|| and && chains do not count)", kMaxHeight));
    }
    return n;
  }
  // a || b || c ... as one node: any number of terms, evaluated in a loop.
  template <typename Next>
  std::unique_ptr<Node> chain(Op op, Tok tok, Next next) {
    auto first = next();
    if (tok_.kind != tok) return first;
    auto n = make(op, tok_.column);
    n->kids.push_back(std::move(first));
    while (tok_.kind == tok) {
      advance();
      n->kids.push_back(next());
    }
    return sealed(std::move(n));
  }

  std::unique_ptr<Node> parse_or() {
    struct DepthGuard {
      int& depth;
      explicit DepthGuard(int& d) : depth(d) { ++depth; }
      ~DepthGuard() { --depth; }
    } guard(depth_);
    if (depth_ > kMaxDepth) fail(tok_.column, "expression nested too deeply");
    return chain(Op::logical_or, Tok::oror, [this] { return parse_and(); });
  }
  std::unique_ptr<Node> parse_and() {
    return chain(Op::logical_and, Tok::andand, [this] { return parse_not(); });
  }
  std::unique_ptr<Node> parse_not() {
    if (tok_.kind == Tok::bang) {
      if (++unary_run_ > kMaxDepth) fail(tok_.column, "expression nested too deeply");
      size_t col = tok_.column;
      advance();
      auto n = make(Op::logical_not, col);
      n->kids.push_back(parse_not());
      return sealed(std::move(n));
    }
    return parse_cmp();
  }
  static bool is_null_const(const Node& n) { return n.op == Op::constant && n.constant.kind == Kind::null; }

  std::unique_ptr<Node> parse_cmp() {
    auto left = parse_sum();
    Op op;
    switch (tok_.kind) {
      case Tok::eq: op = Op::eq; break;
      case Tok::ne: op = Op::ne; break;
      case Tok::lt: op = Op::lt; break;
      case Tok::le: op = Op::le; break;
      case Tok::gt: op = Op::gt; break;
      case Tok::ge: op = Op::ge; break;
      case Tok::match: op = Op::match; break;
      case Tok::not_match: op = Op::not_match; break;
      case Tok::kw_in: op = Op::in; break;
      default: return left;
    }
    size_t col = tok_.column;
    advance();
    auto right = parse_sum();
    // `x == null` / `x != null` test presence; other comparisons with null are false.
    if ((op == Op::eq || op == Op::ne) && (is_null_const(*left) || is_null_const(*right))) {
      auto n = make(op == Op::eq ? Op::is_null : Op::not_null, col);
      n->kids.push_back(is_null_const(*left) ? std::move(right) : std::move(left));
      return sealed(std::move(n));
    }
    auto n = binary(op, col, std::move(left), std::move(right));
    if ((op == Op::match || op == Op::not_match) && n->kids[1]->op == Op::constant) {
      const Value& pat = n->kids[1]->constant;
      if (pat.kind != Kind::string) fail(n->kids[1]->column, "a regex must be a string");
      n->regex = compile_regex(pat.s, n->kids[1]->column);
    }
    if (tok_.kind == Tok::eq || tok_.kind == Tok::ne || tok_.kind == Tok::lt || tok_.kind == Tok::le ||
        tok_.kind == Tok::gt || tok_.kind == Tok::ge || tok_.kind == Tok::match || tok_.kind == Tok::kw_in) {
      fail(tok_.column, "comparisons do not chain; combine them with && or ||");
    }
    return n;
  }

  std::unique_ptr<RE2> compile_regex(std::string_view pattern, size_t column) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_max_mem(64 << 20);
    auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
    if (!re->ok()) fail(column, fmt::format("bad regex: {}", re->error()));
    return re;
  }

  std::unique_ptr<Node> parse_sum() {
    auto left = parse_prod();
    while (tok_.kind == Tok::plus || tok_.kind == Tok::minus) {
      Op op = tok_.kind == Tok::plus ? Op::add : Op::sub;
      size_t col = tok_.column;
      advance();
      left = binary(op, col, std::move(left), parse_prod());
    }
    return left;
  }
  std::unique_ptr<Node> parse_prod() {
    auto left = parse_unary();
    while (tok_.kind == Tok::star || tok_.kind == Tok::slash || tok_.kind == Tok::percent) {
      Op op = tok_.kind == Tok::star ? Op::mul : (tok_.kind == Tok::slash ? Op::div : Op::mod);
      size_t col = tok_.column;
      advance();
      left = binary(op, col, std::move(left), parse_unary());
    }
    return left;
  }
  std::unique_ptr<Node> parse_unary() {
    if (tok_.kind == Tok::minus) {
      if (++unary_run_ > kMaxDepth) fail(tok_.column, "expression nested too deeply");
      size_t col = tok_.column;
      advance();
      auto inner = parse_unary();
      if (inner->op == Op::constant && inner->constant.kind == Kind::integer && inner->constant.i != INT64_MIN) {
        inner->constant.i = -inner->constant.i;
        return inner;
      }
      if (inner->op == Op::constant && inner->constant.kind == Kind::number) {
        inner->constant = Value::number(-inner->constant.d);  // -18446744073709551615: a double
        return inner;
      }
      auto n = make(Op::neg, col);
      n->kids.push_back(std::move(inner));
      return sealed(std::move(n));
    }
    return parse_atom();
  }

  std::unique_ptr<Node> constant(Value v, size_t col) {
    auto n = make(Op::constant, col);
    n->constant = v;
    return n;
  }

  std::unique_ptr<Node> parse_atom() {
    size_t col = tok_.column;
    switch (tok_.kind) {
      case Tok::number: {
        auto n = constant(tok_.number, col);
        advance();
        return n;
      }
      case Tok::string: {
        auto n = make(Op::constant, col);
        n->storage = std::move(tok_.str);
        n->constant = Value::string(n->storage);
        advance();
        return n;
      }
      case Tok::kw_true: advance(); return constant(Value::boolean(true), col);
      case Tok::kw_false: advance(); return constant(Value::boolean(false), col);
      case Tok::kw_null: advance(); return constant(Value::null(), col);
      case Tok::path: {
        auto n = make(Op::slot, col);
        n->slot = slot_for(tok_.text, col);
        advance();
        return n;
      }
      case Tok::ident_call: return parse_call();
      case Tok::lparen: {
        advance();
        auto inner = parse_or();
        expect(Tok::rparen, "')'");
        return inner;
      }
      case Tok::lbracket: {
        advance();
        auto n = make(Op::list, col);
        if (tok_.kind != Tok::rbracket) {
          for (;;) {
            n->kids.push_back(parse_or());
            if (tok_.kind != Tok::comma) break;
            advance();
          }
        }
        expect(Tok::rbracket, "']' or ','");
        return sealed(std::move(n));
      }
      case Tok::end: fail(col, "expected an operand, found the end of the expression");
      default: fail(col, fmt::format("expected an operand, found '{}'", tok_.text));
    }
  }

  void expect(Tok kind, const char* what) {
    if (tok_.kind != kind) fail(tok_.column, fmt::format("expected {}, found '{}'", what, tok_.text));
    advance();
  }

  size_t slot_for(std::string_view text, size_t col) {
    Path p;
    std::string error;
    size_t err_col = 0;
    if (!parse_path(text, p, error, &err_col)) fail(col + err_col, error);
    for (size_t i = 0; i < paths_.size(); ++i) {
      if (paths_[i] == p) return i;
    }
    paths_.push_back(std::move(p));
    return paths_.size() - 1;
  }

  std::unique_ptr<Node> parse_call() {
    struct Known { const char* name; Func f; int min_args, max_args; };
    static const Known known[] = {
        {"exists", Func::exists, 1, 1},        {"len", Func::len, 1, 1},
        {"lower", Func::lower, 1, 1},          {"upper", Func::upper, 1, 1},
        {"contains", Func::contains, 2, 2},    {"starts_with", Func::starts_with, 2, 2},
        {"ends_with", Func::ends_with, 2, 2},  {"int", Func::to_int, 1, 1},
        {"float", Func::to_float, 1, 1},       {"str", Func::to_str, 1, 1},
        {"now", Func::now, 0, 0},              {"ts", Func::ts, 1, 2},
        {"coalesce", Func::coalesce, 1, 64},
        {"extract", Func::extract, 2, 2},      {"replace", Func::replace, 3, 3},
        {"split", Func::split, 2, 2},          {"substr", Func::substr, 2, 3},
        {"trim", Func::trim, 1, 1},            {"url_decode", Func::url_decode, 1, 1},
        {"json", Func::json, 1, 1},            {"if", Func::if_, 3, 3},
        {"case", Func::case_, 3, 129},         {"strftime", Func::strftime, 2, 2},
    };
    size_t col = tok_.column;
    std::string name = tok_.str;
    const Known* fn = nullptr;
    for (const auto& k : known) {
      if (name == k.name) fn = &k;
    }
    if (!fn) {
      fail(col, fmt::format("unknown function '{}' (known: exists len lower upper contains starts_with "
                            "ends_with int float str now ts strftime coalesce extract replace split substr trim "
                            "url_decode json if case)", name));
    }
    advance();  // name
    expect(Tok::lparen, "'('");
    auto n = make(Op::call, col);
    n->func = fn->f;
    if (tok_.kind != Tok::rparen) {
      for (;;) {
        n->kids.push_back(parse_or());
        if (tok_.kind != Tok::comma) break;
        advance();
      }
    }
    expect(Tok::rparen, "')' or ','");
    int argc = static_cast<int>(n->kids.size());
    if (argc < fn->min_args || argc > fn->max_args) {
      auto plural = [](int k) { return k == 1 ? "" : "s"; };
      if (fn->min_args == fn->max_args) {
        fail(col, fmt::format("{}() takes {} argument{}", name, fn->min_args, plural(fn->min_args)));
      }
      if (argc < fn->min_args) {
        fail(col, fmt::format("{}() takes at least {} argument{}", name, fn->min_args, plural(fn->min_args)));
      }
      fail(col, fmt::format("{}() takes at most {} argument{}", name, fn->max_args, plural(fn->max_args)));
    }
    if (fn->f == Func::exists && n->kids[0]->op != Op::slot) {
      fail(n->kids[0]->column, "exists() takes a field path");
    }
    if (fn->f == Func::case_ && argc % 2 == 0) {
      fail(col, "case() takes condition, value pairs and then a default: an odd number of arguments");
    }
    if ((fn->f == Func::ts && argc == 2) || fn->f == Func::strftime) {
      // A literal time format is checked here, once; one from the event is
      // checked as it is used (a bad one gives null).
      const Node& layout = *n->kids[1];
      if (layout.op == Op::constant) {
        if (layout.constant.kind != Kind::string) fail(layout.column, fmt::format("{}() takes its format as a string", name));
        std::string error;
        if (!check_time_format(layout.constant.s, &error)) fail(layout.column, fmt::format("bad time format: {}", error));
      }
    }
    if (fn->f == Func::extract || fn->f == Func::replace) {
      // The pattern is compiled here, once, never per event.
      const Node& pat = *n->kids[1];
      if (pat.op != Op::constant || pat.constant.kind != Kind::string) {
        fail(pat.column, fmt::format("{}() takes its regex as a string literal", name));
      }
      n->regex = compile_regex(pat.constant.s, pat.column);
      if (fn->f == Func::extract) n->extract_plan = std::make_unique<ExtractPlan>(plan_extract(*n->regex));
      const Node& rewrite = *n->kids.back();
      if (fn->f == Func::replace && rewrite.op == Op::constant && rewrite.constant.kind == Kind::string) {
        std::string error;
        if (!n->regex->CheckRewriteString(re2::StringPiece(rewrite.constant.s.data(), rewrite.constant.s.size()),
                                          &error)) {
          if (!error.empty() && error.back() == '.') error.pop_back();  // the caller's "at column" follows
          fail(rewrite.column, fmt::format("bad replacement: {}", error));
        }
        n->rewrite_checked = true;
      }
    }
    return sealed(std::move(n));
  }

  std::string_view text_;
  std::string_view what_;
  std::vector<Path>& paths_;
  size_t pos_ = 0;
  Token tok_;
  int depth_ = 0;
  int unary_run_ = 0;  // total prefix operators, bounded like nesting
  static constexpr int kMaxDepth = 200;
  static constexpr uint32_t kMaxHeight = 1000;
};

// ---------------------------------------------------------------- evaluation

struct Evaluator {
  std::span<const Value> slots;
  EvalScratch& scratch;

  Value eval(const Node& n) const {
    switch (n.op) {
      case Op::constant: return n.constant;
      case Op::slot: return n.slot < slots.size() ? slots[n.slot] : Value::missing();
      case Op::logical_or:
        for (const auto& kid : n.kids) {
          if (truthy(eval(*kid))) return Value::boolean(true);
        }
        return Value::boolean(false);
      case Op::logical_and:
        for (const auto& kid : n.kids) {
          if (!truthy(eval(*kid))) return Value::boolean(false);
        }
        return Value::boolean(true);
      case Op::logical_not: return Value::boolean(!truthy(eval(*n.kids[0])));
      case Op::is_null: return Value::boolean(eval(*n.kids[0]).is_nullish());
      case Op::not_null: return Value::boolean(!eval(*n.kids[0]).is_nullish());
      case Op::eq:
      case Op::ne:
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge: return Value::boolean(compare(n));
      case Op::match:
      case Op::not_match: return Value::boolean(match(n));
      case Op::in: return Value::boolean(contains_value(eval(*n.kids[0]), n));
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::mod: return arithmetic(n.op, eval(*n.kids[0]), eval(*n.kids[1]));
      case Op::neg: {
        Value v = eval(*n.kids[0]);
        if (v.kind == Kind::integer && v.i != INT64_MIN) return Value::integer(-v.i);
        if (v.is_numeric()) return Value::number(-v.as_double());
        return Value::null();
      }
      case Op::list: {
        // [a, b]: a JSON array of its elements' values (`in` reads the
        // elements directly instead, see contains_value).
        std::string& buf = scratch.buffer();
        buf.push_back('[');
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k > 0) buf.push_back(',');
          append_value_json(buf, eval(*n.kids[k]));
        }
        buf.push_back(']');
        return Value::array_json(buf);
      }
      case Op::call: return call(n);
    }
    return Value::null();
  }

  bool compare(const Node& n) const {
    Value a = eval(*n.kids[0]);
    Value b = eval(*n.kids[1]);
    // Any comparison with null (other than == null / != null) is false.
    if (a.is_nullish() || b.is_nullish()) return false;
    int c = compare_values(a, b);
    switch (n.op) {
      case Op::eq: return c == 0;
      // A string that is no number is not comparable with a number: != is
      // false too (olly(7)); other kinds that differ are unequal.
      case Op::ne: return c != 0 && !(c == -2 && is_string_and_number(a, b));
      case Op::lt: return c == -1;
      case Op::le: return c == -1 || c == 0;
      case Op::gt: return c == 1;
      case Op::ge: return c == 1 || c == 0;
      default: return false;
    }
  }

  bool match(const Node& n) const {
    Value subject = eval(*n.kids[0]);
    if (subject.kind != Kind::string) return false;
    re2::StringPiece text(subject.s.data(), subject.s.size());
    bool hit;
    if (n.regex) {
      hit = RE2::PartialMatch(text, *n.regex);
    } else {
      Value pat = eval(*n.kids[1]);
      if (pat.kind != Kind::string) return false;
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(re2::StringPiece(pat.s.data(), pat.s.size()), opts);
      if (!re.ok()) return false;
      hit = RE2::PartialMatch(text, re);
    }
    return n.op == Op::match ? hit : !hit;
  }

  // `needle in haystack`: list literal or array -> membership; object -> key;
  // string -> substring.
  bool contains_value(const Value& needle, const Node& n) const {
    const Node& right = *n.kids[1];
    if (needle.is_nullish()) return false;
    if (right.op == Op::list) {
      for (const auto& kid : right.kids) {
        Value v = eval(*kid);
        if (!v.is_nullish() && compare_values(needle, v) == 0) return true;
      }
      return false;
    }
    Value hay = eval(right);
    if (hay.kind == Kind::string) return needle.kind == Kind::string && hay.s.find(needle.s) != std::string_view::npos;
    if (hay.kind != Kind::array && hay.kind != Kind::object) return false;
    simdjson::dom::element root;
    if (auto e = raw_parser().parse(hay.s.data(), hay.s.size()).get(root)) {
      scratch.set_error(e);
      return false;
    }
    if (hay.kind == Kind::object) {
      if (needle.kind != Kind::string) return false;
      simdjson::dom::object obj;
      if (root.get_object().get(obj)) return false;
      for (auto field : obj) {
        if (field.key == needle.s) return true;
      }
      return false;
    }
    simdjson::dom::array arr;
    if (root.get_array().get(arr)) return false;
    for (auto el : arr) {
      Value v = value_from_dom(el);
      if (!v.is_nullish() && compare_values(needle, v) == 0) return true;
    }
    return false;
  }

  Value arithmetic(Op op, const Value& a, const Value& b) const {
    if (op == Op::add && a.kind == Kind::string && b.kind == Kind::string) {
      std::string& buf = scratch.buffer();
      buf.reserve(a.s.size() + b.s.size());
      buf.append(a.s);
      buf.append(b.s);
      return Value::string(buf);
    }
    Value x = a, y = b;
    Value conv;
    if (x.kind == Kind::string && string_as_number(x.s, conv)) x = conv;
    if (y.kind == Kind::string && string_as_number(y.s, conv)) y = conv;
    if (!x.is_numeric() || !y.is_numeric()) return Value::null();
    if (x.kind == Kind::integer && y.kind == Kind::integer && op != Op::div) {
      int64_t r;
      switch (op) {
        case Op::add: if (!__builtin_add_overflow(x.i, y.i, &r)) return Value::integer(r); break;
        case Op::sub: if (!__builtin_sub_overflow(x.i, y.i, &r)) return Value::integer(r); break;
        case Op::mul: if (!__builtin_mul_overflow(x.i, y.i, &r)) return Value::integer(r); break;
        case Op::mod:
          if (y.i == 0) return Value::null();
          if (y.i == -1) return Value::integer(0);
          return Value::integer(x.i % y.i);
        default: break;
      }
    }
    double p = x.as_double(), q = y.as_double();
    switch (op) {
      case Op::add: return Value::number(p + q);
      case Op::sub: return Value::number(p - q);
      case Op::mul: return Value::number(p * q);
      case Op::div: return q == 0 ? Value::null() : Value::number(p / q);
      case Op::mod: return q == 0 ? Value::null() : Value::number(std::fmod(p, q));
      default: return Value::null();
    }
  }

  Value call(const Node& n) const {
    auto arg = [&](size_t i) { return eval(*n.kids[i]); };
    switch (n.func) {
      case Func::exists: return Value::boolean(arg(0).kind != Kind::missing);
      case Func::len: return length(arg(0));
      case Func::lower:
      case Func::upper: {
        Value v = arg(0);
        if (v.kind != Kind::string) return Value::null();
        std::string& buf = scratch.buffer();
        buf.assign(v.s);
        for (char& c : buf) {
          if (n.func == Func::lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
          if (n.func == Func::upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        }
        return Value::string(buf);
      }
      case Func::contains:
      case Func::starts_with:
      case Func::ends_with: {
        Value s = arg(0), t = arg(1);
        if (s.kind != Kind::string || t.kind != Kind::string) return Value::boolean(false);
        if (n.func == Func::contains) return Value::boolean(s.s.find(t.s) != std::string_view::npos);
        if (n.func == Func::starts_with) return Value::boolean(s.s.starts_with(t.s));
        return Value::boolean(s.s.ends_with(t.s));
      }
      case Func::to_int: {
        Value v = arg(0);
        if (v.kind == Kind::integer) return v;
        if (v.kind == Kind::number) {
          if (!std::isfinite(v.d) || v.d >= 9.2233720368547758e18 || v.d < -9.2233720368547758e18) return Value::null();
          return Value::integer(static_cast<int64_t>(v.d));
        }
        if (v.kind == Kind::boolean) return Value::integer(v.b ? 1 : 0);
        if (v.kind == Kind::string) {
          int64_t i;
          if (parse_int_strict(v.s, i)) return Value::integer(i);
          Value num;
          if (string_as_number(v.s, num)) return call_int_of(num);
        }
        return Value::null();
      }
      case Func::to_float: {
        Value v = arg(0);
        if (v.is_numeric()) return Value::number(v.as_double());
        if (v.kind == Kind::boolean) return Value::number(v.b ? 1 : 0);
        Value num;
        if (v.kind == Kind::string && string_as_number(v.s, num)) return Value::number(num.as_double());
        return Value::null();
      }
      case Func::to_str: {
        Value v = arg(0);
        if (v.kind == Kind::string) return v;
        if (v.kind == Kind::null || v.kind == Kind::missing) return Value::null();
        // A number, boolean, array or object: its JSON text.
        std::string& buf = scratch.buffer();
        append_value_json(buf, v);
        return Value::string(buf);
      }
      case Func::now: {
        auto t = std::chrono::system_clock::now().time_since_epoch();
        return Value::number(std::chrono::duration<double>(t).count());
      }
      case Func::ts: {
        Value v = arg(0);
        std::optional<TimeNs> t;
        if (n.kids.size() == 2) t = parse_with_format(v, arg(1));
        else t = time_of(v);
        if (!t) return Value::null();
        // Whole seconds and fraction apart: *t / 1e9 rounds twice, and
        // 1795574640.25 would come out as 1795574640.2499998.
        const int64_t frac = (*t % kNsPerSec + kNsPerSec) % kNsPerSec;
        return Value::number(static_cast<double>(floor_div(*t, kNsPerSec)) + static_cast<double>(frac) / 1e9);
      }
      case Func::coalesce: {
        for (size_t i = 0; i < n.kids.size(); ++i) {
          Value v = arg(i);
          if (!v.is_nullish()) return v;
        }
        return Value::null();
      }
      case Func::if_: return truthy(arg(0)) ? arg(1) : arg(2);
      case Func::case_: {
        const size_t last = n.kids.size() - 1;
        for (size_t i = 0; i < last; i += 2) {
          if (truthy(arg(i))) return arg(i + 1);
        }
        return arg(last);
      }
      case Func::extract: {
        Value v = arg(0);
        if (v.kind != Kind::string) return Value::null();
        std::string_view text;
        std::string& buf = scratch.buffer();
        switch (olly::extract(*n.regex, *n.extract_plan, v.s, &text, buf)) {
          case ExtractResult::no_match: return Value::null();
          case ExtractResult::string: return Value::string(text);
          case ExtractResult::object: return Value::object_json(buf);
        }
        return Value::null();
      }
      case Func::replace: {
        Value s = arg(0), t = arg(2);
        if (s.kind != Kind::string || t.kind != Kind::string) return Value::null();
        // A replacement computed per event is checked per event (\7 with
        // fewer groups, a stray backslash): null when it is not valid.
        std::string error;
        if (!n.rewrite_checked &&
            !n.regex->CheckRewriteString(re2::StringPiece(t.s.data(), t.s.size()), &error)) {
          return Value::null();
        }
        std::string& buf = scratch.buffer();
        return replace_all(*n.regex, s.s, t.s, buf) ? Value::string(buf) : s;
      }
      case Func::split: {
        Value s = arg(0), sep = arg(1);
        if (s.kind != Kind::string || sep.kind != Kind::string) return Value::null();
        std::string& buf = scratch.buffer();
        split_json(s.s, sep.s, buf);
        return Value::array_json(buf);
      }
      case Func::substr: {
        Value s = arg(0);
        int64_t start = 0, len = INT64_MAX;
        if (s.kind != Kind::string || !whole_number(arg(1), start)) return Value::null();
        if (n.kids.size() == 3 && !whole_number(arg(2), len)) return Value::null();
        return Value::string(substr_code_points(s.s, start, len));
      }
      case Func::trim: {
        Value s = arg(0);
        return s.kind == Kind::string ? Value::string(trim_space(s.s)) : Value::null();
      }
      case Func::url_decode: {
        Value s = arg(0);
        if (s.kind != Kind::string) return Value::null();
        std::string& buf = scratch.buffer();
        return url_decode(s.s, buf) ? Value::string(buf) : s;
      }
      case Func::json: return parse_json(arg(0));
      case Func::strftime: {
        Value v = arg(0), layout = arg(1);
        if (layout.kind != Kind::string) return Value::null();
        std::optional<TimeNs> t = time_of(v);
        if (!t) return Value::null();
        std::string& buf = scratch.buffer();
        return format_time(buf, *t, layout.s) ? Value::string(buf) : Value::null();
      }
    }
    return Value::null();
  }

  // The time ts(x) reads: an RFC 3339 (or access log, or epoch) string, an
  // epoch number by magnitude.
  static std::optional<TimeNs> time_of(const Value& v) {
    if (v.kind == Kind::string) return parse_time_string(v.s);
    if (v.kind == Kind::integer) return time_from_epoch(v.i);
    if (v.kind == Kind::number) return time_from_epoch(v.d);
    return std::nullopt;
  }

  // ts(x, fmt): x read with the strptime-style layout fmt, in epoch seconds
  // as ts(x) gives them. A number is read as its decimal text (ts(20261125,
  // "%Y%m%d"), ts(epoch, "%s")). A layout without a year or a zone reads as
  // olly-parse --time-format without --year and --tz: the current year (or
  // last year for a date more than a day ahead), UTC.
  static std::optional<TimeNs> parse_with_format(const Value& x, const Value& layout) {
    if (layout.kind != Kind::string) return std::nullopt;
    if (x.kind == Kind::string) return parse_time_format(x.s, layout.s);
    char buf[32];
    std::to_chars_result r;
    if (x.kind == Kind::integer) r = std::to_chars(buf, buf + sizeof buf, x.i);
    else if (x.kind == Kind::number && !x.u64) r = std::to_chars(buf, buf + sizeof buf, x.d);
    else if (x.kind == Kind::number) r = std::to_chars(buf, buf + sizeof buf, x.u());
    else return std::nullopt;
    if (r.ec != std::errc()) return std::nullopt;
    return parse_time_format(std::string_view(buf, static_cast<size_t>(r.ptr - buf)), layout.s);
  }

  // A number as a whole int64 (a double is truncated toward zero and
  // saturates); false for anything else.
  static bool whole_number(const Value& v, int64_t& out) {
    if (v.kind == Kind::integer) {
      out = v.i;
      return true;
    }
    if (v.kind != Kind::number || std::isnan(v.d)) return false;
    if (v.d >= 9.2233720368547758e18) out = INT64_MAX;
    else if (v.d <= -9.2233720368547758e18) out = INT64_MIN;
    else out = static_cast<int64_t>(v.d);
    return true;
  }

  // json(s): the value the JSON text s holds. Text that is not JSON gives
  // null, as other conversions do; JSON nested deeper than the parser reads
  // is an error for the event (as len() on such an array).
  Value parse_json(const Value& v) const {
    if (v.kind != Kind::string) return Value::null();
    simdjson::dom::element root;
    if (auto e = raw_parser().parse(v.s.data(), v.s.size()).get(root)) {
      if (e == simdjson::DEPTH_ERROR) scratch.set_error(e);
      return Value::null();
    }
    switch (root.type()) {
      case simdjson::dom::element_type::STRING: return Value::string(scratch.keep(root.get_string().value_unsafe()));
      case simdjson::dom::element_type::ARRAY:
      case simdjson::dom::element_type::OBJECT: {
        // The text minified, so that a container written to output stays on one line.
        std::string& buf = scratch.buffer();
        buf.resize(v.s.size() + simdjson::SIMDJSON_PADDING);
        size_t len = 0;
        if (simdjson::minify(v.s.data(), v.s.size(), buf.data(), len)) return Value::null();
        buf.resize(len);
        return root.type() == simdjson::dom::element_type::ARRAY ? Value::array_json(buf) : Value::object_json(buf);
      }
      default: return value_from_dom(root);
    }
  }

  static Value call_int_of(const Value& num) {
    if (num.kind == Kind::integer) return num;
    if (!std::isfinite(num.d) || std::fabs(num.d) >= 9.2e18) return Value::null();
    return Value::integer(static_cast<int64_t>(num.d));
  }

  Value length(const Value& v) const {
    switch (v.kind) {
      case Kind::string: return Value::integer(static_cast<int64_t>(utf8_length(v.s)));
      case Kind::array:
      case Kind::object: {
        simdjson::dom::element root;
        if (auto e = raw_parser().parse(v.s.data(), v.s.size()).get(root)) {
          scratch.set_error(e);
          return Value::null();
        }
        if (v.kind == Kind::array) return Value::integer(static_cast<int64_t>(root.get_array().value_unsafe().size()));
        return Value::integer(static_cast<int64_t>(root.get_object().value_unsafe().size()));
      }
      default: return Value::null();
    }
  }
};

}  // namespace

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;

Expr Expr::compile(std::string_view text, std::string_view what) {
  Expr e;
  e.text_ = std::string(text);
  Parser parser(e.text_, what, e.paths_);
  e.root_ = parser.parse_all();
  return e;
}

Value Expr::eval(std::span<const Value> slots, EvalScratch& scratch) const {
  Evaluator ev{slots, scratch};
  return ev.eval(*root_);
}

bool Expr::test(std::span<const Value> slots, EvalScratch& scratch) const {
  return truthy(eval(slots, scratch));
}

Value value_at(const Value& v, std::span<const PathStep> steps, EvalScratch& scratch) {
  if (steps.empty()) return v;
  if (v.kind != Kind::array && v.kind != Kind::object) return Value::missing();
  thread_local simdjson::ondemand::parser parser;
  // A padded copy in the scratch: containers found inside stay views into it.
  std::string& text = scratch.buffer();
  text.reserve(v.s.size() + simdjson::SIMDJSON_PADDING);
  text.assign(v.s);
  simdjson::ondemand::document doc;
  simdjson::ondemand::value cur;
  if (parser.iterate(text.data(), text.size(), text.capacity()).get(doc) || doc.get_value().get(cur)) {
    return Value::missing();
  }
  for (const PathStep& step : steps) {
    if (step.is_index()) {
      simdjson::ondemand::array arr;
      if (cur.get_array().get(arr) || arr.at(static_cast<size_t>(step.index)).get(cur)) return Value::missing();
    } else {
      simdjson::ondemand::object obj;
      if (cur.get_object().get(obj) || obj.find_field_unordered(step.key).get(cur)) return Value::missing();
    }
  }
  simdjson::ondemand::json_type type;
  Value out;
  if (cur.type().get(type) || read_value(cur, type, out)) return Value::missing();
  if (out.kind == Kind::string) out.s = scratch.keep(out.s);  // the parser's string buffer is reused
  return out;
}

bool Expr::is_constant_true() const {
  return root_ && root_->op == Op::constant && truthy(root_->constant);
}

}  // namespace olly
