// olly correlate sessionize (run_sessionize, the CLI's code) over generated
// events and raw lines (layout: fuzz_correlate.h): a few keys (and absent,
// null, numeric, empty and object keys), times stepping forward and back
// within and beyond --lateness, jumps to the edges of int64, unreadable
// times; --gap, --lateness, --max-pending, --first/--last and --time-field
// from byte 0.
//
// Invariants: every output and --errors line is JSON; unless the run stopped
// at --max-pending, every record read is in exactly one place: counted in
// one session (the sessions' counts add up) or an --errors line (bad or
// late); each session has count >= 1 and duration_ms >= 0.
#include <simdjson.h>

#include "correlate/sessionize.h"
#include "fuzz_correlate.h"

using namespace olly;

namespace {

std::string event_line(fuzz::Gen& g, size_t n, fuzz::GenEvent& ev) {
  std::string s = "{\"" + std::string(fuzz::kNumberKey) + "\":" + std::to_string(n);
  ev.key = fuzz::Gen::key_json(g.byte(0));
  if (!ev.key.empty()) s += ",\"k\":" + ev.key;
  const std::string t = g.time_json(g.byte(1), &ev.t);
  if (!t.empty()) s += ",\"ts\":" + t;
  if (g.byte(2) & 1) s += ",\"page\":\"/p" + std::to_string(g.byte(2) % 7) + "\"";
  s += "}";
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const fuzz::Options o = fuzz::Options::from(data[0]);
  fuzz::Gen gen;
  const auto in = fuzz::build_inputs(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), gen,
                                     event_line);
  const std::string text = in[0] + in[1];
  fuzz::TempFile input("sessionize");
  input.write(text);

  static const char* kGap[] = {"1ns", "1s", "30s", "30m"};
  SessionizeOptions opts;
  opts.gap = kGap[o.window];
  if (o.mode & 1) opts.first = {"page"};
  if (o.mode & 2) opts.last = {"page", std::string(fuzz::kNumberKey)};
  CorrelateCommon common;
  common.args = {input.path()};
  common.key = "k";
  common.lateness = o.lateness_text();
  if (o.small_pending) common.max_pending = 4;
  if (o.time_field) common.common.time_field = "ts";
  const fuzz::RunOutput r = fuzz::run_capture(common, [&] { return run_sessionize(opts, common); });
  if (r.threw) return 0;
  FUZZ_CHECK(r.status == 0, "sessionize exited non-zero without stopping");

  uint64_t counted = 0;
  simdjson::dom::parser parser;
  for (std::string_view line : fuzz::split_lines(r.out)) {
    simdjson::dom::element s = parser.parse(line.data(), line.size()).value();
    int64_t count;
    double duration;
    FUZZ_CHECK(!s["count"].get_int64().get(count) && count >= 1, "a session without events", line);
    FUZZ_CHECK(!s["duration_ms"].get_double().get(duration) && duration >= 0, "a negative duration", line);
    counted += static_cast<uint64_t>(count);
  }
  const uint64_t records = fuzz::count_records(text), errors = fuzz::count_lines(r.errors);
  FUZZ_CHECK(records == counted + errors, "an event is lost or counted twice",
             std::to_string(records) + " records, " + std::to_string(counted) + " in sessions, " +
                 std::to_string(errors) + " --errors lines");
  return 0;
}
