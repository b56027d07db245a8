// olly-alert: rules over windowed aggregates that decide when a person must act.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "alert/engine.h"
#include "alert/rule_test.h"
#include "core/cli.h"
#include "core/diag.h"
#include "core/input.h"
#include "core/read_file.h"
#include "core/runner.h"
#include "time/timeutil.h"
#include "expr/timerange.h"

using namespace olly;

namespace {

struct Flags {
  std::string rules_path;
  InlineRule inline_rule;
  std::string state_path;
  bool reset_state = false;
  std::string lateness = "1m";
  std::string repeat;
  std::string test_path;
  std::string junit_path;
  size_t max_groups = 1'000'000;
  std::vector<std::string> files;
  CommonOptions common;
};

// olly-alert's stage. Over regular files it is a fold (every window is held
// to the end, ranges aggregated apart and merged in input order, then
// evaluated window by window); over a stream it evaluates each window as
// event time closes it and writes its alerts at once.
class AlertStage final : public Stage {
 public:
  AlertStage(AlertEngine& engine, bool fold, int64_t now, bool keep_open)
      : engine_(engine), fold_(fold), now_(now), keep_open_(keep_open) {}

  Result on_event(Event& ev, Emitter& out) override {
    if (!detected_) {
      detected_ = true;
      if (!fold_) engine_.set_series_input(looks_like_series(ev.raw));
    }
    AlertEngine::Outcome outcome;
    if (auto e = engine_.add(*ev.doc, ev.raw, outcome)) return Result::bad(e);
    switch (outcome) {
      case AlertEngine::Outcome::ok:
      case AlertEngine::Outcome::seen: break;
      case AlertEngine::Outcome::late: return Result::set_aside(engine_.reason(outcome));
      default: return Result::bad(engine_.reason(outcome));
    }
    if (!fold_) {
      engine_.evaluate_closed(events_);
      write(out);
    }
    return Result::ok();
  }

  void on_end(Emitter& out) override {
    engine_.finish(now_, keep_open_, events_);
    // Held windows were evaluated rule by rule: write the alerts in event-time order.
    std::stable_sort(events_.begin(), events_.end(), [](const AlertEvent& a, const AlertEvent& b) { return a.time < b.time; });
    write(out);
  }

  StageKind kind() const override { return fold_ ? StageKind::fold : StageKind::serial; }
  std::unique_ptr<Stage> clone() const override {
    auto copy = std::make_unique<AlertStage>(engine_.fresh_copy());
    return copy;
  }
  void absorb(Stage& range) override { engine_.absorb(static_cast<AlertStage&>(range).engine_); }

  explicit AlertStage(std::unique_ptr<AlertEngine> own)
      : own_(std::move(own)), engine_(*own_), fold_(true), now_(0), keep_open_(false) {}

  size_t firing_written() const { return firing_written_; }

  // olly-agg output: each line a window's group, with window_start and window_end.
  static bool looks_like_series(std::string_view line) {
    return line.find("\"window_start\"") != std::string_view::npos &&
           line.find("\"window_end\"") != std::string_view::npos;
  }

 private:
  void write(Emitter& out) {
    for (const auto& e : events_) {
      out.line(e.json);
      if (e.firing) ++firing_written_;
    }
    events_.clear();
    out.flush();
  }

