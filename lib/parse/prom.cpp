#include "parse/prom.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

#include "time/timeutil.h"

namespace olly::parse {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_label_start(char c) { return is_name_start(c) && c != ':'; }
bool is_label_char(char c) { return is_name_char(c) && c != ':'; }

// A cursor over one line.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool at_end() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  void skip_blanks() {
    while (i < s.size() && is_blank(s[i])) ++i;
  }
  std::string_view take_while(bool (*pred)(char)) {
    size_t start = i;
    while (i < s.size() && pred(s[i])) ++i;
    return s.substr(start, i - start);
  }
  std::string_view take_token() {  // up to the next blank
    size_t start = i;
    while (i < s.size() && !is_blank(s[i])) ++i;
    return s.substr(start, i - start);
  }
};

// A quoted string with \\ \" \n escapes (label values, quoted names); the
// cursor is on the opening quote. Other escapes are kept as written, as
// Prometheus does.
bool read_quoted(Cursor& c, std::string& out, std::string& reason) {
  out.clear();
  ++c.i;
  while (c.i < c.s.size()) {
    char ch = c.s[c.i++];
    if (ch == '"') return true;
    if (ch == '\\' && c.i < c.s.size()) {
      char e = c.s[c.i++];
      if (e == 'n') {
        out.push_back('\n');
      } else if (e == '\\' || e == '"') {
        out.push_back(e);
      } else {
        out.push_back('\\');
        out.push_back(e);
      }
      continue;
    }
    out.push_back(ch);
  }
  reason = "unterminated quoted string";
  return false;
}

// Go's ParseFloat syntax without its extensions Prometheus refuses (hex, `_`).
bool parse_value(std::string_view tok, double& v, std::string_view& special) {
  special = {};
  if (tok.empty()) return false;
  std::string_view body = tok;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k) {
      if ((a[k] | 0x20) != (b[k] | 0x20)) return false;
    }
    return true;
  };
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    v = negative ? -INFINITY : INFINITY;
    special = negative ? "-Inf" : "+Inf";
    return true;
  }
  if (iequals(body, "nan")) {
    v = NAN;
    special = "NaN";
    return true;
  }
  // digits [. digits] [e [+-] digits], at least one digit in the mantissa
  size_t k = 0, digits = 0;
  while (k < body.size() && body[k] >= '0' && body[k] <= '9') ++k, ++digits;
  if (k < body.size() && body[k] == '.') {
    ++k;
    while (k < body.size() && body[k] >= '0' && body[k] <= '9') ++k, ++digits;
  }
  if (digits == 0) return false;
  if (k < body.size() && (body[k] == 'e' || body[k] == 'E')) {
    ++k;
    if (k < body.size() && (body[k] == '+' || body[k] == '-')) ++k;
    size_t exp_digits = 0;
    while (k < body.size() && body[k] >= '0' && body[k] <= '9') ++k, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (k != body.size()) return false;
  const char* first = tok.data() + (tok[0] == '+' ? 1 : 0);
  auto r = std::from_chars(first, tok.data() + tok.size(), v);
  if (r.ec == std::errc::result_out_of_range) {
    v = std::strtod(std::string(tok).c_str(), nullptr);  // overflow to ±Inf, underflow to 0, as Go
    if (std::isinf(v)) special = v < 0 ? "-Inf" : "+Inf";
    return true;
  }
  return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
}

void write_value(JsonBuilder& b, double v, std::string_view special) {
  if (!special.empty()) {
    b.string(special);
  } else {
    b.number(v);
  }
}

