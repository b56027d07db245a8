#include "alert/rule.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "agg/aggregator.h"
#include "core/diag.h"
#include "core/read_file.h"
#include "sketch/hash.h"
#include "time/timeutil.h"

namespace olly {

std::string_view rule_kind_name(RuleKind k) {
  switch (k) {
    case RuleKind::threshold: return "threshold";
    case RuleKind::slo: return "slo";
    case RuleKind::anomaly: return "anomaly";
    case RuleKind::absence: return "absence";
  }
  return "?";
}

namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Aggregate function names of olly-agg (spec.h) that read as calls.
bool is_aggregate_call(std::string_view w) {
  static const char* const kNames[] = {"count_if", "sum", "avg", "min",  "max",  "stddev", "median",
                                       "distinct", "top", "first", "last", "hist", "ratio"};
  for (const char* n : kNames) {
    if (w == n) return true;
  }
  if (w.size() >= 2 && w[0] == 'p' && std::isdigit(static_cast<unsigned char>(w[1]))) return true;
  return false;
}

bool is_numeric_aggregate(const AggSpec& s) {
  switch (s.kind) {
    case AggKind::top:
    case AggKind::first:
    case AggKind::last:
    case AggKind::hist: return false;
    case AggKind::ratio:
      return std::all_of(s.args.begin(), s.args.end(), [](const AggSpec& a) { return is_numeric_aggregate(a); });
    default: return true;
  }
}

// The end of a string literal starting at i (the quote), past the closing quote.
size_t skip_string(std::string_view t, size_t i) {
  const char q = t[i++];
  while (i < t.size() && t[i] != q) i += (t[i] == '\\' && i + 1 < t.size()) ? 2 : 1;
  return std::min(i + 1, t.size());
}

// The index of the ')' matching the '(' at i, or npos.
size_t matching_paren(std::string_view t, size_t i) {
  int depth = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '"' || c == '\'') {
      i = skip_string(t, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string_view::npos;
}

// The slot name standing for aggregate i in a rewritten condition.
std::string aggregate_slot(size_t i) { return fmt::format("__olly_agg{}", i); }

// Index of spec in aggs (added when new), by canonical text.
size_t add_aggregate(Rule& r, AggSpec spec) {
  std::vector<AggSpec>& aggs = r.aggs;
  // The same aggregate, whatever it was named.
  const auto unnamed = [](AggSpec s) {
    s.named = false;
    return s.canonical();
  };
  const std::string c = unnamed(spec);
  for (size_t i = 0; i < aggs.size(); ++i) {
    if (unnamed(aggs[i]) == c) return i;
  }
  r.agg_names.push_back(spec.name);
  spec.name = aggregate_slot(aggs.size());
  spec.named = true;
  aggs.push_back(std::move(spec));
  return aggs.size() - 1;
}

// Replaces each aggregate in text by its slot name, adding it to aggs.
// padded (optional): the text with each aggregate replaced by an identifier
// of the same width, so a syntax error's column points into the text as written.
std::string rewrite_aggregates(std::string_view text, Rule& r, const std::string& what, std::string* padded = nullptr) {
  std::string out;
  if (text.find("__olly_agg") != std::string_view::npos) {
    throw UsageError(fmt::format("{}: names starting with __olly_agg are reserved", what));
  }
  std::string pad;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      const size_t end = skip_string(text, i);
      out.append(text.substr(i, end - i));
      pad.append(text.substr(i, end - i));
      i = end;
      continue;
    }
    const bool after_path = i > 0 && (text[i - 1] == '.' || is_ident_char(text[i - 1]));
    if (!is_ident_start(c) || after_path) {
      out.push_back(c);
      pad.push_back(c);
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && is_ident_char(text[j])) ++j;
    // p99.9(x): a quantile with a fraction.
    if (text[i] == 'p' && j < text.size() && text[j] == '.' && j + 1 < text.size() &&
        std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
      ++j;
      while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    }
    std::string_view word = text.substr(i, j - i);
    size_t k = j;
    while (k < text.size() && text[k] == ' ') ++k;
    const bool call = k < text.size() && text[k] == '(';
    const bool member = j < text.size() && (text[j] == '.' || text[j] == '[');
    size_t end = std::string_view::npos;
    if (call && is_aggregate_call(word)) {
      const size_t close = matching_paren(text, k);
      if (close == std::string_view::npos) {
        throw UsageError(fmt::format("{}: '{}' has no closing parenthesis", what, text.substr(i)));
      }
      end = close + 1;
    } else if (!call && !member && (word == "count" || word == "rate")) {
      end = j;
    }
    if (end == std::string_view::npos) {
      out.append(word);
      pad.append(word);
      i = j;
      continue;
    }
    AggSpec spec = parse_agg_spec(text.substr(i, end - i), what);
    if (!is_numeric_aggregate(spec)) {
      throw UsageError(fmt::format("{}: '{}' is not a number; a condition compares numbers (count, sum, avg, "
                                   "min, max, stddev, pNN, distinct, rate, count_if, ratios of them)",
                                   what, text.substr(i, end - i)));
    }
    // A blank after the slot name keeps what follows from joining it
    // (`max(x)1` must stay an error, not read as slot 11).
    out += aggregate_slot(add_aggregate(r, std::move(spec)));
    out.push_back(' ');
    pad.append(end - i - 1, 'a');
    pad.push_back(' ');
    i = end;
  }
  if (padded) *padded = std::move(pad);
  return out;
}

