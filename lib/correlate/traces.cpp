#include "correlate/traces.h"

#include <fmt/format.h>

#include <functional>
#include <optional>
#include <queue>
#include <string_view>

#include "core/diag.h"
#include "core/runner.h"
#include "core/stage.h"
#include "correlate/traces_assemble.h"
#include "expr/extract.h"
#include "expr/path.h"
#include "expr/timefield.h"
#include "time/timeutil.h"
#include "window/watermark.h"
#include "expr/timerange.h"

namespace olly {
namespace {

// OTLP's error status, however a span writer spelled it.
bool is_error_status(const Value& v) {
  if (v.kind == Kind::boolean) return v.b;
  if (v.kind == Kind::integer) return v.i == 2;  // STATUS_CODE_ERROR
  if (v.kind != Kind::string) return false;
  auto eq = [&](std::string_view want) {
    if (v.s.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i) {
      char c = v.s[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != want[i]) return false;
    }
    return true;
  };
  return eq("ERROR") || eq("STATUS_CODE_ERROR");
}

const std::string_view* opt_string(const Value& v, std::string_view& holder) {
  if (v.kind != Kind::string) return nullptr;
  holder = v.s;
  return &holder;
}

// The active traces' index: trace id -> TraceBuf slot. Open addressing with
// linear probing and backward-shift deletion (no tombstones), load at most
// 1/2: a lookup is mostly one probe of 16 bytes, where a node-based map
// costs allocations and cache misses with tens of thousands of traces open.
class ActiveIndex {
 public:
  static uint64_t hash(std::string_view id) { return std::hash<std::string_view>{}(id) | 1; }

  // The slot of the trace with this id, or UINT32_MAX.
  template <class IdOf>
  uint32_t find(std::string_view id, uint64_t h, IdOf&& id_of) const {
    if (cells_.empty()) return UINT32_MAX;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Cell& c = cells_[i];
      if (c.h == 0) return UINT32_MAX;
      if (c.h == h && id_of(c.slot) == id) return c.slot;
    }
  }
  void insert(uint64_t h, uint32_t slot) {
    if ((size_ + 1) * 2 > cells_.size()) grow();
    place(h, slot);
    ++size_;
  }
  // Removes the cell of slot (present, hash h).
  void erase(uint64_t h, uint32_t slot) {
    size_t i = h & mask_;
    while (!(cells_[i].h == h && cells_[i].slot == slot)) i = (i + 1) & mask_;
    // Shift back the cells after it that probed past i.
    for (size_t j = (i + 1) & mask_; cells_[j].h != 0; j = (j + 1) & mask_) {
      size_t home = cells_[j].h & mask_;
      if (((j - home) & mask_) >= ((j - i) & mask_)) {
        cells_[i] = cells_[j];
        i = j;
      }
    }
    cells_[i] = Cell{};
    --size_;
  }

 private:
  struct Cell {
    uint64_t h = 0;  // 0: empty (hashes have the low bit set)
    uint32_t slot = 0;
  };
  void place(uint64_t h, uint32_t slot) {
    size_t i = h & mask_;
    while (cells_[i].h != 0) i = (i + 1) & mask_;
    cells_[i] = Cell{h, slot};
  }
  void grow() {
    std::vector<Cell> old = std::move(cells_);
    cells_.assign(old.empty() ? 1024 : old.size() * 2, Cell{});
    mask_ = cells_.size() - 1;
    for (const Cell& c : old) {
      if (c.h != 0) place(c.h, c.slot);
    }
  }
  std::vector<Cell> cells_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

class TracesStage : public Stage {
 public:
  TracesStage(const TracesOptions& opts, const CorrelateCommon& common)
      : idle_(duration_or_throw(opts.idle, "--idle", true)),
        max_pending_(common.max_pending),
        wm_(duration_or_throw(common.lateness, "--lateness", true)),
        time_field_(common.common.time_field),
        time_format_(resolve_time_layout(common.common)) {
    // The event time is read only when a span has no start field: by a
    // second extractor over the rewound document (the same paths first, so
    // the slots agree), which keeps the common case's extractor small.
    auto add = [&](const std::string& field, std::string_view flag) {
      Path path = parse_path_or_throw(field, flag);
      fallback_.add(path);
      return extractor_.add(path);
    };
    // In the order `olly parse otlp` writes them: a key is matched against
    // the paths in order, so the common case finds its path first.
    signal_ = add("signal", "signal");
    name_ = add(opts.name_field, "--name-field");
    service_ = add(opts.service_field, "--service-field");
    trace_ = add(opts.trace_field, "--trace-field");
    span_ = add(opts.span_field, "--span-field");
    parent_ = add(opts.parent_field, "--parent-field");
    status_ = add(opts.status_field, "--status-field");
    duration_ = add(opts.duration_field, "--duration-field");
    start_ = add(opts.start_field, "--start-field");
    end_ = add(opts.end_field, "--end-field");
    time_.emplace(time_field_, fallback_, time_format_);
  }

