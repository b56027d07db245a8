// olly-explain's statistics (Fisher's exact test against values computed by
// hand, Bonferroni, change points) and the ranking of a hand-made Tally
// (pairs over members, aliases, under-represented values, nothing on noise).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/writer.h"
#include "explain/profile.h"
#include "explain/stats.h"
#include "explain/suspects.h"

using namespace olly;
using namespace olly::explain;

TEST_CASE("hypergeometric tails and Fisher's exact test, by hand") {
  // 3 of 3 bad events have the value, 0 of 3 baseline: P(X >= 3) = 1 / C(6,3).
  CHECK(hypergeom_upper(6, 3, 3, 3) == doctest::Approx(1.0 / 20));
  CHECK(fisher_two_sided(3, 3, 0, 3) == doctest::Approx(0.1));
  // Fisher's tea: 3 of 4 vs 1 of 4: P(X >= 3) = (C(4,3) C(4,1) + 1) / C(8,4) = 17/70.
  CHECK(hypergeom_upper(8, 4, 4, 3) == doctest::Approx(17.0 / 70));
  CHECK(fisher_two_sided(3, 4, 1, 4) == doctest::Approx(34.0 / 70));
  // Under-represented: 0 of 10 bad, 10 of 10 baseline: P(X <= 0) = 1 / C(20,10).
  CHECK(hypergeom_lower(20, 10, 10, 0) == doctest::Approx(1.0 / 184756));
  CHECK(fisher_two_sided(0, 10, 10, 10) == doctest::Approx(2.0 / 184756));
  // Tails over the whole support are 1; outside it 0.
  CHECK(hypergeom_upper(10, 5, 5, 0) == doctest::Approx(1.0));
  CHECK(hypergeom_lower(10, 5, 5, 5) == doctest::Approx(1.0));
  CHECK(hypergeom_upper(10, 5, 5, 6) == 0.0);
  // P(X >= x) + P(X <= x - 1) = 1, on large counts too (the sum stops early).
  for (uint64_t x : {1200u, 1500u, 1800u}) {
    CHECK(hypergeom_upper(1000000, 30000, 50000, x) + hypergeom_lower(1000000, 30000, 50000, x - 1) ==
          doctest::Approx(1.0).epsilon(1e-9));
  }
  // Starting far out on the other side of the mode, where the first terms
  // underflow (found by the fuzzer): the complement keeps the sum.
  CHECK(hypergeom_lower(12288, 1281, 4096, 1279) == doctest::Approx(1.0));
  CHECK(hypergeom_upper(12288, 1281, 4096, 1280) < 1e-300);
  CHECK(hypergeom_upper(12288, 1281, 4096, 1) == doctest::Approx(1.0));
  // One event with a value no baseline event has is not significant among
  // many: a normal approximation would call it z = 31.
  CHECK(fisher_two_sided(1, 100, 0, 100000) == doctest::Approx(2 * 100.0 / 100100).epsilon(1e-6));
  CHECK(log_choose(5, 2) == doctest::Approx(std::log(10.0)));
  CHECK(std::isinf(log_choose(2, 5)));
  CHECK(bonferroni(0.01, 10) == doctest::Approx(0.1));
  CHECK(bonferroni(0.5, 10) == 1.0);
}

TEST_CASE("change points: steps found, noise left alone") {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 0.1);
  std::vector<double> s;
  for (int i = 0; i < 30; ++i) s.push_back(1 + noise(rng));
  for (int i = 0; i < 30; ++i) s.push_back(3 + noise(rng));
  for (int i = 0; i < 30; ++i) s.push_back(2 + noise(rng));
  const auto cps = change_points(s, 3);
  REQUIRE(cps.size() == 2);
  CHECK(cps[0] == 30);
  CHECK(cps[1] == 60);
  std::vector<double> flat;
  for (int i = 0; i < 200; ++i) flat.push_back(5 + noise(rng));
  CHECK(change_points(flat, 3).empty());
  // A clean step without noise.
  std::vector<double> step(10, 0.0);
  step.insert(step.end(), 10, 1.0);
  CHECK(change_points(step, 2) == std::vector<size_t>{10});
  CHECK(change_points({1, 2}, 2).empty());
  CHECK(robust_sigma({1, 1, 1, 1}) == 0);
}

