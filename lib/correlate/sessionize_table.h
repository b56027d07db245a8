// olly-correlate sessionize: the open sessions of every key, in event time.
// Apart from the stage (which reads events and writes lines) so the unit
// tests can drive it with keys and times alone.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "window/watermark.h"

namespace olly {

class SessionTable {
 public:
  // One open session. Slots are reused, so their strings keep their capacity.
  struct Session {
    std::string key;  // as given to add (the stage: encoded, group_key.h)
    int64_t start = 0, end = 0;
    uint64_t count = 0;
    uint64_t seq = 0;
    bool active = false;
    std::vector<std::string> first, last;  // the caller's: values at start and at end
  };
  // What add did: the session the event joined, and whether the event is
  // now its first (earliest) or last (latest; on equal times, the later in
  // input order) event.
  struct Added {
    uint32_t slot;
    bool is_first;
    bool is_last;
  };

  // gap: a session ends after more than gap without an event. Past
  // max_pending open sessions add throws InputError.
  SessionTable(int64_t gap, int64_t lateness, size_t max_pending);

  // An event of key at t. nullopt: late (no open session takes it and it
  // is older than the watermark less the lateness), counted in late().
  std::optional<Added> add(std::string_view key, int64_t t);
  Session& at(uint32_t slot) { return sessions_[slot]; }

  // The watermark moves to t (when later); the sessions no event can extend
  // any more go to done, oldest end first, then are released.
  void advance(int64_t t, const std::function<void(const Session&)>& done);
  // The end of input: every open session to done, in the same order.
  void drain(const std::function<void(const Session&)>& done);

  size_t open() const { return open_count_; }
  uint64_t late() const { return late_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct QueueEntry {
    int64_t end;
    uint64_t seq;
    uint32_t slot;
    bool operator>(const QueueEntry& o) const { return end != o.end ? end > o.end : seq > o.seq; }
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using OpenMap = std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>>;

  void merge(uint32_t into, uint32_t from);
  uint32_t open_session(OpenMap::iterator it, std::string_view key, int64_t t);
  void release(uint32_t slot);
  void close(bool all, const std::function<void(const Session&)>& done);

  int64_t gap_;
  size_t max_pending_;
  Watermark wm_;
  std::vector<Session> sessions_;
  std::vector<uint32_t> free_;
  OpenMap open_;  // key -> its open sessions
  std::priority_queue<QueueEntry, std::vector<QueueEntry>, std::greater<>> queue_;
  uint64_t next_seq_ = 0;
  size_t open_count_ = 0;
  uint64_t late_ = 0;
};

}  // namespace olly
