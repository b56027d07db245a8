// Sketches: DDSketch relative error on skewed data, HyperLogLog standard
// error, space-saving exactness, log histogram buckets; merge and JSON
// round trips for each.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/base64.h"
#include "sketch/ddsketch.h"
#include "sketch/hash.h"
#include "sketch/hyperloglog.h"
#include "sketch/loghist.h"
#include "sketch/topk.h"
#include "core/writer.h"

using namespace olly;

namespace {

std::vector<double> lognormal_data(size_t n, uint64_t seed, double sigma = 2.0) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(0.0, sigma);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

// Pareto with shape 1.1: a heavy tail spanning many orders of magnitude.
std::vector<double> pareto_data(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> v(n);
  for (auto& x : v) x = 1.0 / std::pow(1.0 - u(rng), 1.0 / 1.1);
  return v;
}

double exact_quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(std::floor(q * static_cast<double>(v.size() - 1)))];
}

double rel_err(double est, double exact) { return std::fabs(est - exact) / std::fabs(exact); }

std::string to_json(const auto& sketch) {
  std::string s;
  JsonBuilder b(s);
  sketch.write_json(b);
  return s;
}

template <typename Sketch>
Sketch from_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(parser.parse(text).get(e) == simdjson::SUCCESS);
  Sketch out;
  std::string error;
  bool ok = Sketch::read_json(e, out, error);
  INFO(error);
  REQUIRE(ok);
  return out;
}

// "prefix" + number, without GCC 12's false -Wrestrict on string operator+.
std::string key(std::string_view prefix, long long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

const double kQuantiles[] = {0.5, 0.9, 0.99, 0.999};

}  // namespace

TEST_CASE("hash_bytes is stable, spreads bits and depends on every byte") {
  CHECK(hash_bytes("") != hash_bytes(std::string_view("\0", 1)));
  CHECK(hash_bytes("abc") == hash_bytes("abc"));
  CHECK(hash_bytes("abc") != hash_bytes("abd"));
  CHECK(hash_bytes("abc", 1) != hash_bytes("abc", 2));
  // Flipping any one input bit flips about half the output bits.
  std::string base = "the quick brown fox jumps over the lazy dog";
  uint64_t h0 = hash_bytes(base);
  double total = 0;
  int trials = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string s = base;
      s[i] = static_cast<char>(s[i] ^ (1 << bit));
      total += std::popcount(h0 ^ hash_bytes(s));
      ++trials;
    }
  }
  CHECK(total / trials == doctest::Approx(32).epsilon(0.1));
}

TEST_CASE("base64 round trips") {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    std::string enc, dec;
    append_base64(enc, s);
    REQUIRE(decode_base64(enc, dec));
    CHECK(dec == s);
  }
  std::string enc;
  append_base64(enc, "foobar");
  CHECK(enc == "Zm9vYmFy");
  std::string dec;
  CHECK_FALSE(decode_base64("Zm9v!mFy", dec));
  CHECK_FALSE(decode_base64("Zm9", dec));
}

TEST_CASE("DDSketch quantiles are within the relative accuracy on skewed data") {
  for (double alpha : {0.01, 0.02}) {
    for (int which = 0; which < 2; ++which) {
      auto data = which == 0 ? lognormal_data(200000, 42) : pareto_data(200000, 7);
      DDSketch s(alpha);
      for (double x : data) s.add(x);
      CHECK(s.count() == data.size());
      for (double q : kQuantiles) {
        double exact = exact_quantile(data, q);
        INFO("alpha=" << alpha << " data=" << which << " q=" << q);
        CHECK(rel_err(s.quantile(q), exact) <= alpha + 1e-12);
      }
      CHECK(s.quantile(0) == *std::min_element(data.begin(), data.end()));
      CHECK(s.quantile(1) == *std::max_element(data.begin(), data.end()));
    }
  }
}

