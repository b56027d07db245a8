// The state machine of olly-correlate sequence, apart from expression
// evaluation and I/O (unit tests and the fuzz target drive it directly).
// Events that match a step wait in a reorder buffer until event time is
// --lateness past them, then run through the open sequences of their group
// in time order.
#pragma once
#include <climits>
#include <cstdint>
#include <list>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/stage.h"
#include "time/timeutil.h"

namespace olly {

struct SequenceShape {
  size_t steps = 2;           // how many steps, the negated one included
  bool last_negated = false;  // `then not X` as the last step
  std::string missing_text;   // that step's expression (the "missing" member)
  std::vector<std::string> by;  // group field names, to write the group key back
};

class SequenceState {
 public:
  SequenceState(SequenceShape shape, int64_t within_ns, int64_t lateness_ns);

  // More than lateness behind the latest event time: partners it had may be gone.
  bool late(TimeNs t) const { return started_ && t < minus(latest_, lateness_); }
  // One event that matches the steps in mask (bit i: step i; 0: none) in the
  // group whose encoded key is group. Event time moves on to t; what is
  // then final is processed (and written).
  void add(TimeNs t, uint64_t mask, const std::string& group, std::string_view raw, Emitter& out);
  // End of input: every held event is processed; sequences whose deadline
  // event time has passed are final, the others stay open (not written).
  void finish(Emitter& out);

  // Events waiting in the reorder buffer plus open sequences.
  size_t held() const { return buffer_.size() + open_; }
  size_t held_peak() const { return held_peak_; }
  uint64_t emitted() const { return emitted_; }
  uint64_t expired() const { return expired_; }
  uint64_t cancelled() const { return cancelled_; }
  uint64_t open_at_end() const { return open_at_end_; }

 private:
  static int64_t plus(int64_t a, int64_t b) { return saturating_add(a, b); }
  static int64_t minus(int64_t a, int64_t b) { return saturating_sub(a, b); }
  struct Pending {
    TimeNs t;
    uint64_t seq;
    uint64_t mask;
    std::string group;
    std::string raw;
  };
  struct PendingLater {
    bool operator()(const Pending& a, const Pending& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };
  struct Partial {
    uint64_t id;
    TimeNs start;
    TimeNs end;
    size_t next;        // the index of the step it waits for
    std::string steps;  // the matched events' JSON, comma-separated
  };
  struct Group {
    std::list<Partial> open;  // by start time, then arrival
    size_t deadlines = 0;     // entries in deadlines_ that point here
  };
  using Groups = std::unordered_map<std::string, Group>;
  struct Deadline {
    TimeNs at;
    uint64_t id;
    Groups::value_type* group;  // node addresses stay valid across rehash
  };
  struct DeadlineLater {
    bool operator()(const Deadline& a, const Deadline& b) const { return a.at != b.at ? a.at > b.at : a.id > b.id; }
  };

  void release(TimeNs upto, Emitter& out);
  void process(const Pending& ev, Emitter& out);
  // Sequences whose deadline is before now are final.
  void expire(TimeNs now, Emitter& out);
  void write(std::string_view group, const Partial& p, bool missing, Emitter& out);
  void note_held() {
    if (held() > held_peak_) held_peak_ = held();
  }

  SequenceShape shape_;
  int64_t within_;
  int64_t lateness_;
  std::priority_queue<Pending, std::vector<Pending>, PendingLater> buffer_;
  std::priority_queue<Deadline, std::vector<Deadline>, DeadlineLater> deadlines_;
  Groups groups_;
  bool started_ = false;
  TimeNs latest_ = INT64_MIN;
  uint64_t seq_ = 0;
  uint64_t next_id_ = 0;
  size_t open_ = 0;
  size_t held_peak_ = 0;
  uint64_t emitted_ = 0;
  uint64_t expired_ = 0;
  uint64_t cancelled_ = 0;
  uint64_t open_at_end_ = 0;
  std::string line_;
};

}  // namespace olly