// The sources of an expression's paths: aggregates, group fields, or (for
// series input) other fields of the line.
std::vector<ConditionSource> sources_of(const Expr& e, Rule& r) {
  std::vector<ConditionSource> out;
  for (const Path& p : e.paths()) {
    ConditionSource s;
    if (p.text.starts_with("__olly_agg")) {
      s.kind = ConditionSource::Kind::aggregate;
      s.index = std::stoul(p.text.substr(10));
    } else if (auto it = std::find(r.by.begin(), r.by.end(), p.text); it != r.by.end()) {
      s.kind = ConditionSource::Kind::group;
      s.index = static_cast<size_t>(it - r.by.begin());
    } else {
      s.kind = ConditionSource::Kind::field;
      auto f = std::find(r.fields.begin(), r.fields.end(), p.text);
      if (f == r.fields.end()) f = r.fields.insert(r.fields.end(), p.text);
      s.index = static_cast<size_t>(f - r.fields.begin());
    }
    out.push_back(s);
  }
  return out;
}

// The first top-level comparison of the condition (or of its first
// conjunct, before a top-level &&): where the operator is, its length, and
// where the compared operand ends. npos when there is none (or an ||).
struct Comparison {
  size_t at = std::string_view::npos, len = 0, end = 0;
};
Comparison top_comparison(std::string_view t) {
  int depth = 0;
  Comparison found;
  found.end = t.size();
  for (size_t i = 0; i < t.size();) {
    const char c = t[i];
    if (c == '"' || c == '\'') {
      i = skip_string(t, i);
      continue;
    }
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0) {
      if (c == '|' && i + 1 < t.size() && t[i + 1] == '|') return {};
      if (c == '&' && i + 1 < t.size() && t[i + 1] == '&') {
        found.end = i;
        return found;
      }
      if (c == '=' && i + 1 < t.size() && t[i + 1] == '~') return {};
      const bool two = i + 1 < t.size() && t[i + 1] == '=';
      if (found.at == std::string_view::npos) {
        if (c == '>' || c == '<') found.at = i, found.len = two ? 2 : 1;
        if ((c == '=' || c == '!') && two) found.at = i, found.len = 2;
      }
      if (two && (c == '>' || c == '<' || c == '=' || c == '!')) {
        i += 2;
        continue;
      }
    }
    ++i;
  }
  return found;
}

// A constant expression's number (500, 0.05, 250ms), if it is one.
std::optional<double> constant_number(std::string_view text) {
  try {
    Expr e = Expr::compile(text);
    if (!e.paths().empty()) return std::nullopt;
    EvalScratch scratch;
    Value v = e.eval({}, scratch);
    if (v.is_numeric()) return v.as_double();
  } catch (const UsageError&) {
  }
  return std::nullopt;
}

