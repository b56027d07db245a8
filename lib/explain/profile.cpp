#include "explain/profile.h"

#include <cmath>
#include <fmt/format.h>

#include "core/writer.h"
#include "expr/json_value.h"
#include "sketch/hash.h"

namespace olly::explain {

bool value_json(const Value& v, std::string& out) {
  out.clear();
  switch (v.kind) {
    case Kind::string: append_json_string(out, v.s); return true;
    case Kind::boolean: out.append(v.b ? "true" : "false"); return true;
    case Kind::integer: {
      auto d = fmt::format_int(v.i);
      out.append(d.data(), d.size());
      return true;
    }
    case Kind::number:
      if (v.u64) {
        auto d = fmt::format_int(v.u());
        out.append(d.data(), d.size());
      } else {
        append_json_number(out, v.d);
      }
      return true;
    default: return false;
  }
}

uint64_t ValueIndex::hash(std::string_view bytes, bool is_string) {
  // Different seeds: the string "1" and the number 1 are different values.
  return hash_bytes(bytes, is_string ? 0x73 : 0x6e);
}

void ValueIndex::add(std::string_view json, uint32_t id) {
  Key key{false, std::string(json), id};
  if (json.size() >= 2 && json.front() == '"') {
    std::string raw;
    if (unescape_json_string(json.substr(1, json.size() - 2), raw)) key = Key{true, std::move(raw), id};
  }
  if (probe(key.bytes, key.is_string) != kAbsent) return;
  keys_.push_back(std::move(key));
  if (keys_.size() * 2 > slots_.size()) {
    slots_.assign(std::max<size_t>(16, slots_.size() * 2), Slot{});
    for (size_t k = 0; k < keys_.size(); ++k) place(k);
  } else {
    place(keys_.size() - 1);
  }
}

void ValueIndex::place(size_t k) {
  const uint64_t h = hash(keys_[k].bytes, keys_[k].is_string);
  const size_t mask = slots_.size() - 1;
  size_t i = h & mask;
  while (slots_[i].key != 0) i = (i + 1) & mask;
  slots_[i] = Slot{static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(k + 1)};
}

uint32_t ValueIndex::probe(std::string_view bytes, bool is_string) const {
  if (slots_.empty()) return kAbsent;
  const uint64_t h = hash(bytes, is_string);
  const auto high = static_cast<uint32_t>(h >> 32);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot slot = slots_[i];
    if (slot.key == 0) return kAbsent;
    if (slot.hash_high != high) continue;
    const Key& key = keys_[slot.key - 1];
    if (key.is_string == is_string && key.bytes == bytes) return key.id;
  }
}

uint32_t ValueIndex::find(const Value& v, std::string& scratch) const {
  if (v.kind == Kind::string) return probe(v.s, true);
  if (!value_json(v, scratch)) return kAbsent;
  return probe(scratch, false);
}

void FieldProfile::add(const Value& v, std::string& scratch) {
  if (!value_json(v, scratch)) return;
  ++present;
  switch (v.kind) {
    case Kind::string: ++strings; break;
    case Kind::boolean: ++bools; break;
    default: {
      ++numbers;
      const double d = v.as_double();
      // std::trunc, not a cast to int64_t: 1e150 is beyond int64 and the cast
      // undefined (found by fuzz_explain).
      if (v.kind == Kind::number && !v.u64 && d != std::trunc(d)) all_int = false;
      if (d < min) min = d;
      sketch.add(d);
    }
  }
  const uint64_t h = hash_bytes(scratch);
  if (uint64_t* n = pending_.find(scratch, h)) {
    ++*n;
  } else {
    if (pending_.size() >= kPendingMax) flush_pending();
    pending_.insert(scratch, h, 1);
  }
  hll.add_hash(h);  // the same hash HyperLogLog::add computes
}

void FieldProfile::flush_pending() {
  for (const auto& e : pending_.entries()) top_.add(e.key, e.value);
  pending_.clear();
}

const SpaceSaving& FieldProfile::top() {
  flush_pending();
  return top_;
}

