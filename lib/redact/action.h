// What happens to a value a detector or a field path picked: the masks
// that keep a value's shape, the replacement label, and the keyed hash.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "redact/detect.h"

namespace olly::redact {

enum class Action : uint8_t { mask, replace, hash, drop, drop_event };

// "mask", "replace", "hash", "drop", "drop-event".
const char* action_name(Action a);
// False when name is none of them.
bool parse_action(std::string_view name, Action& out);
// The default action of a built-in detector (personal data is masked,
// secrets are replaced) or of a custom pattern (Builtin::count: replace).
Action default_action(Builtin b);

// Appends the masked form of a match of detector b (Builtin::count: the
// generic mask) to out:
//   email j***@e***.com; card 4111 **** **** 1111; ipv4 10.*.*.*;
//   ipv6 2001:*:*:*:*:*:*:*; phone +* ***-***-**32; aws AKIA**...;
//   gcp AIza**...; private_key keeps its BEGIN and END lines; other
//   secrets become **** (their length is not kept); generic: every letter
//   and digit becomes * (a multi-byte character one *), the rest is kept.
void append_mask(Builtin b, std::string_view text, std::string& out);

// HMAC-SHA-256 with one key (OpenSSL). Not thread-safe: one per thread.
class Hasher {
 public:
  explicit Hasher(std::string key);  // key must not be empty
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  // Appends the token: "hmac:" and the first 16 hex digits (8 bytes) of
  // HMAC-SHA-256(key, text).
  void append_token(std::string_view text, std::string& out);
  // The whole MAC in hex, for tests against published vectors.
  std::string hex(std::string_view text);
  const std::string& key() const { return key_; }

 private:
  void mac(std::string_view text, unsigned char out[32]);
  struct Impl;
  std::string key_;
  std::unique_ptr<Impl> impl_;
};

inline constexpr std::string_view kHashPrefix = "hmac:";

}  // namespace olly::redact
