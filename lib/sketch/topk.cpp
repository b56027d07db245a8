#include "sketch/topk.h"

#include <simdjson.h>

#include <algorithm>

#include "sketch/hash.h"
#include "core/writer.h"

namespace olly {

size_t SpaceSaving::Hash::operator()(std::string_view s) const { return hash_bytes(s); }

SpaceSaving::SpaceSaving(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

SpaceSaving::SpaceSaving(const SpaceSaving& other) { copy_from(other); }

SpaceSaving& SpaceSaving::operator=(const SpaceSaving& other) {
  if (this != &other) copy_from(other);
  return *this;
}

void SpaceSaving::copy_from(const SpaceSaving& other) {
  capacity_ = other.capacity_;
  exact_ = other.exact_;
  total_ = other.total_;
  entries_ = other.entries_;
  heap_ = other.heap_;
  index_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    auto it = index_.emplace(*other.entries_[i].item, i).first;
    entries_[i].item = &it->first;
  }
}

void SpaceSaving::swap_heap(uint32_t a, uint32_t b) {
  std::swap(heap_[a], heap_[b]);
  entries_[heap_[a]].heap_pos = a;
  entries_[heap_[b]].heap_pos = b;
}

void SpaceSaving::sift_down(uint32_t pos) {
  const uint32_t n = static_cast<uint32_t>(heap_.size());
  for (;;) {
    uint32_t l = 2 * pos + 1, r = l + 1, m = pos;
    if (l < n && entries_[heap_[l]].count < entries_[heap_[m]].count) m = l;
    if (r < n && entries_[heap_[r]].count < entries_[heap_[m]].count) m = r;
    if (m == pos) return;
    swap_heap(pos, m);
    pos = m;
  }
}

void SpaceSaving::sift_up(uint32_t pos) {
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (entries_[heap_[parent]].count <= entries_[heap_[pos]].count) return;
    swap_heap(pos, parent);
    pos = parent;
  }
}

void SpaceSaving::add(std::string_view item, uint64_t n) {
  if (n == 0) return;
  total_ += n;
  auto it = index_.find(item);
  if (it != index_.end()) {
    Slot& s = entries_[it->second];
    s.count += n;
    sift_down(s.heap_pos);  // a larger count moves away from the min-heap's root
    return;
  }
  if (entries_.size() < capacity_) {
    uint32_t idx = static_cast<uint32_t>(entries_.size());
    auto ins = index_.emplace(std::string(item), idx).first;
    entries_.push_back(Slot{&ins->first, n, 0, static_cast<uint32_t>(heap_.size())});
    heap_.push_back(idx);
    sift_up(entries_[idx].heap_pos);
    return;
  }
  // Full: the newcomer takes over the smallest counter and its count as error.
  exact_ = false;
  uint32_t idx = heap_[0];
  Slot& s = entries_[idx];
  auto node = index_.extract(*s.item);
  node.key().assign(item.data(), item.size());
  auto ins = index_.insert(std::move(node));
  s.item = &ins.position->first;
  s.error = s.count;
  s.count += n;
  sift_down(0);
}

void SpaceSaving::merge(const SpaceSaving& other) {
  if (merge_in_place(other)) return;
  // The other summary evicted: the merged one is not exact. Credit for items
  // a summary that evicted does not hold: its smallest count.
  const uint64_t this_min = exact_ ? 0 : min_count();
  const uint64_t other_min = other.min_count();

  // The candidates point at their items (no copies): this summary's keys
  // move into the new index as nodes, only the other's are copied.
  struct Candidate {
    const std::string* item;
    uint64_t count, error;
    bool ours;
  };
  std::vector<Candidate> all;
  all.reserve(entries_.size() + other.entries_.size());
  for (const Slot& s : entries_) {
    Candidate c{s.item, s.count, s.error, true};
    auto it = other.index_.find(*s.item);
    if (it != other.index_.end()) {
      c.count += other.entries_[it->second].count;
      c.error += other.entries_[it->second].error;
    } else {
      c.count += other_min;
      c.error += other_min;
    }
    all.push_back(c);
  }
  for (const Slot& s : other.entries_) {
    if (index_.count(*s.item)) continue;
    all.push_back(Candidate{s.item, s.count + this_min, s.error + this_min, false});
  }
  if (all.size() > capacity_) {
    std::nth_element(all.begin(), all.begin() + static_cast<ptrdiff_t>(capacity_), all.end(),
                     [](const Candidate& a, const Candidate& b) { return a.count > b.count; });
    all.resize(capacity_);
  }
  decltype(index_) index;
  index.reserve(all.size());
  entries_.clear();
  heap_.clear();
  for (const Candidate& c : all) {
    const uint32_t idx = static_cast<uint32_t>(entries_.size());
    // A node keeps its key's address when it moves between maps.
    const std::string* item;
    if (c.ours) {
      auto node = index_.extract(*c.item);
      node.mapped() = idx;
      item = &index.insert(std::move(node)).position->first;
    } else {
      item = &index.emplace(*c.item, idx).first->first;
    }
    entries_.push_back(Slot{item, c.count, c.error, idx});
    heap_.push_back(idx);
  }
  index_.swap(index);
  for (size_t i = heap_.size() / 2; i-- > 0;) sift_down(static_cast<uint32_t>(i));
  exact_ = false;
  total_ += other.total_;
}

