// The decisions of olly-sample, free of any event: rates and limits parsed
// from their flags, the keyed keep tests and the token bucket (the draws and
// the keep test itself: sketch/draw.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "sketch/draw.h"
#include "time/timeutil.h"

namespace olly {

// A --rate argument: a finite number in (0, 1]. Throws UsageError naming flag.
double parse_rate(std::string_view text, std::string_view flag);

// A --limit argument "N/s", "N/m", "N/h" or "N/DURATION" (100/s, 500/5m):
// events per nanosecond. count_out gets N (the default --burst).
double parse_limit(std::string_view text, std::string_view flag, double& count_out);

// OpenTelemetry's TraceIDRatioBased decision for a trace id of 32 hex digits
// (either case); nullopt when the text is not one. opentelemetry-go
// sdk/trace/sampling.go (traceIDRatioSampler.ShouldSample, as of commit
// 012e4a4add2612b8bb9a6cf1cd5a81b89f1cb6e6; the older ProbabilitySampler reads
// the same bytes):
//   x := binary.BigEndian.Uint64(p.TraceID[0:8]) >> 1
//   keep when x < uint64(fraction * (1 << 63))
// i.e. the FIRST 8 bytes of the id read big-endian, shifted right by one.
// (opentelemetry-java's TraceIdRatioBasedSampler reads the last 8 bytes
// instead: the SDKs do not agree, and Go's is the one followed here.)
std::optional<bool> otel_trace_id_keep(std::string_view hex, uint64_t bound);

// The hash of a key that is not a trace id: FNV-1a 64 over the bytes, then
// splitmix64's finaliser (FNV alone leaves the high bits of short keys
// poorly mixed). Both are published and byte-order free, so any service can
// compute the same decision.
uint64_t key_hash(std::string_view bytes);

// A token bucket in event time: rate tokens per ns, at most burst, full at
// the first event. Time that goes backwards adds no tokens.
struct TokenBucket {
  double tokens = 0;
  TimeNs last = 0;
  bool started = false;

  bool take(TimeNs t, double per_ns, double burst) {
    if (!started) {
      started = true;
      tokens = burst;
      last = t;
    } else if (t > last) {
      // t - last can exceed int64 (times at both ends of the clock); as
      // unsigned it is exact, since t > last.
      const uint64_t elapsed = static_cast<uint64_t>(t) - static_cast<uint64_t>(last);
      tokens += static_cast<double>(elapsed) * per_ns;
      if (tokens > burst) tokens = burst;
      last = t;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
};

}  // namespace olly
