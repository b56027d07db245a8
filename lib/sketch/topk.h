// Space-saving heavy hitters (Metwally, Agrawal, El Abbadi 2005) with a
// bounded number of counters. While the number of distinct items stays
// within the capacity every count is exact; past it, the item with the
// smallest count is replaced by the newcomer, which inherits that count as
// its error bound (its true count lies in [count - error, count]). Any item
// with true frequency above n / capacity is guaranteed to be kept.
//
// Counters live in an indexed min-heap, so an update or a replacement costs
// O(log capacity). Merging a summary that never evicted adds its items as
// weighted updates (its counts are exact: that is Space-Saving over its
// stream). Merging one that evicted follows Agarwal et al. ("Mergeable
// summaries", 2012): counts of shared items add; an item missing from a full
// summary is credited that summary's minimum (as error); the largest
// `capacity` survive. Merging two summaries that never evicted, whose union
// fits, stays exact.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace simdjson::dom { class element; }

namespace olly {

class JsonBuilder;

class SpaceSaving {
 public:
  static constexpr size_t kDefaultCapacity = 1024;

  struct Entry {
    std::string item;
    uint64_t count = 0;
    uint64_t error = 0;  // overestimation bound: true count >= count - error
  };

  explicit SpaceSaving(size_t capacity = kDefaultCapacity);
  SpaceSaving(const SpaceSaving& other);
  SpaceSaving& operator=(const SpaceSaving& other);
  SpaceSaving(SpaceSaving&&) noexcept = default;
  SpaceSaving& operator=(SpaceSaving&&) noexcept = default;

  void add(std::string_view item, uint64_t n = 1);
  void merge(const SpaceSaving& other);

  // The k largest counts, ties broken by item (bytewise ascending).
  std::vector<Entry> top(size_t k) const;
  // True while no item was ever evicted: every count is exact.
  bool exact() const { return exact_; }
  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t total() const { return total_; }
  size_t memory_bytes() const;

  // Partial-state JSON (documented in olly-agg(1)):
  //   {"capacity":1024,"exact":true,"total":N,"items":[[ITEM,COUNT,ERROR],...]}
  void write_json(JsonBuilder& out) const;
  static bool read_json(const simdjson::dom::element& in, SpaceSaving& out, std::string& error);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct Slot {
    const std::string* item = nullptr;  // the key in index_ (node-based: stable)
    uint64_t count = 0;
    uint64_t error = 0;
    uint32_t heap_pos = 0;
  };

  void sift_down(uint32_t pos);
  void sift_up(uint32_t pos);
  void swap_heap(uint32_t a, uint32_t b);
  void copy_from(const SpaceSaving& other);
  bool merge_in_place(const SpaceSaving& other);
  uint64_t min_count() const { return heap_.empty() ? 0 : entries_[heap_[0]].count; }

  size_t capacity_;
  bool exact_ = true;
  uint64_t total_ = 0;
  std::vector<Slot> entries_;
  std::vector<uint32_t> heap_;  // min-heap of entry indexes by count
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;  // item -> entry
};

}  // namespace olly
