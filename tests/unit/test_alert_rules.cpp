// lib/alert/rule: conditions over aggregates, the burn-rate table, templates, rules files.
#include <doctest/doctest.h>

#include "alert/rule.h"
#include "core/diag.h"

using namespace olly;

namespace {

Rule threshold(const std::string& cond, std::vector<std::string> by = {}) {
  Rule r;
  r.name = std::string("threshold_rule");
  r.by = std::move(by);
  r.condition = Condition{cond, {}, {}, {}, {}, {}};
  finish_rule(r, "test");
  return r;
}

}  // namespace

TEST_CASE("a condition's aggregates are found, deduplicated and count comes first") {
  Rule r = threshold("count_if(status >= 500) / count > 0.05 && count > 100 && p99.9(latency_ms) < 2s");
  REQUIRE(r.aggs.size() == 3);
  CHECK(r.aggs[0].canonical() == "count as __olly_agg0");
  CHECK(r.aggs[1].canonical() == "count_if(status >= 500) as __olly_agg1");
  CHECK(r.aggs[2].canonical() == "p99.9(latency_ms) as __olly_agg2");
  CHECK(r.agg_names[1] == "count_if_status_ge_500");
  // The first comparison with a constant gives the value and the threshold.
  REQUIRE(r.condition->threshold);
  CHECK(*r.condition->threshold == doctest::Approx(0.05));
  CHECK(r.condition->value_expr.has_value());
}

TEST_CASE("strings, paths and functions in a condition are not aggregates") {
  Rule r = threshold("count_if(msg == \"count(x) > 2\" && lower(level) == \"error\") > 2", {"http.count"});
  CHECK(r.aggs.size() == 2);
  Rule g = threshold("count > 2 && http.count == 3", {"http.count"});
  CHECK(g.aggs.size() == 1);
  REQUIRE(g.condition->sources.size() == 2);
  CHECK(g.condition->sources[1].kind == ConditionSource::Kind::group);
}

TEST_CASE("a threshold on the left, no threshold with ||") {
  Rule r = threshold("500 < p99(latency_ms)");
  REQUIRE(r.condition->threshold);
  CHECK(*r.condition->threshold == 500);
  Rule o = threshold("count > 5 || p99(latency_ms) > 500");
  CHECK_FALSE(o.condition->threshold);
}

TEST_CASE("conditions that cannot work are refused at load") {
  CHECK_THROWS_AS(threshold("top(3, path) > 1"), UsageError);
  CHECK_THROWS_AS(threshold("p99(latency_ms > 3"), UsageError);
  CHECK_THROWS_AS(threshold("count > > 3"), UsageError);
}

TEST_CASE("the SRE workbook's burn-rate table for 30 days") {
  auto w = default_burn_windows(30LL * 86400 * 1'000'000'000);
  REQUIRE(w.size() == 3);
  CHECK(w[0].factor == doctest::Approx(14.4));
  CHECK(w[1].factor == doctest::Approx(6));
  CHECK(w[2].factor == doctest::Approx(1));
  CHECK(w[2].severity == "ticket");
  // Another period scales the factors: 7 days, 2% of the budget in 1h.
  auto week = default_burn_windows(7LL * 86400 * 1'000'000'000);
  CHECK(week[0].factor == doctest::Approx(0.02 * 168));
}

TEST_CASE("templates") {
  CHECK(render_template("{host} at {value} {{literal}}", {{"host", "web-1"}, {"value", "3"}}) == "web-1 at 3 {literal}");
  CHECK(template_names("{a} and {b}", "t") == std::vector<std::string>{"a", "b"});
  CHECK_THROWS_AS(template_names("{open", "t"), UsageError);
}

TEST_CASE("inline rules: for in the rule, kinds, errors") {
  InlineRule f;
  f.rule = "count > 20 for 2";
  RuleSet s = rules_from_flags(f);
  CHECK(s.rules[0].for_windows == 2);
  CHECK(s.rules[0].condition->text == "count > 20");
  f.rule = "count > 20 for 10m";
  CHECK(rules_from_flags(f).rules[0].for_ns == 600'000'000'000);
  f.rule = "msg == \"wait for it\"";
  CHECK(rules_from_flags(f).rules[0].condition->text == "msg == \"wait for it\"");
  f.slo = "99.9";
  CHECK_THROWS_AS(rules_from_flags(f), UsageError);  // two kinds
  InlineRule slo;
  slo.slo = "99.9";
  CHECK_THROWS_AS(rules_from_flags(slo), UsageError);  // no --bad
  slo.bad = "status >= 500";
  CHECK(rules_from_flags(slo).rules[0].burn_windows.size() == 3);
}

TEST_CASE("rules files: positions in errors, fingerprints") {
  const std::string good = "rules:\n  - name: a\n    condition: count > 1\n  - name: b\n    absent_for: 5m\n";
  RuleSet s = load_rules_text(good, "r.yaml");
  CHECK(s.rules.size() == 2);
  CHECK(s.rules[1].kind == RuleKind::absence);
  CHECK(load_rules_text(good, "other.yaml").fingerprint == s.fingerprint);
  const std::string changed = "rules:\n  - name: a\n    condition: count > 2\n  - name: b\n    absent_for: 5m\n";
  CHECK(load_rules_text(changed, "r.yaml").fingerprint != s.fingerprint);
  try {
    load_rules_text("- name: a\n  condition: count > 1\n  evry: 5m\n", "r.yaml");
    FAIL("no error");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()) == "r.yaml:3:3: unknown rule field 'evry' (did you mean 'every'?)");
  }
  CHECK_THROWS_AS(load_rules_text("- name: a\n  condition: count > 1\n- name: a\n  condition: count > 2\n", "r"), UsageError);
  CHECK_THROWS_AS(load_rules_text("rules: [", "r"), UsageError);
  CHECK_THROWS_AS(load_rules_text("- name: s\n  objective: 120\n  bad: status >= 500\n", "r"), UsageError);
}
