#include "correlate/sequence.h"

#include <fmt/format.h>

#include <memory>

#include "core/diag.h"
#include "core/run.h"
#include "core/runner.h"
#include "core/stage.h"
#include "correlate/sequence_state.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/path.h"
#include "expr/timefield.h"
#include "group/group_key.h"
#include "time/timeutil.h"
#include "expr/timerange.h"

namespace olly {

SequenceWords parse_sequence_words(const std::vector<std::string>& args) {
  SequenceWords w;
  if (args.empty()) throw UsageError("sequence: give the steps: A then B [then C] [FILE...]");
  w.steps.push_back(args[0]);
  size_t i = 1;
  while (i < args.size() && args[i] == "then") {
    if (w.last_negated) throw UsageError("sequence: `then not X` must be the last step");
    if (i + 1 >= args.size()) throw UsageError("sequence: `then` needs a step after it");
    if (args[i + 1] == "not") {
      if (i + 2 >= args.size()) throw UsageError("sequence: `then not` needs a step after it");
      w.last_negated = true;
      w.steps.push_back(args[i + 2]);
      i += 3;
    } else {
      w.steps.push_back(args[i + 1]);
      i += 2;
    }
  }
  if (w.steps.size() < 2) throw UsageError("sequence: give at least two steps: A then B (or A then not B)");
  if (w.steps.size() > 64) throw UsageError("sequence: at most 64 steps");
  w.files.assign(args.begin() + static_cast<ptrdiff_t>(i), args.end());
  return w;
}

namespace {

class SequenceStage : public Stage {
 public:
  SequenceStage(const SequenceWords& words, const std::vector<std::string>& by, const std::string& time_field,
                const TimeLayout& time_format, SequenceState& state, size_t max_pending)
      : time_(time_field, extractor_, time_format), state_(state), max_pending_(max_pending) {
    for (size_t i = 0; i < words.steps.size(); ++i) {
      steps_.push_back(Expr::compile(words.steps[i], fmt::format("step {}", i + 1)));
      std::vector<size_t> slots;
      for (const Path& p : steps_.back().paths()) slots.push_back(extractor_.add(p));
      step_slots_.push_back(std::move(slots));
    }
    for (const auto& name : by) by_slots_.push_back(extractor_.add(parse_path_or_throw(name, "--by")));
    no_time_ = time_field.empty() ? "no event time (ts, timestamp, time or @timestamp)"
                                  : "no event time in --time-field";
  }

  Result on_event(Event& ev, Emitter& out) override {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    const auto t = time_.read(slots_);
    if (!t) return Result::bad(no_time_);
    scratch_.reset();
    uint64_t mask = 0;
    for (size_t i = 0; i < steps_.size(); ++i) {
      values_.resize(step_slots_[i].size());
      for (size_t k = 0; k < values_.size(); ++k) values_[k] = slots_[step_slots_[i][k]];
      if (steps_[i].test(values_, scratch_)) mask |= uint64_t{1} << i;
    }
    // A value a step could not read (nested too deep): a bad record, not a silent false.
    if (scratch_.error()) return Result::bad(static_cast<simdjson::error_code>(scratch_.error()));
    if (mask != 0 && state_.late(*t)) {
      ++late_;
      return Result::set_aside("late: more than --lateness behind the latest event time");
    }
    key_.clear();
    for (size_t slot : by_slots_) append_key_part(key_, slots_[slot]);
    std::string_view raw = ev.raw;
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
    state_.add(*t, mask, key_, raw, out);
    // Past --max-pending the run stops reading; run_sequence reports it.
    if (state_.held() > max_pending_) over_ = true;
    return Result::ok();
  }

  bool done() const override { return over_; }
  void on_end(Emitter& out) override {
    if (!over_) state_.finish(out);
  }
  bool over() const { return over_; }

  uint64_t late() const { return late_; }

