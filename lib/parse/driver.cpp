#include "parse/driver.h"

#include <re2/re2.h>

#include <cstring>
#include <optional>

#include "core/diag.h"
#include "parse/detect.h"
#include "parse/json_format.h"
#include "parse/otlp.h"
#include "parse/prom.h"
#include "parse/regex_format.h"
#include "time/timeformat.h"

namespace olly::parse {

// ---- EventWriter -----------------------------------------------------------

EventWriter::EventWriter(Emitter& out, const ParseOptions& opts)
    : out_(out), opts_(opts), builder_(out.buffer()) {}

EventWriter::~EventWriter() = default;

JsonBuilder& EventWriter::begin() {
  start_ = out_.mark();
  builder_.reset();
  open_ = true;
  return builder_;
}

void EventWriter::abandon() {
  if (!open_) return;
  out_.rollback(start_);
  builder_.reset();
  open_ = false;
}

void EventWriter::end() {
  open_ = false;
  std::string& buf = out_.buffer();
  if (outer_) merge_outer(start_);
  bool is_object = buf.size() > start_ && buf[start_] == '{' && buf.back() == '}';
  if (!opts_.time_field.empty() && is_object) normalise_time(start_);
  if (!continuation_.empty() && is_object) {
    buf.pop_back();
    if (buf.size() > start_ + 1) buf.push_back(',');
    buf.append("\"continuation\":");
    append_json_string(buf, continuation_);
    buf.push_back('}');
  }
  if (opts_.with_filename && is_object) {
    buf.pop_back();
    if (buf.size() > start_ + 1) buf.push_back(',');
    buf.append("\"_file\":");
    append_json_string(buf, file_);
    buf.push_back('}');
  }
  if (opts_.keep_raw && is_object) {
    buf.pop_back();
    if (buf.size() > start_ + 1) buf.push_back(',');
    buf.append("\"_raw\":");
    append_json_string(buf, record_);
    buf.push_back('}');
  }
  ++events_;
  out_.commit();
}

void EventWriter::merge_outer(size_t start) {
  std::string& buf = out_.buffer();
  std::string_view event(buf.data() + start, buf.size() - start);
  const bool is_object = event.size() >= 2 && event.front() == '{' && event.back() == '}';
  size_t inner_keys = 0;
  if (is_object) {
    // The event's own keys, to rename the outer members they clash with.
    padded_.assign(event);
    padded_.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (!parser_.iterate(padded_.data(), event.size(), padded_.size()).get(doc) && !doc.get_object().get(obj)) {
      for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) break;
        if (inner_keys == inner_keys_.size()) inner_keys_.emplace_back();
        inner_keys_[inner_keys++].assign(key);
      }
    }
  }
  auto inner_has = [&](std::string_view key) {
    for (size_t i = 0; i < inner_keys; ++i)
      if (inner_keys_[i] == key) return true;
    return false;
  };
  merged_.clear();
  merged_.push_back('{');
  bool first = true;
  for (size_t i = 0; i < outer_count_; ++i) {
    const OuterMember& m = (*outer_)[i];
    if (!first) merged_.push_back(',');
    first = false;
    if (inner_has(m.key)) {
      scratch_.assign(m.key);
      scratch_.append("_outer");
      append_json_string(merged_, scratch_);
    } else {
      append_json_string(merged_, m.key);
    }
    merged_.push_back(':');
    merged_.append(m.value);
  }
  if (is_object) {
    std::string_view body = event.substr(1, event.size() - 2);
    if (body.find_first_not_of(" \t\r\n") != std::string_view::npos) {
      if (!first) merged_.push_back(',');
      merged_.append(body);
    }
  } else {
    if (!first) merged_.push_back(',');
    append_json_string(merged_, outer_field_);
    merged_.push_back(':');
    merged_.append(event);
  }
  merged_.push_back('}');
  buf.resize(start);
  buf.append(merged_);
}