namespace {

// region (a: 20%, b: 80%) with cluster its alias; version (x: 25%, y: 45%,
// z: 30%). Bad: 40% of region=a & version=x, none of version z, 1% else.
Tally planted() {
  Tally t;
  const uint32_t region = t.dim_index("region", false), cluster = t.dim_index("cluster", false),
                 version = t.dim_index("version", false);
  const char* regions[] = {"\"a\"", "\"b\""};
  const char* clusters[] = {"\"c-a\"", "\"c-b\""};
  const char* versions[] = {"\"x\"", "\"y\"", "\"z\""};
  const double rshare[] = {0.2, 0.8}, vshare[] = {0.25, 0.45, 0.3};
  const double n = 100000;
  for (int r = 0; r < 2; ++r) {
    for (int v = 0; v < 3; ++v) {
      const double events = n * rshare[r] * vshare[v];
      const double rate = (r == 0 && v == 0) ? 0.4 : (v == 2 ? 0.0 : 0.01);
      const Counts c{static_cast<uint64_t>(events * rate), static_cast<uint64_t>(events * (1 - rate))};
      const uint32_t rv = t.value_index(region, regions[r]), cv = t.value_index(cluster, clusters[r]),
                     vv = t.value_index(version, versions[v]);
      for (auto [d, val] : {std::pair{region, rv}, std::pair{cluster, cv}, std::pair{version, vv}}) {
        t.dims[d].counts[val][0] += c[0];
        t.dims[d].counts[val][1] += c[1];
      }
      const auto add_pair = [&](uint32_t d1, uint32_t v1, uint32_t d2, uint32_t v2) {
        if (d2 < d1) {
          std::swap(d1, d2);
          std::swap(v1, v2);
        }
        Counts& p = t.pairs[Tally::pair_key(d1, v1, d2, v2)];
        p[0] += c[0];
        p[1] += c[1];
      };
      add_pair(region, rv, version, vv);
      add_pair(cluster, cv, version, vv);
      add_pair(region, rv, cluster, cv);
      t.bad += c[0];
      t.baseline += c[1];
    }
  }
  return t;
}

}  // namespace

TEST_CASE("rank_suspects: the planted pair first, with its alias; the silent version under") {
  const Tally t = planted();
  RankInfo info;
  const auto s = rank_suspects(t, RankOptions{}, &info);
  REQUIRE(s.size() >= 2);
  CHECK(s[0].kind == Suspect::Kind::over);
  REQUIRE(s[0].terms.size() == 2);
  CHECK(term_text(t, s[0].terms[0]) == "region=a");
  CHECK(term_text(t, s[0].terms[1]) == "version=x");
  REQUIRE(s[0].aliases.size() == 1);
  CHECK(term_text(t, s[0].aliases[0]) == "cluster=c-a");
  // The members of the pair are not shown on their own.
  for (const auto& x : s) {
    if (x.terms.size() == 1 && x.kind == Suspect::Kind::over) CHECK(term_text(t, x.terms[0]) != "region=a");
  }
  bool under_z = false;
  for (const auto& x : s) {
    if (x.kind == Suspect::Kind::under && x.terms.size() == 1 && term_text(t, x.terms[0]) == "version=z") under_z = true;
  }
  CHECK(under_z);
  CHECK(info.alias_groups == 2);
  // 7 values + 6 region-version, 6 cluster-version, 2 region-cluster pairs.
  CHECK(info.comparisons == 7 + 6 + 6 + 2);
  std::string line;
  JsonBuilder jb(line);
  write_suspect(jb, t, s[0], 1);
  CHECK(line.find(R"("fields":{"region":"a","version":"x"})") != std::string::npos);
  CHECK(line.find(R"("aliases":{"cluster":"c-a"})") != std::string::npos);
  const std::string text = summarize(t, s, info, RankOptions{}, "status >= 500");
  CHECK(text.find("have region=a and version=x (with cluster=c-a)") != std::string::npos);
}

TEST_CASE("rank_suspects: nothing on pure noise, nothing without both sides") {
  std::mt19937_64 rng(3);
  int false_runs = 0;
  for (int run = 0; run < 20; ++run) {
    Tally t;
    const uint32_t d = t.dim_index("user", false);
    for (int v = 0; v < 300; ++v) t.value_index(d, "\"u" + std::to_string(v) + "\"");
    std::uniform_int_distribution<int> user(0, 299);
    std::bernoulli_distribution bad(0.02);
    for (int i = 0; i < 30000; ++i) {
      const int side = bad(rng) ? 0 : 1;
      ++t.dims[d].counts[user(rng)][side];
      ++(side == 0 ? t.bad : t.baseline);
    }
    if (!rank_suspects(t, RankOptions{}).empty()) ++false_runs;
  }
  CHECK(false_runs <= 1);
  Tally empty;
  CHECK(rank_suspects(empty, RankOptions{}).empty());
  CHECK(summarize(empty, {}, RankInfo{}, RankOptions{}, "x").find("Nothing to compare") == 0);
}

