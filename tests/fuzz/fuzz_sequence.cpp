// olly correlate sequence (run_sequence, the CLI's code) over generated
// events and raw lines (layout: fuzz_correlate.h): events of types a, b, c
// (or none, or a number) in a few groups (and absent, null, numeric, empty
// and object group keys), times stepping forward and back within and
// beyond --lateness, jumps to the edges of int64, unreadable times;
// `a then b`, `a then b then c`, `a then not b` or `a then b then not c`,
// --within, --lateness, --max-pending and --time-field from byte 0.
//
// Invariants: every --errors line is JSON, and every output line when the
// input was (sequence writes the steps' events as it read them, and olly
// does not validate what it does not read: olly(7)); a sequence has one
// event per positive step, each generated one of that step's type and of
// the sequence's group, in time order and no more than --within from the
// first to the last (where the times are known); its duration_ms is >= 0;
// a "missing" member only with `then not`.
#include <simdjson.h>

#include "correlate/sequence.h"
#include "fuzz_correlate.h"

using namespace olly;

namespace {

std::string event_line(fuzz::Gen& g, size_t n, fuzz::GenEvent& ev) {
  std::string s = "{\"" + std::string(fuzz::kNumberKey) + "\":" + std::to_string(n);
  ev.key = fuzz::Gen::key_json(g.byte(0));
  if (!ev.key.empty()) s += ",\"k\":" + ev.key;
  const std::string t = g.time_json(g.byte(1), &ev.t);
  if (!t.empty()) s += ",\"ts\":" + t;
  static const char* kType[] = {"\"a\"", "\"b\"", "\"c\"", "\"a\"", "\"b\"", "\"c\"", "", "1"};
  const std::string type = kType[g.byte(2) & 7];
  if (!type.empty()) s += ",\"type\":" + type;
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
  fuzz::TempFile input("sequence");
  input.write(text);

  // The steps, and the type each positive one wants.
  std::vector<std::string> args;
  std::vector<std::string> want;
  switch (o.mode) {
    case 0: args = {"type == \"a\"", "then", "type == \"b\""}; want = {"\"a\"", "\"b\""}; break;
    case 1:
      args = {"type == \"a\"", "then", "type == \"b\"", "then", "type == \"c\""};
      want = {"\"a\"", "\"b\"", "\"c\""};
      break;
    case 2: args = {"type == \"a\"", "then", "not", "type == \"b\""}; want = {"\"a\""}; break;
    default:
      args = {"type == \"a\"", "then", "type == \"b\"", "then", "not", "type == \"c\""};
      want = {"\"a\"", "\"b\""};
      break;
  }
  const bool negated = o.mode >= 2;
  args.push_back(input.path());
  static const char* kWithin[] = {"0s", "1s", "30s", "5m"};
  static const int64_t kWithinNs[] = {0, 1000000000LL, 30000000000LL, 300000000000LL};
  SequenceOptions opts;
  CorrelateCommon common;
  common.args = args;
  common.by = {"k"};
  common.within = kWithin[o.window];
  common.lateness = o.lateness_text();
  if (o.small_pending) common.max_pending = 4;
  if (o.time_field) common.common.time_field = "ts";
  const bool json_in = fuzz::all_json(text);
  const fuzz::RunOutput r = fuzz::run_capture(common, [&] { return run_sequence(opts, common); }, json_in);
  if (!json_in) return 0;
  FUZZ_CHECK(!r.threw, "sequence threw an InputError (its --max-pending stop is an exit status)");
  FUZZ_CHECK(r.status == 0 || (r.status == 3 && o.small_pending), "sequence exited non-zero",
             std::to_string(r.status));

  simdjson::dom::parser parser;
  for (std::string_view line : fuzz::split_lines(r.out)) {
    simdjson::dom::element seq = parser.parse(line.data(), line.size()).value();
    simdjson::dom::array steps;
    FUZZ_CHECK(!seq["steps"].get_array().get(steps), "a sequence without steps", line);
    FUZZ_CHECK(steps.size() == want.size(), "a sequence with the wrong number of steps", line);
    double duration;
    FUZZ_CHECK(!seq["duration_ms"].get_double().get(duration) && duration >= 0, "a negative duration", line);
    simdjson::dom::element missing;
    FUZZ_CHECK(negated == !seq["missing"].get(missing), "a missing member without `then not` (or none with)", line);
    std::string group;
    std::optional<int64_t> first, previous;
    size_t i = 0;
    for (simdjson::dom::element step : steps) {
      const int64_t n = fuzz::event_number(step);
      const size_t at = i++;
      if (n < 0 || static_cast<size_t>(n) >= gen.events.size()) continue;
      const fuzz::GenEvent& ev = gen.events[static_cast<size_t>(n)];
      std::string_view type;
      FUZZ_CHECK(!step["type"].get_string().get(type) && "\"" + std::string(type) + "\"" == want[at],
                 "a step of the wrong type", line);
      // An absent group key and null: one group or two, the model does not say.
      const std::string key = ev.key.empty() ? "null" : fuzz::canonical_key(ev.key);
      if (group.empty()) group = key;
      FUZZ_CHECK(group == key, "steps of different groups", line);
      if (!ev.t) continue;
      if (previous) FUZZ_CHECK(*previous <= *ev.t, "steps out of time order", line);
      if (!first && at == 0) first = ev.t;
      if (first) FUZZ_CHECK(__int128(*ev.t) - *first <= kWithinNs[o.window], "a sequence longer than --within", line);
      previous = ev.t;
    }
  }
  return 0;
}