Condition compile_condition(const std::string& text, Rule& r, const std::string& what) {
  Condition c;
  c.text = text;
  std::string padded;
  const std::string rewritten = rewrite_aggregates(text, r, what, &padded);
  try {
    c.expr = Expr::compile(rewritten, what);
  } catch (const UsageError&) {
    // Report the error in the expression as written: the same-width text
    // gives the column, and the message shows the original.
    try {
      Expr::compile(padded, what);
    } catch (const UsageError& e) {
      std::string msg = e.what();
      if (size_t at = msg.find(padded); at != std::string::npos) msg.replace(at, padded.size(), text);
      throw UsageError(msg);
    }
    throw;
  }
  c.sources = sources_of(c.expr, r);
  const Comparison cmp = top_comparison(rewritten);
  if (cmp.at != std::string_view::npos && cmp.at < cmp.end) {
    std::string_view lhs = std::string_view(rewritten).substr(0, cmp.at);
    std::string_view rhs = std::string_view(rewritten).substr(cmp.at + cmp.len, cmp.end - cmp.at - cmp.len);
    std::string_view side;
    if (auto n = constant_number(rhs)) {
      c.threshold = n;
      side = lhs;
    } else if (auto m = constant_number(lhs)) {
      c.threshold = m;
      side = rhs;
    }
    if (!side.empty()) {
      c.value_expr = Expr::compile(side, what);
      c.value_sources = sources_of(*c.value_expr, r);
    }
  }
  return c;
}

// `for`: a count of consecutive windows (3) or a duration (10m).
void set_for(Rule& r, const std::string& text, const std::string& what) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 6) throw UsageError(fmt::format("{}: {} windows is too many", what, text));
    r.for_windows = std::stoi(text);
    r.for_ns = 0;
    return;
  }
  r.for_ns = duration_or_throw(text, what, true);
  r.for_windows = 0;
}

double number_or_throw(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(v)) {
    throw UsageError(fmt::format("{}: '{}' is not a number", what, text));
  }
  return v;
}

}  // namespace

std::vector<BurnWindow> default_burn_windows(int64_t period_ns) {
  constexpr int64_t kMin = 60'000'000'000;
  const double period = static_cast<double>(period_ns);
  auto pair = [&](int64_t long_ns, int64_t short_ns, double budget, const char* severity) {
    return BurnWindow{long_ns, short_ns, budget * period / static_cast<double>(long_ns), severity};
  };
  return {pair(60 * kMin, 5 * kMin, 0.02, "page"), pair(360 * kMin, 30 * kMin, 0.05, "page"),
          pair(3 * 1440 * kMin, 360 * kMin, 0.10, "ticket")};
}

std::vector<std::string> template_names(const std::string& text, const std::string& what) {
  std::vector<std::string> names;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      const size_t close = text.find('}', i);
      if (close == std::string::npos) {
        throw UsageError(fmt::format("{}: '{{' at column {} is not closed (write {{{{ for a brace)", what, i + 1));
      }
      names.push_back(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      ++i;
    }
  }
  return names;
}

std::string render_template(const std::string& text, const std::vector<TemplateField>& fields) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string::npos) {
      out.append(text.substr(i));
      break;
    }
    const std::string_view name = std::string_view(text).substr(i + 1, close - i - 1);
    for (const auto& f : fields) {
      if (f.name == name) {
        out += f.value;
        break;
      }
    }
    i = close;
  }
  return out;
}

std::string Rule::canonical() const {
  std::string s = fmt::format("name={};kind={};where={};every={};", name, rule_kind_name(kind), where, every_ns);
  for (const auto& b : by) s += "by=" + b + ";";
  if (condition) s += "condition=" + condition->text + ";";
  if (resolve) s += "resolve=" + resolve->text + ";";
  s += fmt::format("for={}/{};keep={};", for_windows, for_ns, keep_firing_for_ns);
  if (kind == RuleKind::slo) {
    s += fmt::format("objective={};period={};bad={};total={};", objective, period_ns, bad, total);
    for (const auto& w : burn_windows) s += fmt::format("burn={}/{}/{};", w.long_ns, w.short_ns, w.factor);
  }
  if (kind == RuleKind::anomaly) {
    s += fmt::format("series={};method={};sens={};history={};min={};dir={};alpha={};", series.canonical(),
                     static_cast<int>(method), sensitivity, history, min_points, static_cast<int>(direction), alpha);
  }
  if (kind == RuleKind::absence) s += fmt::format("absent={};", absent_ns);
  return s;
}

