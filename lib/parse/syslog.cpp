// syslog lines: RFC 5424 and RFC 3164 (BSD), told apart per line.
#include <fmt/format.h>

#include <cstring>
#include <ctime>

#include "parse/line_detail.h"
#include "parse/line_formats.h"

namespace olly::parse {
namespace {

using detail::set_reason;

constexpr std::string_view kFacilities[24] = {
    "kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "audit",  "alert",  "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};
constexpr std::string_view kSeverities[8] = {"emerg",   "alert",  "crit", "err",
                                             "warning", "notice", "info", "debug"};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Structured data collected before it is written (params are grouped).
struct SdScratch {
  struct Param { uint32_t element; std::string_view name; std::string_view value; bool decoded; };
  std::vector<std::string_view> ids;
  std::vector<Param> params;
  std::string decoded;
  std::string composite;  // "id\0name" keys for grouping params
  std::vector<std::string_view> keys;
  std::vector<uint32_t> id_group, param_group, chain_head, chain_tail, chain_next, same_next,
      same_last;
};

template <class Members>
void write_pri(Members& out, int pri) {
  if (pri < 0) return;
  // 0..191 (checked by parse_syslog).
  char digits[3];
  size_t n = 0;
  if (pri >= 100) digits[n++] = static_cast<char>('0' + pri / 100);
  if (pri >= 10) digits[n++] = static_cast<char>('0' + pri / 10 % 10);
  digits[n++] = static_cast<char>('0' + pri % 10);
  out.raw("pri", std::string_view(digits, n));
  out.plain("facility", kFacilities[pri / 8]);
  out.plain("severity", kSeverities[pri % 8]);
}
void write_pri(JsonBuilder& out, int pri) {
  detail::BuilderMembers members(out);
  write_pri(members, pri);
}

template <class Members>
void write_pid(Members& out, std::string_view pid) {
  int64_t v;
  if (detail::parse_int64(pid, v)) out.integer("pid", pid, v);
  else out.string("pid", pid);
}
void write_pid(JsonBuilder& out, std::string_view pid) {
  detail::BuilderMembers members(out);
  write_pid(members, pid);
}

// msg: leading spaces and a UTF-8 BOM dropped.
std::string_view msg_text(std::string_view msg) {
  while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  if (msg.starts_with("\xEF\xBB\xBF")) msg.remove_prefix(3);
  return msg;
}
void write_msg(JsonBuilder& out, std::string_view msg) {
  detail::member_string(out, "msg", msg_text(msg));
}

// The next space-delimited token of an RFC 5424 header.
bool header_token(std::string_view line, size_t& i, std::string_view& tok, std::string_view what,
                  std::string& reason) {
  if (i >= line.size() || line[i] == ' ') {
    set_reason(reason, fmt::format("expected {}", what), i);
    return false;
  }
  size_t sp = detail::find_byte(line, i, ' ');
  if (sp == std::string_view::npos) sp = line.size();
  tok = line.substr(i, sp - i);
  i = sp;
  return true;
}

bool expect_space(std::string_view line, size_t& i, std::string_view after, std::string& reason) {
  if (i < line.size() && line[i] == ' ') { ++i; return true; }
  set_reason(reason, fmt::format("expected ' ' after {}", after), i);
  return false;
}

template <class Members>
void write_nil_or(Members& out, std::string_view key, std::string_view v) {
  if (v == "-") out.null(key);
  else out.string(key, v);
}

// Parses SD-ELEMENTs at line[i] (which is '['); i ends after the last ']'.
bool parse_sd(std::string_view line, size_t& i, SdScratch& sd, std::string& reason) {
  sd.ids.clear();
  sd.params.clear();
  sd.decoded.clear();
  bool any_decoded = false;
  const size_t n = line.size();
  auto name_char = [](char c) { return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"'; };
  while (i < n && line[i] == '[') {
    ++i;
    size_t id_begin = i;
    while (i < n && name_char(line[i])) ++i;
    if (i == id_begin) { set_reason(reason, "expected an SD-ID", i); return false; }
    uint32_t element = static_cast<uint32_t>(sd.ids.size());
    sd.ids.push_back(line.substr(id_begin, i - id_begin));
    while (i < n && line[i] == ' ') {
      ++i;
      size_t name_begin = i;
      while (i < n && name_char(line[i])) ++i;
      if (i == name_begin) { set_reason(reason, "expected an SD-PARAM name", i); return false; }
      std::string_view name = line.substr(name_begin, i - name_begin);
      if (i + 1 >= n || line[i] != '=' || line[i + 1] != '"') {
        set_reason(reason, fmt::format("expected '=\"' after SD-PARAM {}", name), i);
        return false;
      }
      i += 2;
      size_t value_begin = i;
      bool escaped = false;
      while (i < n && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < n) { escaped = true; ++i; }
        ++i;
      }
      if (i >= n) { set_reason(reason, "unterminated SD-PARAM value", value_begin); return false; }
      std::string_view raw = line.substr(value_begin, i - value_begin);
      ++i;  // closing quote
      if (!escaped) {
        sd.params.push_back({element, name, raw, false});
      } else {
        // RFC 5424 escapes only \" \\ \]; any other backslash stays as is.
        size_t start = sd.decoded.size();
        for (size_t k = 0; k < raw.size(); ++k) {
          if (raw[k] == '\\' && k + 1 < raw.size() &&
              (raw[k + 1] == '"' || raw[k + 1] == '\\' || raw[k + 1] == ']'))
            ++k;
          sd.decoded.push_back(raw[k]);
        }
        sd.params.push_back({element, name,
                             std::string_view(reinterpret_cast<const char*>(start),
                                              sd.decoded.size() - start),
                             true});
        any_decoded = true;
      }
    }
    if (i >= n || line[i] != ']') {
      set_reason(reason, "expected ']' to end the SD-ELEMENT", i);
      return false;
    }
    ++i;
  }
  if (any_decoded) {
    for (auto& p : sd.params) {
      if (p.decoded)
        p.value = std::string_view(sd.decoded.data() + reinterpret_cast<size_t>(p.value.data()),
                                   p.value.size());
    }
  }
  return true;
}

// {sd-id: {param: value | [values]}}, ids and params in first-seen order.
void write_sd(JsonBuilder& out, SdScratch& sd) {
  detail::group_keys(sd.ids, sd.id_group);
  const size_t np = sd.params.size();
  sd.composite.clear();
  for (auto& p : sd.params) {
    sd.composite.append(sd.ids[sd.id_group[p.element]]);
    sd.composite.push_back('\0');
    sd.composite.append(p.name);
  }
  sd.keys.clear();
  size_t off = 0;
  for (auto& p : sd.params) {
    size_t len = sd.ids[sd.id_group[p.element]].size() + 1 + p.name.size();
    sd.keys.emplace_back(sd.composite.data() + off, len);
    off += len;
  }
  detail::group_keys(sd.keys, sd.param_group);
  constexpr uint32_t kNone = UINT32_MAX;
  const size_t ne = sd.ids.size();
  sd.chain_head.assign(ne, kNone);
  sd.chain_tail.assign(ne, kNone);
  sd.chain_next.assign(np, kNone);
  sd.same_next.assign(np, kNone);
  sd.same_last.assign(np, kNone);
  for (uint32_t p = 0; p < np; ++p) {
    uint32_t g = sd.id_group[sd.params[p].element];
    if (sd.chain_head[g] == kNone) sd.chain_head[g] = p;
    else sd.chain_next[sd.chain_tail[g]] = p;
    sd.chain_tail[g] = p;
    uint32_t pg = sd.param_group[p];
    if (pg != p) sd.same_next[sd.same_last[pg]] = p;
    sd.same_last[pg] = p;
  }
  out.key("sd");
  out.begin_object();
  for (uint32_t e = 0; e < ne; ++e) {
    if (sd.id_group[e] != e) continue;
    out.key(sd.ids[e]);
    out.begin_object();
    for (uint32_t p = sd.chain_head[e]; p != kNone; p = sd.chain_next[p]) {
      if (sd.param_group[p] != p) continue;
      out.key(sd.params[p].name);
      if (sd.same_next[p] == kNone) {
        out.string(sd.params[p].value);
      } else {
        out.begin_array();
        for (uint32_t q = p; q != kNone; q = sd.same_next[q]) out.string(sd.params[q].value);
        out.end_array();
      }
    }
    out.end_object();
  }
  out.end_object();
}

// An RFC 5424 event's members up to msgid.
template <class Members>
void write_5424_header(Members& out, int pri, std::string_view version_text, int version,
                       std::string_view time, const std::optional<TimeNs>& ts, std::string_view host,
                       std::string_view app, std::string_view procid, std::string_view msgid) {
  write_pri(out, pri);
  if (!version_text.empty()) out.integer("version", version_text, version);
  if (ts) {
    out.string("time", time);
    out.ts(*ts);
  } else {
    out.null("time");
    out.null("ts");
  }
  write_nil_or(out, "host", host);
  write_nil_or(out, "app", app);
  if (procid == "-") out.null("pid");
  else write_pid(out, procid);
  write_nil_or(out, "msgid", msgid);
}

// An RFC 5424 line from TIMESTAMP on (i); version_text is empty for a line
// without PRI and VERSION (rsyslog's file format), and version is omitted.
bool parse_5424_header(std::string_view line, size_t i, int pri, std::string_view version_text,
                       int version, JsonBuilder& out, std::string& reason,
                       const LineFormatOptions& opts) {
  thread_local SdScratch sd;
  std::string_view time, host, app, procid, msgid;
  size_t time_col = i;
  if (!header_token(line, i, time, "TIMESTAMP", reason) || !expect_space(line, i, "TIMESTAMP", reason) ||
      !header_token(line, i, host, "HOSTNAME", reason) || !expect_space(line, i, "HOSTNAME", reason) ||
      !header_token(line, i, app, "APP-NAME", reason) || !expect_space(line, i, "APP-NAME", reason) ||
      !header_token(line, i, procid, "PROCID", reason) || !expect_space(line, i, "PROCID", reason) ||
      !header_token(line, i, msgid, "MSGID", reason) || !expect_space(line, i, "MSGID", reason))
    return false;
  std::optional<TimeNs> ts;
  if (time != "-") {
    ts = parse_rfc3339(time, opts.tz);
    if (!ts) {
      set_reason(reason, fmt::format("invalid TIMESTAMP '{}'", time), time_col);
      return false;
    }
  }
  bool sd_nil = false;
  if (i < line.size() && line[i] == '-') {
    sd_nil = true;
    ++i;
  } else if (i < line.size() && line[i] == '[') {
    if (!parse_sd(line, i, sd, reason)) return false;
  } else {
    set_reason(reason, "expected STRUCTURED-DATA ('-' or '[')", i);
    return false;
  }
  if (i < line.size() && line[i] != ' ') {
    set_reason(reason, "expected ' ' after STRUCTURED-DATA", i);
    return false;
  }

  out.begin_object();
  const bool has_msg = i < line.size();
  const std::string_view msg = has_msg ? msg_text(line.substr(i + 1)) : std::string_view();
  using detail::is_plain_short;
  if (sd_nil && is_plain_short(time) && is_plain_short(host) && is_plain_short(app) &&
      is_plain_short(procid) && is_plain_short(msgid) && is_plain_short(msg)) {
    // Nothing to escape: the whole event through one reservation (each
    // value is a part of the line, written once).
    detail::MemberCursor cursor(out.out(), line.size() + 256, true);
    detail::CursorMembers members(cursor);
    write_5424_header(members, pri, version_text, version, time, ts, host, app, procid, msgid);
    members.null("sd");
    if (has_msg) members.string("msg", msg);
    cursor.done();
    out.raw(std::string_view());  // the builder now knows the object has members
  } else {
    detail::BuilderMembers members(out);
    write_5424_header(members, pri, version_text, version, time, ts, host, app, procid, msgid);
    if (sd_nil) members.null("sd");
    else write_sd(out, sd);
    if (has_msg) members.string("msg", msg);
  }
  out.end_object();
  return true;
}

bool parse_5424(std::string_view line, size_t i, int pri, JsonBuilder& out, std::string& reason,
                const LineFormatOptions& opts) {
  size_t version_begin = i;
  int version = 0;
  while (i < line.size() && is_digit(line[i]) && i - version_begin < 3) version = version * 10 + (line[i++] - '0');
  std::string_view version_text = line.substr(version_begin, i - version_begin);
  if (!expect_space(line, i, "VERSION", reason)) return false;
  return parse_5424_header(line, i, pri, version_text, version, out, reason, opts);
}

// "2022-08-27T..." at i: an RFC 3339 time starts the header.
bool starts_with_rfc3339_date(std::string_view line, size_t i) {
  return i + 10 < line.size() && is_digit(line[i]) && is_digit(line[i + 1]) &&
         is_digit(line[i + 2]) && is_digit(line[i + 3]) && line[i + 4] == '-' &&
         (line[i + 10] == 'T' || line[i + 10] == 't');
}

// Whether the header after an RFC 3339 time at i has RFC 5424's shape:
// HOSTNAME APP-NAME PROCID MSGID, each printable US-ASCII within RFC 5424's
// lengths, then '-' or '[' (STRUCTURED-DATA). rsyslog writes the same time
// before a traditional "host tag[pid]: msg" header (high-precision RFC 3164):
// a token ending in ':' is such a tag, never an RFC 5424 field, and a tag
// "app[pid]" has no PROCID after it in that shape.
bool has_5424_shape(std::string_view line, size_t i) {
  static constexpr size_t kMaxLen[5] = {64, 255, 48, 128, 32};  // TIMESTAMP..MSGID
  for (size_t field = 0; field < 5; ++field) {
    const size_t begin = i;
    while (i < line.size() && line[i] > ' ' && line[i] < 0x7f) ++i;
    if (i == begin || i - begin > kMaxLen[field] || i == line.size() || line[i] != ' ') return false;
    if (line[i - 1] == ':' && field > 0) return false;
    ++i;
  }
  return i < line.size() && (line[i] == '[' || (line[i] == '-' && (i + 1 == line.size() || line[i + 1] == ' ')));
}

int month_number(std::string_view m) {
  static constexpr std::string_view kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int k = 0; k < 12; ++k)
    if (m == kMonths[k]) return k + 1;
  return 0;
}

bool read_digits(std::string_view s, size_t i, size_t n, int& v) {
  if (i + n > s.size()) return false;
  v = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return false;
    v = v * 10 + (s[i + k] - '0');
  }
  return true;
}

