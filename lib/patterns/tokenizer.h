// Splitting a log message into the tokens templates are mined from, and
// masking the tokens that are variable by their shape alone (numbers, hex,
// UUIDs, IP addresses, paths, durations, times, and --mask regexes).
//
// Two levels, so that a value keeps its whole shape: a whitespace-separated
// word is first tested whole (an IP:port, a path, a URL, a timestamp); only a
// word that no mask takes is cut at inner delimiters (= : , ; ( ) [ ] { } " '
// |), so `uid=0` becomes the constant `uid`, the separator `=` and the masked
// number `0`. Separators are kept beside each token so a template's text can
// be written back with the message's own punctuation.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace olly {

enum class MaskKind : uint8_t {
  none = 0,  // a word: constant or variable, as the miner decides
  number,
  hex,
  uuid,
  ip,
  path,
  url,
  duration,
  time,     // clock times and dates, and day and month names
  boolean,  // true, false, null: always a value
  user,     // a --mask regex
};

std::string_view mask_kind_name(MaskKind kind);

struct Token {
  uint32_t sep_begin = 0;  // the separator before the token is [sep_begin, begin)
  uint32_t begin = 0;
  uint32_t end = 0;
  MaskKind mask = MaskKind::none;
  bool after_equals = false;  // the value of key=value: a variable when it varies
  uint16_t user_mask = 0;  // which --mask, when mask is user
  bool has_digit = false;  // set by the shape table (a word with digits keeps its values)
};

struct UserMask {
  std::string name;
  std::string regex;
};

class Tokenizer {
 public:
  // Throws std::invalid_argument naming the mask when a regex does not compile.
  explicit Tokenizer(const std::vector<UserMask>& masks = {}, bool builtin_masks = true);
  ~Tokenizer();
  Tokenizer(const Tokenizer& other);
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Tokens of message into out (cleared first). Offsets are into message,
  // which must stay alive while they are used. Messages longer than 4 GiB are
  // not expected (the runner caps line length far below).
  void tokenize(std::string_view message, std::vector<Token>& out) const;

  const std::vector<UserMask>& user_masks() const { return masks_; }
  bool builtin_masks() const { return builtin_; }

 private:
  void add_user_spans(std::string_view message) const;
  void split_word(std::string_view message, uint32_t sep_begin, uint32_t begin, uint32_t end,
                  std::vector<Token>& out) const;

  std::vector<UserMask> masks_;
  std::vector<std::unique_ptr<re2::RE2>> compiled_;
  bool builtin_;
  struct Span {
    uint32_t begin, end;
    uint16_t mask;
  };
  mutable std::vector<Span> spans_;  // reused per message
};

// The built-in shape of one word alone (exposed for tests): none when no
// built-in mask takes it whole.
MaskKind classify_word(std::string_view word);

}  // namespace olly
