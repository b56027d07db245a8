#include "patterns/miner.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "sketch/hash.h"

namespace olly {

// ---- ValueCounts ----------------------------------------------------------

void ValueCounts::add(std::string_view value, uint64_t n) {
  // Called for every masked token of every line: the first byte and the
  // length rule most values out before a compare.
  for (auto& [v, c] : values)
    if (v.size() == value.size() && (value.empty() || v[0] == value[0]) && std::string_view(v) == value) {
      c += n;
      return;
    }
  if (values.size() < kKept) {
    values.emplace_back(std::string(value), n);
    return;
  }
  other += n;
}

void ValueCounts::merge(const ValueCounts& from) {
  for (const auto& [v, c] : from.values) add(v, c);
  other += from.other;
}

// ---- ShapeTable -----------------------------------------------------------

size_t ShapeTable::KeyHash::operator()(std::string_view s) const { return hash_bytes(s.data(), s.size()); }

size_t ShapeTable::valued_tokens() const {
  size_t n = 0;
  for (const Token& t : tokens_) n += t.mask != MaskKind::none || t.has_digit;
  return n;
}

std::string_view ShapeTable::key_of(std::string_view message) {
  tokenizer_->tokenize(message, tokens_);
  for (Token& t : tokens_) {
    t.has_digit = false;
    if (t.mask == MaskKind::none)
      for (uint32_t j = t.begin; j < t.end && !t.has_digit; ++j) t.has_digit = message[j] >= '0' && message[j] <= '9';
  }
  key_.clear();
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (i > 0) key_.push_back('\0');
    const Token& t = tokens_[i];
    if (t.mask != MaskKind::none) {
      key_.push_back('\x01');
      continue;
    }
    // The value of key=value is marked: when it varies, it is a variable.
    if (t.after_equals) key_.push_back('\x03');
    for (uint32_t j = t.begin; j < t.end; ++j) {
      char c = message[j];
      if (c >= '0' && c <= '9') {
        while (j + 1 < t.end && message[j + 1] >= '0' && message[j + 1] <= '9') ++j;
        key_.push_back('\x04');
        continue;
      }
      // The key's own separators must not occur inside a word.
      key_.push_back(c == '\0' || c == '\x01' || c == '\x03' || c == '\x04' ? '\x02' : c);
    }
  }
  return key_;
}

uint32_t ShapeTable::add(std::string_view message, int64_t time_ms, bool baseline) {
  std::string_view key = key_of(message);
  auto it = index_.find(key);
  const bool existed = it != index_.end();
  uint32_t index;
  if (!existed) {
    index = static_cast<uint32_t>(shapes_.size());
    Shape s;
    s.key.assign(key);
    s.tokens = static_cast<uint32_t>(tokens_.size());
    s.example.assign(message);
    s.masked.resize(valued_tokens());
    shapes_.push_back(std::move(s));
    index_.emplace(shapes_.back().key, index);
  } else {
    index = it->second;
  }
  Shape& s = shapes_[index];
  // The example is the smallest message of the shape, not the first: a
  // template's text (and so its id) takes its separators from it, and must
  // not depend on line order.
  if (existed && message < std::string_view(s.example)) s.example.assign(message);
  (baseline ? s.baseline : s.count) += 1;
  s.last_seen = ++clock_;
  if (time_ms != INT64_MIN) {
    s.first_ms = std::min(s.first_ms, time_ms);
    s.last_ms = std::max(s.last_ms, time_ms);
  }
  size_t m = 0;
  for (const Token& t : tokens_)
    if (t.mask != MaskKind::none || t.has_digit) s.masked[m++].add(message.substr(t.begin, t.end - t.begin), 1);
  return index;
}

int64_t ShapeTable::find(std::string_view message) {
  auto it = index_.find(key_of(message));
  return it == index_.end() ? -1 : static_cast<int64_t>(it->second);
}

