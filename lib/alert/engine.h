// The alert engine (olly-alert): feeds events to each rule's windowed
// aggregates (lib/agg), evaluates every rule at each window's end in event
// time, runs each alert's lifecycle (pending, firing, resolved; `for`,
// keep_firing_for, hysteresis, reminders) and writes alert events in
// Alertmanager's shape. Its state (open windows, pending and firing alerts,
// each series' history) is saved to and read from a state file, so runs
// over consecutive pieces of input give the alerts of one run over all of it.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "expr/timefield.h"
#include "agg/aggregator.h"
#include "alert/rule.h"
#include "core/stage.h"
#include "expr/extract.h"

namespace olly {

struct AlertOptions {
  int64_t lateness_ns = 60'000'000'000;
  int64_t repeat_ns = 0;      // --repeat: a reminder while firing; 0: never
  std::string time_field;
  TimeLayout time_format;  // --time-format, --tz, --year
  size_t max_groups = 1'000'000;
};

// One alert event, as written (json), with the event time it belongs to.
struct AlertEvent {
  int64_t time = 0;
  bool firing = false;
  std::string json;
};

// The lifecycle of one alert (a rule, a group and, for SLO rules, a burn
// window pair).
struct AlertState {
  enum class Phase : uint8_t { inactive, pending, firing } phase = Phase::inactive;
  int64_t active_at = 0;    // the first evaluation of this run of true conditions
  int64_t fired_at = 0;
  int64_t last_sent = 0;
  int64_t clear_since = INT64_MIN;  // firing, but the condition has been clear since
  int64_t true_count = 0;
};

// What one evaluation found for one alert.
struct Verdict {
  bool active = false;         // the condition holds
  bool resolved = false;       // (firing) it may resolve
  std::optional<double> value;
  std::optional<double> threshold;
};

class RuleRunner;

class AlertEngine {
 public:
  // hold: input that ends (regular files): every window is kept to the end.
  AlertEngine(const RuleSet& rules, const AlertOptions& opts, bool hold);
  ~AlertEngine();
  AlertEngine(const AlertEngine&) = delete;
  AlertEngine& operator=(const AlertEngine&) = delete;

  // A copy for one range of the input (-j): the same rules, empty windows.
  std::unique_ptr<AlertEngine> fresh_copy() const;
  // Folds a range copy's windows into this engine (input order).
  void absorb(AlertEngine& range);

  // Series input (olly-agg output, lines with window_start) rather than events.
  void set_series_input(bool series);
  bool series_input() const { return series_; }

  // Adds one event (or series line); late: its window was already evaluated.
  // seen: at or before the latest event time of the run that wrote the
  // state (a log read whole again): skipped.
  enum class Outcome { ok, no_time, late, bad_series, seen };
  [[nodiscard]] simdjson::error_code add(simdjson::ondemand::document& doc, std::string_view line, Outcome& outcome);
  std::string_view reason(Outcome o) const;

  // Streaming: evaluates the windows event time has closed, appending alerts.
  void evaluate_closed(std::vector<AlertEvent>& out);
  // End of input at `now`: evaluates every window that has ended by now
  // minus the lateness (every window when keep_open is false), and the
  // absence rules at now. Windows still open stay for save_state.
  void finish(int64_t now, bool keep_open, std::vector<AlertEvent>& out);

  // --state: the text of the state file, and reading one back (InputError or
  // UsageError with a message on a state of another rule set or a corrupt one).
  std::string save_state() const;
  void load_state(std::string_view text, const std::string& path);

  uint64_t late_events() const;
  // Skip events at or before t (the state's seen_until); resets the windows.
  void set_seen_until(int64_t t);
  int64_t latest_time() const;
  uint64_t seen_events() const { return seen_; }
  int64_t lateness_needed() const;
  size_t firing_count() const;

 private:
  const RuleSet& rules_;
  AlertOptions opts_;
  bool hold_;
  bool series_ = false;
  std::vector<std::unique_ptr<RuleRunner>> runners_;
  std::vector<AlertEvent> series_out_;  // series windows evaluated while adding
  int64_t seen_until_ = INT64_MIN;      // from the state: the previous run's latest event time
  int64_t latest_ = INT64_MIN;          // the latest event time of ranges absorbed (-j)
  uint64_t seen_ = 0;
  bool finished_ = false;
};

}  // namespace olly
