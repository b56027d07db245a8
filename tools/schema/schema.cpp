#include "schema.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/diag.h"
#include "core/read_file.h"
#include "schema/schema_diff.h"
#include "core/writer.h"

namespace olly {
namespace {

class InferStage : public Stage {
 public:
  InferStage(InferOptions opts, const LineReader& reader) : inferrer_(std::move(opts)), reader_(reader) {}

  Result on_event(Event& ev, Emitter&) override {
    simdjson::dom::element e;
    if (auto err = parser_.parse(padded_.set(ev.raw)).get(e)) return Result::bad(err);
    inferrer_.add(e);
    ++events_;
    return Result::ok();
  }
  void on_end(Emitter& out) override {
    // A contract of part of the sample (or of none of it, accepting
    // anything) would look like the real one: write nothing; exit 3.
    if (reader_.open_failures() > 0) {
      report("no contract written: {} of {} input{} could not be read", reader_.open_failures(),
             reader_.input_count(), reader_.input_count() == 1 ? "" : "s");
      return;
    }
    // An empty sample is a sample: its contract, which accepts any event, is
    // written (exit 0), with a warning, as it constrains nothing.
    if (events_ == 0) report("the sample held no events: the contract written accepts any event");
    std::string text = inferrer_.contract();
    text.pop_back();  // the emitter adds the newline
    out.line(text);
  }

 private:
  SchemaInferrer inferrer_;
  const LineReader& reader_;
  uint64_t events_ = 0;
  simdjson::dom::parser parser_;
  PaddedLine padded_;
};

std::string read_contract(const std::string& path) {
  std::string text, reason;
  bool ok = path == "-" ? read_all(stdin, text, reason) : read_file(path, text, reason);
  if (!ok) throw UsageError(fmt::format("contract '{}': {}", path, reason));
  return text;
}

}  // namespace

int run_infer(const SchemaToolOptions& opts) {
  InferOptions io;
  io.max_enum = opts.max_enum;
  io.formats = !opts.no_formats;
  io.ranges = !opts.no_ranges;
  io.closed = opts.closed;
  io.title = opts.title;
  LineReader reader(opts.args);
  RunContext ctx(opts.common);
  InferStage stage(io, reader);
  drive_json(reader, ctx, stage);
  return ctx.finish(kExitOk);
}

int run_diff(const SchemaToolOptions& opts) {
  if (opts.args.size() != 2) throw UsageError("diff: needs two contracts, OLD and NEW");
  auto changes = diff_schemas(read_contract(opts.args[0]), read_contract(opts.args[1]), opts.args[0], opts.args[1]);
  RunContext ctx(opts.common);
  OutputSink& out = stdout_sink();
  bool breaking = false;
  for (auto& c : changes) {
    breaking |= c.breaking;
    JsonBuilder b(out.buffer());
    b.begin_object();
    b.field("change", c.change);
    b.field_bool("breaking", c.breaking);
    b.field("path", c.path);
    b.field("schema_location", c.schema_location);
    if (!c.old_json.empty()) b.field_raw("old", c.old_json);
    if (!c.new_json.empty()) b.field_raw("new", c.new_json);
    b.field("message", c.message);
    b.end_object();
    out.put('\n');
    ++ctx.stats().records_out;
    out.maybe_flush();
  }
  return ctx.finish(breaking ? kExitFindings : kExitOk);
}

}  // namespace olly