TEST_CASE("Tally::merge adds by field and value text") {
  Tally a = planted(), b = planted();
  Tally m;
  m.merge(a);
  m.merge(b);
  CHECK(m.bad == 2 * a.bad);
  CHECK(m.dims.size() == 3);
  CHECK(m.pairs.size() == a.pairs.size());
  const auto s1 = rank_suspects(a, RankOptions{}), s2 = rank_suspects(m, RankOptions{});
  REQUIRE(!s2.empty());
  CHECK(s1[0].terms == s2[0].terms);
}

TEST_CASE("a sampled baseline: shares from the sample, counts scaled to every baseline event, said once") {
  // planted()'s baseline stands for a sample of one event in four.
  Tally t = planted();
  CHECK_FALSE(t.baseline_sampled());
  CHECK(t.baseline_estimate(10) == 10);
  const Tally whole = t;
  t.baseline_events = 4 * t.baseline;
  CHECK(t.baseline_sampled());
  CHECK(t.baseline_total() == 4 * t.baseline);
  CHECK(t.baseline_estimate(10) == 40);
  // The test and the shares are the sample's: the same suspects.
  RankInfo info;
  const auto s = rank_suspects(t, RankOptions{}, &info), s_whole = rank_suspects(whole, RankOptions{});
  REQUIRE(s.size() == s_whole.size());
  CHECK(s[0].terms == s_whole[0].terms);
  CHECK(s[0].share_baseline == s_whole[0].share_baseline);
  std::string line;
  JsonBuilder jb(line);
  write_suspect(jb, t, s[0], 1);
  CHECK(line.find(fmt::format(R"("baseline":{},)", 4 * s[0].counts[1])) != std::string::npos);
  const std::string text = summarize(t, s, info, RankOptions{}, "status >= 500");
  CHECK(text.find(fmt::format("(Baseline shares from {} of the {} baseline events, drawn evenly; --exact counts all.)",
                              t.baseline, t.baseline_events)) != std::string::npos);
  CHECK(summarize(whole, s_whole, info, RankOptions{}, "status >= 500").find("Baseline shares") == std::string::npos);
  // Merged with a tally that counted everything: all the baseline events of both.
  Tally m;
  m.merge(t);
  m.merge(whole);
  CHECK(m.baseline == 2 * whole.baseline);
  CHECK(m.baseline_total() == 5 * whole.baseline);
}

TEST_CASE("FieldProfile: numbers beyond int64 are whole or not without a cast (fuzz_explain)") {
  std::string scratch;
  FieldProfile whole(8);
  whole.add(Value::number(1e150), scratch);
  whole.add(Value::number(-1e300), scratch);
  whole.add(Value::integer(7), scratch);
  CHECK(whole.all_int);
  CHECK(whole.numbers == 3);
  CHECK(whole.min == -1e300);
  FieldProfile fractional(8);
  fractional.add(Value::number(1e150), scratch);
  fractional.add(Value::number(2.5), scratch);
  CHECK_FALSE(fractional.all_int);
}

TEST_CASE("a dimension's value index finds values by what they are, not by their JSON text") {
  ValueIndex index;
  std::string json;
  // Ids as the profile hands them out, from canonical JSON text.
  const std::vector<Value> values = {Value::string("ap-southeast-2"), Value::string("1"), Value::integer(1),
                                     Value::boolean(true), Value::string("say \"hi\"\n\u00e9"), Value::number(2.5)};
  for (size_t i = 0; i < values.size(); ++i) {
    REQUIRE(value_json(values[i], json));
    index.add(json, static_cast<uint32_t>(i));
  }
  index.add("\"1\"", 99);  // the same value again keeps its first id
  CHECK(index.size() == values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    CAPTURE(i);
    CHECK(index.find(values[i], json) == i);
  }
  // The string "1" and the number 1 are two values.
  CHECK(index.find(Value::string("1"), json) == 1);
  CHECK(index.find(Value::integer(1), json) == 2);
  CHECK(index.find(Value::string("true"), json) == ValueIndex::kAbsent);
  CHECK(index.find(Value::string("ap-southeast-1"), json) == ValueIndex::kAbsent);
  CHECK(index.find(Value{}, json) == ValueIndex::kAbsent);
  CHECK(index.find(Value::null(), json) == ValueIndex::kAbsent);
  // Past the first table size: every id still found.
  ValueIndex big;
  for (uint32_t i = 0; i < 1000; ++i) big.add(fmt::format("\"v{}\"", i), i);
  for (uint32_t i = 0; i < 1000; ++i) CHECK(big.find(Value::string(fmt::format("v{}", i)), json) == i);
}