  std::unique_ptr<AlertEngine> own_;  // a range copy's engine
  AlertEngine& engine_;
  bool fold_;
  int64_t now_;
  bool keep_open_;
  bool detected_ = false;
  std::vector<AlertEvent> events_;
  size_t firing_written_ = 0;
};

// The first line of the first file, to tell series input from events before
// the runner splits the files into ranges.
bool files_hold_series(const std::vector<std::string>& files) {
  if (files.empty()) return false;
  // A file that cannot be opened is reported once, by the runner.
  if (std::FILE* probe = std::fopen(files.front().c_str(), "rb")) {
    std::fclose(probe);
  } else {
    return false;
  }
  LineReader reader({files.front()});
  Line line;
  while (reader.next(line)) {
    if (is_blank_line(line.text)) continue;
    return AlertStage::looks_like_series(line.text);
  }
  return false;
}

const char* kRules =
    "A rules file is YAML (JSON is YAML too): a list of rules, or a map whose `rules:` holds the list. "
    "Every field is checked when the file is loaded: an unknown field, an expression that does not "
    "compile or a duration that is not one stops olly-alert with exit status 2 and FILE:LINE:COLUMN.\n\n"
    "- name: the alert's name (labels.alertname); unique in the file. Required.\n"
    "- kind: threshold, slo, anomaly or absence; by default taken from the fields given (condition: threshold, "
    "objective: slo, series: anomaly, absent_for: absence).\n"
    "- where: an expression (olly(7)); only matching events count for this rule.\n"
    "- by: group fields (a list, or \"a,b\"); each group has its own alerts and its values become labels.\n"
    "- every: the window (default 1m). Rules are evaluated at the end of each window, in event time.\n"
    "- condition: (threshold) an expression over windowed aggregates written as in olly-agg: count, "
    "count_if(EXPR), sum(F), avg(F), min(F), max(F), stddev(F), pNN(F), distinct(F), rate, and ratios of "
    "them, combined with arithmetic, comparisons, && and ||; the by fields may be compared too. "
    "`p99(latency_ms) > 500`, `count_if(status >= 500) / count > 0.05 && count > 100`. Where the "
    "condition compares with a constant, the other side is the alert's value and the constant its threshold.\n"
    "- resolve: (threshold) a firing alert resolves only when this holds (hysteresis: fire above 500, "
    "resolve below 400); by default when the condition stops holding.\n"
    "- for: how long the condition must hold before the alert fires: a number of consecutive windows (3) "
    "or a duration from the first window that held (10m, as Prometheus' for). Default: at once.\n"
    "- keep_firing_for: a firing alert stays firing this long after it could resolve.\n"
    "- severity: the severity label (default warning).\n"
    "- labels: a map of extra labels.\n"
    "- summary, description (or annotations: {summary, description}): templates; {NAME} is replaced by "
    "a by field, a label, rule, severity, value, threshold, window_start, window_end or since; {{ and }} "
    "are braces.\n"
    "- objective, period, bad, total, burn_windows: (slo) the objective in percent (99.9), the period "
    "(default 30d), the expression of a failed event, of an event that counts (default every event), "
    "and the burn-rate pairs: a list of {long, short, budget or factor, severity}. The default is the "
    "SRE workbook's: page when 2% of the budget burns in 1h (and in 5m), page at 5% in 6h (and 30m), "
    "ticket at 10% in 3d (and 6h). A budget fraction b over a long window L is the burn-rate factor "
    "b x period / L (14.4, 6 and 1 for 30d). An alert fires when the burn rate (error ratio / (1 - "
    "objective)) exceeds the factor over both windows of its pair, and resolves as soon as the short "
    "window is back under it. Rates are over the windows' events (every, default 1m, is the step).\n"
    "- series, method, sensitivity, history, min_points, direction, alpha: (anomaly) the aggregate "
    "watched per window (count, p99(latency_ms), ...); method mad (default: the value against the "
    "median of the last `history` windows (default 30), in robust standard deviations, MAD / 0.6745) "
    "or ewma (against an exponentially weighted mean and deviation, smoothing alpha, default 0.3); "
    "sensitivity is how many deviations are anomalous (default 3.5); no alert before min_points windows "
    "(default 10); direction up, down or both (default). A window without events is 0 for count-like "
    "series and skipped for others.\n"
    "- absent_for: (absence) fire when a group has had no matching event for this long (a dead-man's "
    "switch for cron jobs and heartbeats), judged at each window's end and, at the end of input, at "
    "--now. A rule without by over input with no matching event at all fires at --now.";

const char* kOutput =
    "One NDJSON event per alert that fires or resolves, in event-time order, shaped for Alertmanager: "
    "state (firing, resolved), rule, kind, severity, labels (alertname, severity, the by fields as "
    "strings, the rule's labels; slo_window for SLO rules), annotations (summary, description), "
    "startsAt (when it fired), endsAt (resolved only), since (when the condition first held), at (the "
    "evaluation), group, value, threshold, window {start, end}, burn (SLO rules: both windows' burn "
    "rates and the factor) and fingerprint (a hash of the labels, stable across runs and machines).\n\n"
    "An alert writes one firing event when it fires and one resolved event when it resolves; "
    "--repeat D writes a reminder while it stays firing. Groups are evaluated for every window, "
    "including windows without events while an alert is pending or firing (count is then 0).";

const char* kState =
    "--state FILE keeps between runs what one long run would have kept: pending and firing alerts, "
    "the series' histories and burn-rate windows, and the windows not yet complete at --now (less "
    "--lateness), so a cron job every 10 minutes over the last 10 minutes of logs pages once, does "
    "not page again on the next run, and writes resolved when it ends. The file is JSON; it is "
    "written to a temporary file, synced and renamed over the old one, so a process killed at any "
    "moment leaves the old state or the new one. A state written for other rules, or a damaged one, "
    "stops olly-alert with exit status 2 unless --reset-state.\n\n"
    "Events at or before the latest event time the previous run read are taken as read already and "
    "skipped (already_seen in --stats), so a cron job may read the whole log every time (olly parse "
    "syslog /var/log/auth.log | ... | olly alert --state FILE) and each event still counts once. Input "
    "that arrives out of order across runs is the exception: an event older than what the last run "
    "read is skipped too, so feed each run what is new (journalctl --cursor-file, or the whole file) "
    "rather than overlapping slices. A killed run leaves its temporary file (.FILE.tmp.PID) beside the "
    "state; it can be removed.";

const char* kWorked =
    "threshold: more than 20 failed logins a minute on one host, two minutes in a row:\n\n"
    "  - name: SshBruteForce\n"
    "    where: app == \"sshd\" && msg =~ \"Failed password\"\n"
    "    condition: count > 20\n"
    "    for: 2\n"
    "    by: host\n"
    "    severity: page\n"
    "    summary: \"{host}: {value} failed logins a minute\"\n\n"
    "Over tests/data/alert/auth.ndjson (web-1 logs 30 a minute from 02:52 to 02:55) the windows "
    "ending 02:53 and 02:54 hold, so it fires at 02:54 (since 02:53) and resolves at 02:56, the end "
    "of the first window back under 20.\n\n"
    "slo: 99.9% of requests succeed over 30 days, with the default burn-rate pairs:\n\n"
    "  olly alert --slo 99.9 --period 30d --bad 'status >= 500' --by service\n\n"
    "After six hours of clean traffic, a total outage pages on the 1h/5m pair at the end of its first "
    "minute (burn rate 16.7 over the hour, 200 over five minutes, both above 14.4), tickets on 3d/6h "
    "at the same minute and pages on 6h/30m after three minutes; the 1h/5m page resolves five minutes "
    "after the outage ends. Errors at twice the budget's rate (0.2%) never page, and ticket.\n\n"
    "anomaly: requests a minute against the last 30 minutes:\n\n"
    "  - name: TrafficAnomaly\n"
    "    series: count\n"
    "    every: 1m\n"
    "    sensitivity: 3.5\n"
    "    min_points: 10\n\n"
    "With 8 to 12 requests a minute, a minute of 60 fires (the band's edge is about 15) and so does "
    "a minute of none; both resolve at the next normal minute.\n\n"
    "absence: a nightly backup that reports when it is done:\n\n"
    "  olly filter 'msg == \"backup finished\"' backup.ndjson | olly alert --absent 25h --name BackupMissing --state backup.state\n\n"
    "fires when no such event was read within 25 hours of the last one, judged against the clock at "
    "the end of each run; with no matching event at all (and no state) it fires at once.";

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  InlineRule& r = f.inline_rule;
  CLI::App app{"Alert rules over windowed aggregates, in event time.", "olly-alert"};
  app.add_option("FILE", f.files, "Input files of events or olly-agg output (.gz and .zst read transparently); stdin when none or -");
  app.add_option("--rules", f.rules_path, "A rules file (YAML or JSON; see RULES)")->type_name("FILE");
  app.add_option("--rule", r.rule, "One threshold rule: a condition over aggregates, optionally ending in `for N` (windows) or `for D`")
      ->type_name("COND");
  app.add_option("--slo", r.slo, "One SLO burn-rate rule: the objective in percent (99.9); with --bad")->type_name("PERCENT");
  app.add_option("--period", r.period, "The SLO period (default 30d)")->type_name("DURATION");
  app.add_option("--bad", r.bad, "The SLO's failed event (an expression)")->type_name("EXPR");
  app.add_option("--total", r.total, "The SLO's counted event (an expression; default every event)")->type_name("EXPR");
  app.add_option("--anomaly", r.anomaly, "One anomaly rule over this aggregate per window (count, p99(latency_ms))")
      ->type_name("AGG");
  add_choice(app, "--method", r.method, {"mad", "ewma"}, "Anomaly method: mad (robust z-score, default) or ewma", "METHOD");
  app.add_option("--absent", r.absent, "One absence rule: fire when a group has no event for this long")->type_name("DURATION");
  app.add_option("--name", r.name, "The inline rule's name (alertname)")->type_name("NAME");
  app.add_option("-w,--every", r.every, "The inline rule's window (default 1m)")->type_name("DURATION");
  app.add_option("-g,--by", r.by, "The inline rule's group fields (comma-separated; repeatable)")
      ->type_name("FIELDS")
      ->allow_extra_args(false);
  app.add_option("--where", r.where, "Only events matching EXPR count for the inline rule")->type_name("EXPR");
  app.add_option("--for", r.for_text, "The inline rule's `for`: windows (3) or a duration (10m)")->type_name("N|DURATION");
  app.add_option("--keep-firing-for", r.keep_firing_for, "Keep a firing alert firing this long after it could resolve")
      ->type_name("DURATION");
  app.add_option("--resolve", r.resolve, "Resolve the inline rule's alert only when this condition holds")->type_name("COND");
  app.add_option("--severity", r.severity, "The inline rule's severity (default warning)")->type_name("NAME");
  app.add_option("--label", r.labels, "An extra label for the inline rule (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app.add_option("--summary", r.summary, "The inline rule's summary template ({host}, {value}, ...)")->type_name("TEXT");
  app.add_option("--description", r.description, "The inline rule's description template")->type_name("TEXT");
  app.add_option("--state", f.state_path, "Keep alerts and open windows between runs in FILE (see STATE)")->type_name("FILE");
  app.add_flag("--reset-state", f.reset_state, "Ignore an existing --state file (one of other rules, or damaged)");
  app.add_option("--lateness", f.lateness,
                 "Wait this long past a window's end for late events (default 1m); later ones are counted in --stats")
      ->type_name("DURATION");
  app.add_option("--repeat", f.repeat, "Write a firing alert again every D while it fires (default never)")->type_name("DURATION");
  app.add_option("--max-groups", f.max_groups, "Stop with an error (exit 3) past this many groups held at once (default 1000000)")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  app.add_option("--test", f.test_path, "Run the rule unit tests in FILE (see TESTS) instead of reading input")->type_name("FILE");
  app.add_option("--junit", f.junit_path, "With --test: also write the results as JUnit XML to FILE")->type_name("FILE");
  RunnerOptions run;
  add_runner_options(app, run);
  app.add_option("--min-chunk", run.min_fold_range, "Smallest byte range a thread gets (testing)")->group("");
  add_common_options(app, f.common);
  // The common --now (expr/timerange.h) means more here than where --since counts back from.
  app.get_option("--now")->description(
      "The time the input ends at (RFC 3339 or epoch; default the clock): absence is judged against it, "
      "with --state the windows not complete by then wait for the next run, and --since/--until "
      "durations count back from it");

  ToolDoc doc;
  doc.name = "olly-alert";
  doc.summary = "alert rules over windowed aggregates, in event time";
  doc.synopsis =
      "olly-alert --rules FILE [OPTIONS] [FILE...]\n"
      "olly-alert --rule 'COND [for N]' [--every D] [--by F,...] [OPTIONS] [FILE...]\n"
      "olly-alert --slo PERCENT --bad EXPR [--period D] [OPTIONS] [FILE...]\n"
      "olly-alert --test FILE [--junit FILE]";
  doc.description =
      "olly-alert reads NDJSON events (or the output of olly-agg, read as series as they are), computes "
      "each rule's aggregates per window of event time and group, evaluates the rule at the end of each "
      "window, and writes an event when an alert fires and when it resolves. Everything is in event "
      "time: replaying a day of logs gives the alerts a live run gave, at the same times.\n\n"
      "Four kinds of rule (see RULES): threshold (a condition over aggregates, with for, "
      "keep_firing_for and a separate resolve condition against flapping), slo (multiwindow, "
      "multi-burn-rate alerts on an error budget, the SRE workbook's scheme by default), anomaly (a "
      "series against its own recent history) and absence (no events from a group for a while).\n\n"
      "Over regular files every window is held to the end of input (so out-of-order lines count where "
      "they belong) and the files are aggregated in parallel (-j); over a stream (tail -f, a pipe) each "
      "window is evaluated once event time passes its end plus --lateness, and its alerts are written "
      "at once. Events without a time are bad lines (--errors); late events are set aside to --errors "
      "and counted in --stats.\n\n"
      "With --state (see STATE) consecutive runs behave as one: the cron recipe is\n\n"
      "  */10 * * * * journalctl -o json --since -10min | olly parse json | olly alert --rules rules.yaml --state /var/lib/olly/alert.state || mail-the-alerts\n\n"
      "--test runs unit tests of rules (see TESTS), as promtool test rules does for Prometheus.";
  doc.sections = {{"RULES", kRules}, {"OUTPUT", kOutput}, {"STATE", kState}, {"TESTS", rule_test_doc()},
                  {"WORKED EXAMPLES", kWorked}};
  doc.examples = {
      {"olly alert --rule 'count > 20 for 2' --every 1m --by host --now 2026-11-25T03:00:00Z alert/auth.ndjson",
       "Page when a host logs more than 20 failed logins a minute, two minutes in a row."},
      {"olly alert --slo 99.9 --period 30d --bad 'status >= 500' --by service --now 2026-11-25T03:00:00Z requests.ndjson",
       "Multiwindow burn-rate alerts on a 99.9% availability objective."},
      {"olly alert --rules alert/rules.yaml --now 2026-11-25T03:00:00Z requests.ndjson", "Every rule of a rules file."},
      {"olly alert --test alert/rules_test.yaml", "Unit-test the rules (exit 1 on a failing test)."},
  };
  doc.exit_status = exit_status_text("an alert fired (a firing event was written) in this run, or a --test failed");
  doc.see_also = {"olly(7)", "olly-agg(1)", "olly-filter(1)"};

  return run_tool(app, doc, argc, argv, [&]() -> int {
    if (!f.test_path.empty()) {
      if (r.any() || !f.rules_path.empty() || !f.files.empty() || !f.state_path.empty()) {
        throw UsageError("--test runs the rule tests of FILE alone: leave out rules, input files and --state");
      }
      return run_rule_tests(f.test_path, f.junit_path);
    }
    if (!f.junit_path.empty()) throw UsageError("--junit goes with --test");
    if (f.rules_path.empty() == !r.any()) {
      throw UsageError(f.rules_path.empty()
                           ? "no rule: give --rules FILE, or one of --rule, --slo, --anomaly, --absent"
                           : "--rules and an inline rule (--rule, --slo, --anomaly, --absent) cannot be combined");
    }
    const RuleSet rules = f.rules_path.empty() ? rules_from_flags(r) : load_rules_file(f.rules_path);
    AlertOptions opts;
    opts.lateness_ns = duration_or_throw(f.lateness, "--lateness", true);
    if (!f.repeat.empty()) opts.repeat_ns = duration_or_throw(f.repeat, "--repeat", false);
    opts.time_field = f.common.time_field;
    opts.time_format = resolve_time_layout(f.common);
    opts.max_groups = f.max_groups;
    const int64_t now = resolve_now(f.common);
    RunContext ctx(f.common);
    const bool hold = inputs_are_regular_files(f.files);
    const bool series = hold && files_hold_series(f.files);
    AlertEngine engine(rules, opts, hold);
    if (!f.state_path.empty() && !f.reset_state && std::filesystem::exists(f.state_path)) {
      std::string text, reason;
      if (!read_file(f.state_path, text, reason, 1u << 30)) {
        throw UsageError(fmt::format("--state {}: {}", f.state_path, reason));
      }
      engine.load_state(text, f.state_path);
    }
    if (series) engine.set_series_input(true);
    AlertStage stage(engine, hold && !series, now, !f.state_path.empty());
    run.files = f.files;
    run.jobs = default_jobs(run.jobs);
    run_event_stage(run, ctx, stage);
    if (!f.state_path.empty()) write_file_atomically("--state", f.state_path, engine.save_state());
    const uint64_t late = engine.late_events();
    ctx.add_stat("late", static_cast<int64_t>(late));
    ctx.add_stat("alerts_fired", static_cast<int64_t>(stage.firing_written()));
    if (!f.state_path.empty()) ctx.add_stat("already_seen", static_cast<int64_t>(engine.seen_events()));
    if (late > 0) {
      ctx.add_note(fmt::format("{} late event{} not counted: {} window had been evaluated{}", late, late == 1 ? "" : "s",
                               late == 1 ? "its" : "their",
                               engine.lateness_needed() > 0
                                   ? fmt::format("; add --lateness {}", format_duration(round_up_duration(engine.lateness_needed())))
                                   : ""));
    }
    return ctx.finish(stage.firing_written() > 0 ? kExitFindings : kExitOk);
  });
}
