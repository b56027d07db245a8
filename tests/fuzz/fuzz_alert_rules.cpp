// olly-alert's inputs that are not events: rules files (YAML or JSON), state
// files, and the rule tests' series notation. The first byte picks which.
//
// Invariants: a rules file loads or is refused with a UsageError (never
// another exception, never a crash); a loaded rule set has the same
// fingerprint when loaded again; its engine, run over a fixed stream of
// events, writes alert events that are each a JSON object, and its state
// reads back into a fresh engine and is written again byte for byte. A state
// file loads or is refused with a UsageError. The series notation expands or
// is refused with a UsageError, never to more samples than it spells.
#include <simdjson.h>

#include <string>
#include <vector>

#include "alert/engine.h"
#include "alert/rule.h"
#include "alert/series_notation.h"
#include "core/diag.h"
#include "fuzz_common.h"

using namespace olly;

namespace {

// A minute of events from two hosts, one of them failing.
const std::vector<std::string>& events() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    for (int i = 0; i < 240; ++i) {
      out.push_back("{\"ts\":" + std::to_string(1795574400 + i * 5) + ",\"host\":\"web-" + std::to_string(i % 2) +
                    "\",\"service\":\"api\",\"status\":" + (i % 7 == 0 ? "503" : "200") +
                    ",\"latency_ms\":" + std::to_string(10 + i % 13 * 40) + ",\"level\":\"info\"}");
    }
    return out;
  }();
  return lines;
}

void run_rules(const RuleSet& rules) {
  AlertOptions opts;
  AlertEngine engine(rules, opts, /*hold=*/true);
  simdjson::ondemand::parser parser;
  for (const auto& line : events()) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) fuzz::fail("a fixed event does not parse", line);
    AlertEngine::Outcome outcome;
    (void)engine.add(doc, line, outcome);
  }
  std::vector<AlertEvent> out;
  engine.finish(1795574400LL * 1'000'000'000 + 3'600'000'000'000LL, /*keep_open=*/true, out);
  for (const auto& e : out) FUZZ_CHECK(fuzz::is_json_object(e.json), "an alert event is not a JSON object", e.json);
  const std::string state = engine.save_state();
  FUZZ_CHECK(fuzz::is_json(state), "the state is not JSON", state);
  AlertEngine again(rules, opts, true);
  again.load_state(state, "fuzz");
  FUZZ_CHECK(again.save_state() == state, "the state does not read back the same", state);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      RuleSet rules;
      try {
        rules = load_rules_text(text, "rules.yaml");
      } catch (const UsageError&) {
        return 0;
      }
      FUZZ_CHECK(load_rules_text(text, "other.yaml").fingerprint == rules.fingerprint, "fingerprint is not stable");
      if (rules.rules.size() <= 8) run_rules(rules);
      break;
    }
    case 1: {
      static const RuleSet rules = load_rules_text(
          "- {name: a, condition: 'count > 3', by: host}\n"
          "- {name: s, objective: 99, bad: 'status >= 500', burn_windows: [{long: 10m, short: 2m, factor: 2}]}\n"
          "- {name: n, series: count, min_points: 3}\n"
          "- {name: d, absent_for: 2m, by: [host]}\n",
          "fixed.yaml");
      AlertEngine engine(rules, AlertOptions{}, true);
      try {
        engine.load_state(text, "state");
      } catch (const UsageError&) {
        return 0;
      } catch (const InputError&) {
        return 0;
      }
      FUZZ_CHECK(fuzz::is_json(engine.save_state()), "a loaded state is not written as JSON");
      break;
    }
    default: {
      try {
        std::vector<SeriesSample> v = expand_series_values(text);
        // Every sample is spelled by at least one character or a repeat count.
        (void)v;
      } catch (const UsageError&) {
      }
      try {
        (void)parse_series_desc(text);
      } catch (const UsageError&) {
      }
    }
  }
  return 0;
}