void FieldProfile::merge(const FieldProfile& o) {
  present += o.present;
  strings += o.strings;
  bools += o.bools;
  numbers += o.numbers;
  all_int = all_int && o.all_int;
  min = std::min(min, o.min);
  // This one's pending values, the other's summary, then its pending values:
  // a fixed order, so merges in input order give the same top whatever -j.
  // Straight into the summary: a value new to it reuses an evicted one's
  // node, where a pending table would copy it.
  flush_pending();
  top_.merge(o.top_);
  for (const auto& e : o.pending_.entries()) top_.add(e.key, e.value);
  hll.merge(o.hll);
  sketch.merge(o.sketch);
}

namespace {

bool plain_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '@' || c == '$' || c == '-' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void append_path_key(std::string& text, std::string_view key, bool first) {
  if (plain_key(key)) {
    if (!first) text.push_back('.');
    text.append(key);
  } else {
    text.push_back('[');
    append_json_string(text, key);
    text.push_back(']');
  }
}

FieldProfile* Profile::field(std::string_view name, const std::vector<std::string_view>& keys) {
  if (auto it = index.find(name); it != index.end()) return fields[it->second].get();
  if (fields.size() >= kMaxProfiledFields) return nullptr;
  auto f = std::make_unique<FieldProfile>(top_capacity);
  f->name = std::string(name);
  f->path.text = f->name;
  for (auto k : keys) f->path.steps.push_back(PathStep{std::string(k), -1});
  index.emplace(f->name, static_cast<uint32_t>(fields.size()));
  fields.push_back(std::move(f));
  return fields.back().get();
}

void Profile::merge(const Profile& o) {
  for (const auto& of : o.fields) {
    std::vector<std::string_view> keys;
    for (const auto& s : of->path.steps) keys.push_back(s.key);
    if (FieldProfile* f = field(of->name, keys)) {
      f->merge(*of);
    } else {
      values_past_field_cap += of->present;
    }
  }
  values_past_field_cap += o.values_past_field_cap;
  over.merge(o.over);
  latest = std::max(latest, o.latest);
  earliest = std::min(earliest, o.earliest);
}

simdjson::error_code Profile::walk(simdjson::ondemand::document& doc) {
  simdjson::ondemand::json_type type;
  if (auto e = doc.type().get(type)) return e;
  if (type != simdjson::ondemand::json_type::object) return simdjson::SUCCESS;
  simdjson::ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) return e;
  prefix_.clear();
  keys_.clear();
  return walk_object(obj, 0);
}

simdjson::error_code Profile::walk_object(simdjson::ondemand::object obj, int depth) {
  namespace od = simdjson::ondemand;
  for (auto member : obj) {
    std::string_view key;
    if (auto e = member.unescaped_key().get(key)) return e;
    od::value v;
    if (auto e = member.value().get(v)) return e;
    od::json_type t;
    if (auto e = v.type().get(t)) return e;
    const size_t mark = prefix_.size();
    append_path_key(prefix_, key, depth == 0);
    keys_.push_back(key);
    Value val;
    bool leaf = true;
    switch (t) {
      case od::json_type::object: {
        leaf = false;
        if (depth < 3) {
          od::object inner;
          if (auto e = v.get_object().get(inner)) return e;
          // The key's view dies with the next member of this object: keep
          // a copy for the nested fields' paths.
          std::string owned(key);
          keys_.back() = owned;
          if (auto e = walk_object(inner, depth + 1)) return e;
        }
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return e;
        val = Value::string(s);
        break;
      }
      case od::json_type::number: {
        od::number n;
        if (auto e = v.get_number().get(n)) return e;
        switch (n.get_number_type()) {
          case od::number_type::signed_integer: val = Value::integer(n.get_int64()); break;
          case od::number_type::unsigned_integer: val = Value::unsigned_integer(n.get_uint64()); break;
          default: val = Value::number(n.get_double());
        }
        break;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return e;
        val = Value::boolean(b);
        break;
      }
      default: leaf = false;  // null, arrays
    }
    if (leaf) {
      if (FieldProfile* f = field(prefix_, keys_)) {
        f->add(val, scratch_);
      } else {
        ++values_past_field_cap;
      }
    }
    keys_.pop_back();
    prefix_.resize(mark);
  }
  return simdjson::SUCCESS;
}

}  // namespace olly::explain
