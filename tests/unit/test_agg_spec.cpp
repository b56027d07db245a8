// Aggregate-spec parsing: both spellings, names, by/every/as words, errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "agg/spec.h"
#include "core/diag.h"

using namespace olly;

TEST_CASE("aggregate specs parse in both spellings with stable default names") {
  auto p1 = parse_agg_spec("p99(latency_ms)");
  auto p2 = parse_agg_spec("p99:latency_ms");
  CHECK(p1.kind == AggKind::quantile);
  CHECK(p1.quantile == doctest::Approx(0.99));
  CHECK(p1.field == "latency_ms");
  CHECK(p1.name == "p99_latency_ms");
  CHECK(p2.name == p1.name);
  CHECK(p2.canonical() == "p99(latency_ms)");

  auto p999 = parse_agg_spec("p99.9:latency_ms");
  CHECK(p999.quantile == doctest::Approx(0.999));
  CHECK(p999.name == "p99_9_latency_ms");
  CHECK(parse_agg_spec("median(x)").name == "p50_x");

  CHECK(parse_agg_spec("count").name == "count");
  CHECK(parse_agg_spec("rate").kind == AggKind::rate);
  CHECK(parse_agg_spec("sum(bytes)").name == "sum_bytes");
  CHECK(parse_agg_spec("avg:http.latency").name == "avg_http_latency");
  CHECK(parse_agg_spec("stddev(x)").kind == AggKind::stddev);
  CHECK(parse_agg_spec("distinct(user)").name == "distinct_user");
  CHECK(parse_agg_spec("first(msg)").kind == AggKind::first);
  CHECK(parse_agg_spec("last(msg)").kind == AggKind::last);
  CHECK(parse_agg_spec("hist(latency_ms)").name == "hist_latency_ms");
}

TEST_CASE("count_if keeps its expression and names it readably") {
  auto c = parse_agg_spec("count_if(status >= 500)");
  CHECK(c.kind == AggKind::count_if);
  CHECK(c.expr == "status >= 500");
  CHECK(c.name == "count_if_status_ge_500");
  auto q = parse_agg_spec("count_if(path =~ \"^/api/(a|b)\" && x != 'y)')");
  CHECK(q.expr == "path =~ \"^/api/(a|b)\" && x != 'y)'");
  CHECK(parse_agg_spec(q.canonical()).expr == q.expr);
  // Operators inside string literals are not spelled out.
  CHECK(parse_agg_spec("count_if(path == \"/a,b\")").name == "count_if_path_eq_a_b");
  CHECK(parse_agg_spec("count_if(x != 'a\\'>=b' && y > 1)").name == "count_if_x_ne_a_b_and_y_gt_1");
}

TEST_CASE("top takes K and a field") {
  auto t = parse_agg_spec("top(5, path)");
  CHECK(t.kind == AggKind::top);
  CHECK(t.k == 5);
  CHECK(t.field == "path");
  CHECK(t.name == "top5_path");
  CHECK(parse_agg_spec("top5:path").k == 5);
  CHECK(parse_agg_spec("top:path").k == 10);
  CHECK(parse_agg_spec(t.canonical()).k == 5);
  CHECK_THROWS_AS(parse_agg_spec("top(0, path)"), UsageError);
}

TEST_CASE("ratios and `as` names") {
  auto r = parse_agg_spec("count_if(status>=500)/count as error_rate");
  CHECK(r.kind == AggKind::ratio);
  REQUIRE(r.args.size() == 2);
  CHECK(r.args[0].kind == AggKind::count_if);
  CHECK(r.args[1].kind == AggKind::count);
  CHECK(r.name == "error_rate");
  CHECK(r.named);
  auto r2 = parse_agg_spec("ratio(count_if(status >= 500), count)");
  CHECK(r2.name == "count_if_status_ge_500_per_count");
  auto back = parse_agg_spec(r.canonical());
  CHECK(back.name == "error_rate");
  CHECK(back.args[0].expr == "status>=500");
  // A slash inside count_if is the expression's, not a ratio.
  auto d = parse_agg_spec("count_if(bytes / 2 > 10)");
  CHECK(d.kind == AggKind::count_if);
  CHECK(parse_agg_spec("p99(latency_ms) as p99").name == "p99");
}

TEST_CASE("bad specs name the problem") {
  CHECK_THROWS_WITH_AS(parse_agg_spec("p101(x)"), doctest::Contains("unknown aggregate"), UsageError);
  CHECK_THROWS_WITH_AS(parse_agg_spec("sum"), doctest::Contains("needs an argument"), UsageError);
  CHECK_THROWS_WITH_AS(parse_agg_spec("count(x)"), doctest::Contains("takes no argument"), UsageError);
  CHECK_THROWS_WITH_AS(parse_agg_spec("sum(x"), doctest::Contains("')'"), UsageError);
  CHECK_THROWS_AS(parse_agg_spec("sum(a..b)"), UsageError);
  CHECK_THROWS_AS(parse_agg_spec("ratio(count)"), UsageError);
}

TEST_CASE("positional words: aggregates, by, every, as, then files") {
  AggPlan plan;
  parse_agg_words({"count", "count_if(status >= 500)", "p99:latency_ms", "as", "p99", "by", "service,",
                   "path", "every", "1m", "a.ndjson", "b.ndjson"},
                  plan);
  REQUIRE(plan.aggs.size() == 3);
  CHECK(plan.aggs[2].name == "p99");
  CHECK(plan.by == std::vector<std::string>{"service", "path"});
  REQUIRE(plan.every_ns);
  CHECK(*plan.every_ns == 60'000'000'000LL);
  CHECK(plan.files == std::vector<std::string>{"a.ndjson", "b.ndjson"});
  plan.validate();

  AggPlan p2;
  parse_agg_words({"count", "every", "10s", "by", "a,b"}, p2);
  CHECK(p2.by.size() == 2);
  CHECK(*p2.every_ns == 10'000'000'000LL);
  CHECK(p2.files.empty());

  AggPlan p3;
  parse_agg_words({"count", "p99.ndjson"}, p3);
  CHECK(p3.files == std::vector<std::string>{"p99.ndjson"});

  AggPlan bad;
  CHECK_THROWS_WITH_AS(parse_agg_words({"count", "every", "soon"}, bad), doctest::Contains("every"),
                       UsageError);
  AggPlan dup;
  parse_agg_words({"count", "count"}, dup);
  CHECK_THROWS_WITH_AS(dup.validate(), doctest::Contains("as NAME"), UsageError);
  AggPlan none;
  CHECK_THROWS_AS(none.validate(), UsageError);
}

TEST_CASE("field lists split at top-level commas") {
  CHECK(split_field_list("a, b.c ,d") == std::vector<std::string>{"a", "b.c", "d"});
  CHECK(split_field_list("a[\"x,y\"],b") == std::vector<std::string>{"a[\"x,y\"]", "b"});
}

TEST_CASE("the first word must be an aggregate when none was given as a flag") {
  AggPlan plan;
  CHECK_THROWS_WITH_AS(parse_agg_words({"p101:latency_ms", "x.ndjson"}, plan, true),
                       doctest::Contains("unknown aggregate 'p101'"), UsageError);
  AggPlan merge;
  parse_agg_words({"a.ndjson"}, merge, false);
  CHECK(merge.files.size() == 1);
}