  Result on_event(Event& ev, Emitter& out) override {
    if (auto e = extractor_.extract(*ev.doc, slots_)) return Result::bad(e);
    const Value& signal = slots_[signal_];
    if (signal.kind == Kind::string && signal.s != "span") return Result::set_aside("not a span (signal is not \"span\")");
    if (slots_[trace_].kind != Kind::string || slots_[trace_].s.empty()) return Result::bad("no trace id (--trace-field)");
    if (slots_[span_].kind != Kind::string || slots_[span_].s.empty()) return Result::bad("no span id (--span-field)");
    std::optional<TimeNs> start = TimeFieldReader::from_value(slots_[start_], time_format_);
    if (!start && slots_[start_].kind == Kind::missing) {
      ev.doc->rewind();
      if (auto e = fallback_.extract(*ev.doc, slots_)) return Result::bad(e);
      start = time_->read(slots_);
    }
    // The fallback refills slots_ (its storage may move): read the ids after it.
    const Value& trace = slots_[trace_];
    const Value& span = slots_[span_];
    if (!start) return Result::bad("no readable span start (--start-field, --time-field)");
    std::optional<TimeNs> end = TimeFieldReader::from_value(slots_[end_], time_format_);
    if (!end) {
      const Value& d = slots_[duration_];
      if (!d.is_numeric() || !(d.as_double() >= 0) || d.as_double() > 1e12) {
        return Result::bad("no readable span end (--end-field) or duration (--duration-field)");
      }
      end = saturating_add(*start, static_cast<int64_t>(d.as_double() * 1e6 + 0.5));
    }
    if (*end < *start) return Result::bad("span ends before it starts");

    // Spans of one trace mostly come together: the last one is checked first.
    uint32_t slot = last_slot_;
    if (!(slot < traces_.size() && traces_[slot].active && traces_[slot].trace_id == trace.s)) {
      const uint64_t h = ActiveIndex::hash(trace.s);
      slot = active_.find(trace.s, h, [this](uint32_t i) { return std::string_view(traces_[i].trace_id); });
      if (slot == UINT32_MAX) {
        // Its trace, had it been seen, would have been written already.
        if (wm_.closed_after(*end, idle_)) {
          ++late_;
          return Result::set_aside("late span: its trace was idle past --idle plus --lateness");
        }
        slot = new_trace(trace.s, h);
      }
    }
    last_slot_ = slot;
    TraceBuf& t = traces_[slot];
    std::string_view parent, name, service;
    const std::string_view* parent_p = opt_string(slots_[parent_], parent);
    if (parent_p && parent.empty()) parent_p = nullptr;
    t.add(span.s, parent_p, opt_string(slots_[name_], name), opt_string(slots_[service_], service), *start,
          *end, is_error_status(slots_[status_]));
    if (++held_ > max_pending_) {
      throw InputError(fmt::format("traces: more than {} spans held at once (--max-pending); raise it, or "
                                   "lower --idle or --lateness",
                                   max_pending_));
    }
    if (t.spans.size() == 1) {
      t.last_seen = *end;
      idle_queue_.push(QueueEntry{*end, t.seq, slot});
    } else if (*end > t.last_seen) {
      t.last_seen = *end;  // its queue entry moves on when it comes up
    }
    if (!wm_.started() || *end > wm_.value()) {
      wm_.observe(*end);
      close_idle(out, false);
    }
    return Result::ok();
  }

  void on_end(Emitter& out) override { close_idle(out, true); }

  uint64_t traces() const { return traces_out_; }
  uint64_t late() const { return late_; }

 private:
  struct QueueEntry {
    int64_t last_seen;
    uint64_t seq;
    uint32_t slot;
    bool operator>(const QueueEntry& o) const {
      return last_seen != o.last_seen ? last_seen > o.last_seen : seq > o.seq;
    }
  };

