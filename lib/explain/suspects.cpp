#include "explain/suspects.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/writer.h"
#include "explain/stats.h"

namespace olly::explain {

uint32_t Tally::dim_index(std::string_view name, bool binned) {
  for (uint32_t i = 0; i < dims.size(); ++i) {
    if (dims[i].name == name && dims[i].binned == binned) return i;
  }
  dims.push_back(Dim{std::string(name), binned, {}, {}, {}});
  return static_cast<uint32_t>(dims.size() - 1);
}

uint32_t Tally::value_index(uint32_t dim, std::string_view json) {
  Dim& d = dims[dim];
  // Merging is not a hot path: a linear scan keeps Tally a plain struct.
  for (uint32_t i = 0; i < d.values.size(); ++i) {
    if (d.values[i] == json) return i;
  }
  d.values.emplace_back(json);
  d.counts.push_back(Counts{});
  return static_cast<uint32_t>(d.values.size() - 1);
}

uint64_t Tally::baseline_estimate(uint64_t counted) const {
  if (!baseline_sampled() || baseline == 0) return counted;
  return static_cast<uint64_t>(
      std::llround(static_cast<double>(counted) * static_cast<double>(baseline_events) / static_cast<double>(baseline)));
}

void Tally::merge(const Tally& other) {
  bad += other.bad;
  baseline_events = baseline_total() + other.baseline_total();
  baseline += other.baseline;
  std::vector<uint32_t> dim_map(other.dims.size());
  std::vector<std::vector<uint32_t>> value_map(other.dims.size());
  for (uint32_t d = 0; d < other.dims.size(); ++d) {
    const Dim& od = other.dims[d];
    dim_map[d] = dim_index(od.name, od.binned);
    Dim& md = dims[dim_map[d]];
    md.overflow[0] += od.overflow[0];
    md.overflow[1] += od.overflow[1];
    for (uint32_t v = 0; v < od.values.size(); ++v) {
      const uint32_t mv = value_index(dim_map[d], od.values[v]);
      value_map[d].push_back(mv);
      dims[dim_map[d]].counts[mv][0] += od.counts[v][0];
      dims[dim_map[d]].counts[mv][1] += od.counts[v][1];
    }
  }
  for (const auto& [k, c] : other.pairs) {
    uint32_t d1, v1, d2, v2;
    split_key(k, d1, v1, d2, v2);
    Term a{dim_map[d1], value_map[d1][v1]}, b{dim_map[d2], value_map[d2][v2]};
    if (b.dim < a.dim) std::swap(a, b);
    Counts& m = pairs[pair_key(a.dim, a.value, b.dim, b.value)];
    m[0] += c[0];
    m[1] += c[1];
  }
}

namespace {

struct Stat {
  Counts counts{};
  double share_bad = 0, share_base = 0, lift = 0, p = 1, diff = 0;
  bool over = false;
};

Stat compute(const Counts& c, uint64_t nb, uint64_t nc, uint64_t comparisons) {
  Stat s;
  s.counts = c;
  s.share_bad = static_cast<double>(c[0]) / static_cast<double>(nb);
  s.share_base = static_cast<double>(c[1]) / static_cast<double>(nc);
  s.lift = s.share_base > 0 ? s.share_bad / s.share_base : (s.share_bad > 0 ? INFINITY : 0);
  s.over = s.share_bad > s.share_base;
  s.diff = s.share_bad - s.share_base;
  s.p = bonferroni(fisher_two_sided(c[0], nb, c[1], nc), comparisons);
  return s;
}

bool passes_over(const Stat& s, const RankOptions& o) {
  return s.over && s.p < o.alpha && s.share_bad >= o.min_share && s.share_bad >= o.min_lift * s.share_base;
}

bool passes_under(const Stat& s, const RankOptions& o) {
  return !s.over && s.p < o.alpha && s.share_base >= o.min_share && s.share_bad * o.min_lift <= s.share_base;
}

// Union-find over all values, flattened to one index per (dim, value).
struct Classes {
  std::vector<uint32_t> parent;
  uint32_t find(uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(uint32_t a, uint32_t b) {
    a = find(a);
    b = find(b);
    // The smaller index (earlier dim) represents the class.
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

std::string display_value(std::string_view json) {
  if (json.size() >= 2 && json.front() == '"' && json.back() == '"' && json.find('\\') == std::string_view::npos) {
    return std::string(json.substr(1, json.size() - 2));
  }
  return std::string(json);
}

std::string percent(double share) {
  const double pct = share * 100;
  if (pct == 0) return "0%";
  if (pct >= 10) return fmt::format("{:.0f}%", pct);
  if (pct >= 1) return fmt::format("{:.1f}%", pct);
  return fmt::format("{:.2g}%", pct);
}

}  // namespace

std::string term_text(const Tally& tally, const Term& t) {
  const Tally::Dim& d = tally.dims[t.dim];
  const std::string v = display_value(d.values[t.value]);
  return d.binned ? fmt::format("{} in {}", d.name, v) : fmt::format("{}={}", d.name, v);
}

namespace {

uint64_t total(const Counts& c) { return c[0] + c[1]; }

// Every value of a tally by one flat index, its alias classes, and the
// number of comparisons a ranking makes (the Bonferroni factor).
struct TallyIndex {
  std::vector<uint32_t> base;  // flat index of dim d's first value
  Classes classes;
  std::vector<Term> term_of;
  uint64_t comparisons = 0;
  uint64_t alias_groups = 0;
  std::vector<std::pair<uint64_t, Counts>> pairs;  // by key

  uint32_t flat(const Term& t) const { return base[t.dim] + t.value; }
  bool is_rep(const Term& t) { return classes.find(flat(t)) == flat(t); }
};

TallyIndex index_tally(const Tally& tally, const RankOptions& opts) {
  TallyIndex x;
  x.base.assign(tally.dims.size() + 1, 0);
  for (size_t d = 0; d < tally.dims.size(); ++d) x.base[d + 1] = x.base[d] + static_cast<uint32_t>(tally.dims[d].values.size());
  const auto counts_of = [&](const Term& t) -> const Counts& { return tally.dims[t.dim].counts[t.value]; };
  // Every value, pair and triple counted is a comparison made, whether or
  // not it is then reported: the Bonferroni factor must not depend on what
  // the data made look interesting.
  for (const auto& d : tally.dims) {
    for (const auto& c : d.counts) x.comparisons += total(c) > 0;
  }
  if (opts.pairs) {
    for (const auto& [k, c] : tally.pairs) x.comparisons += total(c) > 0;
    for (const auto& [k, c] : tally.triples) x.comparisons += total(c) > 0;
  }
  // Aliases: two values that occur in exactly the same events (the pair's
  // count equals each value's count) are one suspect.
  x.classes.parent.resize(x.base.back());
  std::iota(x.classes.parent.begin(), x.classes.parent.end(), 0u);
  x.pairs.assign(tally.pairs.begin(), tally.pairs.end());
  std::sort(x.pairs.begin(), x.pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, c] : x.pairs) {
    Term a, b;
    Tally::split_key(k, a.dim, a.value, b.dim, b.value);
    const uint64_t n = total(c);
    if (n > 0 && n == total(counts_of(a)) && n == total(counts_of(b))) x.classes.unite(x.flat(a), x.flat(b));
  }
  x.term_of.resize(x.base.back());
  for (uint32_t d = 0; d < tally.dims.size(); ++d) {
    for (uint32_t v = 0; v < tally.dims[d].values.size(); ++v) x.term_of[x.base[d] + v] = Term{d, v};
  }
  for (uint32_t i = 0; i < x.classes.parent.size(); ++i) {
    if (x.classes.find(i) == i) {
      for (uint32_t j = i + 1; j < x.classes.parent.size(); ++j) {
        if (x.classes.find(j) == i) {
          ++x.alias_groups;
          break;
        }
      }
    }
  }
  return x;
}

}  // namespace

std::vector<std::array<Term, 2>> triple_bases(const Tally& tally, const RankOptions& opts, size_t limit) {
  std::vector<std::array<Term, 2>> out;
  const uint64_t nb = tally.bad, nc = tally.baseline;
  if (nb == 0 || nc == 0 || limit == 0) return out;
  TallyIndex x = index_tally(tally, opts);
  std::vector<std::pair<double, std::array<Term, 2>>> found;
  for (const auto& [k, c] : x.pairs) {
    Term a, b;
    Tally::split_key(k, a.dim, a.value, b.dim, b.value);
    if (!x.is_rep(a) || !x.is_rep(b) || total(c) == 0) continue;
    const Stat s = compute(c, nb, nc, x.comparisons);
    if (passes_over(s, opts)) found.push_back({s.diff, {a, b}});
  }
  // Stable on ties: the pairs are in key order.
  std::stable_sort(found.begin(), found.end(), [](const auto& p, const auto& q) { return p.first > q.first; });
  for (size_t i = 0; i < found.size() && i < limit; ++i) out.push_back(found[i].second);
  return out;
}

std::vector<Suspect> rank_suspects(const Tally& tally, const RankOptions& opts, RankInfo* info) {
  RankInfo local;
  RankInfo& ri = info ? *info : local;
  ri = RankInfo{};
  std::vector<Suspect> out;
  const uint64_t nb = tally.bad, nc = tally.baseline;
  TallyIndex x = index_tally(tally, opts);
  ri.comparisons = x.comparisons;
  if (nb == 0 || nc == 0) return out;
  ri.alias_groups = x.alias_groups;
  const std::vector<uint32_t>& base = x.base;
  Classes& classes = x.classes;
  const std::vector<Term>& term_of = x.term_of;
  const std::vector<std::pair<uint64_t, Counts>>& pairs = x.pairs;
  const auto flat = [&](const Term& t) { return x.flat(t); };
  const auto counts_of = [&](const Term& t) -> const Counts& { return tally.dims[t.dim].counts[t.value]; };
  const auto is_rep = [&](const Term& t) { return classes.find(flat(t)) == flat(t); };
  const auto aliases_of = [&](const std::vector<Term>& terms) {
    std::vector<Term> al;
    for (const Term& t : terms) {
      const uint32_t root = flat(t);
      for (uint32_t i = 0; i < classes.parent.size(); ++i) {
        if (i != root && classes.find(i) == root) al.push_back(term_of[i]);
      }
    }
    return al;
  };

  const auto make = [&](const Stat& s, std::vector<Term> terms) {
    Suspect sp;
    sp.kind = s.over ? Suspect::Kind::over : Suspect::Kind::under;
    sp.aliases = aliases_of(terms);
    sp.terms = std::move(terms);
    sp.counts = s.counts;
    sp.share_bad = s.share_bad;
    sp.share_baseline = s.share_base;
    sp.lift = s.lift;
    sp.p_value = s.p;
    sp.score = std::fabs(s.diff);
    return sp;
  };

  // Singles.
  std::vector<Stat> single(base.back());
  std::vector<char> single_ok(base.back(), 0);
  std::vector<Suspect> over, under;
  for (uint32_t i = 0; i < base.back(); ++i) {
    const Term t = term_of[i];
    if (!is_rep(t) || total(counts_of(t)) == 0) continue;
    single[i] = compute(counts_of(t), nb, nc, ri.comparisons);
    if (passes_over(single[i], opts)) {
      single_ok[i] = 1;
    } else if (passes_under(single[i], opts)) {
      ++ri.significant;
      under.push_back(make(single[i], {t}));
    }
  }

  // Triples, the same way: shown only when the triple explains more than
  // each of its pairs and values; those are then not shown on their own.
  std::vector<char> absorbed(base.back(), 0);
  std::vector<uint64_t> absorbed_pairs;
  if (opts.pairs) {
    for (const auto& [k, c] : tally.triples) {
      const std::array<Term, 3> t = {Term{k[0], k[1]}, Term{k[2], k[3]}, Term{k[4], k[5]}};
      if (!is_rep(t[0]) || !is_rep(t[1]) || !is_rep(t[2]) || total(c) == 0) continue;
      const Stat s = compute(c, nb, nc, ri.comparisons);
      if (!passes_over(s, opts)) continue;
      ++ri.significant;
      double best = std::max({single[flat(t[0])].diff, single[flat(t[1])].diff, single[flat(t[2])].diff});
      std::array<uint64_t, 3> pair_keys{};
      for (size_t i = 0, n = 0; i < 3; ++i) {
        for (size_t j = i + 1; j < 3; ++j, ++n) {
          pair_keys[n] = Tally::pair_key(t[i].dim, t[i].value, t[j].dim, t[j].value);
          if (auto it = tally.pairs.find(pair_keys[n]); it != tally.pairs.end()) {
            best = std::max(best, compute(it->second, nb, nc, ri.comparisons).diff);
          }
        }
      }
      if (s.diff <= best + 0.01) continue;
      over.push_back(make(s, {t[0], t[1], t[2]}));
      for (const Term& m : t) absorbed[flat(m)] = 1;
      absorbed_pairs.insert(absorbed_pairs.end(), pair_keys.begin(), pair_keys.end());
    }
  }
  std::sort(absorbed_pairs.begin(), absorbed_pairs.end());

  // Pairs: shown only when the pair explains more than its best member
  // alone (a larger share_bad - share_baseline than either value); its
  // members are then not shown on their own, since the pair says more.
  if (opts.pairs) {
    for (const auto& [k, c] : pairs) {
      Term a, b;
      Tally::split_key(k, a.dim, a.value, b.dim, b.value);
      if (!is_rep(a) || !is_rep(b) || total(c) == 0) continue;
      const Stat s = compute(c, nb, nc, ri.comparisons);
      if (!passes_over(s, opts)) continue;
      ++ri.significant;
      if (std::binary_search(absorbed_pairs.begin(), absorbed_pairs.end(), k)) continue;
      const double best = std::max(single[flat(a)].diff, single[flat(b)].diff);
      // A margin of one percentage point keeps a pair with a near-universal
      // second value (method=GET) from edging out its first by noise.
      if (s.diff <= best + 0.01) continue;
      over.push_back(make(s, {a, b}));
      absorbed[flat(a)] = absorbed[flat(b)] = 1;
    }
  }
  for (uint32_t i = 0; i < base.back(); ++i) {
    if (!single_ok[i]) continue;
    ++ri.significant;
    if (!absorbed[i]) over.push_back(make(single[i], {term_of[i]}));
  }

  const auto order = [&](const Suspect& x, const Suspect& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.p_value != y.p_value) return x.p_value < y.p_value;
    if (x.terms.size() != y.terms.size()) return x.terms.size() < y.terms.size();
    for (size_t i = 0; i < x.terms.size(); ++i) {
      if (x.terms[i].dim != y.terms[i].dim) return x.terms[i].dim < y.terms[i].dim;
      if (x.terms[i].value != y.terms[i].value) {
        return tally.dims[x.terms[i].dim].values[x.terms[i].value] < tally.dims[y.terms[i].dim].values[y.terms[i].value];
      }
    }
    return false;
  };
  std::sort(over.begin(), over.end(), order);
  std::sort(under.begin(), under.end(), order);
  // A pair that shares a value with a better-ranked pair and explains no
  // more bad events than it is the same finding again (upstream=X with
  // path=/p, then upstream=X with the service that serves /p).
  std::vector<Suspect> kept;
  for (auto& s : over) {
    bool repeat = false;
    for (const Suspect& k : kept) {
      // A pair in exactly as many bad and baseline events as a value ranked
      // above it (method=POST and service=checkout, path=/api/checkout)
      // says nothing that value does not.
      if (s.terms.size() >= 2 && s.terms.size() > k.terms.size() && s.counts == k.counts) repeat = true;
      if (k.terms.size() < 2 || s.terms.size() < 2 || s.counts[0] > k.counts[0]) continue;
      for (const Term& a : s.terms) {
        for (const Term& b : k.terms) repeat |= a == b;
      }
    }
    if (!repeat) kept.push_back(std::move(s));
  }
  out = std::move(kept);
  out.insert(out.end(), under.begin(), under.end());
  if (out.size() > opts.limit) out.resize(opts.limit);
  return out;
}

namespace {

void write_terms(JsonBuilder& out, const Tally& tally, const std::vector<Term>& terms) {
  out.begin_object();
  for (const Term& t : terms) {
    out.key(tally.dims[t.dim].name);
    out.raw(tally.dims[t.dim].values[t.value]);
  }
  out.end_object();
}

}  // namespace

void write_suspect(JsonBuilder& out, const Tally& tally, const Suspect& s, size_t rank) {
  out.begin_object();
  out.field_int("rank", static_cast<int64_t>(rank));
  out.field("kind", s.kind == Suspect::Kind::over ? "over" : "under");
  out.key("fields");
  write_terms(out, tally, s.terms);
  bool binned = false;
  for (const Term& t : s.terms) binned |= tally.dims[t.dim].binned;
  if (binned) {
    out.key("binned");
    out.begin_array();
    for (const Term& t : s.terms) {
      if (tally.dims[t.dim].binned) out.string(tally.dims[t.dim].name);
    }
    out.end_array();
  }
  out.field_int("bad", static_cast<int64_t>(s.counts[0]));
  // A sampled baseline's count is the estimate for all baseline events; its
  // share is the sample's.
  out.field_int("baseline", static_cast<int64_t>(tally.baseline_estimate(s.counts[1])));
  out.field_number("share_bad", round_significant(s.share_bad));
  out.field_number("share_baseline", round_significant(s.share_baseline));
  if (std::isfinite(s.lift)) {
    out.field_number("lift", round_significant(s.lift));
  } else {
    out.key("lift");
    out.null();
  }
  out.field_number("p_value", s.p_value == 0 ? 0.0 : round_significant(s.p_value));
  out.field_number("score", round_significant(s.score));
  out.key("aliases");
  write_terms(out, tally, s.aliases);
  out.end_object();
}

std::string summarize(const Tally& tally, const std::vector<Suspect>& suspects, const RankInfo& info,
                      const RankOptions& opts, std::string_view bad_what, size_t sentences) {
  std::string text;
  if (tally.bad == 0 || tally.baseline == 0) {
    return fmt::format("Nothing to compare: {} bad and {} baseline events.\n", tally.bad, tally.baseline_total());
  }
  // A sampled baseline is said once, before anything drawn from it.
  const std::string sampled =
      tally.baseline_sampled()
          ? fmt::format("(Baseline shares from {} of the {} baseline events, drawn evenly; --exact counts all.)\n",
                        tally.baseline, tally.baseline_events)
          : std::string();
  if (suspects.empty()) {
    return fmt::format(
        "No significant suspect: no value or pair of values is over- or under-represented in the {} bad events "
        "({}) against the {} baseline events ({} comparisons, family-wise error {}).\n{}",
        tally.bad, bad_what, tally.baseline_total(), info.comparisons, opts.alpha, sampled);
  }
  size_t n = 0;
  for (const Suspect& s : suspects) {
    if (n++ == sentences) break;
    std::string what;
    for (size_t i = 0; i < s.terms.size(); ++i) {
      if (i) what += " and ";
      what += term_text(tally, s.terms[i]);
    }
    if (!s.aliases.empty()) {
      what += " (with ";
      for (size_t i = 0; i < s.aliases.size(); ++i) {
        if (i) what += ", ";
        what += term_text(tally, s.aliases[i]);
      }
      what += ")";
    }
    if (s.kind == Suspect::Kind::over) {
      text += fmt::format("{} of bad events ({}) have {}, against {} of the baseline.\n", percent(s.share_bad),
                          bad_what, what, percent(s.share_baseline));
    } else {
      text += fmt::format("{} has {} of the baseline but only {} of bad events ({}).\n", what,
                          percent(s.share_baseline), percent(s.share_bad), bad_what);
    }
  }
  return text + sampled;
}

}  // namespace olly::explain
