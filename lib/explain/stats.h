// The statistics behind olly-explain: exact hypergeometric tails (Fisher's
// exact test on a 2x2 table of value x bad/baseline), a Bonferroni bound over
// the comparisons made, and change points in a series (binary segmentation
// on a shift in mean with a BIC-style penalty).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace olly::explain {

// log(n choose k); -inf when k > n.
double log_choose(uint64_t n, uint64_t k);

// X ~ Hypergeometric(population, successes, draws): the number of marked
// items among `draws` items drawn without replacement from `population`
// items of which `successes` are marked. P(X >= x) and P(X <= x).
double hypergeom_upper(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x);
double hypergeom_lower(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x);

// Fisher's exact test of a value seen in a of n_bad bad events and c of
// n_base baseline events: the one-sided p-value in the direction the data
// lean (over: P(X >= a), under: P(X <= a)), doubled and capped at 1 (a
// two-sided test). Exact for small counts, where a normal approximation
// would call one lucky event significant.
double fisher_two_sided(uint64_t a, uint64_t n_bad, uint64_t c, uint64_t n_base);

// Bonferroni: p x comparisons, capped at 1.
double bonferroni(double p, uint64_t comparisons);

// Change points of a series by binary segmentation on the mean: a segment
// is split where the split lowers the sum of squared deviations by more
// than penalty; min_segment points at least on each side. Returns the
// indexes where new segments start, ascending. penalty < 0: -penalty x
// 4 sigma^2 ln(n), with sigma from the median absolute successive difference
// within the segment being split (robust to the shifts themselves, and to
// a noise level that changes with the series' level, as a rate's does).
std::vector<size_t> change_points(const std::vector<double>& series, size_t min_segment = 2, double penalty = -1);

// The noise level change_points assumes: median |x[i+1] - x[i]| / (0.6745 sqrt 2).
double robust_sigma(const std::vector<double>& series);

}  // namespace olly::explain
