// olly-eval's stage: add or replace fields computed by expressions.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "expr/extract.h"
#include "expr/reshape.h"
#include "expr/rewrite.h"
#include "core/run.h"
#include "core/stage.h"

namespace olly {

struct EvalOptions {
  std::vector<std::string> sets;  // "name=EXPR"
  std::string where;
  std::vector<std::string> renames;  // "old=new"
  std::vector<std::string> drops, selects;
  bool flatten = false, nest = false;
  std::string separator = ".";
  std::vector<std::string> files;
  CommonOptions common;
};

class EvalStage : public Stage {
 public:
  explicit EvalStage(const EvalOptions& opts);
  Result on_event(Event& ev, Emitter& out) override;
  // olly eval -j N: each event on its own, so ranges run in parallel.
  StageKind kind() const override { return StageKind::map; }
  std::unique_ptr<Stage> clone() const override { return std::make_unique<EvalStage>(opts_); }

 private:
  // Where an expression's slot comes from: the event, or an earlier --set.
  struct SlotSource {
    bool from_assignment = false;
    size_t index = 0;  // extractor slot or assignment number
    // Steps of the path the assignment's target covers: a.b after --set a=...
    // reads b inside the value computed for a.
    size_t covered_steps = 0;
  };
  struct Assignment {
    Path target;
    Expr expr;
    std::vector<SlotSource> sources;
    std::vector<Value> slots;  // reused per event
  };

  void bind(Assignment& a, size_t position);

  std::vector<Assignment> assignments_;
  std::optional<Expr> where_;
  std::vector<size_t> where_slots_;
  std::vector<Value> where_values_;
  FieldExtractor extractor_;
  std::vector<Value> event_slots_;
  std::vector<Value> results_;
  std::vector<std::string> result_text_;  // string results, copied before the rewind
  EvalScratch scratch_;
  ObjectRewriter rewriter_;
  std::optional<Reshaper> reshaper_;  // --rename, --drop, --select, --flatten, --nest
  std::string reshape_in_;            // the event as --set left it, reshaped from here
  EvalOptions opts_;  // for clone()
};

}  // namespace olly