bool SpaceSaving::merge_in_place(const SpaceSaving& other) {
  // An exact summary holds the true count of each item of its stream: its
  // items added as weighted updates are Space-Saving over that stream, so
  // the shared items are updated where they are and a newcomer takes over
  // the smallest counter, as in add(), with no rebuild. While the union fits
  // nothing is evicted and the result is exact.
  if (!other.exact_) return false;
  for (const Slot& s : other.entries_) add(*s.item, s.count);
  return true;
}

std::vector<SpaceSaving::Entry> SpaceSaving::top(size_t k) const {
  std::vector<Entry> out;
  out.reserve(entries_.size());
  for (const Slot& s : entries_) out.push_back(Entry{*s.item, s.count, s.error});
  auto by_count = [](const Entry& a, const Entry& b) {
    return a.count != b.count ? a.count > b.count : a.item < b.item;
  };
  if (k < out.size()) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(k), out.end(), by_count);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), by_count);
  }
  return out;
}

size_t SpaceSaving::memory_bytes() const {
  size_t bytes = sizeof(*this) + entries_.capacity() * sizeof(Slot) + heap_.capacity() * 4;
  for (const auto& [k, v] : index_) bytes += 48 + k.capacity();
  return bytes;
}

void SpaceSaving::write_json(JsonBuilder& out) const {
  out.begin_object();
  out.key("capacity");
  out.uint64(capacity_);
  out.field_bool("exact", exact_);
  out.key("total");
  out.uint64(total_);
  out.key("items");
  out.begin_array();
  for (const Entry& e : top(entries_.size())) {
    out.begin_array();
    out.string(e.item);
    out.uint64(e.count);
    out.uint64(e.error);
    out.end_array();
  }
  out.end_array();
  out.end_object();
}

bool SpaceSaving::read_json(const simdjson::dom::element& in, SpaceSaving& out, std::string& error) {
  uint64_t capacity, total;
  bool exact;
  simdjson::dom::array items;
  if (in["capacity"].get_uint64().get(capacity) || capacity == 0 || capacity > (1u << 24) ||
      in["exact"].get_bool().get(exact) || in["total"].get_uint64().get(total) ||
      in["items"].get_array().get(items)) {
    error = "top-k state needs \"capacity\" (1..16777216), \"exact\", \"total\" and \"items\"";
    return false;
  }
  SpaceSaving s(capacity);
  for (auto item : items) {
    simdjson::dom::array triple;
    std::string_view text;
    uint64_t count, err;
    if (item.get_array().get(triple) || triple.size() != 3 || triple.at(0).get_string().get(text) ||
        triple.at(1).get_uint64().get(count) || triple.at(2).get_uint64().get(err)) {
      error = "top-k items must be [ITEM, COUNT, ERROR]";
      return false;
    }
    if (s.entries_.size() >= capacity || s.index_.count(text)) {
      error = "top-k items exceed the capacity or repeat";
      return false;
    }
    uint32_t idx = static_cast<uint32_t>(s.entries_.size());
    auto ins = s.index_.emplace(std::string(text), idx).first;
    s.entries_.push_back(Slot{&ins->first, count, err, idx});
    s.heap_.push_back(idx);
  }
  for (size_t i = s.heap_.size() / 2; i-- > 0;) s.sift_down(static_cast<uint32_t>(i));
  s.exact_ = exact;
  s.total_ = total;
  out = std::move(s);
  return true;
}

}  // namespace olly
