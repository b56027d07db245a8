// The one stage interface every NDJSON-reading verb implements, and the
// driver that feeds it: lines from LineReader, each parsed with simdjson
// On-Demand from a reused padded buffer, bad lines to RunContext.
#pragma once
#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/input.h"
#include "core/run.h"
#include "core/writer.h"

namespace olly {

// Where a stage writes its output lines. Counts records out and flushes per block.
class Emitter {
 public:
  Emitter(OutputSink& sink, Stats& stats) : sink_(sink), stats_(stats) {}

  // Writes one complete JSON line (without newline).
  void line(std::string_view json) {
    sink_.write(json);
    commit();
  }
  // For building a line in place: append to buffer(), then commit(); on
  // failure midway, rollback(mark) drops what was appended.
  std::string& buffer() { return sink_.buffer(); }
  size_t mark() const { return sink_.buffer().size(); }
  void rollback(size_t mark) { sink_.buffer().resize(mark); }
  void commit() {
    sink_.put('\n');
    ++stats_.records_out;
    sink_.maybe_flush();
  }
  void flush() { sink_.flush(); }
  // Writes `count` complete lines (each ending in a newline) built elsewhere.
  void lines(std::string_view text, uint64_t count) {
    sink_.write_through(text);
    stats_.records_out += count;
  }

 private:
  OutputSink& sink_;
  Stats& stats_;
};

// One input event as a stage sees it.
struct Event {
  std::string_view raw;   // the line's bytes, exactly as read
  uint64_t line = 0;
  std::string_view file;
  size_t file_index = 0;
  simdjson::ondemand::document* doc = nullptr;  // iterated from a padded copy of raw
  bool cr = false;        // the line ended in CRLF (the \r is not in raw)
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Handles one event. A non-SUCCESS return makes the line a bad record
  // (counted, sent to --errors; the output written since mark is dropped).
  [[nodiscard]] virtual simdjson::error_code on_event(Event& ev, Emitter& out) = 0;
  // The event's line is a bad record (not JSON, or on_event failed), about
  // to go to --errors; a stage may replace reason with a better one.
  virtual void on_bad_line(const Event&, std::string& reason) { (void)reason; }
  // Input ended: aggregating stages flush here.
  virtual void on_end(Emitter&) {}
  // True when the stage wants no more input (filter --limit).
  virtual bool done() const { return false; }
};

// Reads all inputs through stage. Returns the number of events seen.
// Read errors throw InputError; open failures are noted in ctx.
void drive_json(LineReader& reader, RunContext& ctx, Stage& stage);

// Reusable padded copy of one line, for simdjson.
class PaddedLine {
 public:
  // Copies text and returns a view whose capacity includes SIMDJSON_PADDING.
  simdjson::padded_string_view set(std::string_view text);

 private:
  std::vector<char> buf_;
};

}  // namespace olly
