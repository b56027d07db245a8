#include "correlate/sessionize.h"

#include <fmt/format.h>

#include <string_view>

#include "core/diag.h"
#include "core/runner.h"
#include "core/stage.h"
#include "core/writer.h"
#include "correlate/elapsed.h"
#include "correlate/sessionize_table.h"
#include "expr/extract.h"
#include "expr/json_value.h"
#include "expr/path.h"
#include "expr/timefield.h"
#include "group/group_key.h"
#include "time/timeutil.h"
#include "expr/timerange.h"

namespace olly {
namespace {

void write_time(JsonBuilder& j, std::string_view key, int64_t t) {
  char buf[kRfc3339MaxLen];
  char* end = format_rfc3339(buf, t);
  j.key(key);
  j.string(std::string_view(buf, static_cast<size_t>(end - buf)));
}

class SessionizeStage : public Stage {
 public:
  SessionizeStage(const SessionizeOptions& opts, const CorrelateCommon& common)
      : table_(duration_or_throw(opts.gap, "--gap", false), duration_or_throw(common.lateness, "--lateness", true),
               common.max_pending),
        time_(common.common.time_field, extractor_, resolve_time_layout(common.common)),
        key_names_{common.key},
        first_names_(opts.first),
        last_names_(opts.last) {
    key_slot_ = extractor_.add(parse_path_or_throw(common.key, "--key"));
    for (const auto& f : opts.first) first_slots_.push_back(extractor_.add(parse_path_or_throw(f, "--first")));
    for (const auto& f : opts.last) last_slots_.push_back(extractor_.add(parse_path_or_throw(f, "--last")));
  }

  Result on_event(Event& ev, Emitter& out) override {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    const Value& key = slots_[key_slot_];
    if (key.is_nullish()) return Result::bad("no key (--key)");
    std::optional<TimeNs> time = time_.read(slots_);
    if (!time) return Result::bad("no readable event time (--time-field)");
    key_buf_.clear();
    append_key_part(key_buf_, key);
    auto added = table_.add(key_buf_, *time);
    if (!added) return Result::set_aside("late event: older than the latest event time less --lateness");
    SessionTable::Session& s = table_.at(added->slot);
    if (added->is_first) store(s.first, first_slots_);
    if (added->is_last) store(s.last, last_slots_);
    table_.advance(*time, [&](const SessionTable::Session& done) { write(done, out); });
    return Result::ok();
  }

  void on_end(Emitter& out) override {
    table_.drain([&](const SessionTable::Session& done) { write(done, out); });
  }

  uint64_t sessions() const { return sessions_out_; }
  uint64_t late() const { return table_.late(); }

 private:
  void store(std::vector<std::string>& out, const std::vector<size_t>& slots) {
    out.resize(slots.size());
    for (size_t i = 0; i < slots.size(); ++i) {
      out[i].clear();
      append_value_json(out[i], slots_[slots[i]]);
    }
  }

  void write(const SessionTable::Session& s, Emitter& out) {
    JsonBuilder j(out.buffer());
    j.begin_object();
    write_key_fields(j, key_names_, s.key);
    write_time(j, "ts", s.start);  // ts: what the other verbs read as event time
    write_time(j, "end", s.end);
    j.field_number("duration_ms", elapsed_ms(s.start, s.end));
    j.field_int("count", static_cast<int64_t>(s.count));
    auto values = [&](std::string_view name, const std::vector<std::string>& names,
                      const std::vector<std::string>& json) {
      if (names.empty()) return;
      j.key(name);
      j.begin_object();
      for (size_t i = 0; i < names.size(); ++i) j.field_raw(names[i], json[i]);
      j.end_object();
    };
    values("first", first_names_, s.first);
    values("last", last_names_, s.last);
    j.end_object();
    out.commit();
    ++sessions_out_;
  }