// {name="value", ...}: the cursor is on '{'. Labels go to `labels` as a JSON
// object; a quoted string without '=' is the metric name (Prometheus 3).
bool read_labels(Cursor& c, std::string& labels, std::string* name, bool& name_set,
                 std::string& reason) {
  labels.clear();
  JsonBuilder lb(labels);
  lb.begin_object();
  ++c.i;
  std::string key, value;
  // Label names seen so far: Prometheus rejects a repeated one (and JSON
  // would get a duplicate key). Reused, so no allocation per line.
  thread_local std::vector<std::string> seen;
  size_t n_seen = 0;
  while (true) {
    c.skip_blanks();
    if (c.at_end()) {
      reason = "unterminated label set";
      return false;
    }
    char ch = c.peek();
    if (ch == '}') {
      ++c.i;
      break;
    }
    if (ch == '"') {
      if (!read_quoted(c, key, reason)) return false;
      c.skip_blanks();
      if (c.peek() != '=') {
        if (name == nullptr || name_set || (c.peek() != ',' && c.peek() != '}')) {
          reason = "expected '=' after a quoted label name";
          return false;
        }
        *name = key;
        name_set = true;
        if (c.peek() == ',') ++c.i;
        continue;
      }
    } else if (is_label_start(ch)) {
      key.assign(c.take_while(is_label_char));
    } else {
      reason = "expected a label name";
      return false;
    }
    c.skip_blanks();
    if (c.peek() != '=') {
      reason = "expected '=' after label " + key;
      return false;
    }
    ++c.i;
    c.skip_blanks();
    if (c.peek() != '"') {
      reason = "expected a double-quoted label value for " + key;
      return false;
    }
    if (!read_quoted(c, value, reason)) return false;
    if (!is_valid_utf8(value)) {
      reason = "invalid UTF-8 in the value of label " + key;
      return false;
    }
    for (size_t k = 0; k < n_seen; ++k) {
      if (seen[k] == key) {
        reason = "duplicate label name " + key;
        return false;
      }
    }
    if (n_seen == seen.size()) seen.emplace_back();
    seen[n_seen++].assign(key);
    lb.field(key, value);
    c.skip_blanks();
    if (c.peek() == ',') ++c.i;
  }
  lb.end_object();
  return true;
}

bool is_metric_type(std::string_view t) {
  return t == "counter" || t == "gauge" || t == "histogram" || t == "summary" || t == "untyped" ||
         t == "gaugehistogram" || t == "stateset" || t == "info" || t == "unknown";
}

}  // namespace

bool PromFormat::parse_comment(std::string_view line, std::string& reason) {
  Cursor c{line, 1};
  c.skip_blanks();
  std::string_view word = c.take_while(is_label_char);
  bool is_help = word == "HELP", is_type = word == "TYPE", is_unit = word == "UNIT";
  if ((!is_help && !is_type && !is_unit) || (!c.at_end() && !is_blank(c.peek()))) {
    return true;  // a plain comment (also OpenMetrics' "# EOF")
  }
  c.skip_blanks();
  std::string name;
  if (c.peek() == '"') {
    if (!read_quoted(c, name, reason)) return false;
  } else if (is_name_start(c.peek())) {
    name.assign(c.take_while(is_name_char));
  } else {
    reason = fmt::format("expected a metric name after {}", word);
    return false;
  }
  if (!c.at_end() && !is_blank(c.peek())) {
    reason = fmt::format("expected a metric name after {}", word);
    return false;
  }
  if (families_.size() > 100000) families_.clear();  // bounded memory on hostile input
  Family& f = families_[name];
  if (c.at_end()) {
    if (is_help) {
      f.help.clear();
      f.has_help = true;
      return true;
    }
    reason = fmt::format("expected a {} after the metric name", is_type ? "type" : "unit");
    return false;
  }
  ++c.i;  // one separator; HELP text keeps the rest as written
  if (is_help) {
    f.help.clear();
    f.has_help = true;
    for (size_t k = c.i; k < line.size(); ++k) {
      if (line[k] == '\\' && k + 1 < line.size() && (line[k + 1] == 'n' || line[k + 1] == '\\')) {
        f.help.push_back(line[k + 1] == 'n' ? '\n' : '\\');
        ++k;
      } else {
        f.help.push_back(line[k]);
      }
    }
    return true;
  }
  c.skip_blanks();
  std::string_view value = c.take_token();
  c.skip_blanks();
  if (!c.at_end()) {
    reason = fmt::format("unexpected text after {} {}", word, value);
    return false;
  }
  if (is_type) {
    if (!is_metric_type(value)) {
      reason = fmt::format("invalid metric type \"{}\"", value);
      return false;
    }
    f.type.assign(value);
  } else {
    f.unit.assign(value);
  }
  return true;
}

const PromFormat::Family* PromFormat::family_of(std::string_view name,
                                                std::string_view& family_name) const {
  family_name = name;
  if (families_.empty()) return nullptr;
  auto it = families_.find(std::string(name));
  if (it != families_.end() && !it->second.type.empty()) return &it->second;
  static constexpr std::string_view kSuffixes[] = {"_bucket", "_sum", "_count", "_total", "_created",
                                                   "_gsum", "_gcount", "_info"};
  for (std::string_view suffix : kSuffixes) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      std::string_view base = name.substr(0, name.size() - suffix.size());
      auto b = families_.find(std::string(base));
      if (b != families_.end() && !b->second.type.empty()) {
        family_name = base;
        return &b->second;
      }
    }
  }
  return it != families_.end() ? &it->second : nullptr;
}

