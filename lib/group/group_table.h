// Groups: what every grouping verb (agg, alert, correlate, explain,
// patterns) shares to put events into groups. group_key.h encodes the values
// of the `by` fields into one byte string (and back, to write and sort them);
// this file holds GroupTable, the hash index from such a key to the group's
// state. lib/group may include lib/core and lib/expr (values, paths, JSON
// writing); never a verb's folder (lib/agg, ...).
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace olly {

// Groups in insertion order, indexed by their encoded key: open addressing,
// power-of-two slots of (hash, index + 1), linear probing, load at most 1/2,
// so a lookup is one probe in the common case. The caller computes the hash
// (sketch/hash.h hash_bytes(key) in agg) once per event and passes it to
// find and then, when absent, to insert. An insert may move the entries
// (the vector grows): hold indexes, not pointers, across inserts.
template <class T>
class GroupTable {
 public:
  struct Entry {
    std::string key;
    T value;
  };

  // The group with this key (h its hash), or null.
  T* find(std::string_view key, uint64_t h) {
    Entry* e = find_entry(key, h);
    return e ? &e->value : nullptr;
  }
  Entry* find_entry(std::string_view key, uint64_t h) {
    if (slots_.empty()) return nullptr;
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      auto [sh, idx] = slots_[i];
      if (idx == 0) return nullptr;
      if (sh == h && entries_[idx - 1].key == key) return &entries_[idx - 1];
    }
  }

  // Adds a group the caller found absent (find returned null).
  T& insert(std::string_view key, uint64_t h, T value) {
    return insert(Entry{std::string(key), std::move(value)}, h);
  }
  T& insert(Entry entry, uint64_t h) {
    index(h, static_cast<uint32_t>(entries_.size()));
    entries_.push_back(std::move(entry));
    return entries_.back().value;
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // In insertion order; entries(i).key is the encoded key.
  std::vector<Entry>& entries() { return entries_; }
  const std::vector<Entry>& entries() const { return entries_; }
  void clear() {
    entries_.clear();
    slots_.clear();
  }
  size_t slot_count() const { return slots_.size(); }
  // Starts loading the slot a lookup of hash h reads first, so that a table
  // bigger than the cache costs no stall when the lookup comes a little later.
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
  }
  // Room for n groups without growing. A table cleared and refilled (as
  // correlate join's compaction does) keeps the memory it had: no new pages.
  void reserve(size_t n) {
    entries_.reserve(n);
    size_t want = 16;
    while (want < n * 2) want *= 2;
    if (want > slots_.size()) rehash(want);
  }

 private:
  void index(uint64_t h, uint32_t i) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const size_t mask = slots_.size() - 1;
    size_t s = h & mask;
    while (slots_[s].second != 0) s = (s + 1) & mask;
    slots_[s] = {h, i + 1};
  }
  // Doubles the slots (16 at first) and re-places every entry.
  void grow() { rehash(std::max<size_t>(16, slots_.size() * 2)); }
  void rehash(size_t slot_count) {
    if (entries_.empty()) {
      slots_.assign(slot_count, {0, 0});  // in the memory it has, when enough
      return;
    }
    std::vector<std::pair<uint64_t, uint32_t>> old;
    old.swap(slots_);
    slots_.assign(slot_count, {0, 0});
    const size_t mask = slots_.size() - 1;
    for (auto [oh, oi] : old) {
      if (oi == 0) continue;
      size_t s = oh & mask;
      while (slots_[s].second != 0) s = (s + 1) & mask;
      slots_[s] = {oh, oi};
    }
  }

  std::vector<Entry> entries_;
  std::vector<std::pair<uint64_t, uint32_t>> slots_;  // second == 0: empty
};

}  // namespace olly
