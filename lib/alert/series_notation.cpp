#include "alert/series_notation.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>

#include "core/diag.h"

namespace olly {

namespace {

// A whole-item number (from_chars: no leading '+', no hex, no inf/nan, which
// JSON could not carry anyway).
std::optional<double> read_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<size_t> read_count(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;  // a billion samples is no test
  size_t n = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

[[noreturn]] void bad_item(std::string_view item, std::string_view why) {
  throw UsageError(fmt::format(
      "'{}' is not a value of the expanding notation ({}; e.g. 1 2.5 0+10x5 5-1x3 7x2 _ _x3 stale)", item, why));
}

void expand_item(std::string_view item, std::vector<SeriesSample>& out) {
  if (item == "_") {
    out.emplace_back();
    return;
  }
  if (item == "stale") {
    out.emplace_back();
    return;
  }
  const size_t x = item.rfind('x');
  if (x == std::string_view::npos) {
    auto v = read_number(item);
    if (!v) bad_item(item, "not a finite number");
    out.emplace_back(*v);
    return;
  }
  const auto n = read_count(item.substr(x + 1));
  if (!n) bad_item(item, "the count after x is not a whole number");
  const std::string_view head = item.substr(0, x);
  if (head == "_") {
    out.insert(out.end(), *n, SeriesSample{});
    return;
  }
  if (head == "stale") bad_item(item, "stale cannot repeat");
  // a+b or a-b: the operator is the first + or - past the start that does
  // not belong to an exponent (1e-3).
  size_t op = std::string_view::npos;
  for (size_t i = 1; i < head.size(); ++i) {
    if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') {
      op = i;
      break;
    }
  }
  const auto start = read_number(head.substr(0, op));
  if (!start) bad_item(item, "the start is not a finite number");
  double step = 0;
  if (op != std::string_view::npos) {
    const std::string_view step_text = head.substr(op + 1);
    if (!step_text.empty() && (step_text.front() == '+' || step_text.front() == '-')) {
      bad_item(item, "the step has a second sign");
    }
    auto s = read_number(step_text);
    if (!s) bad_item(item, "the step is not a finite number");
    step = head[op] == '-' ? -*s : *s;
  }
  for (size_t i = 0; i <= *n; ++i) out.emplace_back(*start + static_cast<double>(i) * step);
}

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool is_name_char(char c) { return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

}  // namespace

std::vector<SeriesSample> expand_series_values(std::string_view text) {
  std::vector<SeriesSample> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) expand_item(text.substr(i, j - i), out);
    i = j;
  }
  if (out.empty()) throw UsageError("no values (the expanding notation: e.g. 0+10x5 _ 3)");
  return out;
}

SeriesDesc parse_series_desc(std::string_view text) {
  SeriesDesc d;
  auto fail = [&](std::string_view why) -> void {
    throw UsageError(fmt::format("series '{}': {} (e.g. failed_logins{{host=\"web-1\"}})", text, why));
  };
  size_t i = 0;
  auto skip_blanks = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_blanks();
  if (i < text.size() && is_name_start(text[i])) {
    const size_t s = i;
    while (i < text.size() && is_name_char(text[i])) ++i;
    d.metric = std::string(text.substr(s, i - s));
  }
  skip_blanks();
  if (i < text.size() && text[i] == '{') {
    ++i;
    while (true) {
      skip_blanks();
      if (i < text.size() && text[i] == '}') {
        ++i;
        break;
      }
      if (i >= text.size() || !is_name_start(text[i]) || text[i] == ':') fail("a label name was expected");
      const size_t s = i;
      while (i < text.size() && is_name_char(text[i]) && text[i] != ':') ++i;
      std::string name(text.substr(s, i - s));
      skip_blanks();
      if (i >= text.size() || text[i] != '=') fail(fmt::format("label '{}' has no =\"value\"", name));
      ++i;
      skip_blanks();
      if (i >= text.size() || text[i] != '"') fail(fmt::format("the value of label '{}' is not double-quoted", name));
      ++i;
      std::string value;
      bool closed = false;
      while (i < text.size()) {
        char c = text[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < text.size()) {
          c = text[i++];
          if (c == 'n')
            c = '\n';
          else if (c != '"' && c != '\\')
            fail(fmt::format("label '{}' has an unknown escape \\{}", name, c));
        }
        value.push_back(c);
      }
      if (!closed) fail(fmt::format("the value of label '{}' has no closing quote", name));
      if (name == "__name__") {
        if (!d.metric.empty()) fail("the metric name is given twice");
        d.metric = std::move(value);
      } else {
        for (const auto& [k, v] : d.labels) {
          if (k == name) fail(fmt::format("label '{}' is given twice", name));
        }
        d.labels.emplace_back(std::move(name), std::move(value));
      }
      skip_blanks();
      if (i < text.size() && text[i] == ',')
        ++i;
      else if (i < text.size() && text[i] != '}')
        fail("a ',' or '}' was expected after a label");
    }
  }
  skip_blanks();
  if (i != text.size()) fail(fmt::format("unexpected '{}'", text.substr(i)));
  if (d.metric.empty()) fail("no metric name");
  return d;
}

}  // namespace olly
