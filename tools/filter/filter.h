// olly-filter's stage: keep events matching an expression, optionally
// within a time range, projected or passed through byte for byte.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/rewrite.h"
#include "core/run.h"
#include "core/stage.h"
#include "expr/timefield.h"
#include "expr/timerange.h"

namespace olly {

struct FilterOptions {
  std::string expression;
  std::vector<std::string> files;
  std::vector<std::string> select;
  std::vector<std::string> drop;
  bool invert = false;
  bool fail_empty = false;
  int64_t limit = -1;
  bool with_filename = false;
  CommonOptions common;
};

class FilterStage : public Stage {
 public:
  // Compiles everything once; throws UsageError naming the flag.
  FilterStage(const FilterOptions& opts, size_t input_count);

  Result on_event(Event& ev, Emitter& out) override;
  bool done() const override { return limit_ >= 0 && matched_ >= static_cast<uint64_t>(limit_); }
  uint64_t matched() const { return matched_; }

  // olly filter -j N: each event on its own, so ranges run in parallel.
  StageKind kind() const override { return StageKind::map; }
  std::unique_ptr<Stage> clone() const override;
  void absorb(Stage& range) override;
  int64_t output_limit() const override { return limit_; }

 private:
  Expr expr_;
  FieldExtractor extractor_;
  std::vector<Value> slots_;
  EvalScratch scratch_;
  std::optional<TimeFieldReader> time_;
  TimeRange range_;
  std::optional<ObjectRewriter> rewriter_;
  std::vector<Value> set_values_;  // rewriter values: [0] = _file
  bool invert_ = false;
  bool add_filename_ = false;
  int64_t limit_ = -1;
  uint64_t matched_ = 0;
  FilterOptions opts_;  // for clone()
  size_t input_count_;
};

}  // namespace olly