namespace {

// The time a field's value names: RFC 3339, an epoch number (or a string
// of one) by magnitude, or a common log format time.
std::optional<TimeNs> time_of_value(simdjson::ondemand::value v, const ParseOptions& opts) {
  const TimeZone* tz = opts.tz;
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return std::nullopt;
  if (type == simdjson::ondemand::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) return std::nullopt;
    if (!opts.time_format.empty()) {
      // --time-format: the layout the log names, and nothing else.
      TimeFormatDefaults d;
      d.year = opts.year;
      d.tz = tz;
      return parse_time_format(s, opts.time_format, d);
    }
    if (auto t = parse_time_string(s, tz)) return t;
    return parse_clf_time(s);
  }
  if (type == simdjson::ondemand::json_type::number) {
    simdjson::ondemand::number_type nt;
    if (v.get_number_type().get(nt)) return std::nullopt;
    if (nt == simdjson::ondemand::number_type::signed_integer) {
      int64_t i;
      if (!v.get_int64().get(i)) return time_from_epoch(i);
    } else {
      double d;
      if (!v.get_double().get(d)) return time_from_epoch(d);
    }
  }
  return std::nullopt;
}

}  // namespace

// Rewrites the event at buf[start..]: the --time-field member becomes RFC
// 3339 UTC and its original value follows it as FIELD_original. An event
// without the field, or whose value is no time, is left as it is.
void EventWriter::normalise_time(size_t start) {
  std::string& buf = out_.buffer();
  std::string_view event(buf.data() + start, buf.size() - start);
  if (event.find(opts_.time_field) == std::string_view::npos) return;  // cheap common miss
  padded_.assign(event);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  simdjson::ondemand::document doc;
  if (parser_.iterate(padded_.data(), event.size(), padded_.size()).get(doc)) return;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return;
  scratch_.clear();
  scratch_.push_back('{');
  bool changed = false, first = true;
  for (auto field : obj) {
    std::string_view key;
    simdjson::ondemand::value value;
    if (field.unescaped_key().get(key) || field.value().get(value)) return;
    std::string key_copy(key);  // the next read reuses the key buffer
    if (!first) scratch_.push_back(',');
    first = false;
    append_json_string(scratch_, key_copy);
    scratch_.push_back(':');
    std::string_view raw;
    simdjson::ondemand::json_type type;
    if (value.type().get(type)) return;
    std::optional<TimeNs> t;
    if (key_copy == opts_.time_field && !changed) t = time_of_value(value, opts_);
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      if (value.get_object().get(o) || o.raw_json().get(raw)) return;
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      if (value.get_array().get(a) || a.raw_json().get(raw)) return;
    } else {
      raw = value.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' ||
                              raw.back() == '\r')) {
        raw.remove_suffix(1);
      }
    }
    if (t) {
      size_t at = scratch_.size();
      scratch_.push_back('"');
      format_rfc3339(scratch_, *t);
      scratch_.push_back('"');
      if (std::string_view(scratch_).substr(at) == raw) {
        t.reset();  // already RFC 3339 UTC: nothing to keep
        scratch_.resize(at);
      } else {
        changed = true;
        scratch_.push_back(',');
        append_json_string(scratch_, key_copy + "_original");
        scratch_.push_back(':');
      }
    }
    scratch_.append(raw);
  }
  scratch_.push_back('}');
  if (!changed) return;
  buf.resize(start);
  buf.append(scratch_);
}

// ---- formats -------------------------------------------------------------

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = {"logfmt", "combined", "common", "syslog",
                                                 "cri",    "apache_error", "csv", "tsv",
                                                 "regex",  "otlp",   "prom",   "json",
                                                 "auto"};
  return names;
}

const std::vector<std::pair<std::string, std::string>>& format_aliases() {
  // What people call the access log format after the servers that write it.
  static const std::vector<std::pair<std::string, std::string>> aliases = {{"nginx", "combined"},
                                                                           {"apache", "combined"}};
  return aliases;
}

std::string canonical_format_name(const std::string& name) {
  for (const auto& [alias, format] : format_aliases()) {
    if (name == alias) return format;
  }
  return name;
}

