// The state machine of olly-correlate join, apart from its I/O (so unit
// tests and the fuzz target drive it directly): events of two sides held by
// key until no partner can arrive any more, pairs written as soon as their
// second event is added.
#pragma once
#include <array>
#include <climits>
#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/stage.h"
#include "time/timeutil.h"

namespace olly {

enum class JoinMode { inner, left, anti };

class JoinState {
 public:
  static constexpr int kLeft = 0;
  static constexpr int kRight = 1;

  JoinState(JoinMode mode, int64_t within_ns, int64_t lateness_ns, std::string as_key);

  // True when an event at t on side is late: more than lateness behind the
  // latest time of its own input, so partners it had may be gone already.
  bool late(int side, TimeNs t) const {
    return started_[side] && t < latest_[side] - lateness_;
  }
  // Adds one (not late) event: writes its pairs with the held events of the
  // other side, then holds it, then writes or drops what became final.
  // key is the encoded key (lib/group), raw the event's JSON object.
  void add(int side, const std::string& key, TimeNs t, std::string_view raw, Emitter& out);
  // Side ended: nothing more comes from it, so the other side's events are final.
  void end_side(int side, Emitter& out);
  // Whether side has ended (the reader reads from the other one).
  bool ended(int side) const { return ended_[side]; }
  // The side to read next: the one whose latest time is behind (left on a
  // tie; an input not started yet first); -1 when both have ended.
  int next_side() const;

  size_t held() const { return held_count_; }
  size_t held_peak() const { return held_peak_; }
  uint64_t pairs() const { return pairs_; }
  uint64_t left_unmatched() const { return unmatched_[kLeft]; }
  uint64_t right_unmatched() const { return unmatched_[kRight]; }

 private:
  struct Held {
    TimeNs t;
    uint64_t seq;
    std::string raw;
    bool matched;
  };
  using KeyMap = std::unordered_map<std::string, std::vector<Held>>;
  // When a held event becomes final: by time, then arrival.
  struct Due {
    TimeNs t;
    uint64_t seq;
    KeyMap::value_type* bucket;  // node addresses stay valid across rehash
  };
  struct DueLater {
    bool operator()(const Due& a, const Due& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };

  // An event of side at t can still get a partner from the other side.
  bool final_at(int side, TimeNs t) const;
  void evict(int side, Emitter& out);
  void on_final(int side, const Held& h, Emitter& out);
  void write_pair(std::string_view left, std::string_view right, Emitter& out);

  JoinMode mode_;
  int64_t within_;
  int64_t lateness_;
  std::string as_key_;  // "as": already a JSON string with its colon
  std::array<KeyMap, 2> held_;
  std::array<std::priority_queue<Due, std::vector<Due>, DueLater>, 2> due_;
  std::array<bool, 2> started_{false, false};
  std::array<bool, 2> ended_{false, false};
  std::array<TimeNs, 2> latest_{INT64_MIN, INT64_MIN};
  uint64_t seq_ = 0;
  size_t held_count_ = 0;
  size_t held_peak_ = 0;
  uint64_t pairs_ = 0;
  std::array<uint64_t, 2> unmatched_{0, 0};
};

}  // namespace olly