  uint32_t new_trace(std::string_view id, uint64_t h) {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(traces_.size());
      traces_.emplace_back();
      // Room for a typical trace up front, rather than growing 1, 2, 4, 8.
      traces_.back().spans.reserve(8);
      traces_.back().text.reserve(256);
    }
    TraceBuf& t = traces_[slot];
    t.trace_id.assign(id);
    t.seq = next_seq_++;
    t.active = true;
    t.hash = h;
    active_.insert(h, slot);
    return slot;
  }

  // Writes the traces idle for more than --idle before the watermark less
  // --lateness (no span of theirs can arrive any more), oldest first; at the
  // end of input, all of them. A trace's one queue entry may be behind its
  // last_seen: it then goes back in at last_seen.
  void close_idle(Emitter& out, bool all) {
    while (!idle_queue_.empty()) {
      QueueEntry e = idle_queue_.top();
      TraceBuf& t = traces_[e.slot];
      bool current = t.active && t.seq == e.seq;
      if (current && !all && !wm_.closed_after(e.last_seen, idle_)) break;
      idle_queue_.pop();
      if (!current) continue;
      if (t.last_seen > e.last_seen) {
        idle_queue_.push(QueueEntry{t.last_seen, e.seq, e.slot});
        continue;
      }
      summarizer_.write(t, out.buffer());
      out.commit();
      ++traces_out_;
      held_ -= t.spans.size();
      active_.erase(t.hash, e.slot);
      t.clear();
      free_.push_back(e.slot);
    }
  }

  int64_t idle_;
  size_t max_pending_;
  Watermark wm_;
  std::string time_field_;
  TimeLayout time_format_;  // --time-format, --tz, --year
  FieldExtractor extractor_;
  FieldExtractor fallback_;
  std::optional<TimeFieldReader> time_;
  std::vector<Value> slots_;
  size_t trace_, span_, parent_, start_, end_, duration_, service_, name_, status_, signal_;

  std::vector<TraceBuf> traces_;
  std::vector<uint32_t> free_;
  ActiveIndex active_;

  std::priority_queue<QueueEntry, std::vector<QueueEntry>, std::greater<>> idle_queue_;
  TraceSummarizer summarizer_;
  uint64_t next_seq_ = 0;
  uint32_t last_slot_ = UINT32_MAX;
  size_t held_ = 0;
  uint64_t traces_out_ = 0;
  uint64_t late_ = 0;
};

}  // namespace

void add_traces_options(CLI::App& app, TracesOptions& o) {
  app.add_option("--idle", o.idle,
                 "traces: write a trace once no span of it has ended for this long in event time (default 30s)")
      ->type_name("DURATION");
  app.add_option("--trace-field", o.trace_field, "traces: the trace id field (default trace_id)")->type_name("FIELD");
  app.add_option("--span-field", o.span_field, "traces: the span id field (default span_id)")->type_name("FIELD");
  app.add_option("--parent-field", o.parent_field, "traces: the parent span id field (default parent_span_id)")
      ->type_name("FIELD");
  app.add_option("--start-field", o.start_field,
                 "traces: the span start time (default start_time_unix_nano; absent: the event time)")
      ->type_name("FIELD");
  app.add_option("--end-field", o.end_field,
                 "traces: the span end time (default end_time_unix_nano; absent: start + duration)")
      ->type_name("FIELD");
  app.add_option("--duration-field", o.duration_field, "traces: the span duration in milliseconds (default duration_ms)")
      ->type_name("FIELD");
  app.add_option("--service-field", o.service_field, "traces: the span's service (default service)")
      ->type_name("FIELD");
  app.add_option("--name-field", o.name_field, "traces: the span's name (default name)")->type_name("FIELD");
  app.add_option("--status-field", o.status_field,
                 "traces: the span status; ERROR, STATUS_CODE_ERROR, 2 or true is a failure (default status)")
      ->type_name("FIELD");
}