std::unique_ptr<Format> build_line_format(ParseOptions& opts);  // driver_lines.cpp

std::unique_ptr<Format> wrap_field_format(std::unique_ptr<Format> inner, const std::string& field);  // field_format.cpp

namespace {
std::unique_ptr<Format> build_named_format(ParseOptions& opts);
}  // namespace

std::unique_ptr<Format> build_format(ParseOptions& opts) {
  std::unique_ptr<Format> format = build_named_format(opts);
  if (opts.field.empty()) return format;
  if (!opts.multiline_start.empty()) {
    throw UsageError("--multiline-start: not with --field (each event's field is one record already)");
  }
  return wrap_field_format(std::move(format), opts.field);
}

namespace {

std::unique_ptr<Format> build_named_format(ParseOptions& opts) {
  static std::optional<TimeZone> zone;
  if (!opts.tz_name.empty() && opts.tz == nullptr) {
    std::string error;
    zone = TimeZone::load(opts.tz_name, &error);
    if (!zone) throw UsageError(fmt::format("--tz: {}", error.empty() ? "unknown time zone" : error));
    opts.tz = &*zone;
  }
  const std::string& f = opts.format;
  if (f == "otlp") return std::make_unique<OtlpFormat>();
  if (f == "prom") return std::make_unique<PromFormat>();
  if (f == "json") return std::make_unique<JsonFormat>();
  if (f == "regex") {
    if (opts.pattern.empty()) throw UsageError("regex: give the pattern: olly-parse regex 'PATTERN' [FILE...]");
    return std::make_unique<RegexFormat>(opts.pattern, opts.infer_types);
  }
  if (auto line_format = build_line_format(opts)) return line_format;
  throw UsageError(fmt::format("FORMAT: unknown format \"{}\" (one of logfmt, combined, common, syslog, "
                               "cri, apache_error, csv, tsv, regex, otlp, prom, json, auto)",
                               f));
}

}  // namespace

// ---- the input loop --------------------------------------------------------

namespace {
// Records larger than this are cut (joined lines) or refused (JSON documents).
constexpr size_t kMaxJoined = 16u << 20;
constexpr size_t kMaxDocument = 256u << 20;
}  // namespace

void detail::DocumentFramer::reset() {
  has_pending_ = false;
  pending_.clear();
  depth_ = 0;
  in_string_ = escape_ = false;
  first_line_lone_ = more_lines_ = unindented_ = false;
}

void detail::DocumentFramer::finish(Handler& h) {
  if (has_pending_) h.bad(pending_line_, "unterminated JSON document at end of input", pending());
  reset();
}

void detail::DocumentFramer::line(std::string_view text, uint64_t number, Handler& h) {
  size_t i = 0;
  if (has_pending_ && !text.empty() && text[0] != ' ' && text[0] != '\t' && text[0] != '\r') {
    if ((text[0] == '{' || text[0] == '[') && !in_string_ &&
        (more_lines_ ? !unindented_ : !first_line_lone_)) {
      // Pretty-printers indent what is inside a document: an opening
      // bracket in column 0 starts a new one, so the open one was cut short.
      h.bad(pending_line_, "unterminated JSON document", pending());
      reset();
    } else {
      unindented_ = true;
    }
  }
  if (has_pending_) more_lines_ = true;
  while (i < text.size()) {
    if (!has_pending_) {
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
      if (i == text.size()) return;
      if (text[i] != '{' && text[i] != '[') {
        h.bad(number, "not a JSON document", text);
        return;
      }
    }
    size_t begin = i;
    const bool starts = !has_pending_;
    bool closed = false;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (in_string_) {
        if (escape_) {
          escape_ = false;
        } else if (c == '\\') {
          escape_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
      } else if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if (c == '}' || c == ']') {
        if (--depth_ == 0) {
          ++i;
          closed = true;
          break;
        }
      }
    }
    std::string_view piece = text.substr(begin, i - begin);
    if (closed) {
      if (has_pending_) {
        pending_.append(piece);
        uint64_t first = pending_line_;
        std::string doc;
        doc.swap(pending_);
        reset();
        h.document(doc, first);
        doc.clear();
        pending_.swap(doc);  // keep the buffer
      } else {
        h.document(piece, number);
      }
      continue;
    }
    // The document goes on past this line.
    if (in_string_) {
      // JSON strings hold no raw line break: the document is broken here
      // (a truncated line), whatever follows.
      pending_.append(piece);
      h.bad(starts ? number : pending_line_, "invalid JSON: a string is not closed on its line",
            pending_);
      reset();
      return;
    }
    if (pending_.size() + piece.size() > kMaxDocument) {
      h.bad(pending_line_, "JSON document larger than 256 MiB", pending_.substr(0, 4096));
      reset();
      return;
    }
    if (starts) {
      pending_line_ = number;
      std::string_view rest = piece.substr(1);
      first_line_lone_ = rest.find_first_not_of(" \t\r") == std::string_view::npos;
    }
    pending_.append(piece);
    pending_.push_back('\n');
    has_pending_ = true;
  }
}