 private:
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::vector<Expr> steps_;
  std::vector<std::vector<size_t>> step_slots_;
  std::vector<size_t> by_slots_;
  std::vector<Value> slots_;
  std::vector<Value> values_;
  EvalScratch scratch_;
  std::string key_;
  std::string no_time_;
  SequenceState& state_;
  size_t max_pending_;
  uint64_t late_ = 0;
  bool over_ = false;
};

std::vector<std::string> split_by_fields(const std::vector<std::string>& by) {
  std::vector<std::string> names;
  for (const auto& item : by) {
    size_t start = 0;
    while (start <= item.size()) {
      size_t comma = item.find(',', start);
      if (comma == std::string::npos) comma = item.size();
      std::string name = item.substr(start, comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (name.empty()) throw UsageError(fmt::format("--by: empty field name in '{}'", item));
      names.push_back(std::move(name));
      start = comma + 1;
    }
  }
  return names;
}

}  // namespace

void add_sequence_options(CLI::App&, SequenceOptions&) {}

int run_sequence(const SequenceOptions&, CorrelateCommon& common) {
  const SequenceWords words = parse_sequence_words(common.args);
  const int64_t within = duration_or_throw(common.within, "--within", true);
  const int64_t lateness = duration_or_throw(common.lateness, "--lateness", true);
  SequenceShape shape;
  shape.steps = words.steps.size();
  shape.last_negated = words.last_negated;
  if (words.last_negated) shape.missing_text = words.steps.back();
  shape.by = split_by_fields(common.by);
  const std::vector<std::string> by = shape.by;
  SequenceState state(std::move(shape), within, lateness);
  SequenceStage stage(words, by, common.common.time_field, resolve_time_layout(common.common), state, common.max_pending);

  RunContext ctx(common.common);
  auto finish = [&](int code) {
    ctx.add_stat("sequences", static_cast<int64_t>(state.emitted()));
    ctx.add_stat("expired", static_cast<int64_t>(state.expired()));
    ctx.add_stat("cancelled", static_cast<int64_t>(state.cancelled()));
    ctx.add_stat("open_at_end", static_cast<int64_t>(state.open_at_end()));
    ctx.add_stat("late", static_cast<int64_t>(stage.late()));
    ctx.add_stat("held_peak", static_cast<int64_t>(state.held_peak()));
    if (stage.late() > 0) {
      ctx.add_note(fmt::format("{} late event(s) set aside (more than --lateness {} behind; see --errors)",
                               stage.late(), common.lateness));
    }
    return ctx.finish(code);
  };
  RunnerOptions runner;
  runner.files = words.files;
  run_event_stage(runner, ctx, stage);
  if (stage.over()) {
    stdout_sink().flush();
    print_error(fmt::format(
        "sequence: more than {} events and open sequences held at once (--max-pending): input out of "
        "order by more than that within --lateness {}, or that many sequences open within --within {}; "
        "raise --max-pending",
        common.max_pending, common.lateness, common.within));
    return finish(kExitInput);
  }
  return finish(kExitOk);
}

std::string sequence_doc() {
  return R"(olly-correlate sequence A then B [then C ...] --within D [--by FIELDS] [FILE...] finds events matching step A followed, in event time, by an event matching B (then C ...) in the same group (--by; one group when not given), the last step at most --within after the first (inclusive). The steps are expressions (olly(7)) given as separate words before the files: the first word is step A; each word `then` brings one more step, the word after it; `then not X` (as the last step only) asks for the sequences that X does not follow within --within. The first word after a step that is not `then` is the first file, so an expression cannot be the word `then` and a file cannot be named `then`.

Each completed sequence is one event: the group fields, "steps" (the matched events as they were read, in order), "start" and "end" (the first and last step's times, RFC 3339) and "duration_ms". With `then not X`, a sequence is written once --within has passed since its first step with no X after its other steps; the event also has "missing": the text of X.

Overlapping sequences: every event matching A starts a sequence of its own; an event that matches a later step advances the oldest open sequence of its group waiting for that step (one sequence per event), so a deploy followed by three errors makes one sequence, and two deploys followed by two errors make two. An event that matches A and a later step first advances an older sequence, then starts its own. An X of `then not X` ends every sequence of its group that is waiting for it (counted as cancelled).

Event time: events that match a step wait until event time (the latest time read) is --lateness past them, then run through the sequences in time order (input order for equal times); so input out of order by up to --lateness gives the result of sorted input. An event matching a step that is more than --lateness behind the latest time is late: set aside (--errors, counted as late in --stats). A sequence that cannot complete within --within is dropped (counted as expired) once event time minus --lateness passes its deadline. At the end of input, every waiting event is processed; a `then not` sequence is written only if event time went past its deadline (a later event was read), and sequences still open are not written (counted as open_at_end): the input ended before it could tell.

Every event needs a readable event time (else it is a bad record: counted, --errors with the reason, --strict stops); an event without a --by field is in the group where that field is null. --max-pending N stops the run (exit 3, with --stats) when more than N events and open sequences are held at once. --stats adds sequences, expired, cancelled, open_at_end, late and held_peak.

WORKED EXAMPLE: a deploy followed by a server error within 10 minutes, per service:

  $ olly correlate sequence 'type == "deploy"' then 'status >= 500' --within 10m --by service correlate/sequence-deploys.ndjson
  {"service":"api","steps":[{"ts":"2026-03-01T10:00:00Z","service":"api","type":"deploy","version":"1.4"},{"ts":"2026-03-01T10:03:00Z","service":"api","type":"request","status":503}],"start":"2026-03-01T10:00:00Z","end":"2026-03-01T10:03:00Z","duration_ms":180000}

The 500 at 10:04 finds no open deploy (the 503 took it), the 502 at 10:20 is too late, and the web deploy has no error. And the deploys with no health check within 5 minutes:

  $ olly correlate sequence 'type == "deploy"' then not 'type == "health"' --within 5m --by service correlate/sequence-deploys.ndjson
  {"service":"web","steps":[{"ts":"2026-03-01T10:02:00Z","service":"web","type":"deploy","version":"7"}],"start":"2026-03-01T10:02:00Z","end":"2026-03-01T10:02:00Z","duration_ms":0,"missing":"type == \"health\""})";
}

std::vector<Example> sequence_examples() {
  return {
      {"olly correlate sequence 'type == \"deploy\"' then 'status >= 500' --within 10m --by service "
       "correlate/sequence-deploys.ndjson",
       "A deploy followed by a server error of the same service within 10 minutes."},
      {"olly correlate sequence 'type == \"deploy\"' then not 'type == \"health\"' --within 5m --by service "
       "correlate/sequence-deploys.ndjson",
       "The deploys with no health check of their service within 5 minutes."},
  };
}

}  // namespace olly