void finish_rule(Rule& r, const std::string& where) {
  const auto fail = [&](const std::string& msg) { throw UsageError(fmt::format("{}: {}", where, msg)); };
  if (r.name.empty()) fail("a rule needs a name");
  // Aggregate 0 is always count: late windows and absence read it.
  r.aggs.clear();
  r.agg_names.clear();
  r.fields.clear();
  add_aggregate(r, parse_agg_spec("count"));
  switch (r.kind) {
    case RuleKind::threshold: {
      if (!r.condition) fail(fmt::format("rule '{}' needs a condition", r.name));
      // Conditions were given as text: compile them now that `by` is known.
      r.condition = compile_condition(r.condition->text, r, r.origin_of("condition") + ": condition");
      if (r.resolve) r.resolve = compile_condition(r.resolve->text, r, r.origin_of("resolve") + ": resolve");
      break;
    }
    case RuleKind::slo: {
      if (!(r.objective > 0 && r.objective < 100)) {
        fail(fmt::format("objective {} is not a percentage between 0 and 100 (e.g. 99.9)", r.objective));
      }
      if (r.bad.empty()) fail(fmt::format("SLO rule '{}' needs `bad`: the expression of a failed event", r.name));
      if (r.period_ns <= 0) r.period_ns = 30LL * 86400 * 1'000'000'000;
      if (r.burn_windows.empty()) r.burn_windows = default_burn_windows(r.period_ns);
      for (const auto& w : r.burn_windows) {
        if (w.short_ns % r.every_ns != 0 || w.long_ns % r.every_ns != 0) {
          fail(fmt::format("burn windows {}/{} are not multiples of every ({})", format_duration(w.long_ns),
                           format_duration(w.short_ns), format_duration(r.every_ns)));
        }
        if (w.short_ns > w.long_ns) fail("a burn window's short window is longer than its long one");
      }
      Expr::compile(r.bad, r.origin_of("bad") + ": bad");
      r.bad_index = add_aggregate(r, parse_agg_spec("count_if(" + r.bad + ")", r.origin_of("bad") + ": bad"));
      r.total_index = 0;
      if (!r.total.empty()) {
        Expr::compile(r.total, r.origin_of("total") + ": total");
        r.total_index = add_aggregate(r, parse_agg_spec("count_if(" + r.total + ")", r.origin_of("total") + ": total"));
      }
      break;
    }
    case RuleKind::anomaly: {
      if (!is_numeric_aggregate(r.series)) fail(fmt::format("series '{}' is not a number", r.series.canonical()));
      r.series_index = add_aggregate(r, r.series);
      if (r.min_points < 3) fail("min_points must be at least 3");
      if (r.history < r.min_points) r.history = r.min_points;
      if (!(r.sensitivity > 0)) fail("sensitivity must be above 0");
      if (!(r.alpha > 0 && r.alpha <= 1)) fail("alpha must be in (0, 1]");
      break;
    }
    case RuleKind::absence:
      if (r.absent_ns <= 0) fail(fmt::format("absence rule '{}' needs absent_for: a duration", r.name));
      break;
  }
  if (!r.where.empty()) Expr::compile(r.where, r.origin_of("where") + ": where");
  for (const auto& b : r.by) parse_path_or_throw(b, r.origin_of("by") + ": by");
  // Everything the windows compute compiles now, not when input is read.
  try {
    AggOptions probe;
    probe.plan.aggs = r.aggs;
    probe.plan.by = r.by;
    probe.plan.every_ns = r.every_ns;
    Aggregator check(probe);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("{}: {}", r.origin, e.what()));
  }
  std::vector<std::string> known = {"rule", "severity", "value", "threshold", "window_start", "window_end", "since"};
  for (const auto& b : r.by) known.push_back(b);
  for (const auto& [k, v] : r.labels) known.push_back(k);
  for (const auto* t : {&r.summary, &r.description}) {
    const std::string at = r.origin_of(t == &r.summary ? "summary" : "description");
    for (const auto& n : template_names(*t, at + ": template")) {
      if (std::find(known.begin(), known.end(), n) == known.end()) {
        std::string hint = closest_match(n, known);
        throw UsageError(fmt::format("{}: template field '{{{}}}' is not known{}; a template may use {}", at, n,
                                     hint.empty() ? "" : fmt::format(" (did you mean {{{}}}?)", hint),
                                     fmt::join(known, ", ")));
      }
    }
  }
}

