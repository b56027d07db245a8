// Line-oriented log formats for olly-parse. Each parser turns one input line
// into one JSON object appended through a JsonBuilder (begin_object ..
// end_object included), or returns false with a reason naming what did not
// fit (the caller sends the line to --errors with its number). On false the
// builder's string is truncated back to its size before the call and the
// builder is reset() (each line is one top-level object).
//
// Conventions shared by every format here (documented in olly-parse(1)):
// - A trailing '\r' (CRLF input) is ignored.
// - An empty or all-blank line returns false with reason "empty line";
//   olly-parse skips blank lines before calling (they carry no data). CSV
//   handles blank lines itself (CsvReader::Result::skipped).
// - A '-' placeholder (access logs) or NILVALUE (RFC 5424) becomes null; a
//   field a line's layout does not have at all is omitted.
// - Times: the original text is kept (time_local, time, ...) and `ts` is
//   added in RFC 3339 UTC.
// - Text is copied as is; invalid UTF-8 and NUL bytes are replaced/escaped
//   by JsonBuilder (invalid sequences become U+FFFD, control bytes \u00XX).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "time/timeutil.h"
#include "core/writer.h"

namespace olly::parse {

// RFC 3164 years across one file read in order (olly-parse --year): the
// file's first line is in default_year, and the year goes up by one at each
// new year (see parse_syslog). Reset it at the start of every file.
struct YearRollover {
  int offset = 0;      // years added to default_year so far
  int last_month = 0;  // the month of the last line without a year of its own (0: none yet)
};

struct LineFormatOptions {
  const TimeZone* tz = nullptr;  // --tz for times without an offset (UTC when null)
  int default_year = 0;          // RFC 3164 lines carry no year (0: see parse_syslog)
  YearRollover* rollover = nullptr;  // with default_year: lines of one file in order
  // logfmt: values that are JSON numbers readers take back become numbers
  // and true/false become booleans (olly parse logfmt --infer-types; the
  // same rule as csv, tsv and regex: detail::append_inferred). Off: every
  // value is a string (a bare key is still true).
  bool infer_types = false;
};

// logfmt (go-logfmt rules): pairs separated by whitespace (\t \n \v \f \r
// ' ') or 0x1c..0x1f; any other control byte outside a quoted value makes
// the line a bad line ("unexpected control byte"), as does a line of
// separators only ("no key"). A key is a printable token: ASCII graphic
// bytes but '=' and '"', or printable UTF-8 (no DEL, C1 control or U+FFFD:
// "invalid key"). key=value,
// key="quoted value" with escapes (\" \\ \n \t \r \b \f \a \v \/ \xHH
// \uHHHH \UHHHHHHHH); a bare key is true; `key=` (nothing after '=') is the
// empty string. Duplicate keys: the last value wins, at the position of the
// key's first occurrence (as JSON.parse does). When the line has no `ts`
// key and `time`, `timestamp` or `t` holds an RFC 3339 time, `ts` (RFC 3339
// UTC) is added last. A `ts` key that holds an RFC 3339 time not in UTC is
// rewritten to RFC 3339 UTC in place and its text kept as `ts_original`
// right after it (unless the line has a ts_original key of its own). Errors: "unexpected '=' at column 5", "unterminated
// quoted value at column 3", "invalid key at column 1".
bool parse_logfmt(std::string_view line, JsonBuilder& out, std::string& reason);
bool parse_logfmt(std::string_view line, JsonBuilder& out, std::string& reason,
                  const LineFormatOptions& opts);

// nginx log_format / Apache access logs. "combined" and "common" are the
// predefined layouts; custom ones come from nginx $variable format strings.
//
// Field names are the nginx variable names. `$request` also gives method,
// path, query (without '?', omitted when there is none) and protocol when it
// has the form "METHOD TARGET [PROTOCOL]". `$time_local` adds `ts`
// (RFC 3339 UTC), as do $time_iso8601 and $msec. Types: status,
// body_bytes_sent, bytes_sent, request_length, connection, connection_requests,
// content_length, upstream_status (when single) are integers; request_time,
// msec, upstream_response_time / upstream_connect_time / upstream_header_time
// (when single; a list "0.010, 0.002" stays a string) are numbers; everything
// else is a string. A field that is exactly '-' is null. Quoted fields
// ("$request", "$http_user_agent") may contain \" (Apache) and \xHH (nginx)
// escapes, which are decoded.
//
// combined and common accept each other's lines (a common line in a combined
// file lacks http_referer/http_user_agent, which are then omitted), and
// trailing columns that common nginx variants append, each named by its
// place whatever its value: quoted columns are http_x_forwarded_for (after
// http_referer and http_user_agent for common), bare columns request_time
// then upstream_response_time (nginx's timed_combined layout; '-' is null, a
// number a number, anything else a string, "0.010, 0.002" one column); the
// rest of the line once those names are used is one string field `extra`.
class AccessLogFormat {
 public:
  static std::optional<AccessLogFormat> combined();
  static std::optional<AccessLogFormat> common();
  // e.g. "$remote_addr - $remote_user [$time_local] \"$request\" $status ..."
  // Also ${name}. Two variables need literal text between them. error says
  // what is wrong and at which column of the format string.
  static std::optional<AccessLogFormat> compile(std::string_view format_string, std::string& error);
  bool parse(std::string_view line, JsonBuilder& out, std::string& reason,
             const LineFormatOptions& opts) const;

