#include "correlate/sessionize_table.h"

#include "time/timeutil.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/diag.h"

namespace olly {

SessionTable::SessionTable(int64_t gap, int64_t lateness, size_t max_pending)
    : gap_(gap), max_pending_(max_pending), wm_(lateness) {}

std::optional<SessionTable::Added> SessionTable::add(std::string_view key, int64_t t) {
  // A key's open sessions are more than gap apart, so the event touches at
  // most two: it extends one, or bridges two into one.
  auto it = open_.find(key);
  uint32_t slot = kNone;
  if (it != open_.end()) {
    auto& list = it->second;
    for (size_t i = 0; i < list.size();) {
      const Session& s = sessions_[list[i]];
      if (t >= saturating_sub(s.start, gap_) && t <= saturating_add(s.end, gap_)) {
        if (slot == kNone) {
          slot = list[i];
        } else {
          merge(slot, list[i]);
          release(list[i]);
          list.erase(list.begin() + static_cast<ptrdiff_t>(i));
          continue;
        }
      }
      ++i;
    }
  }
  if (slot == kNone) {
    // Older than the watermark less the lateness: its session may be written.
    if (wm_.started() && saturating_add(t, wm_.lateness()) < wm_.value()) {
      ++late_;
      return std::nullopt;
    }
    slot = open_session(it, key, t);
  }
  Session& s = sessions_[slot];
  Added added{slot, s.count == 0 || t < s.start, s.count == 0 || t >= s.end};
  if (added.is_first) s.start = t;
  if (added.is_last) {
    bool moved = s.count == 0 || t > s.end;
    s.end = t;
    if (moved) queue_.push(QueueEntry{s.end, s.seq, slot});
  }
  ++s.count;
  return added;
}

// from's events join into (same key); the caller releases from.
void SessionTable::merge(uint32_t into, uint32_t from) {
  Session& a = sessions_[into];
  Session& b = sessions_[from];
  if (b.start < a.start) {
    a.start = b.start;
    a.first.swap(b.first);
  }
  if (b.end >= a.end) {
    bool moved = b.end > a.end;
    a.end = b.end;
    a.last.swap(b.last);
    if (moved) queue_.push(QueueEntry{a.end, a.seq, into});
  }
  a.count += b.count;
}

uint32_t SessionTable::open_session(OpenMap::iterator it, std::string_view key, int64_t t) {
  if (open_count_ + 1 > max_pending_) {
    throw InputError(fmt::format("sessionize: more than {} sessions open at once (--max-pending); raise it, "
                                 "or lower --gap or --lateness",
                                 max_pending_));
  }
  ++open_count_;
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<uint32_t>(sessions_.size());
    sessions_.emplace_back();
  }
  Session& s = sessions_[slot];
  s.key.assign(key);
  s.start = s.end = t;
  s.count = 0;
  s.seq = next_seq_++;
  s.active = true;
  if (it == open_.end()) it = open_.emplace(std::string(key), std::vector<uint32_t>{}).first;
  it->second.push_back(slot);
  return slot;
}

void SessionTable::release(uint32_t slot) {
  sessions_[slot].active = false;
  free_.push_back(slot);
  --open_count_;
}

void SessionTable::advance(int64_t t, const std::function<void(const Session&)>& done) {
  if (wm_.started() && t <= wm_.value()) return;
  wm_.observe(t);
  close(false, done);
}

void SessionTable::drain(const std::function<void(const Session&)>& done) { close(true, done); }

// A session no event can extend any more: the watermark less the lateness
// is past its end + gap (an event at end + gap still joins it).
void SessionTable::close(bool all, const std::function<void(const Session&)>& done) {
  while (!queue_.empty()) {
    QueueEntry e = queue_.top();
    Session& s = sessions_[e.slot];
    bool current = s.active && s.seq == e.seq && s.end == e.end;
    if (current && !all && !wm_.closed_after(e.end, gap_)) break;
    queue_.pop();
    if (!current) continue;
    done(s);
    auto it = open_.find(std::string_view(s.key));
    auto& list = it->second;
    list.erase(std::find(list.begin(), list.end(), e.slot));
    if (list.empty()) open_.erase(it);
    release(e.slot);
  }
}

}  // namespace olly
