#include "sort/sort_key.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include <algorithm>

#include "core/diag.h"

namespace olly {

namespace {

// The type bytes, ascending. Descending uses kTypeFlip - tag for every type
// but null, which stays last.
constexpr uint8_t kNumber = 0x10, kString = 0x20, kBoolean = 0x30, kArray = 0x40, kObject = 0x50;
constexpr uint8_t kTypeFlip = 0x60;
constexpr uint8_t kNull = 0xF0;

void put_u64_be(std::string& key, uint64_t v, uint8_t flip) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(static_cast<uint8_t>(v >> (56 - 8 * i)) ^ flip);
  key.append(b, 8);
}

// A double's bits made unsigned-comparable: negatives inverted, positives
// with the sign bit set.
uint64_t double_order(double d) {
  if (d == 0) d = 0;  // -0 sorts with 0
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
}

// Bytes, then a terminator that sorts before any byte: 0x00 is written
// 0x00 0xFF and the end 0x00 0x00, so a prefix sorts first and the next
// field's bytes never compare against this one's.
void put_escaped(std::string& key, std::string_view s, uint8_t flip) {
  for (char c : s) {
    key.push_back(static_cast<char>(static_cast<uint8_t>(c) ^ flip));
    if (c == 0) key.push_back(static_cast<char>(0xFF ^ flip));
  }
  key.push_back(static_cast<char>(flip));
  key.push_back(static_cast<char>(flip));
}

}  // namespace

std::vector<SortField> parse_sort_fields(std::string_view text, std::string_view flag) {
  std::vector<SortField> out;
  size_t start = 0;
  // Commas inside brackets or quotes belong to the path (a["x,y"]).
  int depth = 0;
  char quote = 0;
  auto take = [&](std::string_view part) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    SortField f;
    if (!part.empty() && (part.front() == '-' || part.front() == '+')) {
      f.descending = part.front() == '-';
      part.remove_prefix(1);
    }
    if (part.empty()) throw UsageError(fmt::format("{}: empty field in '{}'", flag, text));
    f.path = parse_path_or_throw(part, flag);
    out.push_back(std::move(f));
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      take(text.substr(start, i - start));
      start = i + 1;
    }
  }
  take(text.substr(start));
  return out;
}

void append_sort_key(std::string& key, const Value& v, bool descending) {
  const uint8_t flip = descending ? 0xFF : 0x00;
  auto tag = [&](uint8_t t) { key.push_back(static_cast<char>(descending ? kTypeFlip - t : t)); };
  switch (v.kind) {
    case Kind::missing:
    case Kind::null: key.push_back(static_cast<char>(kNull)); return;
    case Kind::integer:
    case Kind::number: {
      tag(kNumber);
      // The double orders first; integers too large for a double's 53 bits
      // then order by their exact value (a double's own integer part, which
      // is exact wherever an int64 could round to it).
      const double d = v.as_double();
      int64_t exact;
      if (v.kind == Kind::integer) {
        exact = v.i;
      } else if (v.u64 || d >= 9223372036854775807.0) {
        exact = INT64_MAX;
      } else if (d <= -9223372036854775808.0) {
        exact = INT64_MIN;
      } else {
        exact = static_cast<int64_t>(d);
      }
      put_u64_be(key, double_order(d), flip);
      put_u64_be(key, static_cast<uint64_t>(exact) ^ (uint64_t{1} << 63), flip);
      return;
    }
    case Kind::string:
      tag(kString);
      put_escaped(key, v.s, flip);
      return;
    case Kind::boolean:
      tag(kBoolean);
      key.push_back(static_cast<char>((v.b ? 1 : 0) ^ flip));
      return;
    case Kind::array:
      tag(kArray);
      put_escaped(key, v.s, flip);
      return;
    case Kind::object:
      tag(kObject);
      put_escaped(key, v.s, flip);
      return;
  }
}

SortKeyReader::SortKeyReader(const std::vector<SortField>& fields) {
  for (const auto& f : fields) {
    descending_.push_back(f.descending);
    slot_of_.push_back(extractor_.add(f.path));
  }
}

simdjson::error_code SortKeyReader::read(simdjson::ondemand::document& doc, std::string& key) {
  key.clear();
  if (auto e = extractor_.extract(doc, slots_)) return e;
  for (size_t i = 0; i < slot_of_.size(); ++i) append_sort_key(key, slots_[slot_of_[i]], descending_[i]);
  return simdjson::SUCCESS;
}

}  // namespace olly

namespace olly {

LineSorter::LineSorter(const std::vector<SortField>& fields) : reader_(fields) {}

void LineSorter::clear() {
  text_.clear();
  keys_.clear();
  rows_.clear();
}

void LineSorter::add(std::string_view line) {
  padded_ = simdjson::padded_string(line);
  simdjson::ondemand::document doc;
  key_.clear();
  if (parser_.iterate(padded_).get(doc) || reader_.read(doc, key_)) {
    key_.clear();
    for (size_t i = 0; i < reader_.field_count(); ++i) append_sort_key(key_, Value::missing(), false);
  }
  rows_.push_back(Row{text_.size(), line.size(), keys_.size(), key_.size()});
  text_.append(line);
  keys_.append(key_);
}

const std::vector<uint32_t>& LineSorter::sorted() {
  order_.resize(rows_.size());
  for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
  std::string_view keys = keys_;
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    return keys.substr(rows_[a].key, rows_[a].key_len) < keys.substr(rows_[b].key, rows_[b].key_len);
  });
  return order_;
}

}  // namespace olly
