// olly-redact's engine: the options, compiled once (detectors, field globs,
// actions, the key), and a Redactor per thread that edits one line in
// place: every byte no detector or path picked is copied as it came; a JSON
// string is decoded and encoded again only when a match inside it needs its
// escapes undone.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redact/action.h"
#include "redact/detect.h"
#include "redact/field_glob.h"

namespace olly::redact {

struct RedactOptions {
  std::vector<std::string> fields;       // --field
  std::vector<std::string> hash_fields;  // --hash
  std::vector<std::string> drop_fields;  // --drop-field
  std::vector<std::string> detect;       // --detect
  std::vector<std::string> patterns;     // --pattern NAME=REGEX
  std::vector<std::string> actions;      // --action NAME=ACTION
  std::string key_file;                  // --key-file
  std::string key_env;                   // --key-env
  bool raw = false;                      // --raw
};

// What the options compile to; shared (read-only) by every thread.
struct RedactConfig {
  std::unique_ptr<DetectorSet> detectors;
  std::vector<Action> rule_actions;   // per detector rule
  std::vector<FieldGlob> globs;       // --field, --hash, --drop-field, in that order
  std::vector<Action> glob_actions;
  std::string key;                    // empty unless some action hashes
  bool raw = false;
  bool any_detector_drop = false;

  // Throws UsageError naming the flag (exit 2), before any input is read.
  static std::shared_ptr<const RedactConfig> build(const RedactOptions& opts);
};

// Per-rule and per-glob counts of what was changed (never the values).
struct RedactCounts {
  std::vector<uint64_t> rules;
  std::vector<uint64_t> globs;
  uint64_t events_dropped = 0;
  uint64_t events_changed = 0;
  void add(const RedactCounts& o);
};

class Redactor {
 public:
  explicit Redactor(std::shared_ptr<const RedactConfig> config);
  ~Redactor();

  enum class Outcome : uint8_t { kept, changed, dropped };

  // Rewrites one JSON line (raw: its bytes; doc: iterated from a padded
  // copy of them) into out (appended). On an error nothing sensible was
  // written: the caller rolls out back. dropped: the event goes.
  [[nodiscard]] simdjson::error_code redact_json(std::string_view raw, simdjson::ondemand::document& doc,
                                                 std::string& out, Outcome& outcome);
  // Rewrites one plain text line (--raw) into out.
  Outcome redact_text(std::string_view line, std::string& out);

  const RedactCounts& counts() const { return counts_; }
  RedactCounts& counts() { return counts_; }
  const RedactConfig& config() const { return *config_; }

 private:
  struct Walk;
  // Applies matches to text, appending the result to out; returns the
  // strongest action seen (drop, drop_event) or mask when only edits.
  Action apply_matches(std::string_view text, const std::vector<Match>& matches, std::string& out);
  void apply_value_action(Action a, Builtin kind, std::string_view text, std::string& out);

  std::shared_ptr<const RedactConfig> config_;
  std::unique_ptr<Hasher> hasher_;
  GlobMatcher matcher_;
  RedactCounts counts_;
  std::vector<Match> matches_;
  std::string decoded_;
  std::string edited_;
  bool in_key_block_ = false;  // --raw: inside a PEM private key's lines
  unsigned key_block_lines_ = 0;
};

}  // namespace olly::redact