void ShapeTable::add_shape(Shape&& shape) {
  auto it = index_.find(std::string_view(shape.key));
  if (it == index_.end()) {
    uint32_t index = static_cast<uint32_t>(shapes_.size());
    shape.last_seen = ++clock_;
    shapes_.push_back(std::move(shape));
    index_.emplace(shapes_.back().key, index);
    return;
  }
  Shape& s = shapes_[it->second];
  if (shape.example < s.example) s.example = std::move(shape.example);
  s.count += shape.count;
  s.baseline += shape.baseline;
  s.prior += shape.prior;
  s.first_ms = std::min(s.first_ms, shape.first_ms);
  s.last_ms = std::max(s.last_ms, shape.last_ms);
  s.last_seen = ++clock_;
  if (s.masked.size() == shape.masked.size())
    for (size_t i = 0; i < s.masked.size(); ++i) s.masked[i].merge(shape.masked[i]);
}

void ShapeTable::merge(ShapeTable& other) {
  for (Shape& s : other.shapes_) add_shape(std::move(s));
  other.clear();
}

uint64_t ShapeTable::evict_oldest(size_t n) {
  if (n == 0) return 0;
  n = std::min(n, shapes_.size());
  std::vector<uint64_t> seen;
  seen.reserve(shapes_.size());
  for (const Shape& s : shapes_) seen.push_back(s.last_seen);
  std::nth_element(seen.begin(), seen.begin() + static_cast<ptrdiff_t>(n - 1), seen.end());
  const uint64_t cutoff = seen[n - 1];  // clocks are distinct: exactly n shapes are at or below
  uint64_t lines = 0;
  std::vector<Shape> kept;
  kept.reserve(shapes_.size() - n);
  for (Shape& s : shapes_) {
    if (s.last_seen <= cutoff) lines += s.count + s.baseline;  // prior counts were not lines of this run
    else kept.push_back(std::move(s));
  }
  shapes_ = std::move(kept);
  index_.clear();
  for (uint32_t i = 0; i < shapes_.size(); ++i) index_.emplace(shapes_[i].key, i);
  return lines;
}

void ShapeTable::clear() {
  shapes_.clear();
  index_.clear();
}

// ---- mining ---------------------------------------------------------------

