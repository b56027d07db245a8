// olly-explain's first pass: a profile of the fields (kinds, distinct
// values, top values, quantiles), from which the dimensions are chosen.
#pragma once
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "expr/path.h"
#include "group/group_table.h"
#include "expr/value.h"
#include "sketch/ddsketch.h"
#include "sketch/hyperloglog.h"
#include "sketch/topk.h"

namespace olly::explain {

// A transparent string hash, so lookups by string_view allocate nothing.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>>;

// The canonical JSON text of a scalar (the key of a value everywhere in
// olly-explain); false for null, missing, arrays and objects.
bool value_json(const Value& v, std::string& out);

// The ids of a dimension's values, found from the value itself: a string
// by its unescaped bytes, another scalar by its JSON text. The counting pass
// looks up every value of every event, so a string costs one hash and one
// probe, with no JSON written. Open addressing, load at most 1/2.
class ValueIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;
  // json: the value's canonical JSON text (value_json); ids in any order.
  void add(std::string_view json, uint32_t id);
  // The id of v, or kAbsent (also for null, arrays and objects).
  uint32_t find(const Value& v, std::string& scratch) const;
  size_t size() const { return keys_.size(); }

 private:
  struct Key {
    bool is_string;
    std::string bytes;  // unescaped string, or JSON text
    uint32_t id;
  };
  uint32_t probe(std::string_view bytes, bool is_string) const;
  static uint64_t hash(std::string_view bytes, bool is_string);
  struct Slot {
    uint32_t hash_high = 0;  // the hash's top half: most misses end here, without touching keys_
    uint32_t key = 0;        // index into keys_ + 1; 0: empty
  };
  void place(size_t k);
  std::vector<Key> keys_;
  std::vector<Slot> slots_;
};

struct FieldProfile {
  explicit FieldProfile(size_t top_capacity) : top_(top_capacity) {}
  std::string name;
  Path path;
  uint64_t present = 0;  // scalar values seen (null excluded)
  uint64_t strings = 0, bools = 0, numbers = 0;
  bool all_int = true;
  double min = INFINITY;
  HyperLogLog hll;
  DDSketch sketch;
  void add(const Value& v, std::string& scratch);
  void merge(const FieldProfile& other);
  // The most frequent values (JSON text).
  const SpaceSaving& top();

 private:
  // Values are counted exactly in pending_ first, and go into top_ (as
  // weighted updates, in first-seen order) when it holds kPendingMax or when
  // top() is read: a profile of a few dozen lines (a sampled range) then
  // costs a flat table, not a Space-Saving node for each new value.
  static constexpr size_t kPendingMax = 1024;
  void flush_pending();
  SpaceSaving top_;
  GroupTable<uint64_t> pending_;
};

struct Profile {
  explicit Profile(size_t top_capacity) : top_capacity(top_capacity) {}
  size_t top_capacity;
  std::vector<std::unique_ptr<FieldProfile>> fields;  // first-seen order
  StringIndex index;
  uint64_t values_past_field_cap = 0;  // leaf values of fields beyond kMaxProfiledFields
  DDSketch over;                       // --over FIELD's values
  int64_t latest = INT64_MIN;          // latest event time
  int64_t earliest = INT64_MAX;        // earliest event time (olly-snapshot's time range)
  static constexpr size_t kMaxProfiledFields = 256;

  FieldProfile* field(std::string_view name, const std::vector<std::string_view>& keys);
  void merge(const Profile& other);
  // Walks every scalar leaf of an object (nested objects to depth 4, arrays
  // left out) into the field profiles.
  [[nodiscard]] simdjson::error_code walk(simdjson::ondemand::document& doc);

 private:
  simdjson::error_code walk_object(simdjson::ondemand::object obj, int depth);
  std::string prefix_;
  std::vector<std::string_view> keys_;
  std::string scratch_;
};

// Appends a key to a path text: "a.b", or a["odd.key"] where the key holds
// other characters than letters, digits and _@$-.
void append_path_key(std::string& text, std::string_view key, bool first);

}  // namespace olly::explain
