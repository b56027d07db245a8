// The one stage interface every NDJSON-reading verb implements, and the
// driver that feeds it: lines from LineReader, each parsed with simdjson
// On-Demand from a reused padded buffer, bad lines to RunContext.
#pragma once
#include <fmt/format.h>
#include <simdjson.h>

#include <memory>
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
  // Where line_number() left a number for the runner to write (see there).
  struct LineFixup {
    size_t at;      // offset in the buffer
    uint64_t line;  // the number within the range
  };

  Emitter(OutputSink& sink, Stats& stats) : sink_(sink), stats_(stats) {}
  // The runner's worker emitters: line numbers are within a range, and are
  // recorded in fixups to be made the file's when the range is written out.
  Emitter(OutputSink& sink, Stats& stats, std::vector<LineFixup>& fixups)
      : sink_(sink), stats_(stats), fixups_(&fixups) {}

  // Writes one complete JSON line (without newline).
  void line(std::string_view json) {
    sink_.write(json);
    commit();
  }
  // For building a line in place: append to buffer(), then commit(); on
  // failure midway, rollback(mark) drops what was appended.
  std::string& buffer() { return sink_.buffer(); }
  size_t mark() const { return sink_.buffer().size(); }
  void rollback(size_t mark) {
    sink_.buffer().resize(mark);
    while (fixups_ && !fixups_->empty() && fixups_->back().at >= mark) fixups_->pop_back();
  }
  // Appends an event's line number (Event::line) as a JSON number, in place
  // (after JsonBuilder::key and an empty raw()). On a runner's worker thread
  // the number is within the range; the runner writes the file's number.
  void line_number(uint64_t line) {
    if (fixups_) {
      fixups_->push_back(LineFixup{sink_.buffer().size(), line});
    } else {
      auto digits = fmt::format_int(line);
      sink_.buffer().append(digits.data(), digits.size());
    }
  }
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
  std::vector<LineFixup>* fixups_ = nullptr;
};

// On-Demand validates only what is read. A stage that reads few fields
// (olly-agg count, olly-sort) must still tell a garbage line from an
// event: scalars are read whole, and an object or array must at least be
// closed (a cut-off last line). Rewinds doc.
[[nodiscard]] simdjson::error_code check_document_shape(simdjson::ondemand::document& doc, std::string_view line);

// One input event as a stage sees it.
struct Event {
  std::string_view raw;   // the line's bytes, exactly as read
  uint64_t line = 0;      // in its file (within its range on a worker: see Emitter::line_number)
  std::string_view file;
  size_t file_index = 0;
  simdjson::ondemand::document* doc = nullptr;  // iterated from a padded copy of raw
  bool cr = false;        // the line ended in CRLF (the \r is not in raw)
  // Byte offset of the line's start in its file, the same in every runner
  // and range: a per-event position that needs no count of the lines before
  // (olly sample's seeded decisions under -j N).
  uint64_t offset = 0;
};

// What a stage made of one record: ok, a bad record (counted, sent to
// --errors, stops --strict) or a valid record set aside (agg's late events:
// written to --errors, not counted as bad). The reason must stay valid until
// the stage's next call: a literal, or text the stage owns.
class [[nodiscard]] Result {
 public:
  enum class Kind : uint8_t { ok, bad, set_aside };

  Result() = default;
  static Result ok() { return Result(); }
  static Result bad(std::string_view reason) { return Result(Kind::bad, reason); }
  static Result bad(simdjson::error_code error) { return Result(Kind::bad, simdjson::error_message(error)); }
  static Result set_aside(std::string_view reason) { return Result(Kind::set_aside, reason); }

  bool is_ok() const { return kind_ == Kind::ok; }
  Kind kind() const { return kind_; }
  std::string_view reason() const { return reason_; }

 private:
  Result(Kind kind, std::string_view reason) : kind_(kind), reason_(reason) {}
  Kind kind_ = Kind::ok;
  std::string_view reason_;
};

// How the runner may feed a stage, decided once from the stage (runner.h).
enum class StageKind {
  serial,  // one thread, in input order (streaming windows, inference)
  map,     // per-event: ranges run by clones, output written in input order
  fold,    // aggregating: ranges run by clones, their state merged in input order
};

class Stage {
 public:
  virtual ~Stage() = default;
  // Handles one event. A bad result makes the line a bad record (the output
  // written since the event began is dropped).
  virtual Result on_event(Event& ev, Emitter& out) = 0;
  // The event's line is a bad record (not JSON, or on_event said so), about
  // to go to --errors with reason (olly-validate also writes it to --fail).
  virtual void on_bad_line(const Event&, std::string_view reason) { (void)reason; }
  // Input ended: aggregating stages flush here.
  virtual void on_end(Emitter&) {}
  // True when the stage wants no more input (filter --limit).
  virtual bool done() const { return false; }
  // True: blank lines reach on_event (of a raw-lines run) instead of being
  // skipped, for a verb that reports them (olly-patterns: an empty message).
  virtual bool wants_blank_lines() const { return false; }

  // map and fold stages: a copy that runs one byte range of the input on
  // another thread (it shares nothing mutable with this stage), and how
  // this stage takes over what the copy did for the range, in input order
  // (counts, side files, aggregated state); the copy then runs its next range.
  virtual StageKind kind() const { return StageKind::serial; }
  virtual std::unique_ptr<Stage> clone() const { return nullptr; }
  virtual void absorb(Stage& range) { (void)range; }
  // The stage is done once this many records are out (filter --limit):
  // lets the runner cut a range at the same line as a serial run. -1: never.
  virtual int64_t output_limit() const { return -1; }
};

// Reads all inputs through stage, one line at a time (the serial runner;
// defined in runner.cpp beside the parallel one). Read errors throw
// InputError; open failures are noted in ctx.
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
