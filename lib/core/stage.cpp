#include "core/stage.h"

#include <cstring>

#include "core/diag.h"

namespace olly {

simdjson::padded_string_view PaddedLine::set(std::string_view text) {
  size_t need = text.size() + simdjson::SIMDJSON_PADDING;
  if (buf_.size() < need) buf_.resize(need + need / 2);
  std::memcpy(buf_.data(), text.data(), text.size());
  std::memset(buf_.data() + text.size(), ' ', simdjson::SIMDJSON_PADDING);
  return simdjson::padded_string_view(buf_.data(), text.size(), buf_.size());
}


void drive_json(LineReader& reader, RunContext& ctx, Stage& stage) {
  OutputSink& sink = stdout_sink();
  Emitter out(sink, ctx.stats());
  reader.set_before_read([&sink] { sink.flush(); });

  simdjson::ondemand::parser parser;
  PaddedLine padded;
  simdjson::ondemand::document doc;
  Line line;
  Stats& stats = ctx.stats();
  while (!stage.done() && reader.next(line)) {
    // Empty lines separate nothing in NDJSON; they are skipped, not errors.
    if (is_blank_line(line.text)) continue;
    ++stats.records_in;  // bad ones included (see Stats)
    auto error = parser.iterate(padded.set(line.text)).get(doc);
    Event ev{line.text, line.number, line.file, line.file_index, &doc, line.cr};
    size_t mark = out.mark();
    Result result = error ? Result::bad(error) : stage.on_event(ev, out);
    if (result.is_ok()) continue;
    if (result.kind() == Result::Kind::set_aside) {
      ctx.set_aside(line.file, line.number, result.reason(), line.text);
      continue;
    }
    out.rollback(mark);
    stats.bytes_in = reader.bytes_read();  // for --stats when --strict stops here
    stage.on_bad_line(ev, result.reason());
    ctx.bad_record(line.file, line.number, result.reason(), line.text);
  }
  stats.bytes_in = reader.bytes_read();
  if (reader.open_failures() > 0) ctx.note_input_failure();
  stage.on_end(out);
}

}  // namespace olly