namespace {


class Loop : public detail::DocumentFramer::Handler {
 public:
  Loop(RunContext& ctx, Emitter& out, Format& format, const ParseOptions& opts)
      : ctx_(ctx), format_(format), writer_(out, opts), continuation_field_(opts.continuation_field) {
    writer_.on_bad_part([this](std::string_view reason, std::string_view raw) {
      ctx_.bad_record(file_, record_line_, reason, raw);
    });
    if (!opts.multiline_start.empty() && format.framing() == Format::Framing::line) {
      RE2::Options o;
      o.set_log_errors(false);
      start_re_ = std::make_unique<RE2>(opts.multiline_start, o);
      if (!start_re_->ok()) {
        throw UsageError(fmt::format("--multiline-start: invalid regular expression: {}", start_re_->error()));
      }
    }
  }

  void line(const Line& l) {
    if (!started_ || l.file_index != file_index_) {
      if (started_) end_file();
      started_ = true;
      file_index_ = l.file_index;
      file_.assign(l.file);
      format_.start_file();
    }
    last_line_ = l.number;
    switch (format_.framing()) {
      case Format::Framing::json_documents:
        framer_.line(l.text, l.number, *this);
        break;
      case Format::Framing::line:
        if (start_re_) {
          joined_line(l);
        } else if (format_.wants_blank_lines() || !is_blank_line(l.text)) {
          record(l.text, l.number);
        }
        break;
    }
  }

  void finish() {
    if (started_) end_file();
  }

 private:
  void record(std::string_view text, uint64_t number) {
    ++ctx_.stats().records_in;
    writer_.set_record(text);
    writer_.set_file(file_);
    record_line_ = number;
    reason_.clear();
    std::string_view first = text;
    if (continuation_field_) {
      // auto's joined lines: the format reads the event's first line.
      const size_t nl = text.find('\n');
      first = text.substr(0, nl);
      writer_.set_continuation(nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1));
    }
    if (!format_.parse(first, writer_, reason_)) {
      writer_.abandon();
      if (reason_.empty()) reason_ = "does not fit the format";
      ctx_.bad_record(file_, format_.record_start(number), reason_, format_.record_text(text));
    }
  }

  void flush_pending() {
    if (!has_pending_) return;
    has_pending_ = false;
    record(pending_, pending_line_);
    pending_.clear();
  }

  void end_file() {
    if (format_.framing() == Format::Framing::json_documents) framer_.finish(*this);
    flush_pending();
    format_.flush_file(writer_);
    std::string reason;
    if (!format_.finish_file(reason)) {
      ++ctx_.stats().records_in;
      ctx_.bad_record(file_, format_.record_start(last_line_), reason, format_.record_text({}));
    }
  }