RuleSet make_rule_set(std::vector<Rule> rules) {
  RuleSet set;
  std::string all;
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (rules[j].name == rules[i].name) {
        throw UsageError(fmt::format("{}: rule name '{}' is used twice (also at {})", rules[i].origin,
                                     rules[i].name, rules[j].origin));
      }
    }
    all += rules[i].canonical();
    all += '\n';
  }
  set.fingerprint = fmt::format("{:016x}", hash_bytes(all));
  set.rules = std::move(rules);
  return set;
}

namespace {

std::string mark_of(const std::string& file, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return file;
  return fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1);
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw UsageError(fmt::format("{}: `{}` must be a single value", mark_of(file, n), key));
  return n.Scalar();
}

std::vector<std::string> string_list(const std::string& file, const YAML::Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsScalar()) return split_field_list(n.Scalar());
  if (!n.IsSequence()) throw UsageError(fmt::format("{}: `{}` must be a list", mark_of(file, n), key));
  for (const auto& e : n) out.push_back(scalar(file, e, key));
  return out;
}

const std::vector<std::string>& rule_keys() {
  static const std::vector<std::string> k = {
      "name", "kind", "where", "by", "every", "condition", "resolve", "for", "keep_firing_for", "severity",
      "labels", "annotations", "summary", "description", "objective", "period", "bad", "total", "burn_windows",
      "series", "method", "sensitivity", "history", "min_points", "direction", "alpha", "absent_for"};
  return k;
}

BurnWindow burn_window_from(const std::string& file, const YAML::Node& n, int64_t period_ns) {
  if (!n.IsMap()) throw UsageError(fmt::format("{}: a burn window is a map (long, short, budget or factor, severity)", mark_of(file, n)));
  BurnWindow w;
  bool has_budget = false, has_factor = false;
  double budget = 0;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const std::string at = mark_of(file, kv.second);
    const std::string v = scalar(file, kv.second, key);
    if (key == "long") w.long_ns = duration_or_throw(v, at + ": long", false);
    else if (key == "short") w.short_ns = duration_or_throw(v, at + ": short", false);
    else if (key == "budget") { budget = number_or_throw(v, at + ": budget"); has_budget = true; }
    else if (key == "factor") { w.factor = number_or_throw(v, at + ": factor"); has_factor = true; }
    else if (key == "severity") w.severity = v;
    else {
      throw UsageError(fmt::format("{}: unknown burn window field '{}' (known: long, short, budget, factor, severity)",
                                   mark_of(file, kv.first), key));
    }
  }
  if (w.long_ns == 0 || w.short_ns == 0) throw UsageError(fmt::format("{}: a burn window needs long and short", mark_of(file, n)));
  if (has_budget == has_factor) throw UsageError(fmt::format("{}: give a burn window either budget (a fraction of the period's error budget) or factor", mark_of(file, n)));
  if (has_budget) w.factor = budget * static_cast<double>(period_ns) / static_cast<double>(w.long_ns);
  if (w.severity.empty()) w.severity = "page";
  return w;
}

