// Suspects: which field values (and pairs of them) are over- or
// under-represented in bad events against the baseline. The Tally is the
// mergeable count state (olly-explain's --partial lines, its threads, and
// any verb that counts values itself, such as olly-snapshot); rank_suspects
// turns it into the ranked, significance-tested, de-duplicated suspects.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace olly {

class JsonBuilder;

namespace explain {

// Counts of one value (or pair): [0] in bad events, [1] in baseline events.
using Counts = std::array<uint64_t, 2>;

struct Tally {
  struct Dim {
    std::string name;                 // the field path as written
    bool binned = false;              // numeric, bucketed into quantile bins (values are labels)
    std::vector<std::string> values;  // JSON text of each value
    std::vector<Counts> counts;       // by value
    Counts overflow{};                // events whose value was past the cap of distinct values
  };
  std::vector<Dim> dims;
  // Pairs of values of two different dims (d1 < d2), by pair_key.
  std::unordered_map<uint64_t, Counts> pairs;
  // Triples of values of three different dims (d1 < d2 < d3): only those
  // extending a candidate pair (CountConfig::triple_bases), by triple_key.
  // Not part of the partial state: shards screen their own candidates.
  std::map<std::array<uint32_t, 6>, Counts> triples;
  uint64_t bad = 0;
  uint64_t baseline = 0;  // baseline events counted: every baseline share's denominator
  // Every baseline event, counted or not: more than `baseline` when the
  // baseline was sampled (olly-explain on a large input counts a share of
  // it, CountConfig::baseline_rate); 0 or `baseline` when it was not.
  uint64_t baseline_events = 0;

  bool baseline_sampled() const { return baseline_events > baseline; }
  // All baseline events (counted or not).
  uint64_t baseline_total() const { return std::max(baseline, baseline_events); }
  // The baseline events a count of counted ones stands for (itself when the
  // baseline was not sampled).
  uint64_t baseline_estimate(uint64_t counted) const;

  // Dims up to 255, values per dim up to 2^24 - 1.
  static uint64_t pair_key(uint32_t d1, uint32_t v1, uint32_t d2, uint32_t v2) {
    return (uint64_t{d1} << 56) | (uint64_t{v1} << 32) | (uint64_t{d2} << 24) | v2;
  }
  static void split_key(uint64_t k, uint32_t& d1, uint32_t& v1, uint32_t& d2, uint32_t& v2) {
    d1 = static_cast<uint32_t>(k >> 56);
    v1 = static_cast<uint32_t>((k >> 32) & 0xFFFFFF);
    d2 = static_cast<uint32_t>((k >> 24) & 0xFF);
    v2 = static_cast<uint32_t>(k & 0xFFFFFF);
  }
  // {d1, v1, d2, v2, d3, v3} with d1 < d2 < d3, from three terms in any order.
  static std::array<uint32_t, 6> triple_key(std::array<std::pair<uint32_t, uint32_t>, 3> terms) {
    std::sort(terms.begin(), terms.end());
    return {terms[0].first, terms[0].second, terms[1].first, terms[1].second, terms[2].first, terms[2].second};
  }
  static constexpr uint32_t kMaxDims = 255;
  static constexpr uint32_t kMaxValues = 0xFFFFFF;

  // Index of a dim / value, added when new (merging tallies by name).
  uint32_t dim_index(std::string_view name, bool binned);
  uint32_t value_index(uint32_t dim, std::string_view json);
  // Adds other's counts into this one, matching dims and values by text.
  void merge(const Tally& other);
};

struct RankOptions {
  double alpha = 0.05;     // family-wise error rate (Bonferroni over the comparisons made)
  double min_lift = 1.5;   // over: share_bad >= min_lift x share_baseline; under: the reverse
  double min_share = 0.05; // over: share in bad at least this; under: share in baseline
  bool pairs = true;       // test pairs of values (and the triples counted)
  size_t limit = 20;       // suspects written at most
};

struct Term {
  uint32_t dim = 0;
  uint32_t value = 0;
  bool operator==(const Term&) const = default;
};

struct Suspect {
  enum class Kind { over, under };
  Kind kind = Kind::over;
  std::vector<Term> terms;    // one value, a pair or a triple
  std::vector<Term> aliases;  // values that always occur with the terms (either way)
  Counts counts{};            // bad, baseline events having every term
  double share_bad = 0, share_baseline = 0, lift = 0;
  double p_value = 1;  // Fisher's exact test, Bonferroni-adjusted over `comparisons`
  double score = 0;    // |share_bad - share_baseline|: the ranking key
};

// What rank_suspects looked at (for --stats and the summary).
struct RankInfo {
  uint64_t comparisons = 0;  // values and pairs tested (the Bonferroni factor)
  uint64_t significant = 0;  // passing the test and the effect thresholds, before redundancy removal
  uint64_t alias_groups = 0;
};

// Over-represented suspects first (by score), then under-represented ones.
std::vector<Suspect> rank_suspects(const Tally& tally, const RankOptions& opts, RankInfo* info = nullptr);

// The pairs worth extending to triples: the `limit` over-represented pairs
// of a (screening) tally that pass the test, by share_bad - share_baseline,
// one of each set of aliases. Pairs of terms (a.dim < b.dim).
std::vector<std::array<Term, 2>> triple_bases(const Tally& tally, const RankOptions& opts, size_t limit);

// One NDJSON suspect: {"rank","kind","fields":{F:V,...},"bad","baseline",
// "share_bad","share_baseline","lift","p_value","score","aliases":{F:V,...}}.
void write_suspect(JsonBuilder& out, const Tally& tally, const Suspect& s, size_t rank);

// "63% of bad events have region=ap-southeast-2 and version=2.8.0 (with
// cluster=syd1), against 1.2% of the baseline": one sentence per suspect, at
// most `sentences`; or, with none, a sentence that says nothing was found.
std::string summarize(const Tally& tally, const std::vector<Suspect>& suspects, const RankInfo& info,
                      const RankOptions& opts, std::string_view bad_what, size_t sentences = 3);

// "F=V" (categorical) or "F in [lo, hi)" (binned) for a term.
std::string term_text(const Tally& tally, const Term& t);

}  // namespace explain
}  // namespace olly