struct Clock {
  int year;
  TimeNs now;
};
const Clock& wall_clock() {
  static const Clock c = [] {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return Clock{tm.tm_year + 1900, static_cast<TimeNs>(t) * kNsPerSec};
  }();
  return c;
}

// Years to add to --year for a line of month (1..12) after the lines
// before it in the file (YearRollover, documented at parse_syslog).
int rollover_years(YearRollover* r, int month) {
  if (r == nullptr) return 0;
  if (r->last_month != 0 && month + 6 < r->last_month) {
    ++r->offset;  // Dec -> Jan: a new year
  } else if (r->last_month != 0 && month > r->last_month + 6) {
    return r->offset - 1;  // Jan -> Dec: a late line of the year before
  }
  r->last_month = month;
  return r->offset;
}

// RFC 3164 time at line[i]: "Mmm dd hh:mm:ss[.frac]" with an optional year
// before or after the clock, or an RFC 3339 time. i ends after it.
bool parse_3164_time(std::string_view line, size_t& i, TimeNs& ts, const LineFormatOptions& opts,
                     std::string& reason) {
  const size_t begin = i;
  int y4;
  if (read_digits(line, i, 4, y4) && i + 10 < line.size() && line[i + 4] == '-' &&
      (line[i + 10] == 'T' || line[i + 10] == 't')) {
    size_t sp = line.find(' ', i);
    if (sp == std::string_view::npos) sp = line.size();
    auto t = parse_rfc3339(line.substr(i, sp - i), opts.tz);
    if (!t) {
      set_reason(reason, "invalid RFC 3339 time", i);
      return false;
    }
    ts = *t;
    i = sp;
    return true;
  }
  auto fail = [&] {
    set_reason(reason, "expected a syslog time (\"Mmm dd hh:mm:ss\" or RFC 3339)", begin);
    return false;
  };
  if (i + 3 > line.size()) return fail();
  int month = month_number(line.substr(i, 3));
  if (month == 0) return fail();
  i += 3;
  if (i >= line.size() || line[i] != ' ') return fail();
  while (i < line.size() && line[i] == ' ') ++i;
  int day;
  if (read_digits(line, i, 2, day)) i += 2;
  else if (read_digits(line, i, 1, day)) i += 1;
  else return fail();
  if (i >= line.size() || line[i] != ' ') return fail();
  ++i;
  int year = 0, y;
  if (read_digits(line, i, 4, y) && i + 4 < line.size() && line[i + 4] == ' ') {
    year = y;
    i += 5;
  }
  int hh, mm, ss;
  if (i + 8 > line.size() || !read_digits(line, i, 2, hh) || line[i + 2] != ':' ||
      !read_digits(line, i + 3, 2, mm) || line[i + 5] != ':' || !read_digits(line, i + 6, 2, ss))
    return fail();
  i += 8;
  int64_t frac = 0;
  if (i < line.size() && line[i] == '.') {
    ++i;
    int digits = 0;
    while (i < line.size() && is_digit(line[i])) {
      if (digits < 9) { frac = frac * 10 + (line[i] - '0'); ++digits; }
      ++i;
    }
    while (digits++ < 9) frac *= 10;
  }
  if (year == 0 && i + 5 <= line.size() && line[i] == ' ' && read_digits(line, i + 1, 4, y) &&
      (i + 5 == line.size() || line[i + 5] == ' ') && y >= 1970 && y < 2200) {
    year = y;
    i += 5;
  }
  // Canonical "Mmm dd hh:mm:ss" for timeutil.
  char buf[16];
  std::memcpy(buf, line.data() + begin, 3);
  buf[3] = ' ';
  buf[4] = day >= 10 ? static_cast<char>('0' + day / 10) : ' ';
  buf[5] = static_cast<char>('0' + day % 10);
  buf[6] = ' ';
  const int clock[3] = {hh, mm, ss};
  for (int k = 0; k < 3; ++k) {
    buf[7 + 3 * k] = static_cast<char>('0' + clock[k] / 10);
    buf[8 + 3 * k] = static_cast<char>('0' + clock[k] % 10);
    if (k < 2) buf[9 + 3 * k] = ':';
  }
  std::string_view canon(buf, 15);
  const bool guessed_year = year == 0;
  if (guessed_year) {
    year = opts.default_year ? opts.default_year + rollover_years(opts.rollover, month)
                             : wall_clock().year;
  }
  auto t = parse_bsd_syslog_time(canon, year, opts.tz);
  if (t && guessed_year && !opts.default_year && *t > wall_clock().now + 86400 * kNsPerSec)
    t = parse_bsd_syslog_time(canon, year - 1, opts.tz);
  if (!t) {
    set_reason(reason, "invalid syslog time", begin);
    return false;
  }
  ts = *t + frac;
  return true;
}