TEST_CASE("DDSketch keeps its accuracy at every --accuracy over 21 decades") {
  // Log-uniform over 1e-9..1e12 (the documented range) and a wide lognormal:
  // low quantiles too, which a fixed bucket cap used to collapse.
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-9.0, 12.0);
  std::vector<double> wide(100000);
  for (auto& x : wide) x = std::pow(10.0, u(rng));
  wide[0] = 1e-9;
  wide[1] = 1e12;
  for (double alpha : {0.05, 0.01, 0.001}) {
    for (int which = 0; which < 3; ++which) {
      const auto data = which == 0 ? wide : which == 1 ? lognormal_data(100000, 23, 4.0) : pareto_data(100000, 29);
      DDSketch s(alpha);
      for (double x : data) s.add(x);
      CHECK(s.max_buckets() == DDSketch::buckets_for(alpha));
      for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
        double exact = exact_quantile(data, q);
        INFO("alpha=" << alpha << " data=" << which << " q=" << q);
        CHECK(rel_err(s.quantile(q), exact) <= alpha * (1 + 1e-9));
      }
      // Memory follows the range the data covers, at most the bound per sign.
      CHECK(s.memory_bytes() <= sizeof(DDSketch) + DDSketch::buckets_for(alpha) * sizeof(uint64_t));
    }
  }
  CHECK(DDSketch::buckets_for(0.01) < 2500);
  CHECK(DDSketch::buckets_for(0.001) < 25000);
}

TEST_CASE("DDSketch handles negative values, zeros and the empty sketch") {
  DDSketch empty;
  CHECK(std::isnan(empty.quantile(0.5)));
  std::vector<double> data = lognormal_data(50000, 3);
  for (size_t i = 0; i < data.size(); i += 3) data[i] = -data[i];
  for (size_t i = 1; i < data.size(); i += 50) data[i] = 0;
  DDSketch s;
  for (double x : data) s.add(x);
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99}) {
    double exact = exact_quantile(data, q);
    INFO("q=" << q);
    if (exact == 0) {
      CHECK(s.quantile(q) == 0);
    } else {
      CHECK(rel_err(s.quantile(q), exact) <= 0.01 + 1e-12);
    }
  }
}