  // --multiline-start: a line matching the pattern starts an event; others
  // continue the one before (joined with "\n").
  void joined_line(const Line& l) {
    bool starts = !has_pending_ ||
                  RE2::PartialMatch(re2::StringPiece(l.text.data(), l.text.size()), *start_re_);
    if (starts || pending_.size() + l.text.size() > kMaxJoined) {
      flush_pending();
      if (is_blank_line(l.text)) return;
      pending_.assign(l.text);
      pending_line_ = l.number;
      has_pending_ = true;
    } else {
      pending_.push_back('\n');
      pending_.append(l.text);
    }
  }

  // DocumentFramer::Handler: JSON documents and what did not frame.
  void document(std::string_view text, uint64_t line) override { record(text, line); }
  void bad(uint64_t line, std::string_view reason, std::string_view text) override {
    ++ctx_.stats().records_in;
    ctx_.bad_record(file_, line, reason, text);
  }

  RunContext& ctx_;
  Format& format_;
  EventWriter writer_;
  bool continuation_field_;
  std::unique_ptr<RE2> start_re_;
  bool started_ = false;
  size_t file_index_ = 0;
  std::string file_;
  std::string reason_;
  std::string pending_;
  bool has_pending_ = false;
  uint64_t pending_line_ = 0;
  uint64_t last_line_ = 0;
  uint64_t record_line_ = 0;  // the line the record being parsed starts on
  detail::DocumentFramer framer_;
};

}  // namespace

void run_parse(LineReader& reader, RunContext& ctx, Emitter& out, Format& format,
               const ParseOptions& opts) {
  if (detail::run_lines_serial(reader, ctx, out, format, opts)) return;
  // Loop frames what the runner cannot: records of several lines (JSON
  // documents, --multiline-start, csv's quoted newlines, whose bad records
  // are reported at the record's first line with its whole text), blank
  // lines a format needs (csv), and per-file state (a header row, prom's
  // TYPE lines, syslog --year's rollover) that is checked at each file's end.
  Loop loop(ctx, out, format, opts);
  reader.set_before_read([&out] { out.flush(); });
  Line l;
  while (reader.next(l)) loop.line(l);
  loop.finish();
  ctx.stats().bytes_in = reader.bytes_read();
  if (reader.open_failures() > 0) ctx.note_input_failure();
}

