#include "correlate/sequence_state.h"

#include <utility>

#include "core/writer.h"
#include "correlate/elapsed.h"
#include "group/group_key.h"

namespace olly {

SequenceState::SequenceState(SequenceShape shape, int64_t within_ns, int64_t lateness_ns)
    : shape_(std::move(shape)), within_(within_ns), lateness_(lateness_ns) {}

void SequenceState::add(TimeNs t, uint64_t mask, const std::string& group, std::string_view raw, Emitter& out) {
  if (!started_ || t > latest_) latest_ = t;
  started_ = true;
  if (mask != 0) {
    buffer_.push(Pending{t, seq_++, mask, group, std::string(raw)});
    note_held();
  }
  // Events still to come are at frontier or later (earlier ones are late):
  // what is before it is in time order now, and deadlines before it have passed.
  const TimeNs frontier = minus(latest_, lateness_);
  release(frontier, out);
  expire(frontier, out);
}

void SequenceState::finish(Emitter& out) {
  release(INT64_MAX, out);
  // At the end, a deadline is past only if event time went beyond it.
  if (started_) expire(latest_, out);
  open_at_end_ = open_;
}

void SequenceState::release(TimeNs upto, Emitter& out) {
  while (!buffer_.empty() && buffer_.top().t <= upto) {
    Pending ev = std::move(const_cast<Pending&>(buffer_.top()));
    buffer_.pop();
    process(ev, out);
  }
}

void SequenceState::process(const Pending& ev, Emitter& out) {
  expire(ev.t, out);
  auto it = groups_.try_emplace(ev.group).first;
  Group& g = it->second;
  const size_t last = shape_.steps - 1;
  // The step that must not happen ends every sequence of the group waiting on it.
  if (shape_.last_negated && ((ev.mask >> last) & 1)) {
    for (auto p = g.open.begin(); p != g.open.end();) {
      if (p->next == last) {
        ++cancelled_;
        --open_;
        p = g.open.erase(p);
      } else {
        ++p;
      }
    }
  }
  // One event takes one step: that of the oldest sequence waiting for a step it matches.
  for (auto p = g.open.begin(); p != g.open.end(); ++p) {
    if (shape_.last_negated && p->next == last) continue;
    if (((ev.mask >> p->next) & 1) == 0) continue;
    p->steps.push_back(',');
    p->steps.append(ev.raw);
    p->end = ev.t;
    if (++p->next == shape_.steps) {
      write(it->first, *p, false, out);
      g.open.erase(p);
      --open_;
    }
    break;
  }
  // Each event matching the first step starts a sequence of its own.
  if (ev.mask & 1) {
    const uint64_t id = next_id_++;
    g.open.push_back(Partial{id, ev.t, ev.t, 1, ev.raw});
    deadlines_.push(Deadline{plus(ev.t, within_), id, &*it});
    ++g.deadlines;
    ++open_;
    note_held();
  }
  if (g.open.empty() && g.deadlines == 0) groups_.erase(it);
}

void SequenceState::expire(TimeNs now, Emitter& out) {
  while (!deadlines_.empty() && deadlines_.top().at < now) {
    const Deadline d = deadlines_.top();
    deadlines_.pop();
    Group& g = d.group->second;
    --g.deadlines;
    // Sequences of a group end in start order: if this one is still open, it is the oldest.
    if (!g.open.empty() && g.open.front().id == d.id) {
      const Partial& p = g.open.front();
      if (shape_.last_negated && p.next == shape_.steps - 1) {
        write(d.group->first, p, true, out);
      } else {
        ++expired_;
      }
      g.open.pop_front();
      --open_;
    }
    if (g.open.empty() && g.deadlines == 0) groups_.erase(groups_.find(d.group->first));
  }
}

void SequenceState::write(std::string_view group, const Partial& p, bool missing, Emitter& out) {
  ++emitted_;
  JsonBuilder j(out.buffer());
  j.begin_object();
  write_key_fields(j, shape_.by, group);
  line_.clear();
  line_.push_back('[');
  line_.append(p.steps);
  line_.push_back(']');
  j.field_raw("steps", line_);
  char buf[kRfc3339MaxLen];
  j.field("start", std::string_view(buf, static_cast<size_t>(format_rfc3339(buf, p.start) - buf)));
  j.field("end", std::string_view(buf, static_cast<size_t>(format_rfc3339(buf, p.end) - buf)));
  j.field_number("duration_ms", elapsed_ms(p.start, p.end));
  if (missing) j.field("missing", shape_.missing_text);
  j.end_object();
  out.commit();
}

}  // namespace olly