namespace {

// Three fields of two values each (a0 20%, b0 25%, c0 15%), independent;
// rate(a, b, c) is the share of bad events in each cell. Counts every
// value and pair, and the triples of the candidate pair a0 & b0.
Tally three_fields(double (*rate)(int, int, int)) {
  Tally t;
  const uint32_t dims[3] = {t.dim_index("a", false), t.dim_index("b", false), t.dim_index("c", false)};
  const double share[3][2] = {{0.2, 0.8}, {0.25, 0.75}, {0.15, 0.85}};
  for (int f = 0; f < 3; ++f) {
    for (int v = 0; v < 2; ++v) t.value_index(dims[f], fmt::format("\"{}{}\"", static_cast<char>('a' + f), v));
  }
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 2; ++b) {
      for (int c = 0; c < 2; ++c) {
        const double events = 200000 * share[0][a] * share[1][b] * share[2][c];
        const double r = rate(a, b, c);
        const Counts n{static_cast<uint64_t>(events * r), static_cast<uint64_t>(events * (1 - r))};
        const uint32_t v[3] = {static_cast<uint32_t>(a), static_cast<uint32_t>(b), static_cast<uint32_t>(c)};
        for (int f = 0; f < 3; ++f) {
          t.dims[dims[f]].counts[v[f]][0] += n[0];
          t.dims[dims[f]].counts[v[f]][1] += n[1];
          for (int g = f + 1; g < 3; ++g) {
            Counts& p = t.pairs[Tally::pair_key(dims[f], v[f], dims[g], v[g])];
            p[0] += n[0];
            p[1] += n[1];
          }
        }
        if (a == 0 && b == 0) {
          Counts& x = t.triples[Tally::triple_key({{{dims[2], v[2]}, {dims[0], 0}, {dims[1], 0}}})];
          x[0] += n[0];
          x[1] += n[1];
        }
        t.bad += n[0];
        t.baseline += n[1];
      }
    }
  }
  return t;
}

std::string terms_text(const Tally& t, const Suspect& s) {
  std::string out;
  for (const Term& x : s.terms) {
    if (!out.empty()) out.push_back(' ');
    out.append(term_text(t, x));
  }
  return out;
}

}  // namespace

TEST_CASE("rank_suspects: a planted triple first, its pairs and values not shown alone; a pair's triple adds nothing") {
  // 90% errors where a0, b0 and c0 meet, 0.3% elsewhere.
  Tally t = three_fields([](int a, int b, int c) { return a == 0 && b == 0 && c == 0 ? 0.9 : 0.003; });
  RankInfo info;
  auto s = rank_suspects(t, RankOptions{}, &info);
  REQUIRE_FALSE(s.empty());
  CHECK(terms_text(t, s[0]) == "a=a0 b=b0 c=c0");
  CHECK(s[0].kind == Suspect::Kind::over);
  for (size_t i = 1; i < s.size(); ++i) CHECK(s[i].kind == Suspect::Kind::under);
  // 6 values, 12 pairs, 2 triples.
  CHECK(info.comparisons == 6 + 12 + 2);
  // The candidates for triples: the over-represented pairs, best first:
  // pairs of the three planted values (a0 & c0, the rarest, first).
  const auto bases = triple_bases(t, RankOptions{}, 2);
  REQUIRE(bases.size() == 2);
  for (const auto& b : bases) {
    for (const Term& x : b) CHECK(x.value == 0);
  }
  CHECK(term_text(t, bases[0][0]) == "a=a0");
  CHECK(term_text(t, bases[0][1]) == "c=c0");

  // 50% errors where a0 and b0 meet, whatever c: the pair is the suspect,
  // and neither of its triples says more.
  t = three_fields([](int a, int b, int) { return a == 0 && b == 0 ? 0.5 : 0.003; });
  s = rank_suspects(t, RankOptions{}, &info);
  REQUIRE_FALSE(s.empty());
  CHECK(terms_text(t, s[0]) == "a=a0 b=b0");
  for (const auto& x : s) CHECK(x.terms.size() < 3);
  // --no-pairs: neither pairs nor triples.
  RankOptions singles;
  singles.pairs = false;
  for (const auto& x : rank_suspects(t, singles)) CHECK(x.terms.size() == 1);
}