TEST_CASE("DDSketch merge equals one sketch over all the data") {
  auto data = lognormal_data(100000, 11);
  DDSketch whole;
  for (double x : data) whole.add(x);
  std::vector<DDSketch> shards(8);
  for (size_t i = 0; i < data.size(); ++i) shards[(i * 7919) % 8].add(data[i]);
  DDSketch merged;
  for (auto& s : shards) REQUIRE(merged.merge(s));
  CHECK(merged.count() == whole.count());
  CHECK(merged.min() == whole.min());
  CHECK(merged.max() == whole.max());
  for (double q : {0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) CHECK(merged.quantile(q) == whole.quantile(q));
  DDSketch other_accuracy(0.05);
  CHECK_FALSE(merged.merge(other_accuracy));
}

TEST_CASE("DDSketch bounds its bucket count by collapsing the lowest buckets") {
  DDSketch s(0.01, 1024);
  auto data = lognormal_data(100000, 5);
  // Tiny values stretch the range to about 2100 buckets.
  for (size_t i = 0; i < 1000; ++i) data[i] = 1e-15 * static_cast<double>(i + 1);
  for (double x : data) s.add(x);
  CHECK(s.memory_bytes() <= sizeof(DDSketch) + 1024 * sizeof(uint64_t));
  // The top of the distribution keeps its accuracy.
  CHECK(rel_err(s.quantile(0.999), exact_quantile(data, 0.999)) <= 0.01 + 1e-12);
  CHECK(rel_err(s.quantile(0.99), exact_quantile(data, 0.99)) <= 0.01 + 1e-12);
}

TEST_CASE("DDSketch JSON round trip keeps every quantile") {
  auto data = lognormal_data(20000, 9);
  DDSketch s;
  for (double x : data) s.add(x - 1.0);  // some negatives too
  s.add(0);
  auto back = from_json<DDSketch>(to_json(s));
  CHECK(back.count() == s.count());
  for (double q : {0.0, 0.01, 0.5, 0.99, 1.0}) CHECK(back.quantile(q) == s.quantile(q));
  CHECK(to_json(back) == to_json(s));

  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(parser.parse(std::string(R"({"alpha":0.01,"max_buckets":2048,"count":5,"min":1,"max":1,"zero":0,"pos":[0,[1]],"neg":[0,[]]})")).get(e) == simdjson::SUCCESS);
  DDSketch bad;
  std::string error;
  CHECK_FALSE(DDSketch::read_json(e, bad, error));
  CHECK(error.find("add up") != std::string::npos);
}

TEST_CASE("HyperLogLog is exact for small sets") {
  HyperLogLog h;
  for (int rep = 0; rep < 3; ++rep) {
    for (int i = 0; i < 1000; ++i) h.add(key("v", i));
  }
  CHECK(h.is_exact());
  CHECK(h.estimate() == 1000);
  auto back = from_json<HyperLogLog>(to_json(h));
  CHECK(back.estimate() == 1000);
}

TEST_CASE("HyperLogLog standard error is about 0.8% at precision 14") {
  // Over several independent streams the root-mean-square relative error
  // stays near 1.04/sqrt(16384) = 0.81%; each stream is within 3 sigma.
  for (size_t n : {size_t{2000}, size_t{20000}, size_t{100000}, size_t{1000000}}) {
    double sq = 0;
    const int streams = n >= 1000000 ? 3 : 8;
    for (int seed = 0; seed < streams; ++seed) {
      HyperLogLog h;
      std::string key;
      for (size_t i = 0; i < n; ++i) {
        key = "user-" + std::to_string(seed) + "-" + std::to_string(i);
        h.add(key);
      }
      double e = rel_err(h.estimate(), static_cast<double>(n));
      INFO("n=" << n << " seed=" << seed);
      CHECK(e < 3 * 0.0081);
      sq += e * e;
    }
    double rms = std::sqrt(sq / streams);
    INFO("n=" << n << " rms=" << rms);
    CHECK(rms < 0.02);
  }
}

TEST_CASE("HyperLogLog merge equals one sketch over the union") {
  HyperLogLog whole, a, b;
  for (int i = 0; i < 300000; ++i) {
    std::string k = std::to_string(i);
    whole.add(k);
    if (i < 200000) a.add(k);
    if (i >= 100000) b.add(k);
  }
  HyperLogLog merged = a;
  REQUIRE(merged.merge(b));
  CHECK(merged.estimate() == whole.estimate());
  CHECK(rel_err(merged.estimate(), 300000) < 0.025);
  auto back = from_json<HyperLogLog>(to_json(merged));
  CHECK(back.estimate() == merged.estimate());
  // Exact + exact past the limit converts to registers and still agrees.
  HyperLogLog x, y, xy;
  for (int i = 0; i < 900; ++i) {
    x.add(key("x", i));
    y.add(key("y", i));
    xy.add(key("x", i));
    xy.add(key("y", i));
  }
  REQUIRE(x.merge(y));
  CHECK(x.estimate() == xy.estimate());
  CHECK(rel_err(x.estimate(), 1800) < 0.025);
  HyperLogLog p12(12);
  CHECK_FALSE(x.merge(p12));
}

TEST_CASE("space-saving counts exactly below capacity") {
  SpaceSaving s(100);
  for (int i = 0; i < 100; ++i) {
    for (int j = 0; j <= i; ++j) s.add(key("item", i));
  }
  CHECK(s.exact());
  auto top = s.top(3);
  REQUIRE(top.size() == 3);
  CHECK(top[0].item == "item99");
  CHECK(top[0].count == 100);
  CHECK(top[2].count == 98);
  CHECK(top[0].error == 0);
  s.add("one more");
  CHECK_FALSE(s.exact());
}

TEST_CASE("space-saving finds the heavy hitters of a skewed stream") {
  // Zipf-like stream over 20000 items, capacity 200: the top 10 are found
  // and each count is within its error bound of the truth.
  std::mt19937_64 rng(1);
  std::vector<double> weights(20000);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), 1.2);
  std::discrete_distribution<int> dist(weights.begin(), weights.end());
  std::vector<uint64_t> truth(weights.size(), 0);
  SpaceSaving s(200), a(200), b(200);
  for (int i = 0; i < 300000; ++i) {
    int v = dist(rng);
    ++truth[v];
    s.add(std::to_string(v));
    (i % 2 ? a : b).add(std::to_string(v));
  }
  auto top = s.top(10);
  REQUIRE(top.size() == 10);
  for (size_t i = 0; i < 10; ++i) {
    CHECK(top[i].item == std::to_string(i));
    uint64_t t = truth[i];
    CHECK(top[i].count >= t);
    CHECK(top[i].count - top[i].error <= t);
  }
  a.merge(b);
  auto mtop = a.top(10);
  for (size_t i = 0; i < 10; ++i) {
    CHECK(mtop[i].item == std::to_string(i));
    CHECK(mtop[i].count >= truth[i]);
    CHECK(mtop[i].count - mtop[i].error <= truth[i]);
  }
}

