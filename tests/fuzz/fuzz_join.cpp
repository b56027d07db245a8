// olly correlate join (run_join, the CLI's code) over two generated inputs
// and raw lines (layout: fuzz_correlate.h): a few keys (and absent, null,
// numeric, empty and object keys), times stepping forward and back within
// and beyond --lateness, jumps to the edges of int64, unreadable times;
// --inner/--left/--anti, --within, --lateness, --max-pending and
// --time-field from byte 0.
//
// Invariants: every --errors line is JSON, and every output line when the
// inputs were (join writes events as it read them, and olly does not
// validate what it does not read: olly(7)); a pair of generated
// events joins a left event with a right one of the same key no more than
// --within apart (where both times are known); --inner writes no unmatched
// event; --anti writes only left events, as they were; with --left, unless
// the run stopped at --max-pending, every left event is written at least
// once or is an --errors line (bad or late).
#include <simdjson.h>

#include <set>

#include "correlate/join.h"
#include "fuzz_correlate.h"

using namespace olly;

namespace {

std::string event_line(fuzz::Gen& g, size_t n, fuzz::GenEvent& ev) {
  std::string s = "{\"" + std::string(fuzz::kNumberKey) + "\":" + std::to_string(n);
  ev.key = fuzz::Gen::key_json(g.byte(0));
  if (!ev.key.empty()) s += ",\"k\":" + ev.key;
  const std::string t = g.time_json(g.byte(1), &ev.t);
  if (!t.empty()) s += ",\"ts\":" + t;
  if (g.byte(2) & 1) s += ",\"msg\":\"m" + std::to_string(g.byte(2) % 5) + "\"";
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
  fuzz::TempFile left("left"), right("right");
  left.write(in[0]);
  right.write(in[1]);

  static const char* kWithin[] = {"0s", "1s", "30s", "5m"};
  static const int64_t kWithinNs[] = {0, 1000000000LL, 30000000000LL, 300000000000LL};
  const int64_t within = kWithinNs[o.window];
  JoinOptions opts;
  opts.left = o.mode == 1;
  opts.anti = o.mode == 2;
  CorrelateCommon common;
  common.args = {left.path(), right.path()};
  common.key = "k";
  common.within = kWithin[o.window];
  common.lateness = o.lateness_text();
  if (o.small_pending) common.max_pending = 4;
  if (o.time_field) common.common.time_field = "ts";
  const bool json_in = fuzz::all_json(in[0]) && fuzz::all_json(in[1]);
  const fuzz::RunOutput r = fuzz::run_capture(common, [&] { return run_join(opts, common); }, json_in);
  if (!json_in) return 0;
  FUZZ_CHECK(!r.threw, "join threw an InputError (its --max-pending stop is an exit status)");
  FUZZ_CHECK(r.status == 0 || (r.status == 3 && o.small_pending), "join exited non-zero",
             std::to_string(r.status));

  std::set<int64_t> left_seen;
  simdjson::dom::parser parser;
  auto known = [&](int64_t n) { return n >= 0 && static_cast<size_t>(n) < gen.events.size(); };
  for (std::string_view line : fuzz::split_lines(r.out)) {
    simdjson::dom::element ev = parser.parse(line.data(), line.size()).value();
    const int64_t ln = fuzz::event_number(ev);
    if (known(ln)) {
      FUZZ_CHECK(gen.events[ln].side == 0, "a right event written as a left one", line);
      left_seen.insert(ln);
    }
    simdjson::dom::element rv;
    const bool has_right = !ev["right"].get(rv);
    if (opts.anti) {
      if (known(ln)) FUZZ_CHECK(!has_right, "--anti wrote a pair", line);
      continue;
    }
    FUZZ_CHECK(has_right, "a joined line without its right member", line);
    if (rv.is_null()) {
      FUZZ_CHECK(opts.left, "--inner wrote an unmatched event", line);
      continue;
    }
    const int64_t rn = fuzz::event_number(rv);
    if (!known(ln) || !known(rn)) continue;
    const fuzz::GenEvent &a = gen.events[ln], &b = gen.events[rn];
    FUZZ_CHECK(b.side == 1, "a left event written as a right one", line);
    FUZZ_CHECK(fuzz::canonical_key(a.key) == fuzz::canonical_key(b.key) && !a.key.empty() && a.key != "null",
               "a pair of different keys", line);
    if (a.t && b.t) {
      const __int128 apart = __int128(*a.t) - *b.t;
      FUZZ_CHECK(apart <= within && -apart <= within, "a pair further apart than --within", line);
    }
  }
  if (!opts.left || r.status != 0) return 0;
  fuzz::for_each_error_raw(r.errors, [&](simdjson::dom::element ev) {
    const int64_t n = fuzz::event_number(ev);
    if (known(n) && gen.events[n].side == 0) left_seen.insert(n);
  });
  for (size_t n = 0; n < gen.events.size(); ++n) {
    if (gen.events[n].side == 0) {
      FUZZ_CHECK(left_seen.count(static_cast<int64_t>(n)), "--left lost a left event", std::to_string(n));
    }
  }
  return 0;
}
