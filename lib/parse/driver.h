// The olly-parse input loop: lines from LineReader are framed into records
// (one line; lines joined by --multiline-start; CSV records whose quoted
// fields span lines; JSON documents spread over many lines), each record is
// handed to a Format, and the events it writes go out through an
// EventWriter, which adds --keep-raw's `_raw` and --time-field's
// normalisation in one place for every format.
#pragma once
#include <simdjson.h>

#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/input.h"
#include "core/run.h"
#include "core/stage.h"
#include "time/timeutil.h"
#include "core/writer.h"

namespace olly::parse {

// The options olly-parse's flags fill, shared by every format.
struct ParseOptions {
  std::string format;                // logfmt, combined, ..., auto
  std::string tz_name;               // --tz (empty: UTC)
  const TimeZone* tz = nullptr;      // loaded from tz_name by build_format
  std::string time_field;            // --time-field: normalise this field to RFC 3339 UTC
  bool keep_raw = false;             // --keep-raw: add the record as `_raw`
  bool infer_types = false;          // csv/tsv/regex: numbers and booleans typed
  std::vector<std::string> columns;  // csv/tsv: names instead of a header row
  std::string pattern;               // regex: the RE2 pattern
  std::string multiline_start;       // a line matching this starts a new event
  std::string format_string;         // nginx log_format for combined/common
  int year = 0;                      // RFC 3164 lines carry no year (0: current year)
  std::string field;                 // --field: parse this string field of NDJSON events
  bool with_filename = false;        // -H: add the input's name as _file
  std::string time_format;           // --time-format: the layout --time-field's strings are in
  // auto's continuation lines (with multiline_start): the format parses an
  // event's first line, the lines after it go into `continuation` as text.
  bool continuation_field = false;
};

// Where a format writes the events of one record. A format calls begin(),
// writes exactly one JSON object through the builder, then end(); or
// abandon() to drop it. Once end() returned, the event is out: a format that
// writes several events per record must find every error before the first end().
class EventWriter {
 public:
  EventWriter(Emitter& out, const ParseOptions& opts);
  ~EventWriter();

  JsonBuilder& begin();
  void end();
  void abandon();
  // The record the next events come from (for `_raw`).
  void set_record(std::string_view raw) { record_ = raw; }
  // Lines that continued the record (auto's indented lines), added to the
  // next events as `continuation`; empty for none.
  void set_continuation(std::string_view text) { continuation_ = text; }
  // The input the next events come from (for -H's `_file`).
  void set_file(std::string_view file) { file_ = file; }
  // A part of the record that gives no event (an OTLP span that is no
  // object): reported as a bad record of its own, at the record's line, with
  // raw the part's text, while the record's other events stay. Call it with
  // no event open.
  using BadPartHandler = std::function<void(std::string_view reason, std::string_view raw)>;
  void on_bad_part(BadPartHandler h) { bad_part_ = std::move(h); }
  void bad_part(std::string_view reason, std::string_view raw) {
    if (bad_part_) bad_part_(reason, raw);
  }
  uint64_t events() const { return events_; }
  // olly-parse --field: the members of the event the parsed text came from
  // (the field itself left out), written before each event's own; a key the
  // event has too is kept as KEY_outer. An event that is no object goes
  // beside them under the field's name.
  struct OuterMember {
    std::string key;    // unescaped
    std::string value;  // raw JSON
  };
  void set_outer(const std::vector<OuterMember>* members, size_t count, std::string_view field_name) {
    outer_ = members;
    outer_count_ = count;
    outer_field_ = field_name;
  }
  void clear_outer() { outer_ = nullptr; }

 private:
  void normalise_time(size_t start);
  void merge_outer(size_t start);

