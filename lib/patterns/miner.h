// Template mining: messages in, templates (constant words and <*>) out.
//
// Lines are first reduced to their distinct shapes: the token sequence with
// masked tokens (numbers, addresses, ...) replaced by one marker. A log of a
// billion lines has a few thousand shapes, so the state is bounded by shapes,
// not lines, and shapes from threads or shards merge by adding counts.
//
// Mining then looks at all shapes at once, never at line order (so the
// result does not depend on it), in the way of Brain (Yu et al., 2023):
// within shapes of one length, every token gets the frequency of its word at
// its position; the words of one template occur together, so they share a
// frequency, and the most common frequency among a line's words picks the
// line's constant core. Shapes with the same core form a group; in a group a
// column with one word is constant, a column holding a mask or many words is
// variable, and a column with a few words (none of them numeric) splits the
// group: "VM Started" and "VM Paused" stay two templates. Columns of state
// names split with more words; a word seen before a column of many names
// ("for user <*>") is a key after which a few names are a variable too (a
// second pass, with the keys the first found).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "patterns/tokenizer.h"

namespace olly {

// The most common values seen at a variable position.
struct ValueCounts {
  static constexpr size_t kKept = 8;
  std::vector<std::pair<std::string, uint64_t>> values;  // at most kKept, unordered
  uint64_t other = 0;                                     // counts of values not kept

  void add(std::string_view value, uint64_t n);
  void merge(const ValueCounts& other);
};

// One distinct shape and what was seen of it.
struct Shape {
  // Token words joined by '\0'; a masked token is "\x01"; in a word with
  // digits each run of digits is "\x04" ("node-\x04"), so ids do not make a
  // shape per line, and its values are kept (in values) as a mask's are.
  std::string key;
  uint32_t tokens = 0;
  uint64_t count = 0;         // lines (current side of a --diff)
  uint64_t baseline = 0;      // lines on the baseline side of a --diff
  uint64_t prior = 0;         // lines a loaded --model counted: they steer mining only
  int64_t first_ms = INT64_MAX;  // event time (epoch ms), when lines have one
  int64_t last_ms = INT64_MIN;
  uint64_t last_seen = 0;     // the shape table's clock, for eviction
  std::string example;        // the smallest message seen (bytewise): independent of line order
  std::vector<ValueCounts> masked;  // per valued token (masked, or a word with digits), in order
};

struct MinerSettings {
  // A column of a group with at most this many distinct words splits it
  // into one template per word; more, and the column is a variable.
  uint32_t split_max_words = 3;
  // The first word of a message is most often what happened ("boot
  // (command 12)", "cupsd startup succeeded"): it splits with more words.
  uint32_t split_max_first_words = 8;
  // So does a column of state names: enum constants (RUNNING, NOT_FOUND)
  // and past participles (Started, Paused), unless the column is the value
  // of a "key:" field, where a log prints whatever the field holds.
  uint32_t split_max_state_words = 8;
};

struct MinedTemplate {
  std::string id;        // stable: a hash of text
  std::string text;      // constant words and <*>, with the example's separators
  std::vector<std::string> words;  // per token: the word, or empty for <*>
  uint64_t count = 0;
  uint64_t baseline = 0;
  uint64_t prior = 0;
  int64_t first_ms = INT64_MAX;
  int64_t last_ms = INT64_MIN;
  std::string example;
  std::vector<ValueCounts> variables;  // per <*>, in order
  std::vector<uint32_t> shapes;        // indexes into the table's shapes
};

// The distinct shapes of everything added so far.
class ShapeTable {
 public:
  explicit ShapeTable(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}

  // Adds one message (time_ms INT64_MIN when it has none); returns the shape
  // index. baseline: counts on the baseline side (--diff).
  uint32_t add(std::string_view message, int64_t time_ms, bool baseline = false);
  // The shape of a message without adding it: its index, or -1.
  int64_t find(std::string_view message);
  // Adds a shape built elsewhere (another thread, a partial state, a model).
  void add_shape(Shape&& shape);
  void merge(ShapeTable& other);

  const std::vector<Shape>& shapes() const { return shapes_; }
  std::vector<Shape>& shapes() { return shapes_; }
  size_t size() const { return shapes_.size(); }
  void clear();
  // Drops the n least recently seen shapes; returns the lines they held.
  uint64_t evict_oldest(size_t n);
  const Tokenizer& tokenizer() const { return *tokenizer_; }

  // The key of a message (into key_); tokens_ holds its tokens after.
  std::string_view key_of(std::string_view message);
  const std::vector<Token>& last_tokens() const { return tokens_; }
  // Of the last key_of: tokens masked or with digits (their values are kept).
  size_t valued_tokens() const;

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const;
  };
  struct KeyEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  };

  const Tokenizer* tokenizer_;
  std::vector<Shape> shapes_;
  std::unordered_map<std::string, uint32_t, KeyHash, KeyEq> index_;
  std::vector<Token> tokens_;
  std::string key_;
  uint64_t clock_ = 0;
};

// Mines the templates of every shape in table; the result is ordered by
// count (descending), then text, and does not depend on the order in which
// shapes were added. shape_template (optional) receives, per shape, the index
// of its template.
std::vector<MinedTemplate> mine_templates(const ShapeTable& table, const Tokenizer& tokenizer,
                                          const MinerSettings& settings,
                                          std::vector<uint32_t>* shape_template = nullptr);

// A key word whose values are kept: a masked token or a word with digits.
inline bool is_valued_word(std::string_view w) {
  return w == "\x01" || w.find('\x04') != std::string_view::npos;
}

// The words of a shape key ("\x01" for a masked token; a key=value value
// keeps its "\x03" mark). tokens: the shape's token count (0: no words).
std::vector<std::string_view> split_key(std::string_view key, uint32_t tokens);

// Do words (a message's, "" for a masked token) fit a template's words
// ("" for <*>, which takes one or more words)?
bool template_fits(const std::vector<std::string>& pattern, const std::vector<std::string_view>& words);

// The stable id of a template text.
std::string template_id(std::string_view text);

}  // namespace olly