TEST_CASE("space-saving: small exact summaries merged in order find the heavy hitters within their bounds") {
  // As olly-explain's sampled profile merges them: a few dozen items a
  // summary, each exact, merged as weighted updates into one that is full.
  std::mt19937_64 rng(5);
  std::vector<double> weights(5000);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / std::pow(static_cast<double>(i + 1), 1.1);
  std::discrete_distribution<int> dist(weights.begin(), weights.end());
  std::vector<uint64_t> truth(weights.size(), 0);
  SpaceSaving merged(100);
  for (int range = 0; range < 2000; ++range) {
    SpaceSaving part(100);
    for (int i = 0; i < 70; ++i) {
      const int v = dist(rng);
      ++truth[v];
      part.add(std::to_string(v));
    }
    REQUIRE(part.exact());
    merged.merge(part);
  }
  CHECK_FALSE(merged.exact());
  CHECK(merged.total() == 2000 * 70);
  const auto top = merged.top(5);
  REQUIRE(top.size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(top[i].item == std::to_string(i));
    CHECK(top[i].count >= truth[i]);
    CHECK(top[i].count - top[i].error <= truth[i]);
  }
}

TEST_CASE("space-saving merge is exact when the union fits") {
  SpaceSaving a(50), b(50), whole(50);
  for (int i = 0; i < 1000; ++i) {
    std::string k = key("k", i % 37);
    (i < 600 ? a : b).add(k);
    whole.add(k);
  }
  a.merge(b);
  CHECK(a.exact());
  auto x = a.top(50), y = whole.top(50);
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i].item == y[i].item);
    CHECK(x[i].count == y[i].count);
  }
  auto back = from_json<SpaceSaving>(to_json(a));
  CHECK(to_json(back) == to_json(a));
  // Copies keep working independently.
  SpaceSaving c = back;
  c.add("new");
  CHECK(c.top(100).size() == 38);
  CHECK(back.top(100).size() == 37);
}

TEST_CASE("log histogram buckets by powers of two and merges exactly") {
  CHECK(LogHistogram::bucket_of(1.0) == 0);
  CHECK(LogHistogram::bucket_of(1.5) == 1);
  CHECK(LogHistogram::bucket_of(2.0) == 1);
  CHECK(LogHistogram::bucket_of(2.0001) == 2);
  CHECK(LogHistogram::bucket_of(0.3) == -1);
  LogHistogram h, a, b;
  for (double v : {0.0, 1.0, 3.0, 4.0, 5.0, -2.0, 1000.0}) h.add(v);
  std::string out;
  JsonBuilder jb(out);
  h.write_final(jb);
  CHECK(out ==
        R"([{"lo":-2,"hi":-1,"count":1},{"lo":0,"hi":0,"count":1},{"lo":0.5,"hi":1,"count":1},)"
        R"({"lo":2,"hi":4,"count":2},{"lo":4,"hi":8,"count":1},{"lo":512,"hi":1024,"count":1}])");
  a.add(3.0);
  b.add(4.0);
  b.add(-2.0);
  a.merge(b);
  CHECK(a.count() == 3);
  auto back = from_json<LogHistogram>(to_json(a));
  CHECK(to_json(back) == to_json(a));
}
