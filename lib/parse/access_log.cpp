// nginx / Apache access logs: a format is compiled once into literal
// delimiters and typed variables; each line is matched with a hand-written
// scanner (memchr / find on the delimiters), no regex.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "parse/line_detail.h"
#include "parse/line_formats.h"

namespace olly::parse {
namespace {

using Kind = AccessLogFormat::Kind;

Kind kind_of(std::string_view name) {
  if (name == "time_local") return Kind::time_local;
  if (name == "time_iso8601") return Kind::time_iso8601;
  if (name == "msec") return Kind::msec;
  if (name == "request") return Kind::request;
  if (name == "status" || name == "body_bytes_sent" || name == "bytes_sent" ||
      name == "request_length" || name == "connection" || name == "connection_requests" ||
      name == "content_length" || name == "server_port" || name == "remote_port")
    return Kind::integer;
  if (name == "upstream_status" || name == "upstream_bytes_received" ||
      name == "upstream_bytes_sent" || name == "upstream_response_length")
    return Kind::integer_or_list;
  if (name == "request_time" || name == "gzip_ratio") return Kind::number;
  if (name == "upstream_response_time" || name == "upstream_connect_time" ||
      name == "upstream_header_time")
    return Kind::number_or_list;
  return Kind::string;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Position of the first '"' at or after from that no odd run of backslashes
// escapes; npos when none.
size_t find_closing_quote(std::string_view line, size_t from, size_t body) {
  const char* p = line.data();
  while (from < line.size()) {
    const size_t quote = detail::find_byte(line, from, '"');
    if (quote == std::string_view::npos) return std::string_view::npos;
    size_t back = quote;
    while (back > body && p[back - 1] == '\\') --back;
    if ((quote - back) % 2 == 0) return quote;
    from = quote + 1;
  }
  return std::string_view::npos;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Apache writes \" and \\ in quoted fields, nginx \xHH: decode both.
// Returns value itself when there is nothing to decode.
std::string_view unescape_quoted(std::string_view value, std::string& buf) {
  if (detail::find_byte(value, 0, '\\') == std::string_view::npos) return value;
  buf.clear();
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c != '\\' || i + 1 == value.size()) { buf.push_back(c); continue; }
    char e = value[i + 1];
    if (e == '"' || e == '\\') { buf.push_back(e); ++i; continue; }
    if (e == 'x' && i + 3 < value.size() + 0 && hex_value(value[i + 2]) >= 0 &&
        hex_value(value[i + 3]) >= 0) {
      buf.push_back(static_cast<char>(hex_value(value[i + 2]) * 16 + hex_value(value[i + 3])));
      i += 3;
      continue;
    }
    buf.push_back(c);
  }
  return buf;
}

// "0.010, 0.002" or "200 : 502" lists stay strings; single values are typed.
bool is_single(std::string_view v) {
  return v.find_first_of(", :") == std::string_view::npos;
}

std::string quote_for_reason(std::string_view lit) {
  std::string s = "'";
  s.append(lit);
  s.push_back('\'');
  return s;
}

// "GET /a/b?x=1 HTTP/1.1" -> method, path, query, protocol.
template <class Members>
void write_request_parts(std::string_view req, Members& out) {
  size_t sp1 = req.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return;
  std::string_view method = req.substr(0, sp1);
  std::string_view rest = req.substr(sp1 + 1);
  std::string_view protocol;
  size_t sp2 = rest.rfind(' ');
  if (sp2 != std::string_view::npos && rest.substr(sp2 + 1).starts_with("HTTP/")) {
    protocol = rest.substr(sp2 + 1);
    rest = rest.substr(0, sp2);
  } else if (rest.find(' ') != std::string_view::npos) {
    return;  // not a request line we can split
  }
  if (rest.empty()) return;
  out.string("method", method);
  size_t q = rest.find('?');
  if (q == std::string_view::npos) {
    out.string("path", rest);
  } else {
    out.string("path", rest.substr(0, q));
    out.string("query", rest.substr(q + 1));
  }
  if (!protocol.empty()) out.string("protocol", protocol);
}

// The most a plain event's members can add beyond twice the line's length
// (each value is written once, the request's parts a second time): keys,
// quotes, commas, a null's extra bytes, and the ts members.
size_t fixed_bound(const std::vector<AccessLogFormat::Item>& items) {
  size_t n = 16;
  for (const auto& item : items) {
    n += item.name.size() + 8;
    if (item.kind == Kind::request) n += 64;
    if (item.kind == Kind::time_local || item.kind == Kind::time_iso8601 || item.kind == Kind::msec)
      n += 48;
  }
  return n;
}

}  // namespace

std::optional<AccessLogFormat> AccessLogFormat::compile(std::string_view fmt, std::string& error) {
  AccessLogFormat f;
  size_t i = 0;
  auto read_literal = [&](std::string& lit) {
    while (i < fmt.size() && fmt[i] != '$') lit.push_back(fmt[i++]);
  };
  read_literal(f.leading_);
  while (i < fmt.size()) {
    size_t dollar = i++;
    std::string name;
    if (i < fmt.size() && fmt[i] == '{') {
      size_t close = fmt.find('}', i);
      if (close == std::string_view::npos) {
        error = fmt::format("unterminated '${{' at column {}", dollar + 1);
        return std::nullopt;
      }
      name = std::string(fmt.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      while (i < fmt.size() && is_name_char(fmt[i])) name.push_back(fmt[i++]);
    }
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
      error = fmt::format("expected a variable name after '$' at column {}", dollar + 1);
      return std::nullopt;
    }
    if (f.items_.size() == kMaxVariables) {
      error = fmt::format("more than {} variables", kMaxVariables);
      return std::nullopt;
    }
    Item item;
    item.name = std::move(name);
    item.kind = kind_of(item.name);
    read_literal(item.literal);
    if (item.literal.empty() && i < fmt.size()) {
      error = fmt::format("${} and the next variable need text between them (column {})",
                          item.name, i + 1);
      return std::nullopt;
    }
    const std::string& before = f.items_.empty() ? f.leading_ : f.items_.back().literal;
    item.quoted = !before.empty() && before.back() == '"' && !item.literal.empty() &&
                  item.literal.front() == '"';
    f.items_.push_back(std::move(item));
  }
  if (f.items_.empty()) {
    error = "the format has no $variable";
    return std::nullopt;
  }
  f.fixed_bound_ = fixed_bound(f.items_);
  f.values_.resize(f.items_.size());
  return f;
}

std::optional<AccessLogFormat> AccessLogFormat::combined() {
  std::string error;
  auto f = compile(
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
      "\"$http_referer\" \"$http_user_agent\"",
      error);
  if (!f) return f;
  f->optional_from_ = 6;  // a common-format line: no referer, no user agent
  f->read_extras_ = true;
  f->extra_quoted_names_ = {"http_x_forwarded_for"};
  return f;
}

std::optional<AccessLogFormat> AccessLogFormat::common() {
  std::string error;
  auto f = compile("$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent",
                   error);
  if (!f) return f;
  f->read_extras_ = true;
  f->extra_quoted_names_ = {"http_referer", "http_user_agent", "http_x_forwarded_for"};
  return f;
}

namespace {

// Where the variable that starts at pos ends, looking from search on: at the
// next occurrence of its literal; for a quoted one, at an unescaped '"' that
// starts it. npos when there is none.
size_t delimiter_at(const AccessLogFormat::Item& item, std::string_view line, size_t pos,
                    size_t search) {
  if (!item.quoted) return detail::find_literal(line, item.literal, search);
  size_t at = search;
  while (true) {
    at = find_closing_quote(line, at, pos);
    if (at == std::string_view::npos || detail::has_literal_at(line, at, item.literal)) return at;
    ++at;
  }
}

// A variable the line ends with runs to the next space (extras may follow).
size_t word_end(std::string_view line, size_t pos) {
  const size_t sp = detail::find_byte(line, pos, ' ');
  return sp == std::string_view::npos ? line.size() : sp;
}

}  // namespace

// The usual line, where every variable ends at the first occurrence of its
// delimiter, without match_from's recursion. False when that does not
// match: match_from then retries and explains.
bool AccessLogFormat::match_first(std::string_view line, std::string_view* values, size_t& n_present,
                                  size_t& end_pos) const {
  size_t pos = leading_.size();
  for (size_t k = 0; k < items_.size(); ++k) {
    const Item& item = items_[k];
    size_t end;
    if (item.literal.empty()) {  // the last variable
      end = read_extras_ ? word_end(line, pos) : line.size();
    } else {
      const size_t at = delimiter_at(item, line, pos, pos);
      if (at != std::string_view::npos) {
        values[k] = line.substr(pos, at - pos);
        pos = at + item.literal.size();
        continue;
      }
      if (k + 1 != optional_from_) return false;
      end = word_end(line, pos);  // a common line in a combined file
    }
    values[k] = line.substr(pos, end - pos);
    n_present = k + 1;
    end_pos = end;
    return true;
  }
  // The format ends with a literal.
  if (pos != line.size() && !read_extras_) return false;
  n_present = items_.size();
  end_pos = pos;
  return true;
}

// Matches items_[k..] against line from pos. Unquoted variables end at the
// next occurrence of their literal, quoted ones at the next unescaped '"'
// that starts it; when a later item fails, the variable is retried with the
// next occurrence (bounded by budget, so hostile lines stay linear-ish).
bool AccessLogFormat::match_from(std::string_view line, size_t pos, size_t k,
                                 std::string_view* values, size_t& n_present, size_t& end_pos,
                                 int& budget, std::string& reason) const {
  const Item& item = items_[k];
  const bool last = k + 1 == items_.size();
  if (item.literal.empty()) {  // the last variable
    size_t end = read_extras_ ? word_end(line, pos) : line.size();
    values[k] = line.substr(pos, end - pos);
    n_present = k + 1;
    end_pos = end;
    return true;
  }
  size_t search = pos;
  bool first_try = true;
  while (true) {
    const size_t at = delimiter_at(item, line, pos, search);
    if (at == std::string_view::npos) {
      if (k + 1 == optional_from_) {
        // The line ends at this variable (a common line in a combined file).
        size_t end = word_end(line, pos);
        values[k] = line.substr(pos, end - pos);
        n_present = k + 1;
        end_pos = end;
        return true;
      }
      if (first_try && reason.empty()) {  // the first failure explains best
        size_t col = item.quoted ? pos - 1 : line.find(' ', pos);
        if (col == std::string_view::npos) col = line.size();
        std::string what = fmt::format("expected {} {} {}", quote_for_reason(item.literal),
                                       last ? "after" : "before",
                                       last ? item.name : items_[k + 1].name);
        if (item.quoted) what = fmt::format("unterminated quoted {} (expected {})", item.name,
                                            quote_for_reason(item.literal));
        detail::set_reason(reason, what, col);
      }
      return false;
    }
    values[k] = line.substr(pos, at - pos);
    size_t next = at + item.literal.size();
    if (last) {
      if (next == line.size() || read_extras_) {
        n_present = k + 1;
        end_pos = next;
        return true;
      }
      if (first_try && reason.empty())
        detail::set_reason(reason, "unexpected text after the format's end", next);
    } else if (match_from(line, next, k + 1, values, n_present, end_pos, budget, reason)) {
      return true;
    }
    // A quoted field ends at its first unescaped '"' that starts the literal
    // (nginx and Apache escape quotes inside), and typed fields are one
    // token: only plain strings (an X-Forwarded-For list as remote_addr)
    // retry with a later delimiter.
    if (item.quoted || item.kind != Kind::string || --budget <= 0) return false;
    first_try = false;
    search = at + 1;
  }
}

// Inlined into parse()'s loop: a call a field, with the AVX-512 frame set
// up each time, cost more than the field's copy.
template <class Members>
[[gnu::always_inline]] inline bool AccessLogFormat::write_item(const Item& item, std::string_view value, size_t column,
                                 Members& out, std::string& reason,
                                 const LineFormatOptions& opts) const {
  using namespace detail;
  thread_local std::string unescaped;
  thread_local TimeCache time_cache;
  const std::string_view key = item.name;
  if (value.size() == 1 && value[0] == '-') {
    out.null(key);
    return true;
  }
  switch (item.kind) {
    case Kind::string:
      out.string(key, item.quoted && !Members::kPlainValues ? unescape_quoted(value, unescaped) : value);
      return true;
    case Kind::integer:
    case Kind::integer_or_list: {
      int64_t v;
      if (parse_int64(value, v)) {
        out.integer(key, value, v);
        return true;
      }
      if (item.kind == Kind::integer_or_list && !is_single(value)) {
        out.string(key, value);
        return true;
      }
      set_reason(reason, fmt::format("expected an integer for {}", item.name), column);
      return false;
    }
    case Kind::number:
    case Kind::number_or_list:
      if (is_readable_number(value)) {
        out.raw(key, value);
        return true;
      }
      if (item.kind == Kind::number_or_list && !is_single(value)) {
        out.string(key, value);
        return true;
      }
      set_reason(reason, fmt::format("expected a number for {}", item.name), column);
      return false;
    case Kind::time_local:
    case Kind::time_iso8601: {
      const bool hit = time_cache.valid && same_bytes(time_cache.text, value) &&
                       time_cache.year == static_cast<int>(item.kind);
      if (!hit) {
        auto t = item.kind == Kind::time_local ? parse_clf_time(value) : parse_rfc3339(value, opts.tz);
        if (!t) {
          set_reason(reason, fmt::format("invalid {} '{}'", item.name, value), column);
          return false;
        }
        time_cache.text.assign(value);
        time_cache.ts.clear();
        format_rfc3339(time_cache.ts, *t);
        time_cache.year = static_cast<int>(item.kind);
        time_cache.valid = item.kind == Kind::time_local;  // --tz may change iso8601 readings
      }
      out.string(key, value);
      out.plain("ts", time_cache.ts);
      return true;
    }
    case Kind::msec: {
      double secs;
      if (!is_readable_number(value) ||
          std::from_chars(value.data(), value.data() + value.size(), secs).ec != std::errc()) {
        set_reason(reason, "expected seconds.millis for msec", column);
        return false;
      }
      out.raw(key, value);
      if (auto t = time_from_epoch(secs)) out.ts(*t);
      return true;
    }
    case Kind::request: {
      std::string_view req =
          item.quoted && !Members::kPlainValues ? unescape_quoted(value, unescaped) : value;
      out.string(key, req);
      write_request_parts(req, out);
      return true;
    }
  }
  return true;
}

// Trailing fields that common nginx variants append after combined/common.
// A column is named by its place, never by its value: quoted columns take
// extra_quoted_names_ in order, bare ones kBareNames in order (nginx's
// timed_combined layout), each null when '-', a number when it reads as
// one, else a string; whatever is left once the names run out is `extra`.
void AccessLogFormat::write_extras(std::string_view tail, JsonBuilder& out) const {
  thread_local std::string unescaped;
  static constexpr std::string_view kBareNames[] = {"request_time", "upstream_response_time"};
  size_t quoted_used = 0, bare_used = 0;
  size_t i = 0;
  while (true) {
    while (i < tail.size() && tail[i] == ' ') ++i;
    if (i == tail.size()) return;
    if (tail[i] == '"') {
      if (quoted_used == extra_quoted_names_.size()) break;
      size_t close = find_closing_quote(tail, i + 1, i + 1);
      if (close == std::string_view::npos || (close + 1 != tail.size() && tail[close + 1] != ' '))
        break;
      std::string_view v = tail.substr(i + 1, close - i - 1);
      out.key(extra_quoted_names_[quoted_used++]);
      if (v == "-") out.null();
      else out.string(unescape_quoted(v, unescaped));
      i = close + 1;
      continue;
    }
    if (bare_used == std::size(kBareNames)) break;
    // One bare column, or a list "0.010, 0.002" (items end with ',').
    size_t end = i;
    while (true) {
      size_t sp = tail.find(' ', end);
      if (sp == std::string_view::npos) sp = tail.size();
      end = sp;
      if (end > i && tail[end - 1] == ',' && end < tail.size()) { ++end; continue; }
      break;
    }
    std::string_view v = tail.substr(i, end - i);
    out.key(kBareNames[bare_used++]);
    if (v == "-") out.null();
    else if (detail::is_readable_number(v)) out.raw(v);
    else out.string(v);
    i = end;
  }
  out.field("extra", tail.substr(i));
}

bool AccessLogFormat::parse(std::string_view line, JsonBuilder& out, std::string& reason,
                            const LineFormatOptions& opts) const {
  line = detail::strip_cr(line);
  if (detail::is_blank(line)) {
    reason = "empty line";
    return false;
  }
  if (!line.starts_with(leading_)) {
    detail::set_reason(reason, fmt::format("expected {} before {}", quote_for_reason(leading_),
                                           items_[0].name), 0);
    return false;
  }
  // Each thread has its own format (olly-parse -j builds one per worker),
  // so the values' scratch is reused rather than a 64-slot array zeroed a line.
  std::string_view* values = values_.data();
  size_t n_present = 0, end_pos = 0;
  int budget = 64;
  reason.clear();
  if (!match_first(line, values, n_present, end_pos) &&
      !match_from(line, leading_.size(), 0, values, n_present, end_pos, budget, reason))
    return false;

  std::string& buf = out.out();
  const size_t mark = buf.size();
  out.begin_object();
  bool plain = true;
  for (size_t k = 0; k < n_present && plain; ++k) plain = detail::is_plain_short(values[k]);
  bool ok = true;
  if (plain) {
    // Nothing to escape or decode (no '\\' either): one reservation.
    detail::MemberCursor cursor(buf, 2 * line.size() + fixed_bound_, true);
    detail::CursorMembers members(cursor);
    for (size_t k = 0; k < n_present && ok; ++k) {
      size_t column = static_cast<size_t>(values[k].data() - line.data());
      ok = write_item(items_[k], values[k], column, members, reason, opts);
    }
    cursor.done();
    out.raw(std::string_view());  // the builder now knows the object has members
  } else {
    detail::BuilderMembers members(out);
    for (size_t k = 0; k < n_present && ok; ++k) {
      size_t column = static_cast<size_t>(values[k].data() - line.data());
      ok = write_item(items_[k], values[k], column, members, reason, opts);
    }
  }
  if (!ok) {
    buf.resize(mark);
    out.reset();
    return false;
  }
  if (read_extras_ && end_pos < line.size()) write_extras(line.substr(end_pos), out);
  out.end_object();
  return true;
}

}  // namespace olly::parse
