#include "sort/run_sort.h"

#include "core/diag.h"
#include "core/runner.h"
#include "core/stage.h"
#include "expr/timerange.h"

namespace olly {

namespace {

class SortStage final : public Stage {
 public:
  explicit SortStage(const SortOptions& opts) : reader_(opts.fields), sorter_(opts.sorter) {}

  Result on_event(Event& ev, Emitter&) override {
    if (auto e = check_document_shape(*ev.doc, ev.raw)) return Result::bad(e);
    if (auto e = reader_.read(*ev.doc, key_)) return Result::bad(e);
    sorter_.add(key_, ev.raw);
    return Result::ok();
  }
  void on_end(Emitter& out) override {
    sorter_.finish([&](std::string_view line) { out.line(line); });
  }
  StageKind kind() const override { return StageKind::serial; }

  size_t runs() const { return sorter_.runs_written(); }

 private:
  SortKeyReader reader_;
  Sorter sorter_;
  std::string key_;
};

}  // namespace

int run_sort(const SortOptions& opts, RunContext& ctx) {
  SortStage stage(opts);
  RunnerOptions runner;
  runner.files = opts.files;
  runner.jobs = 1;
  run_event_stage(runner, ctx, stage);
  ctx.add_stat("runs", static_cast<int64_t>(stage.runs()));
  return ctx.finish(kExitOk);
}

}  // namespace olly
