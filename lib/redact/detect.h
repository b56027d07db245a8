// Detectors of secrets and personal data in text: each is an RE2 pattern
// run only when a cheap one-pass prefilter says the text could hold a match,
// plus a validator in C++ (Luhn, IPv4 octets, JWT segments, ...) that keeps
// look-alikes out. Precision over recall: a detector that is unsure says no.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace olly::redact {

// The built-in detectors, in priority order: when two matches overlap, the
// one whose rule comes first wins (a password in a URL is not an email).
// Custom --pattern rules come before all of them.
enum class Builtin : uint8_t {
  private_key,
  jwt,
  url_password,
  bearer,
  basic,
  aws,
  gcp,
  azure,
  card,
  email,
  ipv6,
  ipv4,
  phone,
  count
};

// The names --detect takes, indexed by Builtin.
const std::vector<std::string>& builtin_names();

struct CustomPattern {
  std::string name;
  std::string regex;  // RE2; when it has a capturing group, the first group is the match
};

struct Match {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint16_t rule = 0;  // see DetectorSet::rule_name
};

// A compiled set of detectors; const and shareable across threads.
class DetectorSet {
 public:
  // names: builtin names (or "all"); throws UsageError naming --detect or
  // --pattern for an unknown name or a bad regex.
  DetectorSet(const std::vector<std::string>& names, const std::vector<CustomPattern>& custom);
  ~DetectorSet();

  // Rules are numbered: custom patterns first (in the order given), then
  // the enabled built-ins in priority order.
  size_t rule_count() const;
  std::string_view rule_name(size_t rule) const;
  // The built-in a rule is, or Builtin::count for a custom pattern.
  Builtin rule_builtin(size_t rule) const;
  bool empty() const;
  bool has(Builtin b) const;

  // Appends to out the non-overlapping matches in text, sorted by begin.
  // key is the JSON member name the text is the value of ("" for raw text):
  // it gives context (an IPv4-like value of a "version" member is a version).
  void scan(std::string_view text, std::string_view key, std::vector<Match>& out) const;

  // The start of a PEM private key block with no END marker in text (for
  // --raw, where the block goes on over the next lines), or npos.
  static size_t open_private_key_block(std::string_view text);

 private:
  struct Rule;
  struct Impl;
  std::vector<Rule> rules_;
  std::unique_ptr<Impl> impl_;
};

// Validators, exposed for tests.
bool luhn_ok(std::string_view digits);
bool jwt_ok(std::string_view token);

}  // namespace olly::redact
