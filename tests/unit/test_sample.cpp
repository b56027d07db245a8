// olly-sample's decisions: OpenTelemetry compatibility on ids whose outcome
// is worked out by hand from the Go SDK's rule, the kept share of generated
// events, the token bucket, and agg --weighted's estimates against a known
// total within their stated error.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "agg/accum.h"
#include "core/diag.h"
#include "sample/decide.h"
#include "sample/stage.h"

using namespace olly;

namespace {

std::string hex16(uint64_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<size_t>(i)] = digits[v & 15];
  return s;
}

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

TEST_CASE("rate_bound is uint64(ratio * 2^63)") {
  CHECK(rate_bound(0.5) == (uint64_t{1} << 62));
  CHECK(rate_bound(0.25) == (uint64_t{1} << 61));
  // 0.1 is 0.1000000000000000055511151231257827 as a double: times 2^63 rounds to 0x0CCCCCCCCCCCCD00.
  CHECK(rate_bound(0.1) == 0x0CCCCCCCCCCCCD00ull);
  CHECK(rate_bound(1) == (uint64_t{1} << 63));
}

TEST_CASE("trace ids decided as opentelemetry-go's TraceIDRatioBased") {
  // x = BigEndian.Uint64(id[0:8]) >> 1, kept when x < uint64(R * 2^63).
  const uint64_t half = rate_bound(0.5), tenth = rate_bound(0.1), quarter = rate_bound(0.25);
  // 7fff... >> 1 = 2^62 - 1 < 2^62: kept at 0.5; 8000... >> 1 = 2^62: dropped.
  CHECK(otel_trace_id_keep("7fffffffffffffff0000000000000000", half) == true);
  CHECK(otel_trace_id_keep("8000000000000000ffffffffffffffff", half) == false);
  // 3fff... >> 1 = 2^61 - 1 < 2^61: kept at 0.25; 4000... >> 1 = 2^61: dropped.
  CHECK(otel_trace_id_keep("3fffffffffffffff0123456789abcdef", quarter) == true);
  CHECK(otel_trace_id_keep("4000000000000000fedcba9876543210", quarter) == false);
  // At 0.1 the bound is 0x0CCCCCCCCCCCCD00, so the first 8 bytes must be below 0x1999999999999A00.
  CHECK(otel_trace_id_keep("19999999999999ff0000000000000000", tenth) == true);
  CHECK(otel_trace_id_keep("1999999999999a000000000000000000", tenth) == false);
  CHECK(otel_trace_id_keep("1999999999999A01FFFFFFFFFFFFFFFF", tenth) == false);  // upper case too
  // Only the first 8 bytes count (Java's SDK reads the last 8; Go's does not).
  CHECK(otel_trace_id_keep("0000000000000000ffffffffffffffff", rate_bound(0.01)) == true);
  CHECK(otel_trace_id_keep("ffffffffffffffff0000000000000000", rate_bound(0.99)) == false);
  // Ids from tests/data/requests.ndjson: 0x1600a35a099950d8 >> 1 = 792723337968920684 < 922337203685477632.
  CHECK(otel_trace_id_keep("1600a35a099950d836f675cc81e74ef5", tenth) == true);
  CHECK(otel_trace_id_keep("f9ebdacc0cb1e29c658cda1495e60af5", tenth) == false);
  // Not trace ids: hashed instead.
  CHECK_FALSE(otel_trace_id_keep("1600a35a099950d836f675cc81e74ef", half).has_value());
  CHECK_FALSE(otel_trace_id_keep("1600a35a099950d836f675cc81e74eg5", half).has_value());
}

TEST_CASE("key_hash is FNV-1a 64 through splitmix64's finaliser") {
  // FNV-1a 64 of "" is the offset basis 0xcbf29ce484222325 and of "a" 0xaf63dc4c8601ec8c (published
  // test vectors); the finaliser is splitmix64's, so these stay fixed on every machine.
  auto finish = [](uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
  };
  CHECK(key_hash("") == finish(0xcbf29ce484222325ull));
  CHECK(key_hash("a") == finish(0xaf63dc4c8601ec8cull));
  CHECK(key_hash("u-1029") != key_hash("u-1028"));
}

TEST_CASE("key_bytes: the text a value is hashed as") {
  std::string out;
  CHECK(key_bytes(Value::string("u-1"), out));
  CHECK(out == "u-1");
  CHECK(key_bytes(Value::integer(42), out));
  CHECK(out == "42");
  CHECK(key_bytes(Value::number(2.5), out));
  CHECK(out == "2.5");
  CHECK(key_bytes(Value::boolean(true), out));
  CHECK(out == "true");
  CHECK_FALSE(key_bytes(Value::missing(), out));
  CHECK_FALSE(key_bytes(Value::null(), out));
}

TEST_CASE("rates and limits parse or name their flag") {
  CHECK(parse_rate("0.1", "--rate") == doctest::Approx(0.1));
  CHECK(parse_rate("1", "--rate") == 1);
  for (const char* bad : {"0", "-0.5", "1.01", "nan", "NaN", "inf", "ten", "", "0.5x"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_rate(bad, "--rate"), UsageError);
  }
  double n = 0;
  CHECK(parse_limit("100/s", "--limit", n) == doctest::Approx(100 / 1e9));
  CHECK(n == 100);
  CHECK(parse_limit("60/m", "--limit", n) == doctest::Approx(1 / 1e9));
  CHECK(parse_limit("10/5s", "--limit", n) == doctest::Approx(2 / 1e9));
  for (const char* bad : {"100", "0/s", "-1/s", "x/s", "100/", "100/q", "nan/s"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_limit(bad, "--limit", n), UsageError);
  }
}

