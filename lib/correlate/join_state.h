// The state machine of olly-correlate join, apart from its I/O (so unit
// tests and the fuzz target drive it directly): events of two sides held by
// key until no partner can arrive any more, pairs written as soon as their
// second event is added.
#pragma once
#include <array>
#include <algorithm>
#include <climits>
#include <deque>
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/stage.h"
#include "group/group_table.h"
#include "sketch/hash.h"
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
    return started_[side] && t < minus(latest_[side], lateness_);
  }
  // Adds one (not late) event: writes its pairs with the held events of the
  // other side, then holds it, then writes or drops what became final.
  // key is the encoded key (lib/group), raw the event's JSON object.
  void add(int side, std::string_view key, TimeNs t, std::string_view raw, Emitter& out) {
    add(side, key, hash_bytes(key), t, raw, out);
  }
  // The same, with the key's hash (sketch/hash.h hash_bytes) already computed.
  void add(int side, std::string_view key, uint64_t hash, TimeNs t, std::string_view raw, Emitter& out);
  // A key with this hash is to be added soon: its table slot starts loading.
  void prefetch(uint64_t hash) const { keys_.prefetch(hash); }
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
  static int64_t plus(int64_t a, int64_t b) { return saturating_add(a, b); }
  static int64_t minus(int64_t a, int64_t b) { return saturating_sub(a, b); }
  static constexpr uint32_t kNone = UINT32_MAX;
  // One held event, in slab_; its bytes in arena_. A key's events of one
  // side are a list through next, in arrival order.
  struct Held {
    TimeNs t;
    const char* raw;
    uint32_t raw_len;
    uint32_t chunk;  // arena_ chunk holding raw
    uint32_t next;
    bool matched;
    std::string_view text() const { return {raw, raw_len}; }
  };
  // The held events of one key, per side (slab_ indexes).
  struct KeyState {
    std::array<uint32_t, 2> head{kNone, kNone};
    std::array<uint32_t, 2> tail{kNone, kNone};
    uint64_t hash = 0;  // of the key, for the table's rebuild
    bool empty() const { return head[0] == kNone && head[1] == kNone; }
  };
  // Held events' bytes, in chunks reused once every event in them is gone
  // (events go roughly in arrival order): no allocation per event.
  class Arena {
   public:
    // A copy of text; *chunk is what release() takes.
    const char* keep(std::string_view text, uint32_t* chunk);
    void release(uint32_t chunk);

   private:
    struct Chunk {
      std::unique_ptr<char[]> data;
      size_t size = 0;
      size_t used = 0;
      size_t live = 0;
    };
    std::vector<Chunk> chunks_;
    std::vector<uint32_t> free_;
    uint32_t current_ = kNone;
  };
  // When a held event becomes final: by time, then arrival. A min-heap.
  struct Due {
    TimeNs t;
    uint64_t seq;
    uint32_t held;   // its index in slab_
    uint32_t entry;  // its key's index in keys_
  };
  struct DueLater {
    bool operator()(const Due& a, const Due& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };

  // An event of side at t can still get a partner from the other side.
  bool final_at(int side, TimeNs t) const;
  void evict(int side, Emitter& out);
  void on_final(int side, const Held& h, Emitter& out);
  void write_pair(std::string_view left, std::string_view right, Emitter& out);
  // Keys whose events are all gone stay in the table (it has no erase)
  // until they are two thirds of it; then it is rebuilt with the others.
  void maybe_compact();

  JoinMode mode_;
  int64_t within_;
  int64_t lateness_;
  std::string as_key_;  // "as": already a JSON string with its colon
  GroupTable<KeyState> keys_;
  GroupTable<KeyState> spare_keys_;  // maybe_compact's, reused
  std::vector<uint32_t> moved_;      // maybe_compact's, reused
  size_t dead_keys_ = 0;
  // Held events by when they become final: a FIFO in time order, with the
  // others in a min-heap. An event a little out of order (the common
  // disorder: a few hundred events) is moved into its place near the
  // FIFO's back, which is in cache; only one further back goes to the heap,
  // whose pops miss the cache once it outgrows it.
  class DueQueue {
   public:
    void push(const Due& d) {
      constexpr size_t kNear = 512;
      if (fifo_.empty() || !DueLater()(fifo_.back(), d)) {
        fifo_.push_back(d);
        return;
      }
      const size_t from = fifo_.size() > kNear ? fifo_.size() - kNear : 0;
      if (from > 0 && DueLater()(fifo_[from], d)) {
        heap_.push_back(d);
        std::push_heap(heap_.begin(), heap_.end(), DueLater());
        return;
      }
      // d comes after every event not later than it (its seq is the highest).
      auto at = std::upper_bound(fifo_.begin() + static_cast<std::ptrdiff_t>(from), fifo_.end(), d,
                                 [](const Due& a, const Due& b) { return DueLater()(b, a); });
      fifo_.insert(at, d);
    }
    bool empty() const { return fifo_.empty() && heap_.empty(); }
    const Due& top() const { return from_heap() ? heap_.front() : fifo_.front(); }
    void pop() {
      if (from_heap()) {
        std::pop_heap(heap_.begin(), heap_.end(), DueLater());
        heap_.pop_back();
      } else {
        fifo_.pop_front();
      }
    }
    template <class F>
    void for_each(F&& f) {
      for (Due& d : fifo_) f(d);
      for (Due& d : heap_) f(d);
    }

   private:
    bool from_heap() const {
      return fifo_.empty() || (!heap_.empty() && DueLater()(fifo_.front(), heap_.front()));
    }
    std::deque<Due> fifo_;
    std::vector<Due> heap_;
  };
  std::array<DueQueue, 2> due_;
  std::vector<Held> slab_;
  std::vector<uint32_t> free_held_;
  Arena arena_;
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
