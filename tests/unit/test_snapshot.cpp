// olly-snapshot's bucket length (round durations, fewer than kBuckets buckets)
// and the shell quoting of the next command it suggests.
#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "snapshot/snapshot.h"

using namespace olly::snapshot;

namespace {
constexpr int64_t kS = 1'000'000'000;
}

TEST_CASE("bucket length: the smallest round duration under kBuckets buckets") {
  CHECK(bucket_length(0) == 1 * kS);
  CHECK(bucket_length(47 * kS) == 1 * kS);
  CHECK(bucket_length(48 * kS) == 2 * kS);          // 48 buckets of 1s would be kBuckets
  CHECK(bucket_length(150 * kS) == 5 * kS);         // 2.5 minutes: 30 buckets of 5s
  CHECK(bucket_length(600 * kS) == 15 * kS);        // 10 minutes: 40 buckets of 15s
  CHECK(bucket_length(2000 * kS) == 60 * kS);       // 33 minutes: 34 buckets of 1m
  CHECK(bucket_length(86400 * kS) == 3600 * kS);    // a day: 48 buckets of 30m would be kBuckets
  CHECK(bucket_length(30LL * 86400 * kS) == 86400 * kS);
  // Past a week a bucket: whole days.
  CHECK(bucket_length(400LL * 86400 * kS) == 9LL * 86400 * kS);
  for (int64_t span : std::initializer_list<int64_t>{1, 59 * kS, 3599 * kS, 7 * 86400 * kS, 1000 * 86400 * kS}) {
    CHECK(span / bucket_length(span) < static_cast<int64_t>(kBuckets));
  }
}

TEST_CASE("shell quoting of a suggested command's words") {
  CHECK(shell_quote("requests.ndjson") == "requests.ndjson");
  CHECK(shell_quote("logs/a-b_c.ndjson") == "logs/a-b_c.ndjson");
  CHECK(shell_quote("status >= 500") == "'status >= 500'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$(rm -rf x)") == "'$(rm -rf x)'");
  CHECK(shell_quote("") == "''");
}