std::string traces_doc() {
  return "olly-correlate traces assembles span events into one event per trace. The defaults read what "
         "`olly parse otlp` writes (trace_id, span_id, parent_span_id, start_time_unix_nano, "
         "end_time_unix_nano, duration_ms, service, name, status); --trace-field, --span-field, "
         "--parent-field, --start-field, --end-field, --duration-field, --service-field, --name-field and "
         "--status-field name others. A span without a start field takes the event time (--time-field, or "
         "ts, timestamp, time, @timestamp); one without an end field ends at start plus its duration in "
         "milliseconds. A span without a trace id, a span id, a readable start or an end is a bad record. An "
         "event whose signal field is present and is not \"span\" (an OTLP log or metric) is set aside: "
         "written to --errors, not counted as bad.\n\n"
         "Each trace is written as: trace_id; ts and end (the earliest span start and the latest span end, "
         "RFC 3339; ts so that the other verbs read it as the event time); duration_ms; root_span_id, "
         "root_name, root_service; span_count; services (distinct, in input order); error (true when a span "
         "failed) and error_origin (the deepest failing span, the earliest on a tie: span_id, name, service; "
         "null when none failed); critical_path; orphans (how many spans name a parent that never arrived) "
         "and, when there are any, orphan_ids and missing_parents; broken_parent_ids when a span is its "
         "own parent or parents form a cycle. The root is the earliest span without a parent; when every "
         "span has a parent, the earliest orphan.\n\n"
         "The critical path is the chain of spans that determined the trace's duration, computed the way "
         "Jaeger's UI does: from the root's end, take the child that finishes last among the children that "
         "start before the cursor, charge the gap after it to the parent, walk that child, and move the "
         "cursor to the child's start; what remains down to the parent's start is the parent's own time. "
         "Children are clipped to their parent's interval (a child that outlives its parent, or starts "
         "before it through clock skew, counts only inside it; one wholly outside is left out). Where "
         "Jaeger takes only a child that ends before the cursor, olly takes any child that starts before "
         "it and counts it up to the cursor, so overlapping and back-to-back children keep their share. "
         "Each entry is span_id, name, service and self_ms (the time charged to that span), in the order "
         "the walk meets them (root first); the self_ms add up to the root's duration.\n\n"
         "Event time is the latest span end seen. A trace is written once it has been idle (no span of it "
         "ended later) for more than --idle plus --lateness of event time, or at the end of input: --idle "
         "is how long a trace may pause between spans, --lateness how far out of order spans may arrive "
         "(with --idle 0s a trace waits for --lateness alone). Only active traces are held; --max-pending "
         "bounds the spans held at once. A span of no open trace that itself ended more than --idle plus "
         "--lateness before event time (its trace, had it come earlier, is written already) is set aside "
         "as late and counted in --stats as late_spans; traces written are counted as traces.\n\n"
         "WORKED EXAMPLE: correlate/traces.ndjson holds hand-made traces (correlate/traces.md shows each "
         "critical path computed by hand). Its trace t1 is a checkout: root r1 (0 to 100 ms) with children "
         "d1 (db, 10 to 60) and p1 (payments, 40 to 90, failed), and c1 (bank, 45 to 85, failed) under p1:\n\n"
         "  $ olly correlate traces correlate/traces.ndjson\n"
         "  ... {\"trace_id\":\"t1\",...,\"duration_ms\":100,\"root_name\":\"POST /checkout\",...,\"error\":true,\n"
         "  \"error_origin\":{\"span_id\":\"c1\",\"name\":\"charge\",\"service\":\"bank\"},\"critical_path\":[\n"
         "  {\"span_id\":\"r1\",...,\"self_ms\":20},{\"span_id\":\"p1\",...,\"self_ms\":10},\n"
         "  {\"span_id\":\"c1\",...,\"self_ms\":40},{\"span_id\":\"d1\",...,\"self_ms\":30}],\"orphans\":0}\n\n"
         "p1 ends last, so the walk enters it at 90 (r1 keeps 90 to 100), c1 inside it takes 45 to 85 and "
         "p1 keeps 40 to 45 and 85 to 90; back in r1 at 40, d1 started before 40 and is counted from 10 to "
         "40; r1 keeps 0 to 10. The failing span deepest in the tree is c1.";
}

std::vector<Example> traces_examples() {
  return {
      {"olly correlate traces correlate/traces.ndjson",
       "One event per trace: root, duration, services, error origin and critical path."},
      {"olly parse otlp parse/trace.json | olly correlate traces | olly agg p99:duration_ms by root_service",
       "The 99th percentile trace duration per root service, from OTLP JSON."},
  };
}

int run_traces(const TracesOptions& opts, CorrelateCommon& common) {
  RunContext ctx(common.common);
  TracesStage stage(opts, common);
  RunnerOptions runner;
  runner.files = common.args;
  run_event_stage(runner, ctx, stage);
  ctx.add_stat("traces", static_cast<int64_t>(stage.traces()));
  ctx.add_stat("late_spans", static_cast<int64_t>(stage.late()));
  return ctx.finish(kExitOk);
}

}  // namespace olly