TEST_CASE("token bucket in event time") {
  TokenBucket b;
  const double per_ns = 2 / 1e9;  // 2/s
  const TimeNs s = 1'000'000'000;
  // Full at the first event: a burst of 3 goes through, the 4th waits.
  CHECK(b.take(10 * s, per_ns, 3));
  CHECK(b.take(10 * s, per_ns, 3));
  CHECK(b.take(10 * s, per_ns, 3));
  CHECK_FALSE(b.take(10 * s, per_ns, 3));
  // Half a second adds one token.
  CHECK(b.take(10 * s + s / 2, per_ns, 3));
  CHECK_FALSE(b.take(10 * s + s / 2, per_ns, 3));
  // Time going backwards adds nothing.
  CHECK_FALSE(b.take(5 * s, per_ns, 3));
  // An hour later the bucket holds its burst, no more.
  CHECK(b.take(3610 * s, per_ns, 3));
  CHECK(b.take(3610 * s, per_ns, 3));
  CHECK(b.take(3610 * s, per_ns, 3));
  CHECK_FALSE(b.take(3610 * s, per_ns, 3));
}

TEST_CASE("token bucket across the whole clock: no overflow, refilled to its burst") {
  TokenBucket b;
  const double per_ns = 1 / 1e9;
  CHECK(b.take(INT64_MIN + 1, per_ns, 2));
  CHECK(b.take(INT64_MIN + 1, per_ns, 2));
  CHECK_FALSE(b.take(INT64_MIN + 1, per_ns, 2));
  // INT64_MAX - (INT64_MIN + 1) does not fit in int64; the bucket is full again.
  CHECK(b.take(INT64_MAX, per_ns, 2));
  CHECK(b.take(INT64_MAX, per_ns, 2));
  CHECK_FALSE(b.take(INT64_MAX, per_ns, 2));
}

TEST_CASE("kept share of 100k events is within 4 standard deviations of R") {
  // Binomial: sd of the kept count is sqrt(n R (1 - R)); 4 sd fails about once in 16000 fair runs,
  // and the inputs are fixed, so a failure means a biased draw.
  const uint64_t n = 100'000;
  for (double r : {0.01, 0.1, 0.5, 0.9}) {
    const uint64_t bound = rate_bound(r);
    const double limit = 4 * std::sqrt(static_cast<double>(n) * r * (1 - r));
    for (uint64_t seed : {0ull, 1ull, 42ull}) {
      uint64_t by_position = 0, by_key = 0, by_trace = 0;
      uint64_t state = seed + 1000;
      uint64_t offset = 0;
      for (uint64_t i = 0; i < n; ++i) {
        by_position += keep_draw(position_draw(seed, offset), bound);
        offset += 180 + (i % 7);  // lines of a few lengths
        by_key += keep_draw(key_hash("user-" + std::to_string(seed) + "-" + std::to_string(i)), bound);
        std::string id = hex16(splitmix(state)) + hex16(splitmix(state));
        by_trace += *otel_trace_id_keep(id, bound);
      }
      CAPTURE(r);
      CAPTURE(seed);
      const double expect = static_cast<double>(n) * r;
      CHECK(std::fabs(static_cast<double>(by_position) - expect) < limit);
      CHECK(std::fabs(static_cast<double>(by_key) - expect) < limit);
      CHECK(std::fabs(static_cast<double>(by_trace) - expect) < limit);
    }
  }
}

TEST_CASE("agg --weighted estimates a known total within its stated error") {
  // 100k events with known values; sampled by position at R; the Horvitz-Thompson count and sum
  // must land within 4 estimated standard errors (sqrt of sum w(w-1), and of sum w(w-1) x^2).
  const uint64_t n = 100'000;
  for (double r : {0.05, 0.2}) {
    for (uint64_t seed : {3ull, 11ull}) {
      const uint64_t bound = rate_bound(r);
      WeightedCountAcc count;
      WeightedNumericAcc sum;
      double true_sum = 0;
      uint64_t offset = 0;
      for (uint64_t i = 0; i < n; ++i) {
        const double x = 10 + static_cast<double>((i * 7919) % 1000) / 10;  // 10..109.9
        true_sum += x;
        if (keep_draw(position_draw(seed, offset), bound)) {
          count.add_weighted(Value(), false, 0, 1 / r);
          sum.add_weighted(Value::number(x), false, 0, 1 / r);
        }
        offset += 200;
      }
      CAPTURE(r);
      CAPTURE(seed);
      const double se_count = std::sqrt(count.variance);
      const double se_sum = std::sqrt(sum.variance);
      // The stated error is the real one: sqrt(N (1 - R) / R) for the count.
      CHECK(se_count == doctest::Approx(std::sqrt(n * (1 - r) / r)).epsilon(0.05));
      CHECK(std::fabs(count.total - static_cast<double>(n)) < 4 * se_count);
      CHECK(std::fabs(sum.total() - true_sum) < 4 * se_sum);
      CHECK(sum.total() / sum.wn == doctest::Approx(true_sum / n).epsilon(0.02));
    }
  }
}

TEST_CASE("weighted accumulators merge as one") {
  WeightedCountAcc a, b;
  a.add_weighted(Value(), false, 0, 10);
  b.add_weighted(Value(), false, 0, 4);
  std::string error;
  CHECK(a.merge(b, error));
  CHECK(a.total == 14);
  CHECK(a.variance == 10 * 9 + 4 * 3);
  WeightedNumericAcc x, y;
  x.add_weighted(Value::integer(5), false, 0, 2);
  y.add_weighted(Value::string("7"), false, 0, 3);
  y.add_weighted(Value::string("no"), false, 0, 3);
  CHECK(x.merge(y, error));
  CHECK(x.total() == 2 * 5 + 3 * 7);
  CHECK(x.wn == 5);
  CHECK(x.plain.n == 2);
}