  Emitter& out_;
  const ParseOptions& opts_;
  JsonBuilder builder_;
  std::string_view record_;
  std::string_view file_;
  std::string_view continuation_;
  BadPartHandler bad_part_;
  size_t start_ = 0;
  uint64_t events_ = 0;
  bool open_ = false;
  const std::vector<OuterMember>* outer_ = nullptr;
  size_t outer_count_ = 0;
  std::string_view outer_field_;
  std::vector<std::string> inner_keys_;
  std::string merged_;
  // --time-field rewriting scratch (reused across events).
  simdjson::ondemand::parser parser_;
  std::string scratch_;
  std::string padded_;
};

class Format {
 public:
  enum class Framing {
    line,            // one record per line (--multiline-start joins lines)
    json_documents,  // a record is one JSON document, on one line or many
  };
  virtual ~Format() = default;
  virtual Framing framing() const { return Framing::line; }
  // Blank lines carry no data and are skipped, unless the format needs
  // them (a CSV quoted field may hold an empty line).
  virtual bool wants_blank_lines() const { return false; }
  // True when each line is parsed on its own, whatever came before it in
  // the file (no header row, no TYPE state): such a format can be split
  // across threads at any line boundary (olly-parse -j N).
  virtual bool reads_lines_alone() const { return false; }
  // Called at the start of every input file (header rows, HELP/TYPE state).
  virtual void start_file() {}
  // Parses one record into zero or more events. False: the record does not
  // fit, reason says why, and nothing was written.
  [[nodiscard]] virtual bool parse(std::string_view record, EventWriter& out,
                                   std::string& reason) = 0;
  // Formats that assemble a record from several lines themselves (csv with
  // quoted newlines): where the record that failed, or is still open,
  // started, and its text.
  virtual uint64_t record_start(uint64_t line) const { return line; }
  virtual std::string_view record_text(std::string_view line) const { return line; }
  // End of a file, before finish_file: events a format still holds and can
  // write as they are (cri: parts of a line whose last part never came).
  virtual void flush_file(EventWriter& out) { (void)out; }
  // End of a file: false (with reason) when a record is still open.
  virtual bool finish_file(std::string& reason) {
    (void)reason;
    return true;
  }
};

// The format names olly-parse accepts (auto included), in --help order.
const std::vector<std::string>& format_names();

// Other names of formats, as (alias, format): nginx and apache name combined.
const std::vector<std::pair<std::string, std::string>>& format_aliases();

// The format an alias names; any other name as it is.
std::string canonical_format_name(const std::string& name);

// Builds the format named by opts.format (not "auto"). Loads opts.tz from
// opts.tz_name. Throws UsageError naming the flag when an option is wrong.
std::unique_ptr<Format> build_format(ParseOptions& opts);

// Reads every input through format; bad records go to ctx.bad_record with
// the number of their first line.
void run_parse(LineReader& reader, RunContext& ctx, Emitter& out, Format& format,
               const ParseOptions& opts);

// olly-parse auto: each input (stdin when files is empty) is judged on its
// own first lines, the format chosen named on stderr (with the file's name
// when there are several), then parsed with it, those lines included;
// regular files by `jobs` threads when the format allows (as
// run_parse_parallel). From a pipe or terminal that goes idle, the lines
// that came decide. An input that cannot be opened, or that nothing fits,
// makes the run exit 3; a single input that nothing fits throws InputError
// at once, while with several the others are still parsed.
void run_parse_auto(const std::vector<std::string>& files, unsigned jobs, uint64_t block_size,
                    RunContext& ctx, Emitter& out, const ParseOptions& opts);

// Reads every input with `jobs` threads, each parsing blocks of about
// block_size bytes, the events and bad records written in input order as
// run_parse would. Only for a format that reads_lines_alone() without
// --multiline-start, over regular uncompressed files; returns false, having
// read nothing, otherwise (the caller then runs run_parse).
// on_start runs once it is decided that the threads will read the input.
bool run_parse_parallel(const std::vector<std::string>& files, unsigned jobs, uint64_t block_size,
                        RunContext& ctx, Emitter& out, ParseOptions& opts,
                        const std::function<void()>& on_start = {});

namespace detail {
// Frames JSON documents out of lines: one per line, several on a line, or
// one over many lines (joined with '\n'). Brackets are counted outside
// strings; the document's text is handed over once its brackets close.
//
// A document left open when an opening bracket arrives in column 0 is taken
// as cut short (reported bad; the bracket starts a new one), unless the open
// document is laid out without indentation: it already has a line that
// starts in column 0, or it is still on its first line and that line holds
// only the bracket (json.dumps(indent=0) and the like). A line that ends
// inside a string ends its document as bad: JSON strings hold no line break.
class DocumentFramer {
 public:
  struct Handler {
    virtual ~Handler() = default;
    virtual void document(std::string_view text, uint64_t line) = 0;
    virtual void bad(uint64_t line, std::string_view reason, std::string_view text) = 0;
  };
  void line(std::string_view text, uint64_t number, Handler& h);
  // End of a file: a document still open is reported bad.
  void finish(Handler& h);
  bool open() const { return has_pending_; }
  // The open document's lines so far.
  std::string_view pending() const {
    std::string_view p = pending_;
    if (!p.empty() && p.back() == '\n') p.remove_suffix(1);
    return p;
  }

 private:
  void reset();
  std::string pending_;
  bool has_pending_ = false;
  uint64_t pending_line_ = 0;
  int64_t depth_ = 0;
  bool in_string_ = false, escape_ = false;
  bool first_line_lone_ = false;  // the open document's first line is only its bracket
  bool more_lines_ = false;       // it has lines after its first
  bool unindented_ = false;       // one of them starts in column 0
};

// run_parse for a format that reads each line alone, without
// --multiline-start: the runner's serial mode over raw lines (core/runner.h),
// with the stage that -j N's ranges run (driver_parallel.cpp). False, having
// read nothing, for any other format.
bool run_lines_serial(LineReader& reader, RunContext& ctx, Emitter& out, Format& format, const ParseOptions& opts);
}  // namespace detail

// olly-parse --detect: the guess for the input's first lines ("" when none fits).
std::string detect_input(LineReader& reader);

}  // namespace olly::parse