// "app[pid]" -> app, pid (pid empty when there is none).
void split_tag(std::string_view tag, std::string_view& app, std::string_view& pid) {
  pid = {};
  app = tag;
  if (tag.size() >= 3 && tag.back() == ']') {
    size_t open = tag.rfind('[');
    if (open != std::string_view::npos && open > 0) {
      app = tag.substr(0, open);
      pid = tag.substr(open + 1, tag.size() - open - 2);
    }
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// "2001:db8::", "::1", "fe80::1:": hex digits, dots and two or more colons.
bool looks_like_ipv6(std::string_view t) {
  size_t colons = 0;
  for (char c : t) {
    if (c == ':') ++colons;
    else if (!is_digit(c) && !(c >= 'a' && c <= 'f') && !(c >= 'A' && c <= 'F') && c != '.') return false;
  }
  return colons >= 2;
}

bool parse_3164(std::string_view line, size_t i, int pri, JsonBuilder& out, std::string& reason,
                const LineFormatOptions& opts) {
  size_t time_begin = i;
  TimeNs ts;
  if (!parse_3164_time(line, i, ts, opts, reason)) return false;
  std::string_view time = line.substr(time_begin, i - time_begin);
  if (i < line.size() && line[i] != ' ') {
    set_reason(reason, "expected ' ' after the time", i);
    return false;
  }
  while (i < line.size() && line[i] == ' ') ++i;
  std::string_view rest = line.substr(i);

  std::string_view host, app, pid;
  auto token = [](std::string_view s) {
    size_t sp = s.find(' ');
    return sp == std::string_view::npos ? s : s.substr(0, sp);
  };
  auto skip = [](std::string_view s, size_t n) {
    s.remove_prefix(std::min(n, s.size()));
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
  };
  if (!rest.empty() && !rest.starts_with("--- ")) {
    std::string_view t = token(rest);
    // "tag:" right after the time: no hostname (RFC 3164 from the network);
    // but an IPv6 address ending in "::" is a hostname.
    if (!t.ends_with(':') || (looks_like_ipv6(t) && t.size() < rest.size())) {
      host = t;
      rest = skip(rest, t.size());
    }
  }
  if (!rest.empty() && !rest.starts_with("--- ")) {
    std::string_view t = token(rest);
    std::string_view a, p;
    size_t close = t.find("]:");
    if (close != std::string_view::npos && close + 2 < t.size() &&
        (split_tag(t.substr(0, close + 1), a, p), !p.empty() && all_digits(p) && !a.empty())) {
      // "app[pid]:msg", no space after the colon.
      app = a;
      pid = p;
      rest = rest.substr(close + 2);
    } else if (t.size() > 1 && t.ends_with(':')) {  // "app:" or "app[pid]:"
      split_tag(t.substr(0, t.size() - 1), app, pid);
      rest = skip(rest, t.size());
    } else if (split_tag(t, a, p), !p.empty() && all_digits(p)) {  // "app[pid]" (launchd)
      app = a;
      pid = p;
      rest = skip(rest, t.size());
    } else {
      // "Setup Assistant[1173]: ": a tag with spaces, only with a numeric pid.
      size_t end = rest.substr(0, 64).find("]: ");
      if (end != std::string_view::npos) {
        std::string_view cand = rest.substr(0, end + 1);
        split_tag(cand, a, p);
        if (all_digits(p) && a.find_first_of(":[]") == std::string_view::npos) {
          app = a;
          pid = p;
          rest = skip(rest, end + 2);
        }
      }
    }
  }

  out.begin_object();
  write_pri(out, pri);
  detail::member_string(out, "time", time);
  detail::write_ts(out, ts);
  if (!host.empty()) detail::member_string(out, "host", host);
  if (!app.empty()) detail::member_string(out, "app", app);
  if (!pid.empty()) write_pid(out, pid);
  write_msg(out, rest);
  out.end_object();
  return true;
}

}  // namespace

bool parse_syslog(std::string_view line, JsonBuilder& out, std::string& reason,
                  const LineFormatOptions& opts) {
  line = detail::strip_cr(line);
  if (detail::is_blank(line)) {
    reason = "empty line";
    return false;
  }
  if (line[0] == ' ' || line[0] == '\t') {
    set_reason(reason, "continuation line (starts with blank space), not a syslog header", 0);
    return false;
  }
  size_t i = 0;
  int pri = -1;
  if (line[0] == '<') {
    size_t k = 1;
    int v = 0;
    while (k < line.size() && k <= 3 && is_digit(line[k])) v = v * 10 + (line[k++] - '0');
    if (k == 1 || k >= line.size() || line[k] != '>' || v > 191) {
      set_reason(reason, "invalid PRI (expected <0..191>)", 0);
      return false;
    }
    pri = v;
    i = k + 1;
    // "<PRI>1 " : RFC 5424 (VERSION then a space); anything else is RFC 3164.
    size_t d = i;
    while (d < line.size() && d - i < 3 && is_digit(line[d])) ++d;
    if (d > i && line[i] != '0' && d < line.size() && line[d] == ' ')
      return parse_5424(line, i, pri, out, reason, opts);
  }
  // RFC 5424 without PRI and VERSION (rsyslog's RSYSLOG_FileFormat with a
  // PROCID/MSGID header): a line that has the shape and parses as RFC 5424
  // is one; anything else stays RFC 3164 with an RFC 3339 time.
  if (starts_with_rfc3339_date(line, i) && has_5424_shape(line, i) &&
      parse_5424_header(line, i, pri, std::string_view(), 0, out, reason, opts))
    return true;
  return parse_3164(line, i, pri, out, reason, opts);
}

}  // namespace olly::parse
