// olly-sample's stage: keep an event when --keep says so, else when the rate
// sampler (by --key, or by position and --seed) and the --limit token bucket
// of its --by group let it through; a kept event gets sample_rate appended.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/run.h"
#include "core/stage.h"
#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/rewrite.h"
#include "expr/timefield.h"
#include "sample/decide.h"

namespace olly {

struct SampleOptions {
  std::string rate;   // --rate R, as given (empty: no rate sampling)
  std::string key;    // --key FIELD
  uint64_t seed = 0;  // --seed
  std::string keep;   // --keep EXPR
  std::string limit;  // --limit N/s
  std::string by;     // --by FIELD
  std::string burst;  // --burst B
  std::vector<std::string> files;
  CommonOptions common;
};

// The field a kept event carries: its inverse inclusion probability.
inline constexpr std::string_view kSampleRateField = "sample_rate";

class SampleStage : public Stage {
 public:
  // Parses and compiles every option; throws UsageError naming the flag.
  explicit SampleStage(const SampleOptions& opts);

  Result on_event(Event& ev, Emitter& out) override;

  // olly sample --rate/--keep -j N: each decision is the event's own, so
  // ranges run in parallel; a --limit bucket sees events in order: serial.
  StageKind kind() const override { return limit_ ? StageKind::serial : StageKind::map; }
  std::unique_ptr<Stage> clone() const override;
  void absorb(Stage& range) override;

  // The --stats counters and, with --by, drops per group (JSON object text).
  void report(RunContext& ctx) const;

  uint64_t kept_by_keep() const { return kept_keep_; }
  uint64_t dropped_by_rate() const { return dropped_rate_; }
  uint64_t dropped_by_limit() const { return dropped_limit_; }

 private:
  struct Group {
    TokenBucket bucket;
    double pending = 0;      // weight of the events --limit dropped since the group's last kept one
    uint64_t dropped = 0;
  };
  struct Limit {
    double per_ns = 0;
    double burst = 0;
  };

  Result emit(Event& ev, Emitter& out, double weight, simdjson::ondemand::json_type type);
  Group& group_of(const Value& v);

  SampleOptions opts_;  // for clone()
  std::optional<double> rate_;
  uint64_t bound_ = 0;
  double rate_weight_ = 1;
  std::optional<Limit> limit_;
  std::optional<Expr> keep_;
  FieldExtractor extractor_;
  std::vector<Value> slots_;
  EvalScratch scratch_;
  size_t key_slot_ = SIZE_MAX, by_slot_ = SIZE_MAX;
  std::optional<TimeFieldReader> time_;
  std::unordered_map<std::string, Group> groups_;
  std::string key_text_;  // reused: a key's bytes
  std::optional<ObjectRewriter> replace_;  // an event that already has sample_rate
  std::vector<Value> replace_values_;
  std::unique_ptr<simdjson::dom::parser> dom_;  // checks the rare line that is not an object
  uint64_t kept_keep_ = 0, dropped_rate_ = 0, dropped_limit_ = 0;
};

// The bytes a key value is hashed as: a string's text, a number's shortest
// decimal form, true/false, an array's or object's JSON text. False when
// missing or null.
bool key_bytes(const Value& v, std::string& out);

}  // namespace olly