namespace {

constexpr size_t kPeekLines = 32;
constexpr size_t kPeekBytes = 256 * 1024;
// A JSON document still open after kPeekLines is read on up to this size,
// so that pretty-printed documents are judged whole.
constexpr size_t kPeekDocumentBytes = 4u << 20;
// A pipe or terminal that goes quiet this long once a line has come ends
// the sample early (`tail -f x | olly-parse auto` decides on what it has).
constexpr int kPeekIdleMs = 300;

struct PeekedLine {
  std::string text, file;
  uint64_t number;
  size_t file_index;
};

struct IgnoreDocuments : detail::DocumentFramer::Handler {
  void document(std::string_view, uint64_t) override {}
  void bad(uint64_t, std::string_view, std::string_view) override {}
};

std::vector<PeekedLine> peek(LineReader& reader) {
  std::vector<PeekedLine> lines;
  size_t bytes = 0;
  detail::DocumentFramer framer;
  IgnoreDocuments ignore;
  int json = -1;  // unknown until the first non-blank line
  Line l;
  while ((lines.size() < kPeekLines && bytes < kPeekBytes) ||
         (json == 1 && framer.open() && bytes < kPeekDocumentBytes)) {
    if (!reader.next(l)) break;  // the end, or idle (stalled())
    lines.push_back({std::string(l.text), std::string(l.file), l.number, l.file_index});
    bytes += l.text.size();
    if (json < 0 && !is_blank_line(l.text)) {
      size_t lead = l.text.find_first_not_of(" \t");
      json = l.text[lead] == '{' || l.text[lead] == '[';
      reader.set_idle_timeout(kPeekIdleMs);  // something to judge: waiting is optional now
    }
    if (json == 1) framer.line(l.text, l.number, ignore);
  }
  reader.set_idle_timeout(0);
  return lines;
}

std::string detect_peeked(const std::vector<PeekedLine>& lines) {
  std::vector<std::string_view> views;
  for (const auto& p : lines) views.emplace_back(p.text);
  return detect_format(views);
}

// olly-parse auto, when its sample holds indented lines: a line that starts
// with a blank continues the event before it (a stack trace's frames), and
// goes into its `continuation`; a blank line starts nothing and is skipped,
// as ever.
constexpr const char* kContinuationStart = R"(^(?:[^ \t]|[ \t]*$))";

// Whether auto joins continuation lines for a format: a line format that
// reads one line per event, and a sample with an indented line after an
// event's first (joining reads a file with one thread, so it is only done
// where the sample shows it is needed).
bool joins_continuations(const std::string& format, const std::vector<PeekedLine>& lines) {
  static const char* const kLineFormats[] = {"logfmt", "combined", "common", "syslog", "apache_error"};
  if (std::find(std::begin(kLineFormats), std::end(kLineFormats), format) == std::end(kLineFormats)) return false;
  bool seen_event = false;
  for (const auto& l : lines) {
    if (l.text.empty()) continue;
    const bool indented = l.text[0] == ' ' || l.text[0] == '\t';
    if (indented && seen_event && l.text.find_first_not_of(" \t\r") != std::string::npos) return true;
    seen_event = true;
  }
  return false;
}

// One input of olly-parse auto: its first lines choose its format, then it
// is parsed, those lines included, by `jobs` threads when it is a regular
// file the format can split, else here.
void parse_auto_input(const std::string& file, bool several, unsigned jobs, uint64_t block_size,
                      RunContext& ctx, Emitter& out, const ParseOptions& opts) {
  LineReader reader({file});
  std::vector<PeekedLine> first = peek(reader);
  if (reader.open_failures() > 0) {
    ctx.note_input_failure();  // the reader said why
    return;
  }
  std::string chosen = detect_peeked(first);
  if (chosen.empty()) {
    if (first.empty()) return;  // empty input: nothing to parse, nothing to say
    if (!several) {
      throw InputError("auto: cannot tell the input's format from its first lines; name it "
                       "(olly-parse FORMAT ...)");
    }
    // The other inputs are still worth parsing; the run exits 3.
    report("auto: {}: cannot tell its format from its first lines; name it (olly-parse FORMAT ...)",
           file);
    ctx.note_input_failure();
    return;
  }
  if (several) {
    report("auto: {}: parsing as {}", file, chosen);
  } else {
    report("auto: parsing as {}", chosen);
  }
  ParseOptions file_opts = opts;
  file_opts.format = chosen;
  if (file_opts.multiline_start.empty() && joins_continuations(chosen, first)) {
    report("auto: {}indented lines continue the event before them (stack traces)",
           several ? fmt::format("{}: ", file) : std::string());
    file_opts.multiline_start = kContinuationStart;
    file_opts.continuation_field = true;
  }
  if (file != "-" && run_parse_parallel({file}, jobs, block_size, ctx, out, file_opts)) return;
  std::unique_ptr<Format> format = build_format(file_opts);
  Loop loop(ctx, out, *format, file_opts);
  const uint64_t bytes_before = ctx.stats().bytes_in;
  reader.set_before_read([&out] { out.flush(); });
  for (const auto& p : first) loop.line(Line{p.text, p.number, p.file, p.file_index});
  Line l;
  while (reader.next(l)) loop.line(l);
  loop.finish();
  ctx.stats().bytes_in = bytes_before + reader.bytes_read();
}

}  // namespace

std::string detect_input(LineReader& reader) { return detect_peeked(peek(reader)); }

void run_parse_auto(const std::vector<std::string>& files, unsigned jobs, uint64_t block_size,
                    RunContext& ctx, Emitter& out, const ParseOptions& opts) {
  if (files.empty()) {
    parse_auto_input("-", false, jobs, block_size, ctx, out, opts);
    return;
  }
  for (const std::string& file : files) {
    parse_auto_input(file, files.size() > 1, jobs, block_size, ctx, out, opts);
  }
}

}  // namespace olly::parse