  // Field kinds, decided once per variable when the format is compiled.
  enum class Kind : uint8_t { string, integer, integer_or_list, number, number_or_list,
                              time_local, time_iso8601, msec, request };
  struct Item {
    std::string literal;  // text that follows the variable (or leads, for item 0)
    std::string name;     // variable name ("" for a leading literal)
    Kind kind = Kind::string;
    bool quoted = false;  // between '"' literals: ends at an unescaped '"'
  };

 private:
  bool match_first(std::string_view line, std::string_view* values, size_t& n_present,
                   size_t& end_pos) const;
  bool match_from(std::string_view line, size_t pos, size_t k, std::string_view* values,
                  size_t& n_present, size_t& end_pos, int& budget, std::string& reason) const;
  template <class Members>
  bool write_item(const Item& item, std::string_view value, size_t column, Members& out,
                  std::string& reason, const LineFormatOptions& opts) const;
  void write_extras(std::string_view tail, JsonBuilder& out) const;
  static constexpr size_t kMaxVariables = 64;
  std::string leading_;      // literal text before the first variable
  std::vector<Item> items_;  // variable, then the literal after it
  // Predefined layouts: the line may end right before item optional_from_
  // (items from there on are then omitted), and trailing extras are read.
  size_t optional_from_ = SIZE_MAX;
  bool read_extras_ = false;
  std::vector<std::string> extra_quoted_names_;
  size_t fixed_bound_ = 0;  // an event's size beyond twice its line's, when all plain
  mutable std::vector<std::string_view> values_;  // parse()'s scratch: one per variable
};

// syslog: RFC 5424 and RFC 3164, detected per line.
//
// Fields, in this order, each only when the line has it:
//   pri (int), facility (name: kern user mail daemon auth syslog lpr news
//   uucp cron authpriv ftp ntp audit alert clock local0..local7), severity
//   (name: emerg alert crit err warning notice info debug; the numbers are
//   pri / 8 and pri % 8), version (int, RFC 5424), time (original text), ts
//   (RFC 3339 UTC; null for a NILVALUE time), host, app (APP-NAME or the
//   RFC 3164 tag), pid (PROCID / "[pid]": an integer when numeric, else a
//   string), msgid, sd (RFC 5424 structured data: {sd-id: {param: value}};
//   a repeated param becomes an array of its values; null for NILVALUE), msg
//   (leading spaces and a UTF-8 BOM removed).
// RFC 5424 without VERSION (rsyslog's file format, usually without <PRI>
// too): a line whose header (after <PRI>, if any) starts with an RFC 3339
// time followed by HOSTNAME APP-NAME PROCID MSGID (printable US-ASCII tokens,
// none ending in ':') and '-' or '[' structured data, and parses as RFC 5424
// from there on, is RFC 5424 without version. Any other line with an RFC
// 3339 time ("host app[12]: msg", rsyslog's high-precision traditional
// format) is RFC 3164.
// RFC 3164: optional <PRI>; time "Mmm dd hh:mm:ss" (day space-padded or not,
// optional fraction), optionally with a year ("Mmm dd yyyy hh:mm:ss" or
// "Mmm dd hh:mm:ss yyyy"), or an RFC 3339 time (rsyslog file format); then
// host (absent when the next word is already the tag, "tag:"; an IPv6
// address ending in "::" is a host), then a tag "app[pid]:", "app:",
// "app[pid]", "app[pid]:msg" (no space) or "Multi Word[pid]:". A bare date
// ("2012-07-02 ...") is no RFC 3339 time. A line with no
// recognizable tag keeps its text in msg (no app). Without a year in the
// line, the year is opts.default_year, or when 0 the current year, minus one
// when that would put the time more than a day in the future (a December log
// read in January: each line on its own). With default_year and
// opts.rollover, lines are one file in order: default_year is the year of
// the first, and a month more than six months before the last line's
// starts the next year (Dec 31 then Jan 1); a month more than six after it
// is a late line of the year before (Jan 1 then Dec 31). Times without
// offset are read in opts.tz (UTC if null).
// Lines that start with blank space (multi-line continuations) are rejected.
bool parse_syslog(std::string_view line, JsonBuilder& out, std::string& reason,
                  const LineFormatOptions& opts);

// The CRI container log format (Kubernetes: /var/log/pods/.../N.log, what
// containerd and CRI-O write):
//   2016-10-06T00:17:09.669794202Z stdout F message text
// time (as written), ts (RFC 3339 UTC), stream (stdout or stderr), logtag
// (F for a full line, P for a part of a longer one; a tag may carry more
// flags after ':'), msg (the rest, possibly empty). *partial is set when the
// tag's first flag is P: the caller joins parts (olly-parse cri does, see
// CriJoiner). Errors: "not a CRI line: ..." naming the part that fails.
struct CriLine {
  std::string_view time, stream, logtag, msg;
  TimeNs ts = 0;
  bool partial = false;
};
bool split_cri(std::string_view line, CriLine& out, std::string& reason);
void write_cri(const CriLine& line, std::string_view msg, JsonBuilder& out);
bool parse_cri(std::string_view line, JsonBuilder& out, std::string& reason);

// Apache httpd's error log, 2.4's default ErrorLogFormat and 2.2's layout:
//   [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416]
//     [client 72.15.99.187:51234] AH00128: File does not exist: /favicon.ico
//   [Sun Mar 07 16:02:00 2004] [error] [client 10.0.0.1] client denied by ...
// time (as written), ts (read in opts.tz, UTC if null: the log has no
// offset), module (2.4), level, pid and tid (integers), os_error ("(32)Broken
// pipe", when the line carries an OS error), client or remote (the peer as
// written), code (AH00128), msg, and referer when msg ends with ", referer: X".
// The time and the level bracket are required; the rest is optional.
bool parse_apache_error(std::string_view line, JsonBuilder& out, std::string& reason,
                        const LineFormatOptions& opts);

// CSV (RFC 4180) and TSV reader. Records may span lines (quoted fields with
// embedded newlines), so the reader is fed one physical line at a time (without
// its '\n'; a trailing '\r' is ignored) and keeps state between lines.
//
//   CsvReader r(CsvReader::Options{...});        // one per input stream
//   for each line: switch (r.feed(line, out, reason)) {
//       case record:    one JSON object was appended to out
//       case header:    the line was the header row; nothing appended
//       case need_more: inside a quoted field; nothing appended yet
//       case skipped:   blank line outside quotes; nothing appended
//       case error:     reason says why; nothing appended (the record that
//                       failed may have started on an earlier line:
//                       pending_start_line() counts back) }
//   at end of input: r.finish(reason) -> false when a quoted field is
//   still open (the record is then lost; reason says where it started).
//
// Header: the first record names the columns (a UTF-8 BOM is dropped); an
// empty name becomes "_N" (N = 1-based column), a repeated one "name_2".
// An empty line outside quotes is skipped (a line of spaces is data).
// With Options::columns set, the input has no header row and every record
// is data. A record with a different number of fields than there are
// columns is an error ("record has 3 fields, expected 4").
// CSV: fields separated by ',' (Options::delimiter), "quoted" with "" for a
// quote; a quote inside an unquoted field is kept as text; text after a
// closing quote (`"a"b,`) is an error. TSV (delimiter
// '\t', quoting off): no quoting; \t \n \r \\ escapes are decoded.
// Types: every field is a string unless infer_types: then an unquoted field
// that is a JSON number readers take back (detail::append_inferred: integers
// within int64 or uint64, other numbers finite; "007" and 1e999 stay text) becomes a number,
// true/false a boolean, and an empty unquoted field null. Quoted fields
// always stay strings.
class CsvReader {
 public:
  struct Options {
    char delimiter = ',';
    bool quoting = true;                // false for TSV
    std::vector<std::string> columns;   // --columns: no header row in the input
    bool infer_types = false;           // --infer-types
    size_t max_record_bytes = 64u << 20;  // an open quote may not grow past this
  };
  enum class Result { record, header, need_more, skipped, error };

  explicit CsvReader(Options opts);
  Result feed(std::string_view line, JsonBuilder& out, std::string& reason);
  bool finish(std::string& reason);
  // Physical lines consumed by the record being assembled (1 when the last
  // feed completed or failed a one-line record).
  size_t pending_start_line() const { return pending_lines_; }
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  Result emit(JsonBuilder& out, std::string& reason);
  bool split(std::string_view text, bool resume, bool& open_quote, std::string& reason);
  bool quoted_body(std::string_view text, size_t& i);
  void set_columns(std::vector<std::string> names);

  Options opts_;
  std::vector<std::string> columns_;
  std::vector<std::string> keys_json_;  // "name": per column, escaped once
  bool have_header_ = false;
  bool first_line_ = true;
  bool in_quote_ = false;  // a record with an open quoted field is pending
  size_t open_field_begin_ = 0;  // where that field's text starts in field_text_
  size_t pending_bytes_ = 0;     // the record's bytes so far
  size_t pending_lines_ = 0;
  // Fields of the current record: decoded text lives in field_text_.
  struct Field { size_t begin, end; bool quoted; };
  std::vector<Field> fields_;
  std::string field_text_;
};

}  // namespace olly::parse
