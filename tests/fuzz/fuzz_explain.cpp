// olly-explain's engine. The first byte picks what the rest is:
//   0: NDJSON events, walked into field profiles (lib/explain/profile.h);
//   1: a Tally made from the bytes (dims, values, counts, pairs), ranked;
//   2: a series of numbers for change_points; 3: counts for Fisher's test.
//
// Invariants: profiles name real paths and count no more values than
// leaves; ranked suspects have p-values and shares in [0, 1], over before
// under, scores ordered, counts equal to the tally's, aliases apart from
// the terms, JSON lines; a tally merged into an empty one ranks the same;
// change points ascending, inside the series, min_segment apart; hypergeometric
// tails are probabilities and complement each other.
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/writer.h"
#include "explain/explain.h"
#include "explain/profile.h"
#include "explain/stats.h"
#include "explain/suspects.h"
#include "fuzz_common.h"

using namespace olly;
using namespace olly::explain;

namespace {

struct Bytes {
  const uint8_t* p;
  size_t n;
  uint64_t next(uint64_t limit) {  // [0, limit)
    if (n == 0 || limit == 0) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 3 && n > 0; ++i, ++p, --n) v = (v << 8) | *p;
    return v % limit;
  }
};

void fuzz_profile(std::string_view text) {
  Profile prof(16);
  simdjson::ondemand::parser parser;
  size_t lines = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string line(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++lines;
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) continue;
    (void)prof.walk(doc);
  }
  FUZZ_CHECK(prof.fields.size() <= Profile::kMaxProfiledFields);
  for (const auto& f : prof.fields) {
    FUZZ_CHECK(!f->name.empty());
    FUZZ_CHECK(!f->path.steps.empty());
    FUZZ_CHECK(f->strings + f->bools + f->numbers == f->present);
    FUZZ_CHECK(f->top().total() == f->present);
  }
  Profile merged(16);
  merged.merge(prof);
  FUZZ_CHECK(merged.fields.size() == prof.fields.size());
}

void check_ranked(const Tally& t, const std::vector<Suspect>& s) {
  bool seen_under = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const Suspect& x = s[i];
    FUZZ_CHECK(x.p_value >= 0 && x.p_value <= 1);
    FUZZ_CHECK(x.share_bad >= 0 && x.share_bad <= 1 && x.share_baseline >= 0 && x.share_baseline <= 1);
    FUZZ_CHECK(x.terms.size() == 1 || x.terms.size() == 2);
    if (x.kind == Suspect::Kind::under) seen_under = true;
    FUZZ_CHECK(!(seen_under && x.kind == Suspect::Kind::over), "over after under");
    if (i > 0 && s[i - 1].kind == x.kind) FUZZ_CHECK(s[i - 1].score >= x.score, "scores out of order");
    Counts c;
    if (x.terms.size() == 1) {
      c = t.dims[x.terms[0].dim].counts[x.terms[0].value];
    } else {
      auto it = t.pairs.find(Tally::pair_key(x.terms[0].dim, x.terms[0].value, x.terms[1].dim, x.terms[1].value));
      FUZZ_CHECK(it != t.pairs.end());
      c = it->second;
    }
    FUZZ_CHECK(c == x.counts);
    for (const Term& a : x.aliases) {
      for (const Term& b : x.terms) FUZZ_CHECK(!(a == b), "an alias of itself");
    }
    std::string line;
    JsonBuilder jb(line);
    write_suspect(jb, t, x, i + 1);
    FUZZ_CHECK(fuzz::is_json(line), "suspect is not JSON", line);
  }
}

void fuzz_tally(Bytes b) {
  Tally t;
  const uint32_t dims = static_cast<uint32_t>(1 + b.next(5));
  for (uint32_t d = 0; d < dims; ++d) {
    t.dim_index("f" + std::to_string(d), b.next(2) == 1);
    const uint64_t values = 1 + b.next(6);
    for (uint64_t v = 0; v < values; ++v) t.value_index(d, std::to_string(v));
  }
  // Counts: the bytes as events, each with a side and a value per dim (or
  // none), so singles and pairs agree as a real count would make them.
  while (b.n > 0) {
    const int side = static_cast<int>(b.next(2));
    const uint64_t weight = 1 + b.next(50);
    std::vector<int64_t> vals(dims);
    for (uint32_t d = 0; d < dims; ++d) {
      const uint64_t k = b.next(t.dims[d].values.size() + 1);
      vals[d] = k == t.dims[d].values.size() ? -1 : static_cast<int64_t>(k);
      if (vals[d] >= 0) t.dims[d].counts[static_cast<size_t>(vals[d])][side] += weight;
    }
    for (uint32_t d1 = 0; d1 < dims; ++d1) {
      for (uint32_t d2 = d1 + 1; d2 < dims; ++d2) {
        if (vals[d1] < 0 || vals[d2] < 0) continue;
        t.pairs[Tally::pair_key(d1, static_cast<uint32_t>(vals[d1]), d2, static_cast<uint32_t>(vals[d2]))][side] += weight;
      }
    }
    (side == 0 ? t.bad : t.baseline) += weight;
  }
  RankOptions opts;
  opts.alpha = 0.5;
  opts.min_share = 0;
  opts.min_lift = 1;
  RankInfo info;
  const auto s = rank_suspects(t, opts, &info);
  check_ranked(t, s);
  (void)summarize(t, s, info, opts, "x");
  Tally m;
  m.merge(t);
  const auto s2 = rank_suspects(m, opts);
  FUZZ_CHECK(s2.size() == s.size(), "merged into an empty tally, ranks differently");
  for (size_t i = 0; i < s.size(); ++i) FUZZ_CHECK(s[i].counts == s2[i].counts);
  std::string partial;
  write_partial(t, partial);
  fuzz::check_json_lines(partial, "partial line is not JSON");
}

void fuzz_series(Bytes b) {
  std::vector<double> x;
  while (b.n >= 2) x.push_back(static_cast<double>(b.next(1 << 16)) / 100.0 - 300);
  const size_t min_seg = 1 + x.size() % 4;
  const auto cps = change_points(x, min_seg);
  size_t prev = 0;
  for (size_t c : cps) {
    FUZZ_CHECK(c >= prev + min_seg && c + min_seg <= x.size(), "a segment shorter than min_segment");
    prev = c;
  }
}

void fuzz_fisher(Bytes b) {
  const uint64_t nb = b.next(100000), nc = b.next(100000);
  const uint64_t a = nb ? b.next(nb + 1) : 0, c = nc ? b.next(nc + 1) : 0;
  const double p = fisher_two_sided(a, nb, c, nc);
  FUZZ_CHECK(p >= 0 && p <= 1 && !std::isnan(p));
  if (a > 0 && nb > 0 && nc > 0) {
    const double up = hypergeom_upper(nb + nc, a + c, nb, a), lo = hypergeom_lower(nb + nc, a + c, nb, a - 1);
    FUZZ_CHECK(up >= 0 && up <= 1 && lo >= 0 && lo <= 1);
    FUZZ_CHECK(std::fabs(up + lo - 1) < 1e-6, "tails do not add up to 1");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  Bytes rest{data + 1, size - 1};
  switch (data[0] % 4) {
    case 0: fuzz_profile(std::string_view(reinterpret_cast<const char*>(rest.p), rest.n)); break;
    case 1: fuzz_tally(rest); break;
    case 2: fuzz_series(rest); break;
    default: fuzz_fisher(rest); break;
  }
  return 0;
}
