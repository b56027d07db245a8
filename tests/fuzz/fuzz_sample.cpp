// olly-sample's stage and token bucket. Byte 0 picks the options (rate,
// --key, --keep, --limit with --by and --burst); byte 1 picks what the rest is:
// odd: the NDJSON input; even: a token bucket fed times made from the bytes.
//
// Invariants: -j 1 and -j 2 (tiny ranges) write the same bytes and the same
// bad lines (decisions by key or by the line's byte offset, never by order);
// records in = out + bad + dropped; every output line is JSON, and every
// output object carries a sample_rate of at least 1. The bucket never keeps
// more than burst + rate x (latest time - first time) events, and a bucket
// that is never empty keeps every event.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "core/diag.h"
#include "core/run.h"
#include "core/runner.h"
#include "fuzz_common.h"
#include "sample/decide.h"
#include "sample/stage.h"

using namespace olly;

namespace {

struct Outcome {
  std::string out, errors;
  Stats stats;
  uint64_t dropped = 0;
};

Outcome run(const SampleOptions& base, const std::string& path, unsigned jobs, uint64_t block) {
  fuzz::take_stdout();
  fuzz::TempFile errors("errors");
  Outcome o;
  {
    SampleOptions opts = base;
    opts.common.errors_path = errors.path();
    RunContext ctx(opts.common);
    RunnerOptions run;
    run.files = {path};
    run.jobs = jobs;
    run.block = block;
    SampleStage stage(opts);
    run_stage(run, ctx, stage);
    o.stats = ctx.stats();
    o.dropped = stage.dropped_by_rate() + stage.dropped_by_limit();
  }
  o.out = fuzz::take_stdout();
  o.errors = errors.read();
  return o;
}

void check_bucket(const uint8_t* data, size_t size, uint8_t pick) {
  const double per_s = 1 + pick % 7;
  const double burst = 1 + (pick >> 3) % 5;
  const double per_ns = per_s / 1e9;
  TokenBucket b;
  TimeNs first = 0, latest = 0;
  uint64_t kept = 0, seen = 0;
  TimeNs t = 1'700'000'000'000'000'000;
  for (size_t i = 0; i + 1 < size; i += 2) {
    // Steps forward and back, small and large, to the edges of the clock.
    const int step = static_cast<int8_t>(data[i]);
    switch (data[i + 1] % 4) {
      case 0: t += static_cast<TimeNs>(step) * 1'000'000; break;  // +-128 ms
      case 1: t += static_cast<TimeNs>(step) * 1'000'000'000; break;
      case 2: t = step < 0 ? INT64_MIN / 2 : INT64_MAX / 2; break;
      default: break;  // the same time again
    }
    if (seen == 0) first = latest = t;
    if (t > latest) latest = t;
    ++seen;
    kept += b.take(t, per_ns, burst);
    // latest - first can exceed int64: unsigned is exact (latest >= first).
    const uint64_t span = static_cast<uint64_t>(latest) - static_cast<uint64_t>(first);
    const double cap = burst + per_ns * static_cast<double>(span);
    FUZZ_CHECK(static_cast<double>(kept) <= cap + 1e-6, "the bucket kept more than burst + rate x time");
    FUZZ_CHECK(b.tokens <= burst + 1e-9 && b.tokens >= 0, "tokens outside [0, burst]");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t opt = data[0], what = data[1];
  if (!(what & 1)) {
    check_bucket(data + 2, size - 2, opt);
    return 0;
  }
  static const char* kRates[] = {"0.5", "0.1", "1", "0.9"};
  SampleOptions opts;
  opts.seed = opt >> 6;
  if (!(opt & 0x10) || (opt & 0x20)) opts.rate = kRates[opt & 3];
  if (opt & 0x04) opts.key = (opt & 0x08) ? "trace_id" : "a";
  if (opts.rate.empty()) opts.key.clear();
  if (opt & 0x40) opts.keep = "status >= 500 || b == true";
  if (opt & 0x10) {
    opts.limit = (opt & 0x80) ? "2/s" : "1/m";
    if (opt & 0x08) opts.by = "a";
    if (opt & 0x01) opts.burst = "3";
  }
  fuzz::TempFile input("in");
  input.write(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  Outcome one = run(opts, input.path(), 1, 1 << 20);
  Outcome two = run(opts, input.path(), 2, 1 + what % 13);
  FUZZ_CHECK(one.out == two.out, "-j 1 and -j 2 kept different events", one.out + "\n---\n" + two.out);
  FUZZ_CHECK(one.errors == two.errors, "-j 1 and -j 2 reported different bad lines");
  FUZZ_CHECK(one.stats.records_in == one.stats.records_out + one.stats.errors + one.dropped,
             "records in != out + bad + dropped");
  size_t start = 0;
  while (start < one.out.size()) {
    size_t nl = one.out.find('\n', start);
    std::string_view line(one.out.data() + start, nl - start);
    start = nl + 1;
    FUZZ_CHECK(fuzz::is_json(line), "an output line is not JSON", line);
    if (line.front() != '{') continue;
    simdjson::dom::parser p;
    simdjson::dom::element e;
    double w = 0;
    FUZZ_CHECK(!p.parse(line.data(), line.size(), true).get(e), "unparsable", line);
    FUZZ_CHECK(!e["sample_rate"].get_double().get(w) && w >= 1, "a kept object without sample_rate >= 1", line);
  }
  return 0;
}