std::vector<std::string_view> split_key(std::string_view key, uint32_t tokens) {
  std::vector<std::string_view> words;
  if (tokens == 0) return words;
  words.reserve(tokens);
  size_t start = 0;
  while (true) {
    size_t end = key.find('\0', start);
    words.push_back(key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return words;
}

bool template_fits(const std::vector<std::string>& pattern, const std::vector<std::string_view>& words) {
  const size_t n = pattern.size(), m = words.size();
  std::vector<int8_t> memo((n + 1) * (m + 1), -1);
  auto go = [&](auto&& self, size_t i, size_t j) -> bool {
    int8_t& cell = memo[i * (m + 1) + j];
    if (cell >= 0) return cell;
    bool result = false;
    if (i == n) result = j == m;
    else if (pattern[i].empty())
      for (size_t k = j + 1; k <= m && !result; ++k) result = self(self, i + 1, k);
    else result = j < m && pattern[i] == words[j] && self(self, i + 1, j + 1);
    cell = result;
    return result;
  };
  return go(go, 0, 0);
}

std::string template_id(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t h = hash_bytes(text.data(), text.size(), 0x6f6c6c79);  // "olly"
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) id[static_cast<size_t>(i)] = kHex[h & 15];
  return id;
}

namespace {

constexpr uint32_t kMasked = 0;

struct Words {
  std::unordered_map<std::string_view, uint32_t> ids;
  std::vector<std::string_view> text{std::string_view()};  // id 0: masked; without the value marker
  std::vector<bool> value{false};  // the value of key=value
  std::vector<bool> soft{false};   // a word with digits ("node-\x04"): its raw values decide

  uint32_t intern(std::string_view w) {
    auto [it, inserted] = ids.emplace(w, static_cast<uint32_t>(text.size()));
    if (inserted) {
      bool is_value = !w.empty() && w[0] == '\x03';
      if (is_value) w.remove_prefix(1);
      text.push_back(w);
      value.push_back(is_value);
      soft.push_back(w.find('\x04') != std::string_view::npos);
    }
    return it->second;
  }
};

class Miner {
 public:
  Miner(const ShapeTable& table, const Tokenizer& tokenizer, const MinerSettings& settings)
      : table_(table), tokenizer_(tokenizer), settings_(settings) {}

  std::vector<MinedTemplate> run(std::vector<uint32_t>* shape_template);

 private:
  void split_words();
  void merge_across_lengths();
  void merge_same_text();
  void mine_length(const std::vector<uint32_t>& group, uint32_t length);
  void refine(std::vector<uint32_t>& group, uint32_t length, std::vector<bool>& fixed, std::vector<bool> variable);
  void emit(const std::vector<uint32_t>& group, uint32_t length, const std::vector<bool>& variable);
  uint64_t weight(uint32_t shape) const {
    const Shape& s = table_.shapes()[shape];
    return s.count + s.baseline + s.prior;
  }

  const ShapeTable& table_;
  const Tokenizer& tokenizer_;
  const MinerSettings& settings_;
  Words words_;
  std::vector<std::vector<uint32_t>> shape_words_;  // per shape, per token
  // Per shape, per token: is it a field's value ("Type: X", "[X]", "(X")?
  // Filled on first use (empty until then).
  std::vector<std::vector<uint8_t>> after_colon_;
  std::vector<Token> tokens_;
  bool is_field_value(uint32_t shape, uint32_t p);
  std::vector<std::vector<int32_t>> value_slots_;   // per shape, per token: its Shape::masked index, or -1
  const ValueCounts* values_at(uint32_t shape, uint32_t p) const {
    int32_t slot = value_slots_[shape][p];
    const auto& masked = table_.shapes()[shape].masked;
    return slot >= 0 && static_cast<size_t>(slot) < masked.size() ? &masked[static_cast<size_t>(slot)] : nullptr;
  }
  std::vector<MinedTemplate> templates_;
  std::unordered_set<uint32_t> name_keys_;  // words that precede a variable of many names
  bool keys_known_ = false;
  std::vector<std::pair<uint32_t, uint32_t>> split_after_;  // first pass: (length, word before a split column)
  // The word every shape of group has at p, or kMasked.
  uint32_t shared_word(const std::vector<uint32_t>& group, uint32_t p) const {
    uint32_t w = shape_words_[group.front()][p];
    for (uint32_t s : group)
      if (shape_words_[s][p] != w) return kMasked;
    return w;
  }
};

void Miner::split_words() {
  const auto& shapes = table_.shapes();
  shape_words_.resize(shapes.size());
  value_slots_.resize(shapes.size());
  after_colon_.resize(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    auto& ids = shape_words_[i];
    auto& slots = value_slots_[i];
    int32_t next = 0;
    for (std::string_view w : split_key(shapes[i].key, shapes[i].tokens)) {
      ids.push_back(w == "\x01" ? kMasked : words_.intern(w));
      slots.push_back(is_valued_word(w) ? next++ : -1);
    }
  }
}

// An enum constant: capitals and underscores ("RUNNING", "NOT_FOUND").
bool is_constant_name(std::string_view w) {
  if (w.size() < 2) return false;
  bool letters = false;
  for (char c : w) {
    if (c >= 'A' && c <= 'Z') letters = true;
    else if (c != '_') return false;
  }
  return letters;
}

// A past participle ("Started", "Paused", "failed"): what happened to the
// subject, so each is an event of its own.
bool is_past_participle(std::string_view w) {
  if (w.size() < 4 || w.substr(w.size() - 2) != "ed") return false;
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (!((c >= 'a' && c <= 'z') || (i == 0 && c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool Miner::is_field_value(uint32_t shape, uint32_t p) {
  auto& field = after_colon_[shape];
  if (field.empty()) {
    // Separators are not in the key: the example has them (a shape from a
    // model has words only: no field is known). Only columns of enum
    // constants ask, so few shapes are tokenized again.
    const Shape& s = table_.shapes()[shape];
    field.assign(shape_words_[shape].size() + 1, 0);
    tokenizer_.tokenize(s.example, tokens_);
    if (tokens_.size() == shape_words_[shape].size())
      for (size_t q = 0; q < tokens_.size(); ++q) {
        std::string_view sep = std::string_view(s.example).substr(tokens_[q].sep_begin, tokens_[q].begin - tokens_[q].sep_begin);
        field[q] = sep.find(':') != std::string_view::npos || (!sep.empty() && (sep.back() == '[' || sep.back() == '('));
      }
  }
  return field[p] != 0;
}

void absorb_template(MinedTemplate& into, MinedTemplate& from) {
  into.count += from.count;
  into.baseline += from.baseline;
  into.prior += from.prior;
  into.first_ms = std::min(into.first_ms, from.first_ms);
  into.last_ms = std::max(into.last_ms, from.last_ms);
  if (into.variables.size() == from.variables.size())
    for (size_t v = 0; v < into.variables.size(); ++v) into.variables[v].merge(from.variables[v]);
  into.shapes.insert(into.shapes.end(), from.shapes.begin(), from.shapes.end());
  from.shapes.clear();
}

// Runs of <*> separated by spaces only read as one: "at <*> <*> <*>" -> "at <*>".
std::string collapse_variables(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "<*>") == 0 && out.size() >= 3 && out.compare(out.size() - 3, 3, "<*>") == 0) {
      i += 3;
      continue;
    }
    if (text[i] == ' ' && out.size() >= 3 && out.compare(out.size() - 3, 3, "<*>") == 0) {
      size_t j = i;
      while (j < text.size() && text[j] == ' ') ++j;
      if (text.compare(j, 3, "<*>") == 0) {
        i = j + 3;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

// Does pattern (a skeleton: "" is a variable) cover skeleton y? An inner
// variable of the pattern takes a run of y that is empty or holds a variable
// and at most one word ("synchronized to <*>" covers "synchronized to LOCAL
// <*>"; "Failed password for <*> from" does not cover "... for invalid user
// <*> from"); a variable at either end takes exactly one variable of y.
bool skeleton_covers(const std::vector<std::string>& pattern, const std::vector<std::string>& y) {
  const size_t n = pattern.size(), m = y.size();
  std::vector<int8_t> memo((n + 1) * (m + 1), -1);
  auto go = [&](auto&& self, size_t i, size_t j) -> bool {
    int8_t& cell = memo[i * (m + 1) + j];
    if (cell >= 0) return cell;
    bool result = false;
    if (i == n) {
      result = j == m;
    } else if (pattern[i].empty() && i > 0 && i + 1 < n) {
      size_t words = 0;
      bool variable = false;
      for (size_t k = j; k <= m && !result; ++k) {
        if (k > j) {
          if (y[k - 1].empty()) variable = true;
          else ++words;
        }
        if (words > 1) break;
        if ((k == j || variable) && self(self, i + 1, k)) result = true;
      }
    } else if (j < m) {
      result = pattern[i] == y[j] && self(self, i + 1, j + 1);  // "" == "": a variable for a variable
    }
    cell = result;
    return result;
  };
  return go(go, 0, 0);
}

std::vector<std::string> skeleton_of(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (w.empty() && !out.empty() && out.back().empty()) continue;
    out.push_back(w);
  }
  return out;
}

// A variable spread over several words ("Sat Jun 18 02:08:10 2005", "1234
// bytes (1.2 KB)") gives one template a line per length: templates whose
// skeletons (runs of <*> as one) are equal are one, and a template covered by
// a more general one (skeleton_covers) joins it.
void Miner::merge_across_lengths() {
  std::map<std::vector<std::string>, std::vector<size_t>> by_skeleton;
  std::vector<std::vector<std::string>> skeletons(templates_.size());
  for (size_t i = 0; i < templates_.size(); ++i) {
    skeletons[i] = skeleton_of(templates_[i].words);
    by_skeleton[skeletons[i]].push_back(i);
  }
  auto heavier = [&](size_t a, size_t b) {
    uint64_t wa = templates_[a].count + templates_[a].baseline + templates_[a].prior;
    uint64_t wb = templates_[b].count + templates_[b].baseline + templates_[b].prior;
    return wa != wb ? wa > wb : templates_[a].text < templates_[b].text;
  };
  std::vector<size_t> alive;
  std::vector<bool> collapsed(templates_.size(), false);
  for (auto& [skeleton, members] : by_skeleton) {
    std::sort(members.begin(), members.end(), heavier);
    size_t root = members.front();
    for (size_t k = 1; k < members.size(); ++k) {
      if (templates_[members[k]].words.size() != templates_[root].words.size()) collapsed[root] = true;
      absorb_template(templates_[root], templates_[members[k]]);
    }
    alive.push_back(root);
  }
  std::sort(alive.begin(), alive.end(), heavier);
  // Candidates share the first word (a pattern's leading variable takes
  // exactly one variable, so the first word after it must match too).
  auto anchor = [&](size_t t) {
    const auto& sk = skeletons[t];
    if (sk.empty()) return std::string("\x01");
    if (!sk[0].empty()) return sk[0];
    return sk.size() > 1 ? "\x01" + sk[1] : std::string("\x01\x01");
  };
  std::unordered_map<std::string, std::vector<size_t>> by_anchor;  // in weight order
  for (size_t t : alive) by_anchor[anchor(t)].push_back(t);
  std::vector<int64_t> target(templates_.size(), -1);
  for (size_t y : alive) {
    const auto& candidates = by_anchor[anchor(y)];
    for (size_t x : candidates) {
      bool has_word = std::any_of(skeletons[x].begin(), skeletons[x].end(), [](const std::string& w) { return !w.empty(); });
      if (x != y && has_word && skeleton_covers(skeletons[x], skeletons[y])) {
        target[y] = static_cast<int64_t>(x);
        break;
      }
    }
  }
  // Every root is found before anything is absorbed: a chain (y covered by
  // x, x by w) must end at w whichever of y and x is absorbed first.
  std::vector<int64_t> root_of(templates_.size(), -1);
  for (size_t y : alive) {
    size_t root = y, steps = 0;
    while (target[root] >= 0 && steps++ < alive.size()) root = static_cast<size_t>(target[root]);
    if (target[root] >= 0) continue;  // a cycle (mutual cover): keep them apart
    if (root != y) root_of[y] = static_cast<int64_t>(root);
  }
  for (size_t y : alive) {
    if (root_of[y] < 0) continue;
    size_t root = static_cast<size_t>(root_of[y]);
    absorb_template(templates_[root], templates_[y]);
    collapsed[root] = true;
    target[y] = -2;  // absorbed
  }
  std::vector<MinedTemplate> kept;
  for (size_t t : alive) {
    if (target[t] == -2) continue;
    MinedTemplate& tpl = templates_[t];
    if (collapsed[t]) {
      tpl.words = skeletons[t];
      tpl.text = collapse_variables(tpl.text);
      tpl.id = template_id(tpl.text);
      // Positions no longer line up with one length: keep the values of
      // the leading variables only as far as the skeleton has variables.
      size_t vars = std::count_if(tpl.words.begin(), tpl.words.end(), [](const std::string& w) { return w.empty(); });
      if (tpl.variables.size() > vars) tpl.variables.resize(vars);
    }
    kept.push_back(std::move(tpl));
  }
  templates_ = std::move(kept);
}

// Groups that came apart (different cores) but read the same are one
// template: the same id must not be listed twice.
void Miner::merge_same_text() {
  std::unordered_map<std::string, size_t> first;
  std::vector<MinedTemplate> kept;
  kept.reserve(templates_.size());
  for (size_t i = 0; i < templates_.size(); ++i) {
    auto [it, inserted] = first.emplace(templates_[i].text, kept.size());
    if (inserted) {
      kept.push_back(std::move(templates_[i]));
      continue;
    }
    absorb_template(kept[it->second], templates_[i]);
  }
  templates_ = std::move(kept);
}

std::vector<MinedTemplate> Miner::run(std::vector<uint32_t>* shape_template) {
  split_words();
  std::map<uint32_t, std::vector<uint32_t>> by_length;
  for (uint32_t i = 0; i < table_.shapes().size(); ++i)
    by_length[static_cast<uint32_t>(shape_words_[i].size())].push_back(i);
  for (auto& [length, group] : by_length) mine_length(group, length);
  // A word seen before a variable of many names ("for user <*>") is a key:
  // after it, a column of only a few names is a variable too, so the same
  // kind of line does not split by user when few users happen to appear in
  // it. A second pass, with the keys the first one found, over the lengths
  // where a split came after one of them (the others mine the same).
  std::unordered_set<uint32_t> again;
  for (const auto& [length, word] : split_after_)
    if (name_keys_.count(word)) again.insert(length);
  if (!again.empty()) {
    templates_.erase(std::remove_if(templates_.begin(), templates_.end(),
                                    [&](const MinedTemplate& t) { return again.count(static_cast<uint32_t>(t.words.size())) > 0; }),
                     templates_.end());
    keys_known_ = true;
    for (auto& [length, group] : by_length)
      if (again.count(length)) mine_length(group, length);
  }
  merge_across_lengths();
  merge_same_text();

  std::vector<uint32_t> order(templates_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const MinedTemplate& x = templates_[a];
    const MinedTemplate& y = templates_[b];
    uint64_t wx = x.count + x.baseline + x.prior, wy = y.count + y.baseline + y.prior;
    if (wx != wy) return wx > wy;
    return x.text < y.text;
  });
  std::vector<MinedTemplate> sorted;
  sorted.reserve(order.size());
  for (uint32_t i : order) sorted.push_back(std::move(templates_[i]));
  if (shape_template) {
    shape_template->assign(table_.shapes().size(), 0);
    for (uint32_t t = 0; t < sorted.size(); ++t)
      for (uint32_t s : sorted[t].shapes) (*shape_template)[s] = t;
  }
  return sorted;
}

void Miner::mine_length(const std::vector<uint32_t>& group, uint32_t length) {
  // Frequency of each word at each position, over the lines of this length.
  std::unordered_map<uint64_t, uint64_t> freq;
  for (uint32_t s : group) {
    const auto& ids = shape_words_[s];
    for (uint32_t p = 0; p < length; ++p)
      if (ids[p] != kMasked) freq[(uint64_t{p} << 32) | ids[p]] += weight(s);
  }
  // Each shape's core: its words at the frequency most of its words share
  // (the higher frequency on a tie). Shapes with the same core are a group.
  std::map<std::vector<uint64_t>, std::vector<uint32_t>> groups;
  std::vector<std::pair<uint64_t, uint32_t>> counts;  // frequency -> words with it
  std::vector<uint64_t> core;
  for (uint32_t s : group) {
    const auto& ids = shape_words_[s];
    counts.clear();
    for (uint32_t p = 0; p < length; ++p) {
      if (ids[p] == kMasked) continue;
      uint64_t f = freq[(uint64_t{p} << 32) | ids[p]];
      auto it = std::find_if(counts.begin(), counts.end(), [f](const auto& c) { return c.first == f; });
      if (it == counts.end()) counts.emplace_back(f, 1);
      else ++it->second;
    }
    core.clear();
    if (!counts.empty()) {
      auto best = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second < b.second : a.first < b.first;
      });
      for (uint32_t p = 0; p < length; ++p)
        if (ids[p] != kMasked && freq[(uint64_t{p} << 32) | ids[p]] == best->first)
          core.push_back((uint64_t{p} << 32) | ids[p]);
    }
    groups[core].push_back(s);
  }
  for (auto& [key, members] : groups) {
    // A word with digits in the core is settled by its raw values (refine):
    // "user0" to "user8" share one key word but are a variable.
    std::vector<bool> fixed(length, false);
    for (uint64_t pw : key) fixed[pw >> 32] = !words_.soft[static_cast<uint32_t>(pw)];
    refine(members, length, fixed, std::vector<bool>(length, false));
  }
}

// Settles a group's columns: a column with one word is constant; with a
// mask, many words, numeric words or key=value values it is a variable; a
// column with a few names splits the group, one part per name (masked rows
// form a part of their own where the column stays a variable). A word seen
// on one line only beside masked values ("synchronized to LOCAL") is noise
// in a variable, not a template of its own.
void Miner::refine(std::vector<uint32_t>& group, uint32_t length, std::vector<bool>& fixed,
                   std::vector<bool> variable) {
  int split_pos = -1;
  size_t split_words = SIZE_MAX;
  std::vector<std::pair<uint32_t, uint64_t>> distinct;  // word, lines
  std::vector<std::string_view> raws;                    // of one soft word
  for (uint32_t p = 0; p < length; ++p) {
    if (fixed[p] || variable[p]) continue;
    size_t max_words = p == 0 ? settings_.split_max_first_words : settings_.split_max_words;
    const size_t most_words = std::max<size_t>(max_words, settings_.split_max_state_words);
    distinct.clear();
    bool masked = false, states = true, keyed = false;
    for (uint32_t s : group) {
      uint32_t w = shape_words_[s][p];
      if (w == kMasked) {
        masked = true;
        continue;
      }
      auto it = std::find_if(distinct.begin(), distinct.end(), [w](const auto& d) { return d.first == w; });
      // Every shape is asked (not only the first with the word), so the
      // answer does not depend on the order shapes were added in.
      if (states && !keyed && is_constant_name(words_.text[w])) keyed = is_field_value(s, p);
      if (it == distinct.end()) {
        distinct.emplace_back(w, weight(s));
        std::string_view text = words_.text[w];
        if (!is_constant_name(text)) states &= !words_.soft[w] && is_past_participle(text);
      } else {
        it->second += weight(s);
      }
      if (distinct.size() + masked > most_words) break;
    }
    if (states && distinct.size() > 1) {
      if (keyed) {
        variable[p] = true;
        continue;
      }
      max_words = most_words;
    }
    if (!keys_known_ && !masked && p > 0 && distinct.size() > max_words && !states &&
        std::none_of(distinct.begin(), distinct.end(), [&](const auto& d) { return words_.soft[d.first]; }))
      if (uint32_t key = shared_word(group, p - 1); key != kMasked) name_keys_.insert(key);
    if (distinct.empty() || distinct.size() + masked > max_words) {
      variable[p] = true;
      continue;
    }
    // Words with digits count as the raw words they stand for ("eth0" and
    // "eth1" are two); numeric: a raw word with two digits or more.
    size_t words = 0;
    bool all_numeric = true, any_numeric = false;
    for (const auto& [w, lines] : distinct) {
      if (!words_.soft[w]) {
        ++words;
        all_numeric = false;
        continue;
      }
      raws.clear();
      bool many = false, numeric = false;
      for (uint32_t s : group) {
        if (shape_words_[s][p] != w) continue;
        const ValueCounts* v = values_at(s, p);
        if (!v) continue;
        many |= v->other > 0;
        for (const auto& [raw, n] : v->values) {
          if (std::find(raws.begin(), raws.end(), raw) == raws.end()) raws.push_back(raw);
          numeric |= std::count_if(raw.begin(), raw.end(), [](char c) { return c >= '0' && c <= '9'; }) >= 2;
        }
      }
      words += many ? max_words + 1 : std::max<size_t>(1, raws.size());
      all_numeric &= numeric;
      any_numeric |= numeric;
    }
    if (words + masked > max_words || (distinct.size() == 1 && !masked && words > 1)) {
      variable[p] = true;
      continue;
    }
    if (distinct.size() == 1 && !masked) continue;  // constant
    bool numeric = masked ? any_numeric : all_numeric;
    bool values = std::any_of(distinct.begin(), distinct.end(), [&](const auto& d) { return words_.value[d.first]; });
    bool rare = masked && std::all_of(distinct.begin(), distinct.end(), [](const auto& d) { return d.second < 2; });
    if (numeric || values || rare) {
      variable[p] = true;
      continue;
    }
    if (keys_known_ && p > 0 && !states) {
      uint32_t key = shared_word(group, p - 1);
      if (key != kMasked && name_keys_.count(key)) {
        variable[p] = true;
        continue;
      }
    }
    if (distinct.size() < split_words) {
      split_words = distinct.size();
      split_pos = static_cast<int>(p);
    }
  }
  if (split_pos < 0) {
    emit(group, length, variable);
    return;
  }
  const size_t at = static_cast<size_t>(split_pos);
  if (!keys_known_ && at > 0)
    if (uint32_t before = shared_word(group, static_cast<uint32_t>(at - 1)); before != kMasked)
      split_after_.emplace_back(length, before);
  std::map<std::string_view, std::vector<uint32_t>> parts;
  std::vector<uint32_t> masked_part;
  for (uint32_t s : group) {
    uint32_t w = shape_words_[s][at];
    if (w == kMasked) masked_part.push_back(s);
    else parts[words_.text[w]].push_back(s);
  }
  for (auto& [word, members] : parts) {
    // A word with digits is one name only when it has one raw value: "a2"
    // and "a6" split from the masked "2" stay a variable of their own part.
    std::vector<bool> sub_fixed = fixed;
    sub_fixed[at] = !words_.soft[shape_words_[members.front()][at]];
    refine(members, length, sub_fixed, variable);
  }
  fixed[at] = true;
  if (!masked_part.empty()) {
    std::vector<bool> sub_fixed = fixed;
    std::vector<bool> sub_variable = variable;
    sub_variable[at] = true;
    refine(masked_part, length, sub_fixed, sub_variable);
  }
}

void Miner::emit(const std::vector<uint32_t>& group, uint32_t length, const std::vector<bool>& variable) {
  const auto& shapes = table_.shapes();
  MinedTemplate t;
  // The representative (for separators and the example): the most common
  // shape, the smallest key on a tie, so the text does not depend on order.
  uint32_t rep = group.front();
  for (uint32_t s : group) {
    if (weight(s) > weight(rep) || (weight(s) == weight(rep) && shapes[s].key < shapes[rep].key)) rep = s;
  }
  std::vector<Token> tokens;
  const std::string& example = shapes[rep].example;
  tokenizer_.tokenize(example, tokens);
  bool separators = tokens.size() == length;  // false for a shape from a model: words only
  t.words.resize(length);
  const auto& rep_words = shape_words_[rep];
  for (uint32_t p = 0; p < length; ++p) {
    bool var = variable[p] || rep_words[p] == kMasked;
    if (!var) {
      // The word as the example has it: the key stands for control bytes
      // with a marker ("a\x02b" for "a\0b") that must not reach the text.
      const ValueCounts* raw = words_.soft[rep_words[p]] ? values_at(rep, p) : nullptr;
      if (raw && !raw->values.empty()) t.words[p] = raw->values.front().first;
      else if (separators) t.words[p] = example.substr(tokens[p].begin, tokens[p].end - tokens[p].begin);
      else t.words[p] = std::string(words_.text[rep_words[p]]);
    }
    if (separators) t.text.append(example, tokens[p].sep_begin, tokens[p].begin - tokens[p].sep_begin);
    else if (p > 0) t.text.push_back(' ');
    t.text.append(var ? std::string_view("<*>") : std::string_view(t.words[p]));
  }
  if (separators && !tokens.empty()) t.text.append(example, tokens.back().end, std::string::npos);
  if (length == 0) t.text = separators ? example : std::string();
  t.id = template_id(t.text);
  t.example = example;
  // Values at each <*>: the words of the shapes there, or their masked values.
  for (uint32_t p = 0; p < length; ++p)
    if (t.words[p].empty()) t.variables.emplace_back();
  for (uint32_t s : group) {
    const Shape& shape = shapes[s];
    t.count += shape.count;
    t.baseline += shape.baseline;
    t.prior += shape.prior;
    t.first_ms = std::min(t.first_ms, shape.first_ms);
    t.last_ms = std::max(t.last_ms, shape.last_ms);
    size_t var = 0;
    for (uint32_t p = 0; p < length; ++p) {
      if (!t.words[p].empty()) continue;
      if (const ValueCounts* v = values_at(s, p)) t.variables[var].merge(*v);
      else t.variables[var].add(words_.text[shape_words_[s][p]], shape.count + shape.baseline + shape.prior);
      ++var;
    }
    t.shapes.push_back(s);
  }
  templates_.push_back(std::move(t));
}

}  // namespace

std::vector<MinedTemplate> mine_templates(const ShapeTable& table, const Tokenizer& tokenizer,
                                          const MinerSettings& settings,
                                          std::vector<uint32_t>* shape_template) {
  Miner miner(table, tokenizer, settings);
  return miner.run(shape_template);
}

}  // namespace olly
