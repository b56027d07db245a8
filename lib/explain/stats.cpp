#include "explain/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace olly::explain {

double log_choose(uint64_t n, uint64_t k) {
  if (k > n) return -std::numeric_limits<double>::infinity();
  return std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(k) + 1) -
         std::lgamma(static_cast<double>(n - k) + 1);
}

namespace {

double log_pmf(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x) {
  return log_choose(successes, x) + log_choose(population - successes, draws - x) - log_choose(population, draws);
}

// Sums the pmf from x outward (step +1 or -1) to the end of the support.
// Past the mode the terms shrink at least geometrically, so the sum stops
// once a term no longer changes it.
double tail(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x, bool upper) {
  const uint64_t lo = draws + successes > population ? draws + successes - population : 0;
  const uint64_t hi = std::min(successes, draws);
  if (upper && x <= lo) return 1.0;
  if (!upper && x >= hi) return 1.0;
  if (upper && x > hi) return 0.0;
  if (!upper && x < lo) return 0.0;
  const double mode = (static_cast<double>(draws) + 1) * (static_cast<double>(successes) + 1) /
                      (static_cast<double>(population) + 2);
  // A tail that holds the mode is 1 minus the other one: summed from x its
  // first terms can underflow to 0 (far out on the other side), and the
  // sum with them.
  if (upper && static_cast<double>(x) <= mode) return std::max(0.0, 1 - tail(population, successes, draws, x - 1, false));
  if (!upper && static_cast<double>(x) >= mode) return std::max(0.0, 1 - tail(population, successes, draws, x + 1, true));
  double term = std::exp(log_pmf(population, successes, draws, x));
  double sum = 0;
  const double K = static_cast<double>(successes), n = static_cast<double>(draws),
               N = static_cast<double>(population);
  for (uint64_t k = x;;) {
    sum += term;
    const double kd = static_cast<double>(k);
    const bool past_mode = upper ? kd >= mode : kd <= mode;
    if (past_mode && term <= sum * 1e-17) break;
    if (upper) {
      if (k == hi) break;
      term *= (K - kd) * (n - kd) / ((kd + 1) * (N - K - n + kd + 1));
      ++k;
    } else {
      if (k == lo) break;
      term *= kd * (N - K - n + kd) / ((K - kd + 1) * (n - kd + 1));
      --k;
    }
  }
  return std::min(1.0, sum);
}

}  // namespace

double hypergeom_upper(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x) {
  return tail(population, successes, draws, x, true);
}

double hypergeom_lower(uint64_t population, uint64_t successes, uint64_t draws, uint64_t x) {
  return tail(population, successes, draws, x, false);
}

double fisher_two_sided(uint64_t a, uint64_t n_bad, uint64_t c, uint64_t n_base) {
  const uint64_t population = n_bad + n_base, successes = a + c;
  if (population == 0 || n_bad == 0 || n_base == 0) return 1.0;
  // Over-represented when a / n_bad > c / n_base (cross-multiplied: exact).
  const bool over = static_cast<long double>(a) * n_base > static_cast<long double>(c) * n_bad;
  const double one_sided = over ? hypergeom_upper(population, successes, n_bad, a)
                                : hypergeom_lower(population, successes, n_bad, a);
  return std::min(1.0, 2 * one_sided);
}

double bonferroni(double p, uint64_t comparisons) {
  return std::min(1.0, p * static_cast<double>(std::max<uint64_t>(comparisons, 1)));
}

double robust_sigma(const std::vector<double>& series) {
  if (series.size() < 3) return 0;
  std::vector<double> d;
  d.reserve(series.size() - 1);
  for (size_t i = 1; i < series.size(); ++i) d.push_back(std::fabs(series[i] - series[i - 1]));
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return d[d.size() / 2] / (0.6745 * std::sqrt(2.0));
}

namespace {

struct Prefix {
  std::vector<double> s, s2;
  explicit Prefix(const std::vector<double>& x) : s(x.size() + 1, 0), s2(x.size() + 1, 0) {
    for (size_t i = 0; i < x.size(); ++i) {
      s[i + 1] = s[i] + x[i];
      s2[i + 1] = s2[i] + x[i] * x[i];
    }
  }
  // Sum of squared deviations from the mean over [lo, hi).
  double cost(size_t lo, size_t hi) const {
    const double n = static_cast<double>(hi - lo);
    if (n <= 0) return 0;
    const double sum = s[hi] - s[lo];
    return std::max(0.0, (s2[hi] - s2[lo]) - sum * sum / n);
  }
};

double scale_sigma(const std::vector<double>& x, size_t lo, size_t hi) {
  std::vector<double> part(x.begin() + static_cast<ptrdiff_t>(lo), x.begin() + static_cast<ptrdiff_t>(hi));
  double sigma = robust_sigma(part);
  // Mostly flat stretches (a rate that is 0 in most windows) have a median
  // difference of 0: fall back to the plain deviation of the differences,
  // which a single clean step keeps small but noise does not.
  if (sigma <= 0 && part.size() >= 2) {
    double sum2 = 0;
    for (size_t i = 1; i < part.size(); ++i) sum2 += (part[i] - part[i - 1]) * (part[i] - part[i - 1]);
    sigma = std::sqrt(sum2 / static_cast<double>(part.size() - 1) / 2);
  }
  sigma = std::max(sigma, 1e-12);
  return sigma;
}

// penalty < 0: -penalty x 4 sigma^2 ln(n), sigma estimated within the
// segment being split (a rate's noise grows with its level, so one global
// sigma from the quiet stretch would split the noisy one).
void segment(const std::vector<double>& x, const Prefix& p, size_t lo, size_t hi, size_t min_seg, double penalty,
             std::vector<size_t>& out) {
  if (hi - lo < 2 * min_seg) return;
  double limit = penalty;
  if (penalty < 0) {
    const double sigma = scale_sigma(x, lo, hi);
    limit = -penalty * 4 * sigma * sigma * std::log(static_cast<double>(x.size()));
  }
  const double whole = p.cost(lo, hi);
  double best = -1;
  size_t at = 0;
  for (size_t k = lo + min_seg; k + min_seg <= hi; ++k) {
    const double gain = whole - p.cost(lo, k) - p.cost(k, hi);
    if (gain > best) {
      best = gain;
      at = k;
    }
  }
  if (best <= limit) return;
  segment(x, p, lo, at, min_seg, penalty, out);
  out.push_back(at);
  segment(x, p, at, hi, min_seg, penalty, out);
}

}  // namespace

std::vector<size_t> change_points(const std::vector<double>& series, size_t min_segment, double penalty) {
  std::vector<size_t> out;
  const size_t n = series.size();
  min_segment = std::max<size_t>(min_segment, 1);
  if (n < 2 * min_segment) return out;
  Prefix p(series);
  segment(series, p, 0, n, min_segment, penalty, out);
  return out;
}

}  // namespace olly::explain
