// olly-parse -j N: a line format over regular files, parsed by the runner's
// ordered parallel map (core/runner.h): the files are cut into ranges at
// line boundaries, each parsed by a clone of the stage below on a worker
// thread, and written out strictly in input order, so the output, the
// --errors file, the line numbers and --strict's stopping point are exactly
// those of a serial run.
#include "core/runner.h"
#include "parse/driver.h"

namespace olly::parse {

namespace {

// One line, one record: a format that reads each line on its own.
class LineParseStage final : public Stage {
 public:
  // build_opts: what a clone builds its own format from (-j N; null when
  // the stage runs serially and is never cloned).
  LineParseStage(const ParseOptions& opts, Format& format, ParseOptions* build_opts)
      : opts_(opts), format_(format), build_opts_(build_opts) {}

  StageKind kind() const override { return StageKind::map; }
  std::unique_ptr<Stage> clone() const override {
    auto format = build_format(*build_opts_);
    auto copy = std::make_unique<LineParseStage>(opts_, *format, build_opts_);
    copy->own_ = std::move(format);
    return copy;
  }

  Result on_event(Event& ev, Emitter& out) override {
    // The runner hands a stage the same emitter every time: bind the writer once.
    if (bound_ != &out) {
      writer_.emplace(out, opts_);
      bound_ = &out;
    }
    writer_->set_record(ev.raw);
    writer_->set_file(ev.file);
    reason_.clear();
    if (format_.parse(ev.raw, *writer_, reason_)) return Result::ok();
    writer_->abandon();
    return Result::bad(reason_.empty() ? std::string_view("does not fit the format") : std::string_view(reason_));
  }

 private:
  const ParseOptions& opts_;
  Format& format_;
  ParseOptions* build_opts_;
  std::unique_ptr<Format> own_;  // a clone's format
  std::optional<EventWriter> writer_;
  const Emitter* bound_ = nullptr;
  std::string reason_;
};

}  // namespace

bool run_parse_parallel(const std::vector<std::string>& files, unsigned jobs, uint64_t block_size,
                        RunContext& ctx, Emitter& out, ParseOptions& opts,
                        const std::function<void()>& on_start) {
  (void)out;  // the runner writes to stdout in input order
  if (jobs < 2 || !opts.multiline_start.empty()) return false;
  std::unique_ptr<Format> first = build_format(opts);
  if (!first->reads_lines_alone()) return false;
  LineParseStage stage(opts, *first, &opts);
  RunnerOptions run;
  run.files = files;
  run.jobs = jobs;
  run.block = block_size;
  run.json = false;
  return run_stage_in_ranges(run, ctx, stage, [&](bool) {
    if (on_start) on_start();
  });
}

}  // namespace olly::parse

namespace olly::parse::detail {

bool run_lines_serial(LineReader& reader, RunContext& ctx, Emitter& out, Format& format, const ParseOptions& opts) {
  if (!format.reads_lines_alone() || !opts.multiline_start.empty()) return false;
  LineParseStage stage(opts, format, nullptr);
  run_serial_raw(reader, ctx, stage, out);
  return true;
}

}  // namespace olly::parse::detail