  SessionTable table_;
  FieldExtractor extractor_;
  TimeFieldReader time_;
  std::vector<std::string> key_names_, first_names_, last_names_;
  size_t key_slot_;
  std::vector<size_t> first_slots_, last_slots_;
  std::vector<Value> slots_;
  std::string key_buf_;
  uint64_t sessions_out_ = 0;
};

}  // namespace

void add_sessionize_options(CLI::App& app, SessionizeOptions& o) {
  app.add_option("--gap", o.gap, "sessionize: the idle time in event time that ends a session (required)")
      ->type_name("DURATION");
  app.add_option("--first", o.first, "sessionize: fields whose first value in each session is written (comma-separated)")
      ->type_name("FIELDS")
      ->delimiter(',')
      ->allow_extra_args(false);
  app.add_option("--last", o.last, "sessionize: fields whose last value in each session is written (comma-separated)")
      ->type_name("FIELDS")
      ->delimiter(',')
      ->allow_extra_args(false);
}

std::string sessionize_doc() {
  return "olly-correlate sessionize --key K --gap D splits each key's events into sessions: a session "
         "ends when the key has no event for more than --gap of event time (--time-field, or ts, "
         "timestamp, time, @timestamp). Each session is written as: the key (under its field name), ts "
         "and end (the first and last event times, RFC 3339; the start is ts so that the other verbs read it "
         "as the event time), duration_ms (end - start in milliseconds; 0 "
         "for one event), count, and, with --first F,... and --last F,..., objects first and last holding "
         "those fields' values at the session's earliest and latest event (null when absent; on equal "
         "times, the first and last in input order).\n\n"
         "A session is written once the watermark (the latest event time seen) less --lateness is past its "
         "end plus --gap, or at the end of input; sessions are written in the order their ends fall. Input "
         "out of order by up to --lateness joins its session, and an event that falls between two open "
         "sessions of its key, within --gap of both, joins them into one. An event older than the "
         "watermark less --lateness that no open session takes is set aside as late (--errors; late_events "
         "in --stats). An event without the key or a readable time is a bad record. Only open sessions are "
         "held; --max-pending bounds how many.\n\n"
         "WORKED EXAMPLE: in correlate/clicks.ndjson, user u1 clicks at 10:00, 10:05 and 10:50, user u2 "
         "at 10:02:\n\n"
         "  $ olly correlate sessionize --key user --gap 30m --first page --last page correlate/clicks.ndjson\n"
         "  {\"user\":\"u2\",\"ts\":\"2026-01-01T10:02:00Z\",\"end\":\"2026-01-01T10:02:00Z\",\"duration_ms\":0,...\n"
         "  {\"user\":\"u1\",\"ts\":\"2026-01-01T10:00:00Z\",\"end\":\"2026-01-01T10:05:00Z\",\"duration_ms\":300000,\n"
         "  \"count\":2,\"first\":{\"page\":\"/home\"},\"last\":{\"page\":\"/cart\"}}\n"
         "  {\"user\":\"u1\",\"ts\":\"2026-01-01T10:50:00Z\",...,\"count\":1,...}\n\n"
         "u1's click at 10:50 comes 45 minutes after the one before: more than --gap, so a second session.";
}

std::vector<Example> sessionize_examples() {
  return {{"olly correlate sessionize --key user --gap 30m --first page --last page correlate/clicks.ndjson",
           "Sessions per user split by 30 minutes without a click, with the first and last page."}};
}

int run_sessionize(const SessionizeOptions& opts, CorrelateCommon& common) {
  if (common.key.empty()) throw UsageError("sessionize: --key is required");
  if (opts.gap.empty()) throw UsageError("sessionize: --gap is required");
  RunContext ctx(common.common);
  SessionizeStage stage(opts, common);
  RunnerOptions runner;
  runner.files = common.args;
  run_event_stage(runner, ctx, stage);
  ctx.add_stat("sessions", static_cast<int64_t>(stage.sessions()));
  ctx.add_stat("late_events", static_cast<int64_t>(stage.late()));
  return ctx.finish(kExitOk);
}

}  // namespace olly