Rule rule_from_yaml(const std::string& file, const YAML::Node& n) {
  if (!n.IsMap()) throw UsageError(fmt::format("{}: a rule is a map of fields (name, condition, ...)", mark_of(file, n)));
  Rule r;
  r.origin = mark_of(file, n);
  r.kind = RuleKind::threshold;
  bool kind_given = false;
  std::string for_text, period_text, burn_at;
  YAML::Node burn;
  for (const auto& kv : n) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    const std::string at = mark_of(file, kv.second);
    const YAML::Node& v = kv.second;
    r.field_origins.emplace_back(key, at);
    auto text = [&] { return scalar(file, v, key); };
    if (key == "name") r.name = text();
    else if (key == "kind") {
      const std::string k = text();
      if (k == "threshold") r.kind = RuleKind::threshold;
      else if (k == "slo") r.kind = RuleKind::slo;
      else if (k == "anomaly") r.kind = RuleKind::anomaly;
      else if (k == "absence") r.kind = RuleKind::absence;
      else throw UsageError(fmt::format("{}: kind '{}' is not one of threshold, slo, anomaly, absence", at, k));
      kind_given = true;
    } else if (key == "where") r.where = text();
    else if (key == "by") r.by = string_list(file, v, key);
    else if (key == "every") r.every_ns = duration_or_throw(text(), at + ": every", false);
    else if (key == "condition") r.condition = Condition{text(), {}, {}, {}, {}, {}};
    else if (key == "resolve") r.resolve = Condition{text(), {}, {}, {}, {}, {}};
    else if (key == "for") for_text = text();
    else if (key == "keep_firing_for") r.keep_firing_for_ns = duration_or_throw(text(), at + ": keep_firing_for", true);
    else if (key == "severity") r.severity = text();
    else if (key == "labels" || key == "annotations") {
      if (!v.IsMap()) throw UsageError(fmt::format("{}: `{}` must be a map", at, key));
      for (const auto& l : v) {
        const std::string lk = l.first.Scalar();
        const std::string lv = scalar(file, l.second, lk);
        if (key == "labels") {
          r.labels.emplace_back(lk, lv);
        } else if (lk == "summary") {
          r.summary = lv;
          r.field_origins.emplace_back("summary", mark_of(file, l.second));
        } else if (lk == "description") {
          r.description = lv;
          r.field_origins.emplace_back("description", mark_of(file, l.second));
        } else {
          throw UsageError(fmt::format("{}: unknown annotation '{}' (known: summary, description)", mark_of(file, l.first), lk));
        }
      }
    } else if (key == "summary") r.summary = text();
    else if (key == "description") r.description = text();
    else if (key == "objective") r.objective = number_or_throw(text(), at + ": objective");
    else if (key == "period") period_text = text(), r.period_ns = duration_or_throw(period_text, at + ": period", false);
    else if (key == "bad") r.bad = text();
    else if (key == "total") r.total = text();
    else if (key == "burn_windows") {
      burn.reset(v);
      burn_at = at;
    }
    else if (key == "series") r.series = parse_agg_spec(text(), at + ": series");
    else if (key == "method") {
      const std::string m = text();
      if (m == "mad") r.method = Rule::Method::mad;
      else if (m == "ewma") r.method = Rule::Method::ewma;
      else throw UsageError(fmt::format("{}: method '{}' is not mad or ewma", at, m));
    } else if (key == "sensitivity") r.sensitivity = number_or_throw(text(), at + ": sensitivity");
    else if (key == "history") r.history = static_cast<size_t>(number_or_throw(text(), at + ": history"));
    else if (key == "min_points") r.min_points = static_cast<size_t>(number_or_throw(text(), at + ": min_points"));
    else if (key == "direction") {
      const std::string d = text();
      if (d == "up") r.direction = Rule::Direction::up;
      else if (d == "down") r.direction = Rule::Direction::down;
      else if (d == "both") r.direction = Rule::Direction::both;
      else throw UsageError(fmt::format("{}: direction '{}' is not up, down or both", at, d));
    } else if (key == "alpha") r.alpha = number_or_throw(text(), at + ": alpha");
    else if (key == "absent_for") r.absent_ns = duration_or_throw(text(), at + ": absent_for", false);
    else {
      const std::string hint = closest_match(key, rule_keys());
      throw UsageError(fmt::format("{}: unknown rule field '{}'{}", mark_of(file, kv.first), key,
                                   hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
  }
  if (!kind_given) {
    if (r.objective != 0 || !r.bad.empty()) r.kind = RuleKind::slo;
    else if (!r.series.name.empty() || r.series.kind != AggKind::count) r.kind = RuleKind::anomaly;
    else if (r.absent_ns) r.kind = RuleKind::absence;
  }
  if (r.kind == RuleKind::anomaly && r.series.name.empty()) r.series = parse_agg_spec("count");
  if (!for_text.empty()) set_for(r, for_text, r.origin + ": for");
  if (!burn_at.empty()) {
    if (!burn.IsSequence()) throw UsageError(fmt::format("{}: burn_windows must be a list", burn_at));
    if (r.period_ns <= 0) r.period_ns = 30LL * 86400 * 1'000'000'000;
    for (const auto& w : burn) r.burn_windows.push_back(burn_window_from(file, w, r.period_ns));
  }
  finish_rule(r, r.origin);
  return r;
}

}  // namespace

RuleSet load_rules_text(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw UsageError(fmt::format("{}:{}:{}: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  YAML::Node list = root;
  if (root.IsMap()) {
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      if (key != "rules") {
        throw UsageError(fmt::format("{}: unknown top-level field '{}' (a rules file holds `rules:`, a list of rules)",
                                     mark_of(name, kv.first), key));
      }
    }
    list = root["rules"];
  }
  if (!list.IsSequence()) {
    throw UsageError(fmt::format("{}: a rules file is a list of rules, or a map with `rules:` holding one", name));
  }
  std::vector<Rule> rules;
  for (const auto& n : list) rules.push_back(rule_from_yaml(name, n));
  if (rules.empty()) throw UsageError(fmt::format("{}: no rules", name));
  return make_rule_set(std::move(rules));
}

RuleSet load_rules_file(const std::string& path) {
  std::string text, reason;
  if (!read_file(path, text, reason, 64u << 20)) throw UsageError(fmt::format("--rules {}: {}", path, reason));
  return load_rules_text(text, path);
}

RuleSet rules_from_flags(const InlineRule& f) {
  const int kinds = !f.rule.empty() + !f.slo.empty() + !f.anomaly.empty() + !f.absent.empty();
  if (kinds > 1) throw UsageError("--rule, --slo, --anomaly and --absent each make one rule: give one of them (or a --rules file)");
  Rule r;
  r.origin = "flags";
  r.where = f.where;
  for (const auto& b : f.by) {
    for (auto& field : split_field_list(b)) r.by.push_back(field);
  }
  if (!f.every.empty()) r.every_ns = duration_or_throw(f.every, "--every", false);
  if (!f.severity.empty()) r.severity = f.severity;
  for (const auto& l : f.labels) {
    const size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("--label: '{}' is not NAME=VALUE", l));
    r.labels.emplace_back(l.substr(0, eq), l.substr(eq + 1));
  }
  r.summary = f.summary;
  r.description = f.description;
  std::string for_text = f.for_text;
  if (!f.rule.empty()) {
    r.kind = RuleKind::threshold;
    std::string cond = f.rule;
    // 'count > 20 for 2': the trailing `for` of the inline form.
    const size_t at = cond.rfind(" for ");
    if (at != std::string::npos && cond.find_first_of("\"'", at) == std::string::npos) {
      std::string tail = cond.substr(at + 5);
      while (!tail.empty() && tail.back() == ' ') tail.pop_back();
      if (!tail.empty() && tail.find(' ') == std::string::npos) {
        if (!for_text.empty()) throw UsageError("--rule: `for` is given twice (in the rule and as --for)");
        for_text = tail;
        cond.resize(at);
      }
    }
    r.condition = Condition{cond, {}, {}, {}, {}, {}};
    if (!f.resolve.empty()) r.resolve = Condition{f.resolve, {}, {}, {}, {}, {}};
    r.name = f.name.empty() ? "alert" : f.name;
  } else if (!f.slo.empty()) {
    r.kind = RuleKind::slo;
    r.objective = number_or_throw(f.slo, "--slo");
    r.period_ns = duration_or_throw(f.period, "--period", false);
    r.bad = f.bad;
    if (r.bad.empty()) throw UsageError("--slo needs --bad EXPR: what a failed event is (e.g. 'status >= 500')");
    r.total = f.total;
    r.name = f.name.empty() ? "slo" : f.name;
  } else if (!f.anomaly.empty()) {
    r.kind = RuleKind::anomaly;
    r.series = parse_agg_spec(f.anomaly, "--anomaly");
    if (f.method == "ewma") r.method = Rule::Method::ewma;
    r.name = f.name.empty() ? "anomaly" : f.name;
  } else if (!f.absent.empty()) {
    r.kind = RuleKind::absence;
    r.absent_ns = duration_or_throw(f.absent, "--absent", false);
    r.name = f.name.empty() ? "absent" : f.name;
  }
  if (!for_text.empty()) set_for(r, for_text, "--for");
  if (!f.keep_firing_for.empty()) r.keep_firing_for_ns = duration_or_throw(f.keep_firing_for, "--keep-firing-for", true);
  finish_rule(r, "--rule");
  std::vector<Rule> rules;
  rules.push_back(std::move(r));
  return make_rule_set(std::move(rules));
}

}  // namespace olly
