// olly correlate traces (run_traces, the CLI's code) over generated span
// streams and raw lines (layout: fuzz_correlate.h): spans of a few traces
// with parents present, missing, empty or themselves, starts out of order
// within and beyond --lateness, huge and negative times, ends or durations
// absent, negative, huge or before the start, odd statuses, non-span
// signals; --idle, --lateness, --max-pending and --time-field from byte 0.
//
// Invariants: every output and --errors line is JSON; unless the run stopped
// at --max-pending, every record read is in exactly one place: a span of a
// written trace (the traces' span_count add up) or an --errors line (bad,
// late or not a span); each trace has span_count >= 1 and duration_ms >= 0.
#include <simdjson.h>

#include "correlate/traces.h"
#include "fuzz_correlate.h"

using namespace olly;

namespace {

std::string span_line(fuzz::Gen& g, size_t n, fuzz::GenEvent& ev) {
  std::string s = "{\"" + std::string(fuzz::kNumberKey) + "\":" + std::to_string(n);
  auto member = [&](std::string_view name, const std::string& json) {
    if (json.empty()) return;
    s += ",\"";
    s += name;
    s += "\":";
    s += json;
  };
  const uint8_t b0 = g.byte(0), b1 = g.byte(1), b2 = g.byte(2), b4 = g.byte(4), b5 = g.byte(5), b6 = g.byte(6),
                b7 = g.byte(7);
  static const char* kOddId[] = {"", "\"\"", "7", "null"};
  const std::string trace = b0 < 220 ? "\"t" + std::to_string(b0 % 6) + "\"" : kOddId[b0 & 3];
  const std::string span = b1 < 230 ? "\"s" + std::to_string(b1 % 12) + "\"" : kOddId[b1 & 3];
  std::string parent;
  if (b2 == 255) {
    parent = span;  // its own parent
  } else if (b2 >= 64) {
    parent = "\"s" + std::to_string(b2 % 12) + "\"";
  } else if (b2 >= 56) {
    parent = kOddId[b2 & 3];
  }
  if ((b7 & 3) == 3) member("signal", (b7 & 4) ? "\"log\"" : "\"span\"");
  member("trace_id", trace);
  member("span_id", span);
  member("parent_span_id", parent);
  std::optional<int64_t> start;
  const std::string start_json = g.time_json(g.byte(3), &start);
  // The start under its own field, or only as the event time (the fallback).
  member((b7 & 8) ? "ts" : "start_time_unix_nano", start_json);
  ev.t = start;
  const int64_t base = start.value_or(0);
  switch (b4 & 7) {
    case 0:
      if (start) member("end_time_unix_nano", std::to_string(static_cast<int64_t>(
                                                  std::min<__int128>(INT64_MAX, __int128(base) + b5 * 1000000LL))));
      break;
    case 1: member("duration_ms", std::to_string(b5)); break;
    case 2: member("duration_ms", "-1"); break;
    case 3: member("duration_ms", (b5 & 1) ? "1000000000001" : "1e12"); break;
    case 4: break;  // neither end nor duration
    case 5: member("end_time_unix_nano", "\"soon\""); break;
    case 6:
      if (start && base > INT64_MIN + 1000000) member("end_time_unix_nano", std::to_string(base - 1000000));
      break;
    default: member("duration_ms", std::to_string(b5) + ".25"); break;
  }
  static const char* kStatus[] = {"", "\"OK\"", "\"ERROR\"", "\"STATUS_CODE_ERROR\"", "2", "true", "\"error\"", "null"};
  member("status", kStatus[(b6 >> 2) & 7]);
  if ((b6 & 3) != 3) member("service", "\"svc" + std::to_string(b6 & 3) + "\"");
  if (!(b6 & 32)) member("name", "\"op" + std::to_string(b1 % 4) + "\"");
  s += "}";
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fuzz::Options o = fuzz::Options::from(data[0]);
  fuzz::Gen gen;
  const auto in = fuzz::build_inputs(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), gen,
                                     span_line);
  const std::string text = in[0] + in[1];
  fuzz::TempFile input("traces");
  input.write(text);

  static const char* kIdle[] = {"0s", "1s", "30s", "5m"};
  TracesOptions opts;
  opts.idle = kIdle[o.window];
  CorrelateCommon common;
  common.args = {input.path()};
  common.lateness = o.lateness_text();
  if (o.small_pending) common.max_pending = 4;
  if (o.time_field) common.common.time_field = "ts";
  const fuzz::RunOutput r = fuzz::run_capture(common, [&] { return run_traces(opts, common); });
  if (r.threw) return 0;
  FUZZ_CHECK(r.status == 0, "traces exited non-zero without stopping");

  uint64_t spans = 0;
  simdjson::dom::parser parser;
  for (std::string_view line : fuzz::split_lines(r.out)) {
    simdjson::dom::element t = parser.parse(line.data(), line.size()).value();
    int64_t count;
    double duration;
    FUZZ_CHECK(!t["span_count"].get_int64().get(count) && count >= 1, "a trace without spans", line);
    FUZZ_CHECK(!t["duration_ms"].get_double().get(duration) && duration >= 0, "a negative duration", line);
    spans += static_cast<uint64_t>(count);
  }
  const uint64_t records = fuzz::count_records(text), errors = fuzz::count_lines(r.errors);
  FUZZ_CHECK(records == spans + errors, "a span is lost or counted twice",
             std::to_string(records) + " records, " + std::to_string(spans) + " spans in traces, " +
                 std::to_string(errors) + " --errors lines");
  return 0;
}
