// Field paths with wildcards for --field, --hash and --drop-field:
// a.b.c, a[0].b, a["odd.key"] as everywhere in olly, plus `*` as a whole
// step (any number of steps, none included: *.token is a token member at
// any depth, arrays included) and `*` inside a name (a glob over one key:
// *_token, x-*).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace olly::redact {

struct GlobStep {
  enum class Kind : uint8_t { key, glob, index, any_depth } kind = Kind::key;
  std::string text;   // key or glob
  int64_t index = -1;
};

struct FieldGlob {
  std::vector<GlobStep> steps;
  std::string text;  // as written
};

// Parses or throws UsageError naming flag.
FieldGlob parse_field_glob(std::string_view text, std::string_view flag);

bool glob_match(std::string_view pattern, std::string_view key);

// Walks a document's tree along with a set of globs: the positions reached
// so far are a small stack of (glob, step) states, one frame per level.
class GlobMatcher {
 public:
  explicit GlobMatcher(const std::vector<FieldGlob>* globs) : globs_(globs) {}
  bool empty() const { return globs_->empty(); }

  // Starts an event: the root frame.
  void reset();
  // Enters a member (key) or an element (index >= 0, key ignored) of the
  // current frame's value; returns the first glob that selects it, or -1.
  int enter(std::string_view key, int64_t index);
  // True when some glob could still match below the value just entered.
  bool alive() const { return frames_.back() < states_.size(); }
  void leave();

 private:
  struct State {
    uint32_t glob, step;
  };
  void add_closure(uint32_t glob, uint32_t step, int& hit);
  const std::vector<FieldGlob>* globs_;
  std::vector<State> states_;
  std::vector<size_t> frames_;  // where each level's states start
};

}  // namespace olly::redact
