// olly-validate's stage: check each event against a compiled JSON Schema
// contract, write violations as NDJSON (or a summary), split the stream into
// --pass / --fail files.
#pragma once
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/input.h"
#include "schema/jsonschema.h"
#include "expr/path.h"
#include "core/run.h"
#include "core/stage.h"

namespace olly {

struct ValidateOptions {
  std::string contract;
  std::vector<std::string> files;
  std::vector<std::string> keys;  // --key
  bool summary = false;
  int64_t max_errors = -1;        // violations written in total; -1: all
  std::string pass_path, fail_path;
  bool formats = false;
  bool quiet = false;
  CommonOptions common;
};

// Reads and compiles the contract; throws UsageError naming it.
JsonSchema load_contract(const std::string& path, bool formats);

class ValidateStage : public Stage {
 public:
  ValidateStage(const ValidateOptions& opts, size_t input_count);
  ~ValidateStage() override;

  // olly validate -j N: each event on its own, so ranges run in parallel;
  // --max-errors counts violations in input order, so it reads serially.
  StageKind kind() const override { return max_errors_ < 0 ? StageKind::map : StageKind::serial; }
  std::unique_ptr<Stage> clone() const override;
  void absorb(Stage& range) override;

  Result on_event(Event& ev, Emitter& out) override;
  void on_end(Emitter& out) override;

  uint64_t invalid_events() const { return invalid_; }
  // A line that is not a JSON document (or got no verdict): invalid, written to --fail.
  void on_bad_line(const Event& ev, std::string_view reason) override;

 private:
  void write_violations(const Event& ev, simdjson::dom::element event, Emitter& out);
  struct CloneTag {};
  ValidateStage(const ValidateStage& from, CloneTag);
  // A line for --pass or --fail: to its file, or held for absorb() on a clone.
  void write_line(std::FILE* f, std::string& held, std::string_view raw, bool cr);

  std::shared_ptr<const JsonSchema> schema_;  // compiled once; clones share it
  std::vector<Path> keys_;
  bool summary_, quiet_;
  bool with_file_;
  std::string undecided_;  // why the last event got no verdict (the bad record's reason)
  int64_t max_errors_;
  uint64_t written_ = 0, suppressed_ = 0, invalid_ = 0, valid_ = 0;
  std::FILE* pass_ = nullptr;
  std::FILE* fail_ = nullptr;
  bool hold_pass_ = false, hold_fail_ = false;  // a clone keeps its --pass/--fail lines here
  std::string pass_held_, fail_held_;
  std::string pass_path_, fail_path_;
  simdjson::dom::parser dom_;
  PaddedLine padded_;
  std::vector<SchemaViolation> violations_;
  std::string line_;
  // --summary: (keyword, schema location) -> count, first instance location
  struct Tally {
    uint64_t count = 0;
    std::string example;
  };
  std::map<std::pair<std::string, std::string>, Tally> tallies_;
};

}  // namespace olly
