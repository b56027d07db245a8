// Alert rules (olly-alert): what a rule says, loaded from a rules file (YAML
// or JSON, yaml-cpp) or from flags, and checked whole before any input is
// read. A rule's condition is written over windowed aggregates in olly-agg's
// words (`count_if(status >= 500) / count > 0.05`): the aggregates are found
// in the text, computed per window and group by lib/agg, and the condition is
// an expression (lib/expr) over their values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agg/spec.h"
#include "expr/expr.h"

namespace olly {

enum class RuleKind { threshold, slo, anomaly, absence };
std::string_view rule_kind_name(RuleKind k);

// Where a value of the condition's expression comes from, slot by slot.
struct ConditionSource {
  enum class Kind { aggregate, group, field } kind = Kind::aggregate;
  size_t index = 0;  // aggregate: in Rule::aggs; group: in Rule::by; field: in Rule::fields
};

// An expression over a window's aggregates and the group's fields.
struct Condition {
  std::string text;  // as written
  Expr expr;         // with each aggregate replaced by a slot
  std::vector<ConditionSource> sources;  // one per expr.paths()
  // A comparison with a constant (`p99(latency_ms) > 500`): its other side,
  // reported as the alert's value, and the constant, its threshold.
  std::optional<Expr> value_expr;
  std::vector<ConditionSource> value_sources;
  std::optional<double> threshold;
};

// One multiwindow burn-rate pair of an SLO rule: fire when the error budget
// burns faster than factor over both windows.
struct BurnWindow {
  int64_t long_ns = 0;
  int64_t short_ns = 0;
  double factor = 0;  // burn rate: error ratio / (1 - objective)
  std::string severity;
};

struct Rule {
  std::string name;
  RuleKind kind = RuleKind::threshold;
  std::string where;               // only events matching it count
  std::vector<std::string> by;     // group fields
  int64_t every_ns = 60'000'000'000;
  std::string origin;              // FILE:LINE:COL of the rule, or the flag
  std::vector<std::pair<std::string, std::string>> field_origins;  // field -> FILE:LINE:COL of its value
  // Where a field's value was written (its own position in a rules file, else the rule's).
  std::string origin_of(std::string_view field) const {
    for (const auto& [f, at] : field_origins) {
      if (f == field) return at;
    }
    return origin;
  }

  // threshold
  std::optional<Condition> condition;
  std::optional<Condition> resolve;  // hysteresis: firing until this holds
  int for_windows = 0;               // `for: 3` (consecutive windows)
  int64_t for_ns = 0;                // `for: 10m`
  int64_t keep_firing_for_ns = 0;

  // slo
  double objective = 0;  // 99.9
  int64_t period_ns = 0;
  std::string bad;       // expression: a bad event
  std::string total;     // expression: an event that counts (empty: every event)
  std::vector<BurnWindow> burn_windows;

  // anomaly
  AggSpec series;
  enum class Method { mad, ewma } method = Method::mad;
  double sensitivity = 3.5;  // robust z-score (mad) or band width in standard deviations (ewma)
  size_t history = 30;       // windows of history (mad)
  size_t min_points = 10;    // history needed before it may fire
  enum class Direction { up, down, both } direction = Direction::both;
  double alpha = 0.3;        // ewma smoothing

  // absence
  int64_t absent_ns = 0;

  std::string severity = "warning";
  std::vector<std::pair<std::string, std::string>> labels;
  std::string summary;
  std::string description;

  // What the windows compute (the Aggregator's plan), count first, and the
  // fields read from series input that are not aggregates.
  std::vector<AggSpec> aggs;
  std::vector<std::string> agg_names;  // the field olly-agg writes each aggregate to (series input)
  std::vector<std::string> fields;
  size_t bad_index = 0, total_index = 0, series_index = 0;  // in aggs (slo, anomaly)

  // A text that changes whenever the rule's meaning does (state files).
  std::string canonical() const;
};

struct RuleSet {
  std::vector<Rule> rules;
  std::string fingerprint;  // of every rule's canonical text: a state file belongs to one rule set
};

// Loads a rules file (YAML or JSON): a list of rules, or a map with `rules:`.
// Every error is a UsageError naming FILE:LINE:COL.
RuleSet load_rules_file(const std::string& path);
RuleSet load_rules_text(const std::string& text, const std::string& name);

// What the flags say for one rule (olly-alert --rule / --slo / --anomaly / --absent).
struct InlineRule {
  std::string rule;      // --rule 'COND [for N|D]'
  std::string slo;       // --slo 99.9
  std::string period = "30d";
  std::string bad;
  std::string total;
  std::string anomaly;   // --anomaly SERIES
  std::string method = "mad";
  std::string absent;    // --absent D
  std::string name;
  std::string where;
  std::vector<std::string> by;
  std::string every;
  std::string for_text;
  std::string keep_firing_for;
  std::string resolve;
  std::string severity;
  std::vector<std::string> labels;  // k=v
  std::string summary;
  std::string description;
  bool any() const { return !rule.empty() || !slo.empty() || !anomaly.empty() || !absent.empty(); }
};
RuleSet rules_from_flags(const InlineRule& f);

// Finalizes a rule (aggregates, conditions, defaults); throws UsageError
// prefixed with where. Used by both loaders.
void finish_rule(Rule& r, const std::string& where);
RuleSet make_rule_set(std::vector<Rule> rules);

// The default burn-rate table of the SRE workbook for a period: page at
// 2% of the budget in 1h (with 5m), page at 5% in 6h (with 30m), ticket at
// 10% in 3d (with 6h); factor = budget fraction x period / long window.
std::vector<BurnWindow> default_burn_windows(int64_t period_ns);

// Renders "{field}" placeholders; fields not given are errors at load, so
// here every name is known. `{{` and `}}` are literal braces.
struct TemplateField {
  std::string name;
  std::string value;
};
std::string render_template(const std::string& text, const std::vector<TemplateField>& fields);
// The names a template uses (for checking at load); throws UsageError on an unclosed brace.
std::vector<std::string> template_names(const std::string& text, const std::string& what);

}  // namespace olly