bool PromFormat::parse(std::string_view line, EventWriter& out, std::string& reason) {
  Cursor c{line, 0};
  c.skip_blanks();
  if (c.at_end()) return true;
  if (c.peek() == '#') return parse_comment(line.substr(c.i), reason);

  bool name_set = false;
  name_.clear();
  if (is_name_start(c.peek())) {
    name_.assign(c.take_while(is_name_char));
    name_set = true;
  } else if (c.peek() != '{') {
    reason = "expected a metric name";
    return false;
  }
  c.skip_blanks();
  labels_.clear();
  if (c.peek() == '{') {
    if (!read_labels(c, labels_, &name_, name_set, reason)) return false;
  } else {
    labels_ = "{}";
  }
  if (!name_set) {
    reason = "metric name not set";
    return false;
  }
  c.skip_blanks();
  std::string_view value_tok = c.take_token();
  double value = 0;
  std::string_view special;
  if (value_tok.empty()) {
    reason = "expected a value after the metric";
    return false;
  }
  if (!parse_value(value_tok, value, special)) {
    reason = fmt::format("invalid sample value \"{}\"", value_tok);
    return false;
  }
  c.skip_blanks();
  bool has_ts = false;
  int64_t ts_ms = 0;
  if (!c.at_end() && c.peek() != '#') {
    std::string_view tok = c.take_token();
    const char* first = tok.data() + (!tok.empty() && tok[0] == '+' ? 1 : 0);
    auto r = std::from_chars(first, tok.data() + tok.size(), ts_ms);
    if (tok.empty() || r.ec != std::errc() || r.ptr != tok.data() + tok.size()) {
      reason = fmt::format("invalid timestamp \"{}\" (expected integer milliseconds)", tok);
      return false;
    }
    has_ts = true;
    c.skip_blanks();
  }
  // OpenMetrics exemplar: # {labels} value [timestamp]
  std::string exemplar;
  if (!c.at_end() && c.peek() == '#') {
    ++c.i;
    c.skip_blanks();
    if (c.peek() != '{') {
      reason = "expected an exemplar's label set after '#'";
      return false;
    }
    std::string ex_labels;
    bool dummy = true;
    if (!read_labels(c, ex_labels, nullptr, dummy, reason)) return false;
    c.skip_blanks();
    std::string_view ex_value_tok = c.take_token();
    double ex_value = 0;
    std::string_view ex_special;
    if (!parse_value(ex_value_tok, ex_value, ex_special)) {
      reason = fmt::format("invalid exemplar value \"{}\"", ex_value_tok);
      return false;
    }
    JsonBuilder eb(exemplar);
    eb.begin_object();
    eb.field_raw("labels", ex_labels);
    eb.key("value");
    write_value(eb, ex_value, ex_special);
    c.skip_blanks();
    if (!c.at_end()) {
      std::string_view ex_ts_tok = c.take_token();
      double ex_ts = 0;
      if (!parse_value(ex_ts_tok, ex_ts, ex_special) || !ex_special.empty()) {
        reason = fmt::format("invalid exemplar timestamp \"{}\"", ex_ts_tok);
        return false;
      }
      eb.field_number("timestamp", ex_ts);  // OpenMetrics: seconds
      c.skip_blanks();
    }
    eb.end_object();
  }
  if (!c.at_end()) {
    reason = "unexpected text after the sample";
    return false;
  }

  std::string_view family_name;
  const Family* fam = family_of(name_, family_name);
  JsonBuilder& b = out.begin();
  b.begin_object();
  if (has_ts) {
    scratch_.clear();
    // Milliseconds beyond int64 nanoseconds (year 2262) keep only timestamp_ms.
    if (ts_ms > -9'223'372'036'854 && ts_ms < 9'223'372'036'854) {
      format_rfc3339(scratch_, ts_ms * 1'000'000);
      b.field("ts", scratch_);
    }
  }
  b.field("name", name_);
  if (family_name != name_) b.field("family", family_name);
  b.field("type", fam && !fam->type.empty() ? std::string_view(fam->type) : "untyped");
  if (fam && fam->has_help) b.field("help", fam->help);
  if (fam && !fam->unit.empty()) b.field("unit", fam->unit);
  b.field_raw("labels", labels_);
  b.key("value");
  write_value(b, value, special);
  if (has_ts) b.field_int("timestamp_ms", ts_ms);
  if (!exemplar.empty()) b.field_raw("exemplar", exemplar);
  b.end_object();
  out.end();
  return true;
}

}  // namespace olly::parse
